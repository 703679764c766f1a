using CivilAffairs.Application.Assistance.Payments;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Monthly allowance payments: the timer, an on-demand run, the batch and the bank file.</summary>
public sealed class PaymentFunctions(PaymentService payments, HttpEndpoint http, TimeProvider clock)
{
    /// <summary>On the 5th of every month at 06:00 China time (22:00 UTC on the 4th), pays the current month for every district.</summary>
    [Function("RunMonthlyAssistancePayments")]
    public async Task Monthly([TimerTrigger("0 0 22 4 * *")] TimerInfo timer, FunctionContext context)
    {
        var month = ChinaTime.ToChina(clock.GetUtcNow().AddHours(2)).ToString("yyyyMM");
        var batches = await payments.RunMonthAsync(month, null, context.CancellationToken);
        context.GetLogger<PaymentFunctions>().LogInformation("Monthly payments {Month}: {Batches} district batches", month, batches.Count);
    }

    [Function("RunAssistancePayments")]
    [RequirePermission(Permission.ManagePayments)]
    [ApiOperation("assistance", "生成月度救助金发放批次", Request = typeof(PaymentRunRequest),
        Description = "按区生成指定月份（yyyyMM）的发放批次与银行代发文件；同一月份重复执行不会重复发放。区级人员只能生成本区批次。")]
    [ApiResponse(200, "各区批次", Body = typeof(PaymentBatch[]))]
    [ApiResponse(400, "月份或区划有误")]
    [ApiResponse(403, "区划不在管辖范围内")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/payments/runs")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<PaymentRunRequest, IReadOnlyList<PaymentBatch>>(req, context, 4 * 1024, payments.RunAsync);

    [Function("GetAssistancePaymentBatch")]
    [RequirePermission(Permission.ManagePayments)]
    [ApiOperation("assistance", "查看发放批次", Description = "批次汇总与逐户明细（不含姓名、账号）。")]
    [ApiResponse(200, "批次", Body = typeof(PaymentBatch))]
    [ApiResponse(404, "批次不存在或不在管辖范围内")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/payments/{month}/{district}")] HttpRequest req,
        string month,
        string district,
        FunctionContext context) =>
        http.RunAsync(req, context, call => payments.GetAsync(call, month, district));

    [Function("DownloadAssistanceBankFile")]
    [RequirePermission(Permission.ManagePayments)]
    [ApiOperation("assistance", "下载银行代发文件", Description = "CSV（UTF-8），含收款人姓名与账号；每次下载记入审计日志。")]
    [ApiResponse(200, "CSV 文件")]
    [ApiResponse(404, "批次不存在或不在管辖范围内")]
    public Task<IActionResult> File(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/payments/{month}/{district}/file")] HttpRequest req,
        string month,
        string district,
        FunctionContext context) =>
        http.RunAsync(req, context, call => payments.BankFileAsync(call, month, district));
}
