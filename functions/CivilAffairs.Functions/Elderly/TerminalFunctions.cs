using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Elderly;

/// <summary>平安通 terminals: registration under the elder by staff, and the terminals' own events.</summary>
public sealed class TerminalFunctions(TerminalService terminals, TerminalEventService events, HttpEndpoint http)
{
    [Function("RegisterElderTerminal")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "为老人登记平安通终端", Request = typeof(TerminalRegistration),
        Description = "社区、街道、区、市工作人员为本人管辖范围内的老人登记终端（一键呼叫、手机应用、智能传感器），返回终端编号和一次性密钥；终端用 POST /api/devices/token 换取令牌。")]
    [ApiResponse(201, "已登记（含一次性密钥）", Body = typeof(TerminalCredentials))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "老人不存在或不在管辖范围内")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/elders/{elderId}/terminals")] HttpRequest req,
        string elderId, FunctionContext context) =>
        http.RunAsync<TerminalRegistration, TerminalCredentials>(req, context, 2048, (call, body) => terminals.RegisterAsync(call, elderId, body));

    [Function("ListElderTerminals")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "老人的平安通终端", Description = "状态、心跳间隔、最后在线时间、电量与维护提示。")]
    [ApiResponse(200, "终端", Body = typeof(TerminalView[]))]
    [ApiResponse(404, "老人不存在或不在管辖范围内")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/elders/{elderId}/terminals")] HttpRequest req,
        string elderId, FunctionContext context) =>
        http.RunAsync(req, context, call => terminals.ListAsync(call, elderId));

    [Function("RevokeElderTerminal")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "吊销平安通终端", Description = "终端密钥和已发出的令牌立即失效；不再生成探视任务。重复吊销无副作用。")]
    [ApiResponse(200, "已吊销", Body = typeof(TerminalView))]
    [ApiResponse(404, "老人或终端不存在或不在管辖范围内")]
    public Task<IActionResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/elders/{elderId}/terminals/{terminalId}/revoke")] HttpRequest req,
        string elderId, string terminalId, FunctionContext context) =>
        http.RunAsync(req, context, call => terminals.RevokeAsync(call, elderId, terminalId));

    [Function("ReportTerminalEvent")]
    [RequirePermission(Permission.ReportTerminalEvent)]
    [ApiOperation("elderly", "终端上报事件（一键呼叫、跌倒、烟感、燃气、低电量、心跳）", Request = typeof(TerminalEventReport),
        Description = "平安通终端的设备令牌。每个事件都记为终端在线；紧急事件生成告警并立即推送到呼叫中心坐席（202，Location 为告警地址）；低电量记维护提示。同一终端的同一 eventId 重复上报返回同样结果，不重复计数。老人已去世或服务已终止：409，不生成告警。")]
    [ApiResponse(200, "已接收（非紧急事件）", Body = typeof(TerminalEventResult))]
    [ApiResponse(202, "已生成告警", Body = typeof(TerminalEventResult))]
    [ApiResponse(400, "请求内容有误或事件时间晚于当前时间")]
    [ApiResponse(401, "终端已被吊销")]
    [ApiResponse(403, "不是已登记的平安通终端")]
    [ApiResponse(409, "老人已去世或服务已终止")]
    public Task<IActionResult> Report(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/terminal-events")] HttpRequest req,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<TerminalEventReport, TerminalEventResult>(req, context, 4096, events.ReportAsync);
}
