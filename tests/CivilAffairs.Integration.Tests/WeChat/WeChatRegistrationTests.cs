using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.WeChatSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary><see cref="WeChatRegistration.AddCivilAffairsWeChat"/> and what the adapter logs.</summary>
public class WeChatRegistrationTests
{
    [Fact]
    public async Task Registration_binds_the_WeChat_section_and_the_typed_client_talks_to_the_base_url()
    {
        await using var wx = await WeChatHarness.StartAsync();
        await using var services = BuildServices(wx, new CapturingLoggerProvider());

        var options = services.GetRequiredService<IOptions<WeChatOptions>>().Value;
        Assert.Equal(wx.Simulator.AppId, options.AppId);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
        Assert.Equal("https://api.weixin.qq.com", new WeChatOptions().BaseUrl);

        using var scope = services.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<WeChatClient>();
        var session = await client.CodeToSessionAsync(await wx.LoginAsync(WeChatHarness.Li), default);
        Assert.Equal(wx.OpenId(WeChatHarness.Li), session.OpenId);
    }

    [Fact]
    public async Task Logs_carry_errcodes_but_never_secrets_codes_session_keys_openids_or_tokens()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var services = BuildServices(wx, logs);
        WeChatClient Client() => services.GetRequiredService<WeChatClient>();
        var data = new Dictionary<string, string> { ["thing1"] = "低保年审提醒" };
        var secrets = new List<string> { wx.Simulator.AppSecret };

        var code = await wx.LoginAsync(WeChatHarness.Zhang);
        secrets.Add(code);
        var session = await Client().CodeToSessionAsync(code, default);
        secrets.AddRange([session.OpenId, session.UnionId!, session.SessionKey]);
        await Assert.ThrowsAsync<WeChatApiException>(() => Client().CodeToSessionAsync(code, default));
        await Client().SendSubscribeMessageAsync(session.OpenId, WeChatHarness.TemplateId, null, data, default);
        await wx.ExpireTokensAsync();
        await wx.InjectFaultAsync(SimulatedApi.SubscribeSend, times: 1, errcode: -1);
        await Client().SendSubscribeMessageAsync(session.OpenId, WeChatHarness.TemplateId, null, data, default);
        var refuser = wx.OpenId(WeChatHarness.Refuser);
        secrets.Add(refuser);
        Assert.True((await Client().SendSubscribeMessageAsync(refuser, WeChatHarness.TemplateId, null, data, default)).Refused);
        await Assert.ThrowsAsync<WeChatApiException>(() => Client().SendSubscribeMessageAsync(session.OpenId, WeChatHarness.TemplateId, null,
            new Dictionary<string, string> { ["thing1"] = new string('长', 21) }, default));
        var token = (await wx.PostWeChatAsync("cgi-bin/stable_token", new { grant_type = "client_credential", appid = wx.Simulator.AppId, secret = wx.Simulator.AppSecret }))
            .GetProperty("access_token").GetString()!;
        secrets.Add(token);

        var entries = logs.Entries.ToList();
        Assert.Contains(entries, e => e.Contains("errcode 40163"));
        Assert.Contains(entries, e => e.Contains("errcode 42001"));
        Assert.Contains(entries, e => e.Contains("errcode 43101"));
        Assert.Contains(entries, e => e.Contains("errcode 47003"));
        Assert.Contains(entries, e => e.Contains("errcode -1"));
        foreach (var secret in secrets)
            Assert.DoesNotContain(entries, e => e.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    private static ServiceProvider BuildServices(WeChatHarness wx, CapturingLoggerProvider logs)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WeChat:BaseUrl"] = wx.Simulator.BaseAddress.ToString().TrimEnd('/'),
                ["WeChat:AppId"] = wx.Simulator.AppId,
                ["WeChat:AppSecret"] = wx.Simulator.AppSecret,
                ["WeChat:Timeout"] = "00:00:07",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddCivilAffairsWeChat(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
