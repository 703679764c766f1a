using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Application.Marriage.Records;
using CivilAffairs.Application.Marriage.Statistics;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Marriage;

/// <summary>The marriage archive: a party's own records and certificates, authorised institutions' queries and a court's annulment.</summary>
public sealed class RecordFunctions(RecordService records, HttpEndpoint http)
{
    [Function("ListOwnMarriageRecords")]
    [RequirePermission(Permission.ReadMarriageRecords)]
    [ApiOperation("marriage", "本人的婚姻登记记录", Description = "本人作为当事人的全部登记记录及本人持有的证件（含二维码内容）；对方信息脱敏。")]
    [ApiResponse(200, "记录", Body = typeof(RecordList))]
    public Task<IActionResult> ListOwn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/records")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, records.ListOwnAsync);

    [Function("GetOwnMarriageRecord")]
    [RequirePermission(Permission.ReadMarriageRecords)]
    [ApiOperation("marriage", "查看本人的一条婚姻登记记录")]
    [ApiResponse(200, "记录", Body = typeof(RecordView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> GetOwn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/records/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => records.GetOwnAsync(call, id));

    [Function("GetMarriageCertificateQr")]
    [RequirePermission(Permission.ReadMarriageRecords)]
    [ApiOperation("marriage", "本人证件的二维码（PNG）", Description = "婚姻登记证上印制的二维码：证号、脱敏姓名、登记日期、登记机关和状态列表位置，以 SM2 签名，可离线验证。")]
    [ApiResponse(200, "PNG 图片")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Qr(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/certificates/{number}/qr.png")] HttpRequest req, string number, FunctionContext context) =>
        http.RunAsync(req, context, call => records.QrAsync(call, number));

    [Function("QueryMarriageArchive")]
    [RequirePermission(Permission.QueryMarriageArchive)]
    [ApiOperation("marriage", "授权机构查询婚姻登记档案", Request = typeof(ArchiveQuery),
        Description = "法院、公证机构按证件字号或一方身份证号码（放在请求体，不放在网址）查询一条记录，须说明用途（litigation、enforcement、notarization）并提供案号；未说明用途的查询被拒绝（400 ARCHIVE_PURPOSE_REQUIRED）。每次查询均记入审计。")]
    [ApiResponse(200, "记录", Body = typeof(RecordView))]
    [ApiResponse(400, "未说明用途或查询条件有误")]
    [ApiResponse(404, "没有找到")]
    public Task<IActionResult> Query(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/archive/queries")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<ArchiveQuery, RecordView>(req, context, 2048, records.QueryAsync);

    [Function("AnnulMarriage")]
    [RequirePermission(Permission.QueryMarriageArchive)]
    [ApiOperation("marriage", "法院判决婚姻无效或撤销婚姻", Request = typeof(AnnulmentRequest), Description = "仅限授权的人民法院：登记记录终止，双方结婚证状态变为“已终止”。")]
    [ApiResponse(200, "已记录", Body = typeof(RecordView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "婚姻已解除或终止")]
    public Task<IActionResult> Annul(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/records/{id}/annulment")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<AnnulmentRequest, RecordView>(req, context, 2048, (call, body) => records.AnnulAsync(call, id, body));
}

/// <summary>Divorce by agreement (协议离婚): apply, the other party applies, withdraw during the cooling-off, follow it.</summary>
public sealed class DivorceFunctions(DivorceService divorces, HttpEndpoint http)
{
    [Function("ApplyForDivorce")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "申请协议离婚", Request = typeof(DivorceApplicationRequest),
        Description = "一方用本人账号为本人存续的婚姻提出离婚登记申请，附离婚协议（子女抚养、财产、债务）；对方用本人账号提交申请后，登记机关即收到申请，开始 30 日离婚冷静期。")]
    [ApiResponse(201, "已提交，等待对方申请", Body = typeof(DivorceView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "记录或登记处不存在，或不是本人的婚姻")]
    [ApiResponse(409, "婚姻已解除，或已有办理中的离婚申请")]
    public Task<IActionResult> Apply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/divorces")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<DivorceApplicationRequest, DivorceView>(req, context, 16 * 1024, divorces.ApplyAsync);

    [Function("JoinDivorceApplication")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "对方提交离婚申请", Request = typeof(DivorceJoinRequest),
        Description = "另一方用本人账号同意离婚协议并提交申请：登记机关收到申请，离婚冷静期开始（自次日起算 30 日）。")]
    [ApiResponse(200, "已受理，冷静期开始", Body = typeof(DivorceView))]
    [ApiResponse(400, "须同意离婚协议")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "已提交过或已受理")]
    public Task<IActionResult> Join(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/divorces/{id}/apply")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<DivorceJoinRequest, DivorceView>(req, context, 1024, (call, body) => divorces.JoinAsync(call, id, body));

    [Function("WithdrawDivorceApplication")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "撤回离婚申请", Description = "冷静期内任一方可撤回；冷静期届满后不能撤回（409 DIVORCE_COOLING_OFF_ENDED）。")]
    [ApiResponse(200, "已撤回", Body = typeof(DivorceView))]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "冷静期已届满或申请已办结")]
    public Task<IActionResult> Withdraw(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/divorces/{id}/withdraw")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => divorces.WithdrawAsync(call, id));

    [Function("GetDivorceApplication")]
    [RequirePermission(Permission.ReadMarriageRecords)]
    [ApiOperation("marriage", "查看离婚申请", Description = "状态、冷静期届满时间、到场期限、能否撤回、离婚协议。")]
    [ApiResponse(200, "申请", Body = typeof(DivorceView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/divorces/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => divorces.GetAsync(call, id));

    [Function("ListOwnDivorceApplications")]
    [RequirePermission(Permission.ReadMarriageRecords)]
    [ApiOperation("marriage", "本人的离婚申请")]
    [ApiResponse(200, "申请", Body = typeof(DivorceView[]))]
    public Task<IActionResult> ListOwn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/divorces")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, divorces.ListOwnAsync);
}

/// <summary>Marriage statistics for the data center.</summary>
public sealed class MarriageStatisticsFunctions(MarriageStatistics statistics, HttpEndpoint http)
{
    [Function("MarriageMonthlyStatistics")]
    [RequirePermission(Permission.ReadMarriageStatistics)]
    [ApiOperation("marriage", "婚姻登记月度统计（JSON）", Description = "每个登记处某月：结婚登记、离婚登记、冷静期内撤回、逾期视为撤回、预约数、平均等待天数（预约到时段）。区审批员看本区登记处。")]
    [ApiQuery("month", "月份 yyyy-MM")]
    [ApiQuery("office", "登记处编号（默认全部）")]
    [ApiResponse(200, "统计", Body = typeof(MarriageMonthlyReport))]
    [ApiResponse(400, "参数有误")]
    [ApiResponse(404, "登记处不存在或不在管辖范围")]
    public Task<IActionResult> Monthly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/statistics/monthly")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => statistics.MonthlyAsync(call, Query.Text(req, "month"), Query.Text(req, "office")));

    [Function("MarriageMonthlyStatisticsCsv")]
    [RequirePermission(Permission.ReadMarriageStatistics)]
    [ApiOperation("marriage", "婚姻登记月度统计（CSV，UTF-8 BOM）")]
    [ApiQuery("month", "月份 yyyy-MM")]
    [ApiQuery("office", "登记处编号（默认全部）")]
    [ApiResponse(200, "CSV")]
    [ApiResponse(400, "参数有误")]
    [ApiResponse(404, "登记处不存在或不在管辖范围")]
    public Task<IActionResult> MonthlyCsv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/statistics/monthly.csv")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => statistics.MonthlyCsvAsync(call, Query.Text(req, "month"), Query.Text(req, "office")));
}
