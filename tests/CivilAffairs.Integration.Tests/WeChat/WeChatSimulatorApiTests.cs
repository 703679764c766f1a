using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivilAffairs.WeChatSimulator;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary>The simulator's wire shapes, called over raw HTTP as WeChat's own API would be.</summary>
public class WeChatSimulatorApiTests
{
    [Fact]
    public async Task Jscode2session_answers_with_the_official_field_names_only()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var code = await wx.LoginAsync(WeChatHarness.Zhang);

        var body = await wx.GetWeChatAsync($"sns/jscode2session?appid={wx.Simulator.AppId}&secret={wx.Simulator.AppSecret}&js_code={code}&grant_type=authorization_code");

        Assert.Equal(["openid", "session_key", "unionid"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(wx.OpenId(WeChatHarness.Zhang), body.GetProperty("openid").GetString());
    }

    [Theory]
    [InlineData("appid={appid}&secret={secret}&js_code=nope&grant_type=authorization_code", 40029, "invalid code")]
    [InlineData("appid=wx1111111111111111&secret={secret}&js_code=nope&grant_type=authorization_code", 40013, "invalid appid")]
    [InlineData("appid={appid}&secret=bad&js_code=nope&grant_type=authorization_code", 40125, "invalid appsecret")]
    [InlineData("appid={appid}&secret={secret}&js_code=nope&grant_type=client_credential", 40002, "invalid grant_type")]
    [InlineData("secret={secret}&js_code=nope&grant_type=authorization_code", 41002, "appid missing")]
    [InlineData("appid={appid}&secret={secret}&grant_type=authorization_code", 41008, "missing code")]
    public async Task Jscode2session_errors_are_http_200_with_errcode_and_errmsg(string query, int errcode, string errmsg)
    {
        await using var wx = await WeChatHarness.StartAsync();

        var body = await wx.GetWeChatAsync("sns/jscode2session?" + query.Replace("{appid}", wx.Simulator.AppId).Replace("{secret}", wx.Simulator.AppSecret));

        Assert.Equal(errcode, body.GetProperty("errcode").GetInt32());
        Assert.Equal(errmsg, body.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Token_endpoint_issues_a_7200_second_token_and_checks_grant_type_and_credentials()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var (appId, secret) = (wx.Simulator.AppId, wx.Simulator.AppSecret);

        var ok = await wx.GetWeChatAsync($"cgi-bin/token?grant_type=client_credential&appid={appId}&secret={secret}");
        Assert.Equal(7200, ok.GetProperty("expires_in").GetInt32());
        Assert.False(string.IsNullOrEmpty(ok.GetProperty("access_token").GetString()));

        Assert.Equal(40002, (await wx.GetWeChatAsync($"cgi-bin/token?grant_type=password&appid={appId}&secret={secret}")).GetProperty("errcode").GetInt32());
        Assert.Equal(40013, (await wx.GetWeChatAsync($"cgi-bin/token?grant_type=client_credential&appid=wx0&secret={secret}")).GetProperty("errcode").GetInt32());
        Assert.Equal(40125, (await wx.GetWeChatAsync($"cgi-bin/token?grant_type=client_credential&appid={appId}&secret=wrong")).GetProperty("errcode").GetInt32());
        Assert.Equal(4, await wx.TokenRequestsAsync());
    }

    [Fact]
    public async Task Stable_token_is_stable_until_force_refresh_and_requires_post()
    {
        await using var wx = await WeChatHarness.StartAsync();
        object Body(bool force) => new { grant_type = "client_credential", appid = wx.Simulator.AppId, secret = wx.Simulator.AppSecret, force_refresh = force };

        var first = (await wx.PostWeChatAsync("cgi-bin/stable_token", Body(false))).GetProperty("access_token").GetString();
        var again = (await wx.PostWeChatAsync("cgi-bin/stable_token", Body(false))).GetProperty("access_token").GetString();
        var forced = (await wx.PostWeChatAsync("cgi-bin/stable_token", Body(true))).GetProperty("access_token").GetString();

        Assert.Equal(first, again);
        Assert.NotEqual(first, forced);
        var send = await wx.PostWeChatAsync($"cgi-bin/message/subscribe/send?access_token={first}", new { touser = wx.OpenId(WeChatHarness.Zhang) });
        Assert.Equal(42001, send.GetProperty("errcode").GetInt32());
        Assert.Equal(43002, (await wx.GetWeChatAsync("cgi-bin/stable_token")).GetProperty("errcode").GetInt32());
        Assert.Equal(47001, (await (await wx.Sim.PostAsync("cgi-bin/stable_token", new StringContent("{not json", Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task Subscribe_send_checks_token_then_openid_template_and_data()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var token = (await wx.PostWeChatAsync("cgi-bin/stable_token", new { grant_type = "client_credential", appid = wx.Simulator.AppId, secret = wx.Simulator.AppSecret }))
            .GetProperty("access_token").GetString();
        var zhang = wx.OpenId(WeChatHarness.Zhang);
        var data = new Dictionary<string, object> { ["thing1"] = new { value = "低保复核提醒" }, ["number2"] = new { value = "3" } };
        async Task<int> Send(string? accessToken, object body) =>
            (await wx.PostWeChatAsync($"cgi-bin/message/subscribe/send{(accessToken is null ? "" : "?access_token=" + accessToken)}", body)).GetProperty("errcode").GetInt32();

        Assert.Equal(41001, await Send(null, new { touser = zhang }));
        Assert.Equal(40001, await Send("not-a-token", new { touser = zhang }));
        Assert.Equal(40003, await Send(token, new { touser = "", template_id = WeChatHarness.TemplateId, data }));
        Assert.Equal(40037, await Send(token, new { touser = zhang, template_id = "short", data }));
        Assert.Equal(47003, await Send(token, new { touser = zhang, template_id = WeChatHarness.TemplateId }));
        Assert.Equal(47003, await Send(token, new { touser = zhang, template_id = WeChatHarness.TemplateId, data = new { number1 = new { value = "three" } } }));
        Assert.Equal(47003, await Send(token, new { touser = zhang, template_id = WeChatHarness.TemplateId, data = new { phrase1 = new { value = "审核已经完成了" } } }));
        Assert.Equal(47003, await Send(token, new { touser = zhang, template_id = WeChatHarness.TemplateId, data, miniprogram_state = "beta" }));
        Assert.Equal(43101, await Send(token, new { touser = wx.OpenId(WeChatHarness.Refuser), template_id = WeChatHarness.TemplateId, data }));

        var ok = await wx.PostWeChatAsync($"cgi-bin/message/subscribe/send?access_token={token}",
            new { touser = zhang, template_id = WeChatHarness.TemplateId, page = "pages/index", data, miniprogram_state = "developer", lang = "zh_CN" });
        Assert.Equal(0, ok.GetProperty("errcode").GetInt32());
        Assert.Equal("ok", ok.GetProperty("errmsg").GetString());
        Assert.Equal(JsonValueKind.Number, ok.GetProperty("msgid").ValueKind);
        Assert.Single(await wx.MessagesAsync(zhang));
        Assert.Single(wx.Simulator.GetMessages(zhang));
    }

    [Fact]
    public async Task Default_users_have_fixed_openids_and_login_rejects_unknown_users()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var users = (await wx.Sim.GetFromJsonAsync<JsonElement>("__sim/users")).EnumerateArray().ToList();

        Assert.Equal(["citizen-zhang", "citizen-li", "citizen-wang", "blocked-user", "refuse-user"], users.Select(u => u.GetProperty("key").GetString()));
        Assert.Equal("oRHtUVQcDMpg0TMkxpdzPaEMM1ZA", users[0].GetProperty("openId").GetString());
        Assert.All(users, u => Assert.Equal(28, u.GetProperty("openId").GetString()!.Length));
        Assert.Equal(HttpStatusCode.NotFound, (await wx.Sim.PostAsJsonAsync("__sim/login", new { user = "nobody" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await wx.Sim.PostAsJsonAsync("__sim/login", new { })).StatusCode);
    }

    [Fact]
    public async Task Custom_users_replace_the_defaults_and_codes_are_one_time()
    {
        await using var wx = await WeChatHarness.StartAsync(o => o.Users = [new SimulatedUser("tester", "oTester00000000000000000000A", null, "测试")]);

        var code = wx.Simulator.CreateLoginCode("tester");
        var query = $"sns/jscode2session?appid={wx.Simulator.AppId}&secret={wx.Simulator.AppSecret}&js_code={code}&grant_type=authorization_code";

        Assert.Equal("oTester00000000000000000000A", (await wx.GetWeChatAsync(query)).GetProperty("openid").GetString());
        Assert.Equal(40163, (await wx.GetWeChatAsync(query)).GetProperty("errcode").GetInt32());
        Assert.Throws<ArgumentException>(() => wx.Simulator.CreateLoginCode(WeChatHarness.Zhang));
    }

    [Fact]
    public async Task Port_zero_gives_each_simulator_its_own_loopback_port()
    {
        await using var a = await WeChatHarness.StartAsync();
        await using var b = await WeChatHarness.StartAsync();

        Assert.Equal("127.0.0.1", a.Simulator.BaseAddress.Host);
        Assert.NotEqual(0, a.Simulator.BaseAddress.Port);
        Assert.NotEqual(a.Simulator.BaseAddress, b.Simulator.BaseAddress);
    }
}
