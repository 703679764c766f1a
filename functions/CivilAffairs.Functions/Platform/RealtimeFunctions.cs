using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>
/// Real-time connections for staff dashboards. The client either calls this function and
/// connects to the returned <c>url</c> with the returned <c>accessToken</c>, or uses
/// <c>{base}/api/realtime?hub=dashboard</c> as its hub URL with the platform token as access
/// token: the SignalR client then POSTs here (<c>/negotiate</c>) and follows the redirect itself.
/// </summary>
public sealed class RealtimeFunctions(NegotiationService negotiation, HttpEndpoint http)
{
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
    public Task<IActionResult> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "realtime/negotiate")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => negotiation.NegotiateAsync(call, Query.Text(req, "hub")));
}
