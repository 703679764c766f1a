using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Application.Marriage.Records;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Marriage;

/// <summary>Appointments (预约), pre-collection (预填) and the registrar serving a booking (审查、登记、离婚登记、补领).</summary>
public sealed class BookingFunctions(BookingService bookings, RegistrationService registration, HttpEndpoint http)
{
    [Function("BookMarriageAppointment")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "预约婚姻登记", Request = typeof(BookingRequest),
        Description = "实名认证的市民在任一登记处预约时段：marriage（结婚，填写对方姓名和身份证号码）、divorce（离婚，冷静期届满后双方到场，填写离婚申请编号）、replacement（补领，填写本人的登记记录编号）。每位当事人同一时间只能有一个未办理的预约；过去的时段、约满的时段不能预约。")]
    [ApiResponse(201, "已预约", Body = typeof(BookingView))]
    [ApiResponse(400, "请求内容有误（如预约过去的时间 BOOKING_IN_PAST）")]
    [ApiResponse(404, "登记处不存在")]
    [ApiResponse(409, "时段已约满（SLOT_FULL）或已有未办理的预约（BOOKING_ALREADY_LIVE）")]
    public Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<BookingRequest, BookingView>(req, context, 8 * 1024, bookings.BookAsync);

    [Function("GetMarriageBooking")]
    [RequirePermission(Permission.ReadMarriageBookings)]
    [ApiOperation("marriage", "查看预约及预填情况", Description = "当事人：本人信息完整显示，对方脱敏；本登记处登记员：完整显示（记入审计）。")]
    [ApiResponse(200, "预约", Body = typeof(BookingView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/bookings/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => bookings.GetAsync(call, id));

    [Function("CancelMarriageBooking")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "取消预约", Description = "任一当事人在预约时段开始前取消。")]
    [ApiResponse(200, "已取消", Body = typeof(BookingView))]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "预约已开始或已办理")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/cancel")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => bookings.CancelAsync(call, id));

    [Function("RescheduleMarriageBooking")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "改约", Request = typeof(RescheduleRequest), Description = "时段开始前改到其他时段或其他登记处，每个预约最多改约 2 次。")]
    [ApiResponse(200, "已改约", Body = typeof(BookingView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "预约已开始、已办理、改约次数已满或新时段已约满")]
    public Task<IActionResult> Reschedule(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/reschedule")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<RescheduleRequest, BookingView>(req, context, 2048, (call, body) => bookings.RescheduleAsync(call, id, body));

    [Function("PreFillMarriageParty")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "预填本人信息", Request = typeof(PreFillRequest),
        Description = "当事人 1（预约人）或 2（对方）用本人账号填写本人信息；身份证号码须与预约时一致。修改后须重新确认声明。不能替对方填写（403 MARRIAGE_PARTY_NOT_YOU）。")]
    [ApiResponse(200, "已保存", Body = typeof(BookingView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "不能替对方填写")]
    [ApiResponse(404, "不存在或无权操作")]
    public Task<IActionResult> PreFill(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "marriage/bookings/{id}/parties/{party}")] HttpRequest req, string id, string party, FunctionContext context) =>
        http.RunAsync<PreFillRequest, BookingView>(req, context, 4096, (call, body) => bookings.FillAsync(call, id, party, body));

    [Function("UploadMarriagePartyPhoto")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "上传本人照片", Description = "multipart/form-data，字段 file：JPEG 或 PNG，不超过 2 MB（按文件内容识别类型）。只能上传本人的照片。")]
    [ApiResponse(200, "已上传", Body = typeof(BookingView))]
    [ApiResponse(400, "文件不符合要求")]
    [ApiResponse(403, "不能替对方上传")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(415, "须为 multipart/form-data")]
    public Task<IActionResult> Photo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "marriage/bookings/{id}/parties/{party}/photo")] HttpRequest req, string id, string party, FunctionContext context) =>
        http.RunAsync(req, context, call => FormBody.ReadAsync(req, BookingService.MaxPhotoBytes, call.Cancellation).ThenAsync(async form =>
        {
            if (form.Files.GetFile("file") is not { } file) return Problem.Invalid("file", "请选择要上传的照片（字段名 file）。");
            await using var content = file.OpenReadStream();
            return await bookings.PhotoAsync(call, id, party, file.FileName, file.ContentType, file.Length, content);
        }));

    [Function("ConfirmMarriageParty")]
    [RequirePermission(Permission.BookMarriage)]
    [ApiOperation("marriage", "本人确认并签署声明", Request = typeof(ConfirmRequest),
        Description = "当事人用本人账号确认本人信息并声明无配偶、与对方没有直系血亲和三代以内旁系血亲关系。一方不能代另一方确认（403 MARRIAGE_PARTY_NOT_YOU，记入审计）。")]
    [ApiResponse(200, "已确认", Body = typeof(BookingView))]
    [ApiResponse(400, "须勾选两项声明")]
    [ApiResponse(403, "不能代对方确认")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "尚未填写本人信息")]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/parties/{party}/confirm")] HttpRequest req, string id, string party, FunctionContext context) =>
        http.RunAsync<ConfirmRequest, BookingView>(req, context, 1024, (call, body) => bookings.ConfirmAsync(call, id, party, body));

    [Function("CheckMarriageBooking")]
    [RequirePermission(Permission.RegisterMarriage)]
    [ApiOperation("marriage", "婚姻登记审查（预览）", Request = typeof(AttendanceRequest),
        Description = "登记员对结婚登记预约逐项审查：男女双方、法定婚龄（登记之日按身份证号码计算，男 22 周岁、女 20 周岁）、身份核验、无存续婚姻、本人声明、本人到场（partiesPresent）。每项附中文理由，不作任何变更。")]
    [ApiResponse(200, "审查结果", Body = typeof(LegalCheckReport))]
    [ApiResponse(404, "不存在或不是本登记处的预约")]
    [ApiResponse(409, "不是结婚登记预约")]
    public Task<IActionResult> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/checks")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<AttendanceRequest, LegalCheckReport>(req, context, 1024, (call, body) => registration.CheckAsync(call, id, body));

    [Function("ServeMarriageBooking")]
    [RequirePermission(Permission.RegisterMarriage)]
    [ApiOperation("marriage", "办理登记（结婚、离婚、补领）", Request = typeof(AttendanceRequest),
        Description = "结婚：审查全部通过后登记并为双方签发结婚证（任一项不通过返回 422 并写明原因，不作登记）；离婚：冷静期届满后三十日内、双方到场，签发离婚证，原结婚证状态变为“已终止”；补领：以新证号补发，原证号作废。证书签发失败时返回 503，重试同一请求从中断处继续，不会重复登记。")]
    [ApiResponse(201, "已登记", Body = typeof(RecordView))]
    [ApiResponse(200, "此前已办结（幂等）", Body = typeof(RecordView))]
    [ApiResponse(404, "不存在或不是本登记处的预约")]
    [ApiResponse(409, "预约或申请状态不允许（如冷静期未届满）")]
    [ApiResponse(422, "未通过审查（写明原因）")]
    [ApiResponse(503, "证书签发服务暂不可用")]
    public Task<IActionResult> Serve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/registration")] HttpRequest req, string id,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<AttendanceRequest, RecordView>(req, context, 1024, (call, body) => registration.ServeAsync(call, id, body));

    [Function("MarkMarriageNoShow")]
    [RequirePermission(Permission.RegisterMarriage)]
    [ApiOperation("marriage", "记为未到", Description = "预约时段开始后当事人未到，登记员记为未到（每晚也自动记录前一日未到的预约）。90 天内未到 2 次的当事人 30 天内不能网上预约。")]
    [ApiResponse(200, "已记录", Body = typeof(BookingView))]
    [ApiResponse(404, "不存在或不是本登记处的预约")]
    [ApiResponse(409, "时段尚未开始或预约已办理")]
    public Task<IActionResult> NoShow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/bookings/{id}/no-show")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => bookings.NoShowAsync(call, id));
}
