using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Elderly;

/// <summary>平安通 alarms: the operators' desk, the responder's steps and the relatives' view.</summary>
public sealed class AlarmFunctions(AlarmService alarms, HttpEndpoint http)
{
    [Function("ListAlarmQueue")]
    [RequirePermission(Permission.HandleAlarms)]
    [ApiOperation("elderly", "坐席告警队列", Description = "本运营单位的告警（默认未结案的），派给本人的在前，按接收时间。")]
    [ApiQuery("status", "open（默认）或 all")]
    [ApiResponse(200, "告警", Body = typeof(AlarmQueueItem[]))]
    public Task<IActionResult> Queue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/alarms")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => alarms.QueueAsync(call, Query.Text(req, "status")));

    [Function("GetAlarm")]
    [RequirePermission(Permission.ReadAlarms)]
    [ApiOperation("elderly", "查看告警",
        Description = "坐席与工作人员：老人信息（电话、地址脱敏；purpose=contact 且角色允许时显示完整并记审计）、联系人、处置时间线。老人的联系人（市民）：亲属视图（发生了什么、谁在赶来）。无权查看者与不存在同样返回 404。")]
    [ApiQuery("purpose", "contact：联系老人或其联系人", Type = typeof(AccessPurpose))]
    [ApiResponse(200, "告警", Body = typeof(AlarmDeskView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/alarms/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<AccessPurpose>(req, "purpose").ThenAsync(purpose => alarms.GetAsync(call, id, purpose)));

    [Function("AnswerAlarm")]
    [RequirePermission(Permission.HandleAlarms)]
    [ApiOperation("elderly", "接听告警", Description = "只有告警当前派给的坐席可以接听（否则 403 ALARM_NOT_OFFERED_TO_YOU，记审计）。")]
    [ApiResponse(200, "已接听", Body = typeof(AlarmDeskView))]
    [ApiResponse(403, "告警未派给您")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "告警状态不允许")]
    public Task<IActionResult> Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/alarms/{id}/answer")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => alarms.AnswerAsync(call, id));

    [Function("RecordAlarmOutcome")]
    [RequirePermission(Permission.HandleAlarms)]
    [ApiOperation("elderly", "登记告警处置结果", Request = typeof(AlarmOutcomeRequest),
        Description = "falseAlarm、adviceGiven：立即结案；relativeSent、communityResponderSent：等待响应人员到场；emergencyRelayed：须填120受理编号。同意接收通知的联系人随即收到站内消息和微信订阅消息。")]
    [ApiResponse(200, "已登记", Body = typeof(AlarmDeskView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "不是接听该告警的坐席")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "告警状态不允许")]
    public Task<IActionResult> Outcome(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/alarms/{id}/outcome")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<AlarmOutcomeRequest, AlarmDeskView>(req, context, 4096, (call, body) => alarms.OutcomeAsync(call, id, body));

    [Function("EscalateAlarm")]
    [RequirePermission(Permission.HandleAlarms)]
    [ApiOperation("elderly", "告警升级至值班主管", Description = "告警当前派给的坐席不等接听时限，立即转给值班主管。")]
    [ApiResponse(200, "已升级", Body = typeof(AlarmDeskView))]
    [ApiResponse(403, "告警未派给您")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "告警状态不允许或已升级")]
    public Task<IActionResult> Escalate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/alarms/{id}/escalate")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => alarms.EscalateAsync(call, id));

    [Function("RecordAlarmArrival")]
    [RequirePermission(Permission.RespondToAlarm)]
    [ApiOperation("elderly", "响应人员登记到场", Request = typeof(AlarmArrivalRequest),
        Description = "老人所在社区的工作人员，或被指定为响应人的亲属。")]
    [ApiResponse(200, "已到场", Body = typeof(AlarmRelativeView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "告警状态不允许")]
    public Task<IActionResult> Arrival(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/alarms/{id}/arrival")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<AlarmArrivalRequest, AlarmRelativeView>(req, context, 2048, (call, body) => alarms.ArrivalAsync(call, id, body));

    [Function("CloseAlarm")]
    [RequirePermission(Permission.RespondToAlarm)]
    [ApiOperation("elderly", "告警结案", Request = typeof(AlarmCloseRequest), Description = "响应人员到场后（或转120后）结案。")]
    [ApiResponse(200, "已结案", Body = typeof(AlarmRelativeView))]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "告警状态不允许（如响应人员尚未到场）")]
    public Task<IActionResult> Close(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/alarms/{id}/close")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<AlarmCloseRequest, AlarmRelativeView>(req, context, 2048, (call, body) => alarms.CloseAsync(call, id, body));
}

/// <summary>The SLA report of the alarm centre.</summary>
public sealed class AlarmReportFunctions(AlarmReportService reports, HttpEndpoint http)
{
    [Function("AlarmMonthlyReport")]
    [RequirePermission(Permission.ReadAlarmReports)]
    [ApiOperation("elderly", "平安通接警月报（JSON）",
        Description = "某运营单位某月：30/60/180 秒内接听率、接听时长中位数与 P95、升级次数、误报率、是否达到参考标准（TSA：60 秒内 98.5%，30 秒内 80%），以及每宗告警的时间线。")]
    [ApiQuery("month", "月份 yyyy-MM")]
    [ApiQuery("company", "运营单位代码（呼叫中心人员默认本单位）")]
    [ApiResponse(200, "月报", Body = typeof(AlarmMonthlyReport))]
    [ApiResponse(400, "参数有误")]
    [ApiResponse(403, "无权查看其他运营单位")]
    public Task<IActionResult> Monthly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/alarm-reports/monthly")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => reports.MonthlyAsync(call, Query.Text(req, "month"), Query.Text(req, "company")));

    [Function("AlarmMonthlyReportCsv")]
    [RequirePermission(Permission.ReadAlarmReports)]
    [ApiOperation("elderly", "平安通接警月报（CSV，UTF-8 BOM，可直接用 Excel 打开）")]
    [ApiQuery("month", "月份 yyyy-MM")]
    [ApiQuery("company", "运营单位代码")]
    [ApiResponse(200, "CSV")]
    [ApiResponse(400, "参数有误")]
    [ApiResponse(403, "无权查看其他运营单位")]
    public Task<IActionResult> MonthlyCsv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/alarm-reports/monthly.csv")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => reports.MonthlyCsvAsync(call, Query.Text(req, "month"), Query.Text(req, "company")));
}
