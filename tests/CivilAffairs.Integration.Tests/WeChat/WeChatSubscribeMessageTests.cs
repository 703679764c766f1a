using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.WeChatSimulator;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary><see cref="WeChatClient.SendSubscribeMessageAsync"/> against the simulator.</summary>
public class WeChatSubscribeMessageTests
{
    private static readonly Dictionary<string, string> CaseAccepted = new()
    {
        ["thing1"] = "最低生活保障申请已受理",
        ["character_string2"] = "MZ2025-000123",
        ["time3"] = "2025年3月1日 09:30",
        ["phrase4"] = "审核中",
    };

    [Fact]
    public async Task Subscribe_message_is_delivered_and_visible_in_the_simulator()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var openId = wx.OpenId(WeChatHarness.Zhang);

        var result = await wx.CreateClient(o => o.MiniprogramState = "trial")
            .SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, "pages/cases/detail?id=MZ2025-000123", CaseAccepted, default);

        Assert.True(result.Delivered);
        Assert.False(result.Refused);
        Assert.NotNull(result.MsgId);
        var message = Assert.Single(await wx.MessagesAsync(openId));
        Assert.Equal(result.MsgId, message.GetProperty("msgId").GetInt64());
        Assert.Equal(WeChatHarness.TemplateId, message.GetProperty("templateId").GetString());
        Assert.Equal("pages/cases/detail?id=MZ2025-000123", message.GetProperty("page").GetString());
        Assert.Equal("trial", message.GetProperty("miniprogramState").GetString());
        Assert.Equal("zh_CN", message.GetProperty("lang").GetString());
        Assert.Equal(CaseAccepted, message.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
        Assert.Empty(await wx.MessagesAsync(wx.OpenId(WeChatHarness.Li)));
    }

    [Fact]
    public async Task Refusing_user_gets_a_refused_result_and_nothing_is_delivered()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var openId = wx.OpenId(WeChatHarness.Refuser);

        var result = await wx.CreateClient().SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, CaseAccepted, default);

        Assert.True(result.Refused);
        Assert.False(result.Delivered);
        Assert.Null(result.MsgId);
        Assert.Empty(await wx.MessagesAsync(openId));
    }

    [Fact]
    public async Task Thing_value_longer_than_20_characters_fails_with_47003()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var data = new Dictionary<string, string>(CaseAccepted) { ["thing1"] = "您申请的最低生活保障待遇已经通过街道初审并转区民政局审批" };

        var error = await Assert.ThrowsAsync<WeChatApiException>(() =>
            wx.CreateClient().SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, data, default));

        Assert.Equal(47003, error.ErrCode);
        Assert.Contains("data.thing1.value", error.ErrMsg);
        Assert.Empty(await wx.MessagesAsync(wx.OpenId(WeChatHarness.Zhang)));
    }

    [Fact]
    public async Task Missing_data_fails_with_47003()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(() =>
            wx.CreateClient().SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, new Dictionary<string, string>(), default));

        Assert.Equal(47003, error.ErrCode);
    }

    [Fact]
    public async Task Unknown_openid_fails_with_40003()
    {
        await using var wx = await WeChatHarness.StartAsync();

        var error = await Assert.ThrowsAsync<WeChatApiException>(() =>
            wx.CreateClient().SendSubscribeMessageAsync("oNotAUserOfThisApp000000000", WeChatHarness.TemplateId, null, CaseAccepted, default));

        Assert.Equal(40003, error.ErrCode);
    }

    [Fact]
    public async Task Template_id_outside_the_configured_list_fails_with_40037()
    {
        await using var wx = await WeChatHarness.StartAsync(o => o.TemplateIds = [WeChatHarness.TemplateId]);
        var client = wx.CreateClient();
        var openId = wx.OpenId(WeChatHarness.Li);

        var error = await Assert.ThrowsAsync<WeChatApiException>(() => client.SendSubscribeMessageAsync(openId, "tplSomeOtherTemplate01", null, CaseAccepted, default));

        Assert.Equal(40037, error.ErrCode);
        Assert.True((await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, CaseAccepted, default)).Delivered);
    }

    [Fact]
    public async Task Transient_system_errors_on_send_are_retried_twice()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var openId = wx.OpenId(WeChatHarness.Zhang);
        await wx.InjectFaultAsync(SimulatedApi.SubscribeSend, times: 2, errcode: -1);

        var result = await wx.CreateClient().SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, CaseAccepted, default);

        Assert.True(result.Delivered);
        Assert.Equal(3, (await wx.StatsAsync()).GetProperty("subscribeSendRequests").GetInt32());
        Assert.Single(await wx.MessagesAsync(openId));
    }

    [Fact]
    public async Task Persistent_http_503_on_send_gives_up_after_two_retries()
    {
        await using var wx = await WeChatHarness.StartAsync();
        await wx.InjectFaultAsync(SimulatedApi.SubscribeSend, times: 10, httpStatus: 503);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            wx.CreateClient().SendSubscribeMessageAsync(wx.OpenId(WeChatHarness.Zhang), WeChatHarness.TemplateId, null, CaseAccepted, default));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, (await wx.StatsAsync()).GetProperty("subscribeSendRequests").GetInt32());
    }

    [Fact]
    public async Task Unreachable_WeChat_is_retried_then_reported_as_a_network_error()
    {
        await using var wx = await WeChatHarness.StartAsync();
        var client = wx.CreateClient();
        var openId = wx.OpenId(WeChatHarness.Zhang);
        Assert.True((await client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, CaseAccepted, default)).Delivered);
        await wx.Simulator.DisposeAsync();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendSubscribeMessageAsync(openId, WeChatHarness.TemplateId, null, CaseAccepted, default));

        Assert.Null(error.StatusCode);
    }
}
