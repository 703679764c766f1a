using CivilAffairs.Application.Elderly.WelfareChecks;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Elderly;

/// <summary>Welfare checks (silent terminals, meal absences): the timer that finds silent terminals, the community worker's list and closing.</summary>
public sealed class WelfareCheckFunctions(WelfareCheckService checks, HttpEndpoint http)
{
    /// <summary>Reads the heartbeat due index up to now and raises one welfare check per silent terminal (schedule <c>ElderlyWelfareCheckSchedule</c>).</summary>
    [Function("SweepSilentTerminals")]
    public async Task Sweep([TimerTrigger("%ElderlyWelfareCheckSchedule%")] TimerInfo timer, FunctionContext context)
    {
        var raised = await checks.SweepAsync(context.CancellationToken);
        if (raised > 0) context.GetLogger<WelfareCheckFunctions>().LogInformation("Silent terminals: {Count} welfare check(s) raised", raised);
    }

    [Function("ListWelfareChecks")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "探视任务", Description = "本人辖区内老人的探视任务（终端长时间无信号 terminalSilence、独居老人助餐缺勤 mealAbsence），默认只列未完成的。")]
    [ApiQuery("status", "open（默认）或 all")]
    [ApiQuery("reason", "terminalSilence 或 mealAbsence（默认全部）")]
    [ApiResponse(200, "探视任务", Body = typeof(WelfareCheckList))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/welfare-checks")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<WelfareCheckReason>(req, "reason").ThenAsync(reason => checks.ListAsync(call, Query.Text(req, "status"), reason)));

    [Function("CloseWelfareCheck")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "完成探视任务", Request = typeof(WelfareCheckClose))]
    [ApiResponse(200, "已完成", Body = typeof(WelfareCheckView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Close(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/welfare-checks/{id}/close")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<WelfareCheckClose, WelfareCheckView>(req, context, 2048, (call, body) => checks.CloseAsync(call, id, body));
}
