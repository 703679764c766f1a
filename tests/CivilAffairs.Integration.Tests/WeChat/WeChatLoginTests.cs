using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.WeChatSimulator;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary><c>wx.login</c> code → <see cref="WeChatClient.CodeToSessionAsync"/> against the simulator.</summary>
public class WeChatLoginTests
{
    [Fact]
    public async Task Login_code_exchanges_for_the_users_openid_unionid_and_a_session_key()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var code = await wx.LoginAsync(WeChatHarness.Zhang);

        var session = await wx.CreateClient().CodeToSessionAsync(code, default);

        var zhang = wx.Simulator.Users.Single(u => u.Key == WeChatHarness.Zhang);
        Assert.Equal(zhang.OpenId, session.OpenId);
        Assert.Equal(zhang.UnionId, session.UnionId);
        Assert.Equal(16, Convert.FromBase64String(session.SessionKey).Length);
        Assert.DoesNotContain(session.OpenId, session.ToString());
        Assert.DoesNotContain(session.SessionKey, session.ToString());
    }

    [Fact]
    public async Task User_without_unionid_gets_a_session_without_one()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var session = await wx.CreateClient().CodeToSessionAsync(await wx.LoginAsync(WeChatHarness.Wang), default);

        Assert.Equal(wx.OpenId(WeChatHarness.Wang), session.OpenId);
        Assert.Null(session.UnionId);
    }

    [Fact]
    public async Task Reused_code_fails_with_40163()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var client = wx.CreateClient();
        var code = await wx.LoginAsync(WeChatHarness.Li);
        await client.CodeToSessionAsync(code, default);

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => client.CodeToSessionAsync(code, default));

        Assert.Equal(40163, error.ErrCode);
        Assert.Equal("code been used", error.ErrMsg);
        Assert.True(error.IsInvalidCode);
    }

    [Fact]
    public async Task Unknown_code_fails_with_40029()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => wx.CreateClient().CodeToSessionAsync("0b3Xk41w3xYb1R2nQh0w3wV9Jm2Xk41f", default));

        Assert.Equal(40029, error.ErrCode);
        Assert.True(error.IsInvalidCode);
    }

    [Fact]
    public async Task Code_older_than_five_minutes_fails_with_40029()
    {
        var simulatorClock = new ManualClock();
        await using var wx = await WeChatHarness.StartAsync(o => o.Clock = simulatorClock);
        var code = await wx.LoginAsync(WeChatHarness.Zhang);
        simulatorClock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => wx.CreateClient().CodeToSessionAsync(code, default));

        Assert.Equal(40029, error.ErrCode);
    }

    [Fact]
    public async Task Wrong_secret_fails_with_40125_without_spending_the_code()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var code = await wx.LoginAsync(WeChatHarness.Zhang);

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => wx.CreateClient(o => o.AppSecret = "0123456789abcdef0123456789abcdef").CodeToSessionAsync(code, default));

        Assert.Equal(40125, error.ErrCode);
        Assert.False(error.IsInvalidCode);
        var session = await wx.CreateClient().CodeToSessionAsync(code, default);
        Assert.Equal(wx.OpenId(WeChatHarness.Zhang), session.OpenId);
    }

    [Fact]
    public async Task Wrong_appid_fails_with_40013()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(async () =>
            await wx.CreateClient(o => o.AppId = "wx0000000000000000").CodeToSessionAsync(await wx.LoginAsync(WeChatHarness.Zhang), default));

        Assert.Equal(40013, error.ErrCode);
    }

    [Fact]
    public async Task Blocked_user_fails_with_40226()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(async () =>
            await wx.CreateClient().CodeToSessionAsync(await wx.LoginAsync(WeChatHarness.Blocked), default));

        Assert.Equal(40226, error.ErrCode);
        Assert.True(error.IsHighRiskUser);
        Assert.False(error.IsInvalidCode);
    }

    [Fact]
    public async Task System_error_on_login_is_surfaced_without_retrying_and_the_code_stays_usable()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var client = wx.CreateClient();
        var code = await wx.LoginAsync(WeChatHarness.Zhang);
        await wx.InjectFaultAsync(SimulatedApi.CodeToSession, times: 1, errcode: -1);

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => client.CodeToSessionAsync(code, default));

        Assert.Equal(-1, error.ErrCode);
        Assert.True(error.IsTransient);
        Assert.Equal(1, (await wx.StatsAsync()).GetProperty("codeToSessionRequests").GetInt32());
        Assert.Equal(wx.OpenId(WeChatHarness.Zhang), (await client.CodeToSessionAsync(code, default)).OpenId);
    }

    [Fact]
    public async Task Http_503_on_login_is_not_retried()
    {
        await using var wx = await WeChatHarness.StartAsync();
        await wx.InjectFaultAsync(SimulatedApi.CodeToSession, times: 5, httpStatus: 503);

        var error = await Assert.ThrowsAsync<HttpRequestException>(async () =>
            await wx.CreateClient().CodeToSessionAsync(await wx.LoginAsync(WeChatHarness.Zhang), default));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1, (await wx.StatsAsync()).GetProperty("codeToSessionRequests").GetInt32());
    }

    [Fact]
    public async Task Unconfigured_adapter_refuses_to_call_WeChat()
    {
        await using var wx = await WeChatHarness.StartAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => wx.CreateClient(o => o.AppSecret = "").CodeToSessionAsync("any-code", default));

        Assert.Equal(0, (await wx.StatsAsync()).GetProperty("codeToSessionRequests").GetInt32());
    }
}
