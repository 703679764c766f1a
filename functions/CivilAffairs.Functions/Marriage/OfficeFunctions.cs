using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Marriage;

/// <summary>Marriage registry offices (婚姻登记处): the public list and free slots, registration of an office, the registrar's day.</summary>
public sealed class OfficeFunctions(OfficeService offices, BookingService bookings, HttpEndpoint http)
{
    [Function("ListMarriageOffices")]
    [PublicEndpoint("公开的登记处名单：地址和办公时间，不含个人信息")]
    [ApiOperation("marriage", "婚姻登记处名单", Description = "全市各婚姻登记处的地址、办公时间、时段长度和每个时段可预约数（全市通办，可在任一登记处办理）。")]
    [ApiResponse(200, "登记处", Body = typeof(OfficeView[]))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/offices")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, offices.ListAsync);

    [Function("GetMarriageOfficeSlots")]
    [PublicEndpoint("公开的可预约时段与剩余名额，不含个人信息")]
    [ApiOperation("marriage", "登记处某日可预约时段", Description = "法定节假日、周末（调休上班日除外）和闭馆日不办公；已过去的时段不列出。")]
    [ApiQuery("date", "日期 yyyy-MM-dd（默认下一个办公日）")]
    [ApiResponse(200, "时段及剩余名额", Body = typeof(OfficeDayView))]
    [ApiResponse(400, "日期格式有误")]
    [ApiResponse(404, "登记处不存在")]
    public Task<IActionResult> Slots(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/offices/{officeId}/slots")] HttpRequest req, string officeId, FunctionContext context) =>
        http.RunAsync(req, context, call => offices.DayAsync(call, officeId, Query.Text(req, "date")));

    [Function("CreateMarriageOffice")]
    [RequirePermission(Permission.ManageMarriageOffices)]
    [ApiOperation("marriage", "设立婚姻登记处", Request = typeof(OfficeRequest),
        Description = "区民政局（本区）或市民政局：名称、所在区划、地址、办公时间（HH:mm，默认 09:00–12:00、13:30–17:00）、时段分钟数、每个时段可预约数、闭馆日。")]
    [ApiResponse(201, "已设立", Body = typeof(OfficeView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "超出管辖范围")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "marriage/offices")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<OfficeRequest, OfficeView>(req, context, 16 * 1024, offices.CreateAsync);

    [Function("GetMarriageWorklist")]
    [RequirePermission(Permission.RegisterMarriage)]
    [ApiOperation("marriage", "登记员当日工作清单", Description = "本登记处某日的预约（按时段）：办理事项、当事人姓名、预填是否就绪；其他登记处的清单与不存在同样返回 404。")]
    [ApiQuery("date", "日期 yyyy-MM-dd（默认今天）")]
    [ApiResponse(200, "工作清单", Body = typeof(WorklistView))]
    [ApiResponse(404, "登记处不存在或不是本登记处")]
    public Task<IActionResult> Worklist(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "marriage/offices/{officeId}/worklist")] HttpRequest req, string officeId, FunctionContext context) =>
        http.RunAsync(req, context, call => bookings.WorklistAsync(call, officeId, Query.Text(req, "date")));

    /// <summary>00:05 China time: yesterday's bookings nobody came to become no-shows.</summary>
    [Function("MarkMarriageNoShows")]
    public async Task NoShows([TimerTrigger("0 5 16 * * *")] TimerInfo timer, FunctionContext context)
    {
        var yesterday = ChinaTime.Today(TimeProvider.System).AddDays(-1);
        var count = await bookings.SweepNoShowsAsync(yesterday, context.CancellationToken);
        if (count > 0) context.GetLogger<OfficeFunctions>().LogInformation("Marriage no-shows of {Date}: {Count}", yesterday, count);
    }
}
