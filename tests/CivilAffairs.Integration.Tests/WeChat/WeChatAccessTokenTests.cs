using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.WeChatSimulator;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary>The adapter's access-token cache, refresh and retry, observed through the simulator's counters.</summary>
public class WeChatAccessTokenTests
{
    private static readonly Dictionary<string, string> Reminder = new()
    {
        ["thing1"] = "请补充提交收入证明材料",
        ["date2"] = "2025年3月8日",
    };

    [Fact]
    public async Task Access_token_is_fetched_once_and_shared_by_client_instances()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var openId = wx.OpenId(WeChatHarness.Zhang);

        // Concurrent first sends share one token fetch; later instances reuse the cached token.
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => wx.CreateClient().SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default)));
        for (var i = 0; i < 3; i++)
            Assert.True((await wx.CreateClient().SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default)).Delivered);

        Assert.Equal(1, await wx.TokenRequestsAsync());
        Assert.Equal(8, (await wx.MessagesAsync(openId)).Count);
    }

    [Fact]
    public async Task Access_token_is_refreshed_once_after_the_simulator_expires_tokens()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var client = wx.CreateClient();
        var openId = wx.OpenId(WeChatHarness.Li);
        await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);
        Assert.Equal(1, await wx.TokenRequestsAsync());

        await wx.ExpireTokensAsync();
        var result = await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);

        Assert.True(result.Delivered);
        Assert.Equal(2, await wx.TokenRequestsAsync());
        Assert.Equal(3, (await wx.StatsAsync()).GetProperty("subscribeSendRequests").GetInt32()); // 1 + (42001, then the retry)
        await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);
        Assert.Equal(2, await wx.TokenRequestsAsync());
        Assert.Equal(3, (await wx.MessagesAsync(openId)).Count);
    }

    [Fact]
    public async Task Access_token_is_refetched_five_minutes_before_it_expires()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var clock = new ManualClock();
        var client = wx.CreateClient(clock: clock);
        var openId = wx.OpenId(WeChatHarness.Wang);
        await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);

        clock.Advance(TimeSpan.FromSeconds(7200 - 300 - 1));
        await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);
        Assert.Equal(1, await wx.TokenRequestsAsync());

        clock.Advance(TimeSpan.FromSeconds(2));
        await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default);
        Assert.Equal(2, await wx.TokenRequestsAsync());
    }

    [Fact]
    public async Task Legacy_token_endpoint_is_used_when_stable_token_is_disabled()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var client = wx.CreateClient(o => o.UseStableToken = false);
        var openId = wx.OpenId(WeChatHarness.Zhang);

        Assert.True((await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default)).Delivered);
        await wx.ExpireTokensAsync();
        Assert.True((await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, Reminder, default)).Delivered);

        Assert.Equal(2, await wx.TokenRequestsAsync());
    }

    [Fact]
    public async Task Wrong_secret_makes_the_token_request_fail_with_40125()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => wx.CreateClient(o => o.AppSecret = "ffffffffffffffffffffffffffffffff")
            .SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, Reminder, default));

        Assert.Equal(40125, error.ErrCode);
        Assert.Equal(0, (await wx.StatsAsync()).GetProperty("subscribeSendRequests").GetInt32());
    }

    [Fact]
    public async Task Transient_token_failures_are_retried()
    {
        await using var wx = await WeChatHarness.StartAsync();
        await wx.InjectFaultAsync(SimulatedApi.Token, times: 1, httpStatus: 502);
        await wx.InjectFaultAsync(SimulatedApi.Token, times: 1, errcode: -1);

        var result = await wx.CreateClient().SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, Reminder, default);

        Assert.True(result.Delivered);
        Assert.Equal(3, await wx.TokenRequestsAsync()); // HTTP 502, errcode -1, success
    }

    [Fact]
    public async Task Token_rejected_again_after_a_refresh_is_reported_not_looped()
    {
        await using var wx = await WeChatHarness.StartAsync();
        await wx.InjectFaultAsync(SimulatedApi.SubscribeSend, times: 5, errcode: 40001);

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => wx.CreateClient()
            .SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, Reminder, default));

        Assert.Equal(40001, error.ErrCode);
        Assert.Equal(2, await wx.TokenRequestsAsync());
        Assert.Equal(2, (await wx.StatsAsync()).GetProperty("subscribeSendRequests").GetInt32());
    }
}
