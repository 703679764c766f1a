using CivilAffairs.Application.Funeral.Custody;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Funeral.Custody;

/// <summary>Custody of remains and ashes: intake, two-party handovers, the hash-chained ledger and its verification, deadlines.</summary>
public sealed class CustodyFunctions(CustodyService custody, HttpEndpoint http)
{
    [Function("TakeOverBody")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "接收遗体（接运登记）", Request = typeof(IntakeRequest),
        Description = "殡仪馆工作人员从医院或家中接运遗体：登记逝者（姓名、身份证号码加密保存）、家属联系人、是否因传染病死亡和死亡时间，生成按机构和年度连续编号的遗体标识（如 GZBY-2026-000123）及二维码，接运记入保管台账第 1 条。")]
    [ApiResponse(201, "已接收", Body = typeof(BodyView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(409, "该逝者的遗体已在保管中")]
    [ApiResponse(422, "本机构不办理遗体接运（SITE_NOT_CONFIGURED）")]
    public Task<IActionResult> Intake(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/custody/bodies")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<IntakeRequest, BodyView>(req, context, 8 * 1024, custody.IntakeAsync);

    [Function("GetCustodyBody")]
    [RequirePermission(Permission.ReadCustody)]
    [ApiOperation("funeral", "查看遗体保管记录和交接台账", Description = "本机构工作人员、登记的家属联系人、辖区民政工作人员和审计人员可查看；其他人得到 404。")]
    [ApiResponse(200, "保管记录", Body = typeof(BodyView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/bodies/{bodyId}")] HttpRequest req, string bodyId, FunctionContext context) =>
        http.RunAsync(req, context, call => custody.GetAsync(call, bodyId));

    [Function("GetCustodyBodyByTag")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "按遗体标识号查找（扫码）")]
    [ApiResponse(200, "保管记录", Body = typeof(BodyView))]
    [ApiResponse(404, "不存在或不是本机构的遗体")]
    public Task<IActionResult> ByTag(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/tags/{tag}")] HttpRequest req, string tag, FunctionContext context) =>
        http.RunAsync(req, context, call => custody.ByTagAsync(call, tag));

    [Function("GetCustodyTagQr")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "遗体标识二维码（PNG）", Description = "二维码内容为标识号和保管记录编号，不含个人信息。")]
    [ApiResponse(200, "PNG 图片")]
    [ApiResponse(404, "不存在或不是本机构的遗体")]
    public Task<IActionResult> Qr(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/bodies/{bodyId}/tag.png")] HttpRequest req, string bodyId, FunctionContext context) =>
        http.RunAsync(req, context, call => custody.QrAsync(call, bodyId));

    [Function("ProposeCustodyHandover")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "发起交接", Request = typeof(HandoverProposal),
        Description = "移交的工作人员发起下一环节的交接（环节、位置、时间）：运送 → 冷藏 → 告别（家属不举行告别的注明 farewellWaived；传染病死亡的不举行告别）→ 火化 → 骨灰领取（release）或骨灰安放（placement，须指明公墓 toSiteId）。跳过环节被拒绝（409 STEP_OUT_OF_ORDER）。未确认的交接被新的交接替换。")]
    [ApiResponse(201, "已发起，等待接收方确认", Body = typeof(HandoverView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或不是本机构的遗体")]
    [ApiResponse(409, "环节顺序不符合规定或保管已结束")]
    public Task<IActionResult> Propose(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/custody/bodies/{bodyId}/handovers")] HttpRequest req, string bodyId, FunctionContext context) =>
        http.RunAsync<HandoverProposal, HandoverView>(req, context, 4 * 1024, (call, body) => custody.ProposeAsync(call, bodyId, body));

    [Function("ConfirmCustodyHandover")]
    [RequirePermission(Permission.ReadCustody)]
    [ApiOperation("funeral", "确认接收", Request = typeof(HandoverConfirmation),
        Description = "接收方用本人账号确认交接，确认后记入 SM3 哈希链保管台账。移交人不能自己确认（403 SAME_PARTY）；骨灰领取须由登记的家属联系人确认（本人实名账号，或提供与登记一致的身份证号码，否则 403 NOT_FAMILY_CONTACT）；骨灰安放由接收的公墓工作人员确认；已确认的交接不会重复记账（409 HANDOVER_ALREADY_CONFIRMED）。")]
    [ApiResponse(200, "已确认", Body = typeof(BodyView))]
    [ApiResponse(403, "移交人与接收人相同，或不是登记的家属联系人")]
    [ApiResponse(404, "不存在或无权办理")]
    [ApiResponse(409, "交接已确认、已被替换或环节顺序不符合规定")]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/custody/bodies/{bodyId}/handovers/{handoverId}/confirmation")] HttpRequest req,
        string bodyId, string handoverId, FunctionContext context) =>
        http.RunWithOptionalBodyAsync<HandoverConfirmation, BodyView>(req, context, 1024, (call, body) => custody.ConfirmAsync(call, bodyId, handoverId, body));

    [Function("VerifyCustodyLedger")]
    [RequirePermission(Permission.ReadCustody)]
    [ApiOperation("funeral", "校验保管台账", Description = "从第 1 条起重新计算 SM3 哈希链：完整时 valid=true，否则给出第一处断点（序号和原因）。校验结果记入审计。")]
    [ApiResponse(200, "校验结果", Body = typeof(ChainVerificationView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/bodies/{bodyId}/verify")] HttpRequest req, string bodyId, FunctionContext context) =>
        http.RunAsync(req, context, call => custody.VerifyAsync(call, bodyId));

    [Function("ListCustodyAtRisk")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "临近或超过时限的遗体", Description = "本机构尚未火化的遗体中，火化时限（死亡后 72 小时，传染病 24 小时）或保存期限（90 天）临近或已超过的，最紧急的在前。")]
    [ApiResponse(200, "清单", Body = typeof(AtRiskList))]
    public Task<IActionResult> AtRisk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/at-risk")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, custody.AtRiskAsync);

    [Function("ListCustodyAlerts")]
    [RequirePermission(Permission.ManageCustody)]
    [ApiOperation("funeral", "时限预警记录", Description = "定时检查为本机构记下的预警（临近 approaching、超期 overdue），最新的在前。")]
    [ApiResponse(200, "预警", Body = typeof(CustodyAlertList))]
    public Task<IActionResult> Alerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/custody/alerts")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, custody.AlertsAsync);

    /// <summary>Raises deadline alerts for bodies approaching or past their cremation or preservation deadline (schedule <c>FuneralCustodyAlertSchedule</c>).</summary>
    [Function("SweepCustodyDeadlines")]
    public async Task Sweep([TimerTrigger("%FuneralCustodyAlertSchedule%")] TimerInfo timer, FunctionContext context)
    {
        var raised = await custody.SweepAsync(context.CancellationToken);
        if (raised > 0) context.GetLogger<CustodyFunctions>().LogWarning("Custody deadlines: {Count} alert(s) raised", raised);
    }
}
