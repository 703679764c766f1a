using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform;

/// <summary>The SignalR negotiate answer: the official clients follow <c>url</c> with <c>accessToken</c>.</summary>
public sealed record RealtimeNegotiation(string Url, string AccessToken);

/// <summary>
/// Real-time connections for staff dashboards. The client either calls this function and
/// connects to the returned <c>url</c> with the returned <c>accessToken</c>, or uses
/// <c>{base}/api/realtime?hub=dashboard</c> as its hub URL with the platform token as access
/// token: the SignalR client then POSTs here (<c>/negotiate</c>) and follows the redirect itself.
/// </summary>
public sealed class RealtimeFunctions(IRealtimeService realtime, AccessGuard guard)
{
    /// <summary>Hubs clients may connect to.</summary>
    public static readonly IReadOnlyList<string> Hubs = [RealtimeNames.DashboardHub];

    [Function("RealtimeNegotiate")]
    [RequirePermission(Permission.UseRealtime)]
    [ApiOperation("platform", "实时连接协商（SignalR）",
        Description = "返回 SignalR 客户端连接地址和访问令牌（{url, accessToken}）。连接的用户标识为调用者账号；工作人员自动加入所属辖区分组（jur_<辖区代码>），只接收本辖区及其下级的推送。")]
    [ApiQuery("hub", "集线器名称：dashboard（灾情指挥大屏）")]
    [ApiResponse(200, "连接信息", Body = typeof(RealtimeNegotiation))]
    [ApiResponse(400, "集线器名称无效")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "当前角色不能使用实时推送")]
    [ApiResponse(503, "实时推送服务暂不可用")]
    public async Task<IActionResult> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "realtime/negotiate")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var hub = req.Query["hub"].ToString();
        if (!Hubs.Contains(hub, StringComparer.OrdinalIgnoreCase))
            return Problems.Validation([new FieldError("hub", $"请指定集线器：{string.Join("、", Hubs)}。")]);

        var caller = access.Caller!;
        // Staff always carry a jurisdiction (the guard refuses staff tokens without one).
        IReadOnlyCollection<string> groups = caller.Jurisdiction is { } j && Jurisdiction.IsWellFormed(j)
            ? [RealtimeNames.JurisdictionGroup(j)]
            : [];
        try
        {
            var info = await realtime.NegotiateAsync(hub, caller.Subject, groups, context.CancellationToken);
            return new OkObjectResult(new RealtimeNegotiation(info.Url, info.AccessToken));
        }
        catch (RealtimeException e)
        {
            context.GetLogger<RealtimeFunctions>().LogWarning("Realtime negotiate failed in {Operation} (status {Status})", e.Operation, e.Status);
            return Problems.Unavailable("REALTIME_UNAVAILABLE", "实时推送服务暂不可用", "请稍后重试；页面数据仍可手动刷新。");
        }
    }
}
