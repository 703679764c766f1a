using CivilAffairs.Application.Funeral.Services;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Funeral.Services;

/// <summary>Basic funeral service orders at a funeral home, with the fee exemption (惠民殡葬) applied from the deceased's assistance status.</summary>
public sealed class ServiceOrderFunctions(ServiceOrderService orders, HttpEndpoint http)
{
    [Function("GetFuneralServiceCatalogue")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "殡葬服务项目与价格", Description = "基本殡葬服务（遗体接运、遗体存放、遗体火化、普通骨灰盒）与非基本服务项目的价格（元），以及减免规则。")]
    [ApiResponse(200, "服务项目", Body = typeof(CatalogueView))]
    public Task<IActionResult> Catalogue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/service-catalogue")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, orders.CatalogueAsync);

    [Function("OpenFuneralServiceOrder")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "为逝者开立殡葬服务订单", Request = typeof(OpenOrderRequest),
        Description = "殡仪馆工作人员为逝者开单（身份证号码放在请求体）。按逝者在死亡日期时的救助状态自动认定减免：低保对象、特困供养人员的基本殡葬服务费用全免。")]
    [ApiResponse(201, "已开单", Body = typeof(OrderView))]
    [ApiResponse(400, "请求内容有误（如身份证号码无效）")]
    [ApiResponse(403, "账号未关联殡仪馆")]
    public Task<IActionResult> Open(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/service-orders")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<OpenOrderRequest, OrderView>(req, context, 4096, orders.OpenAsync);

    [Function("GetFuneralServiceOrder")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "查看殡葬服务订单", Description = "每一项的价格、减免金额和应付金额，减免原因；已结算的订单显示冻结的账单和结算单号。")]
    [ApiResponse(200, "订单", Body = typeof(OrderView))]
    [ApiResponse(404, "不存在或不是本馆的订单")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/service-orders/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.GetAsync(call, id));

    [Function("AddFuneralServiceLine")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "订单添加服务项目", Request = typeof(AddLineRequest))]
    [ApiResponse(200, "订单", Body = typeof(OrderView))]
    [ApiResponse(400, "服务项目代码不存在（UNKNOWN_SERVICE_CODE）或数量超出范围（QUANTITY_OUT_OF_RANGE）")]
    [ApiResponse(404, "不存在或不是本馆的订单")]
    [ApiResponse(409, "订单已结算（ORDER_ALREADY_SETTLED）或已取消（ORDER_CANCELLED）")]
    public Task<IActionResult> AddLine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/service-orders/{id}/lines")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<AddLineRequest, OrderView>(req, context, 1024, (call, body) => orders.AddLineAsync(call, id, body));

    [Function("RemoveFuneralServiceLine")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "订单删除服务项目")]
    [ApiResponse(200, "订单", Body = typeof(OrderView))]
    [ApiResponse(404, "订单或行不存在")]
    [ApiResponse(409, "订单已结算或已取消")]
    public Task<IActionResult> RemoveLine(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "funeral/service-orders/{id}/lines/{lineId}")] HttpRequest req, string id, string lineId, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.RemoveLineAsync(call, id, lineId));

    [Function("SettleFuneralServiceOrder")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "结算殡葬服务订单", Description = "重新核对逝者的救助状态后计算账单并冻结，生成结算单号；减免金额计入本馆当月的减免汇总，由民政部门向殡仪馆拨付。")]
    [ApiResponse(200, "已结算", Body = typeof(OrderView))]
    [ApiResponse(404, "不存在或不是本馆的订单")]
    [ApiResponse(409, "订单已结算、已取消或没有服务项目")]
    public Task<IActionResult> Settle(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/service-orders/{id}/settlement")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.SettleAsync(call, id));

    [Function("CancelFuneralServiceOrder")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "取消殡葬服务订单", Description = "仅限结算前。")]
    [ApiResponse(200, "已取消", Body = typeof(OrderView))]
    [ApiResponse(404, "不存在或不是本馆的订单")]
    [ApiResponse(409, "订单已结算（ORDER_ALREADY_SETTLED）或已取消")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/service-orders/{id}/cancellation")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.CancelAsync(call, id));

    [Function("FuneralExemptionSummary")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "本馆殡葬费用减免月度汇总（JSON）", Description = "按结算月份（北京时间）汇总本馆已结算订单的减免金额，按减免对象类别分列，供申请财政拨付。")]
    [ApiQuery("month", "月份 yyyy-MM（默认本月）")]
    [ApiResponse(200, "汇总", Body = typeof(ExemptionSummary))]
    [ApiResponse(400, "月份格式有误")]
    public Task<IActionResult> Summary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/service-exemptions/summary")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.SummaryAsync(call, Query.Text(req, "month")));

    [Function("FuneralExemptionSummaryCsv")]
    [RequirePermission(Permission.OrderFuneralServices)]
    [ApiOperation("funeral", "本馆殡葬费用减免月度汇总（CSV，UTF-8 BOM）")]
    [ApiQuery("month", "月份 yyyy-MM（默认本月）")]
    [ApiResponse(200, "CSV")]
    [ApiResponse(400, "月份格式有误")]
    public Task<IActionResult> SummaryCsv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/service-exemptions/summary.csv")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => orders.SummaryCsvAsync(call, Query.Text(req, "month")));
}
