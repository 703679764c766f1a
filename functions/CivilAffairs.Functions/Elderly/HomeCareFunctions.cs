using CivilAffairs.Application.Elderly.HomeCare;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Elderly;

/// <summary>居家服务: the catalogue, orders, the carer's check-in/out (EVV), confirmation and the providers' monthly billing.</summary>
public sealed class HomeCareFunctions(HomeCareOrderService orders, HttpEndpoint http)
{
    [Function("HomeCareCatalogue")]
    [PublicEndpoint("居家服务项目与价格、各类老人每月补贴时长，公开信息，不含个人信息")]
    [ApiOperation("elderly", "居家服务项目目录", Description = "助浴、保洁、康复、陪护、助餐的每小时价格，以及各类别老人每月享受补贴的服务时长。")]
    [ApiResponse(200, "目录", Body = typeof(HomeCareCatalogueView))]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Catalogue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/home-care/services")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, orders.CatalogueAsync);

    [Function("PlaceHomeCareOrder")]
    [RequirePermission(Permission.OrderHomeCare)]
    [ApiOperation("elderly", "下单居家服务", Request = typeof(HomeCareOrderRequest),
        Description = "社区工作人员、街道或区工作人员为本人管辖范围内的老人预约服务（项目、日期，可同时指定服务机构 providerId）。老人已去世的，次日起不能下单（409 ELDER_DECEASED）。")]
    [ApiResponse(201, "已下单", Body = typeof(HomeCareOrderView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "老人不存在或不在管辖范围内")]
    [ApiResponse(409, "老人已去世")]
    public Task<IActionResult> Place(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<HomeCareOrderRequest, HomeCareOrderView>(req, context, 4096, orders.PlaceAsync);

    [Function("GetHomeCareOrder")]
    [RequirePermission(Permission.ReadElders)]
    [ApiOperation("elderly", "查看居家服务工单", Description = "工单状态、签到签退记录、电子服务核验（EVV）六要素和结算明细。工作人员按管辖范围；老人本人及登记为联系人的亲属可查看。")]
    [ApiResponse(200, "工单", Body = typeof(HomeCareOrderView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/home-care/orders/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => orders.GetAsync(call, id));

    [Function("AssignHomeCareOrder")]
    [RequirePermission(Permission.OrderHomeCare)]
    [ApiOperation("elderly", "派单给服务机构", Request = typeof(AssignProviderRequest), Description = "签到前可派单或改派（providerId 为服务机构代码）。")]
    [ApiResponse(200, "已派单", Body = typeof(HomeCareOrderView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "工单状态不允许派单")]
    public Task<IActionResult> Assign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders/{id}/assign")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<AssignProviderRequest, HomeCareOrderView>(req, context, 4096, (call, body) => orders.AssignAsync(call, id, body));

    [Function("CancelHomeCareOrder")]
    [RequirePermission(Permission.OrderHomeCare)]
    [ApiOperation("elderly", "取消居家服务工单", Request = typeof(CancelOrderRequest), Description = "签到前可取消，须说明原因。")]
    [ApiResponse(200, "已取消", Body = typeof(HomeCareOrderView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "已签到，不能取消")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders/{id}/cancel")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<CancelOrderRequest, HomeCareOrderView>(req, context, 4096, (call, body) => orders.CancelAsync(call, id, body));

    [Function("ListAssignedHomeCareVisits")]
    [RequirePermission(Permission.DeliverHomeCare)]
    [ApiOperation("elderly", "本机构待服务工单（护理员）", Description = "派给本人所在服务机构、尚未签退的工单，含服务地址（查看记入审计日志）。")]
    [ApiResponse(200, "工单", Body = typeof(AssignedVisitList))]
    public Task<IActionResult> Assigned(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/home-care/visits")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, orders.AssignedAsync);

    [Function("CheckInHomeCareVisit")]
    [RequirePermission(Permission.DeliverHomeCare)]
    [ApiOperation("elderly", "护理员签到（电子服务核验）", Request = typeof(VisitStampRequest),
        Description = "派单机构的护理员在老人住址附近签到（position；离线补报时附 at，不早于 12 小时前）。距住址超过 Elderly:HomeCare:MaxCheckInMetres（默认 200 米）返回 422 EVV_TOO_FAR，不作记录；须在预约日期签到。")]
    [ApiResponse(200, "已签到", Body = typeof(HomeCareOrderView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或不是派给本机构的工单")]
    [ApiResponse(409, "工单状态不允许签到，或老人已去世")]
    [ApiResponse(422, "签到位置或日期未通过核验")]
    public Task<IActionResult> CheckIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders/{id}/check-in")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<VisitStampRequest, HomeCareOrderView>(req, context, 4096, (call, body) => orders.CheckInAsync(call, id, body));

    [Function("CheckOutHomeCareVisit")]
    [RequirePermission(Permission.DeliverHomeCare)]
    [ApiOperation("elderly", "护理员签退", Request = typeof(VisitStampRequest), Description = "签到的同一机构护理员签退；签退后工单含完整的 EVV 六要素（服务类型、对象、日期、地点、服务者、起止时间）。")]
    [ApiResponse(200, "已签退", Body = typeof(HomeCareOrderView))]
    [ApiResponse(404, "不存在或不是派给本机构的工单")]
    [ApiResponse(409, "工单状态不允许签退")]
    [ApiResponse(422, "签退时间早于签到时间")]
    public Task<IActionResult> CheckOut(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders/{id}/check-out")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<VisitStampRequest, HomeCareOrderView>(req, context, 4096, (call, body) => orders.CheckOutAsync(call, id, body));

    [Function("ConfirmHomeCareVisit")]
    [RequirePermission(Permission.ConfirmHomeCare)]
    [ApiOperation("elderly", "确认服务并结算",
        Description = "老人本人、登记为联系人的亲属（市民账号）或社区工作人员确认服务后生成结算明细：按 8 分钟规则计费时长，本月剩余补贴时长内由政府补贴，其余由老人自付。其他人返回 404。")]
    [ApiResponse(200, "已确认", Body = typeof(HomeCareOrderView))]
    [ApiResponse(404, "不存在或无权确认")]
    [ApiResponse(409, "尚未签退，或已确认")]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/home-care/orders/{id}/confirm")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => orders.ConfirmAsync(call, id));

    [Function("GetHomeCareBilling")]
    [RequirePermission(Permission.SettleMeals)]
    [ApiOperation("elderly", "服务机构月度结算单", Description = "某服务机构某月（yyyy-MM）已确认服务的结算明细（本人管辖范围内的老人）：计费时长、金额、补贴与自付。")]
    [ApiResponse(200, "结算单", Body = typeof(HomeCareBillingList))]
    [ApiResponse(400, "参数有误")]
    public Task<IActionResult> Billing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/home-care/billing/{provider}/{month}")] HttpRequest req,
        string provider,
        string month,
        FunctionContext context) =>
        http.RunAsync(req, context, call => orders.BillingAsync(call, provider, month));

    [Function("DownloadHomeCareBilling")]
    [RequirePermission(Permission.SettleMeals)]
    [ApiOperation("elderly", "下载服务机构月度结算单（CSV）", Description = "UTF-8 CSV：每次服务一行，末行合计。")]
    [ApiResponse(200, "CSV 文件")]
    [ApiResponse(400, "参数有误")]
    public Task<IActionResult> BillingCsv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/home-care/billing/{provider}/{month}/csv")] HttpRequest req,
        string provider,
        string month,
        FunctionContext context) =>
        http.RunAsync(req, context, call => orders.BillingCsvAsync(call, provider, month));
}
