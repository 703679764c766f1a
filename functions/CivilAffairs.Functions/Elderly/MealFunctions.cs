using CivilAffairs.Application.Elderly.Meals;
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

/// <summary>长者饭堂: meal points and their terminals, meals at the till, daily settlement, monthly reconciliation, meal attendance.</summary>
public sealed class MealFunctions(MealPointService points, MealTransactionService meals, MealSettlementService settlements, MealAbsenceService absences, WelfareCheckService checks,
    HttpEndpoint http, TimeProvider clock)
{
    [Function("RegisterMealPoint")]
    [RequirePermission(Permission.ManageMealPoints)]
    [ApiOperation("elderly", "登记长者饭堂及其助餐终端", Request = typeof(MealPointRequest),
        Description = "街道、区、市工作人员在本人管辖范围内登记长者饭堂（名称、位置、座位数、所属街道或社区、餐标价格，默认 12 元）。同时在平台设备登记处登记其助餐终端，返回终端编号和一次性密钥（凭此在 /api/disaster/devices/token 换取终端令牌）。")]
    [ApiResponse(201, "已登记（含终端一次性密钥）", Body = typeof(MealPointRegistered))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "超出管辖范围")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/meal-points")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<MealPointRequest, MealPointRegistered>(req, context, 4096, points.RegisterAsync);

    [Function("ListMealPoints")]
    [RequirePermission(Permission.ManageMealPoints)]
    [ApiOperation("elderly", "长者饭堂列表", Description = "本人管辖范围内的长者饭堂。")]
    [ApiResponse(200, "长者饭堂", Body = typeof(MealPointList))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-points")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, points.ListAsync);

    [Function("GetMealPoint")]
    [RequirePermission(Permission.ManageMealPoints)]
    [ApiOperation("elderly", "查看长者饭堂")]
    [ApiResponse(200, "长者饭堂", Body = typeof(MealPointView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-points/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => points.GetAsync(call, id));

    [Function("RecordMealTransaction")]
    [RequirePermission(Permission.ReportTerminalEvent)]
    [ApiOperation("elderly", "助餐刷卡（长者饭堂终端）", Request = typeof(MealTransactionRequest),
        Description = "长者饭堂的助餐终端（设备令牌）上报一餐：小票编号、助餐卡号或二维码内容（不用身份证号）、就餐时间、实收价格（可选，默认餐标价格）。按老人类别计算补贴（一档 11 元、二档 9 元、三档 7 元，市、区各半），在户籍区以外就餐只补市级部分。同一小票重复上报返回同一结果（duplicate=true，只计一次）；同一小票内容不同返回 409 MEAL_RECEIPT_CONFLICT。老人已去世（次日起）或未开通助餐补贴返回 409。")]
    [ApiResponse(201, "已记账", Body = typeof(MealTransactionView))]
    [ApiResponse(200, "重复上报，返回已记账结果", Body = typeof(MealTransactionView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "终端已被吊销")]
    [ApiResponse(403, "不是已登记的助餐终端")]
    [ApiResponse(404, "助餐卡无效")]
    [ApiResponse(409, "小票编号冲突、老人已去世或未开通助餐补贴")]
    public Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/meal-transactions")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<MealTransactionRequest, MealTransactionView>(req, context, 4096, meals.RecordAsync);

    [Function("GetMealDailySettlement")]
    [RequirePermission(Permission.SettleMeals)]
    [ApiOperation("elderly", "长者饭堂日结",
        Description = "某长者饭堂某日（yyyy-MM-dd，北京时间）的餐次、餐费合计、老人自付、市级补贴和区级补贴；settledAt 为夜间日结的时间（尚未日结时为空）。")]
    [ApiResponse(200, "日结", Body = typeof(MealSettlementView))]
    [ApiResponse(400, "日期格式有误")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Daily(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-points/{id}/settlements/{date}")] HttpRequest req,
        string id,
        string date,
        FunctionContext context) =>
        http.RunAsync(req, context, call => settlements.DailyAsync(call, id, date));

    [Function("GetMealReconciliation")]
    [RequirePermission(Permission.SettleMeals)]
    [ApiOperation("elderly", "助餐补贴月度对账（按区）",
        Description = "某区某月（yyyy-MM）：本区老人在本区长者饭堂就餐的餐次、区级应付和市级补贴，以及本区老人在区外就餐的餐次和市级补贴；按长者饭堂分列。")]
    [ApiResponse(200, "对账单", Body = typeof(MealReconciliationView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Monthly(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-reconciliations/{district}/{month}")] HttpRequest req,
        string district,
        string month,
        FunctionContext context) =>
        http.RunAsync(req, context, call => settlements.MonthlyAsync(call, district, month));

    [Function("DownloadMealReconciliation")]
    [RequirePermission(Permission.SettleMeals)]
    [ApiOperation("elderly", "下载助餐补贴月度对账单（CSV）", Description = "UTF-8 CSV：每个长者饭堂一行，末行合计。")]
    [ApiResponse(200, "CSV 文件")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> MonthlyCsv(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-reconciliations/{district}/{month}/csv")] HttpRequest req,
        string district,
        string month,
        FunctionContext context) =>
        http.RunAsync(req, context, call => settlements.MonthlyCsvAsync(call, district, month));

    [Function("ListMealAbsences")]
    [RequirePermission(Permission.ReadElders)]
    [ApiOperation("elderly", "助餐缺勤关怀任务",
        Description = "独居且经常就餐的老人连续多日（Elderly:Meals:AbsenceDays，默认 3 天）未到任何长者饭堂就餐时，为社区工作人员生成的上门探访任务（reason=mealAbsence）。仅限工作人员，按本人管辖范围（市民账号的列表为空）。")]
    [ApiResponse(200, "关怀任务", Body = typeof(WelfareCheckList))]
    public Task<IActionResult> Absences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/meal-absences")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => checks.ListAsync(call, Query.Text(req, "status"), WelfareCheckReason.MealAbsence));

    /// <summary>Every day at 00:10 China time (16:10 UTC): settles the day before for every meal point.</summary>
    [Function("SettleMealsDaily")]
    public async Task SettleDaily([TimerTrigger("0 10 16 * * *")] TimerInfo timer, FunctionContext context)
    {
        var yesterday = ChinaTime.Today(clock).AddDays(-1);
        var points = await settlements.SettleDayAsync(yesterday, context.CancellationToken);
        context.GetLogger<MealFunctions>().LogInformation("Meals settled for {Date}: {Points} points with meals", yesterday, points);
    }

    /// <summary>Every day at 08:00 China time (00:00 UTC): welfare checks for elders living alone who stopped coming to the meal points.</summary>
    [Function("DetectMealAbsences")]
    public async Task DetectAbsences([TimerTrigger("0 0 0 * * *")] TimerInfo timer, FunctionContext context)
    {
        var raised = await absences.DetectAsync(ChinaTime.Today(clock), context.CancellationToken);
        context.GetLogger<MealFunctions>().LogInformation("Meal absences: {Raised} welfare checks raised", raised);
    }
}
