using System.Text;
using CivilAffairs.Application.Assistance;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Body of <c>POST /api/assistance/payments/runs</c>.</summary>
public sealed record PaymentRunRequest(string? Month, string? District);

/// <summary>Monthly allowance payments: the timer, an on-demand run, the batch and the bank file.</summary>
public sealed class PaymentFunctions(AssistancePayments payments, AccessGuard guard, TimeProvider clock)
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
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/payments/runs")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<PaymentRunRequest>(req, 4 * 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        var caller = access.Caller!;
        var district = body.Value!.District;
        if (district is null && caller.Jurisdiction is { } own && Jurisdiction.IsWellFormed(own) && Jurisdiction.LevelOf(own) == DivisionLevel.District) district = own;
        var errors = new List<FieldError>();
        if (!AssistancePayments.IsMonth(body.Value.Month)) errors.Add(new FieldError("month", "月份格式须为 yyyyMM。"));
        if (district is not null && (district.Length != 6 || !district.All(char.IsAsciiDigit))) errors.Add(new FieldError("district", "区级行政区划代码须为 6 位数字。"));
        if (errors.Count > 0) return Problems.Validation(errors);
        var cityWide = district is null && caller.Jurisdiction is { } j && Jurisdiction.IsWellFormed(j) && Jurisdiction.LevelOf(j) == DivisionLevel.City;
        if (district is null ? !cityWide : !AccessPolicy.InScope(caller, new ResourceScope(district)))
            return Problems.Create(403, "OUT_OF_JURISDICTION", "超出管辖范围", "只能生成本人管辖范围内各区的发放批次。");
        return new OkObjectResult(await payments.RunMonthAsync(body.Value.Month!, district, context.CancellationToken));
    }

    [Function("GetAssistancePaymentBatch")]
    [RequirePermission(Permission.ManagePayments)]
    [ApiOperation("assistance", "查看发放批次", Description = "批次汇总与逐户明细（不含姓名、账号）。")]
    [ApiResponse(200, "批次", Body = typeof(PaymentBatch))]
    [ApiResponse(404, "批次不存在或不在管辖范围内")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/payments/{month}/{district}")] HttpRequest req,
        string month,
        string district,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!AssistancePayments.IsMonth(month) || !AccessPolicy.InScope(access.Caller!, new ResourceScope(district))
            || await payments.GetAsync(month, district, context.CancellationToken) is not { } batch)
            return Problems.NotFound("BATCH_NOT_FOUND", "批次不存在", "没有找到该月份该区的发放批次，或不在您的管辖范围内。");
        return new OkObjectResult(batch);
    }

    [Function("DownloadAssistanceBankFile")]
    [RequirePermission(Permission.ManagePayments)]
    [ApiOperation("assistance", "下载银行代发文件", Description = "CSV（UTF-8），含收款人姓名与账号；每次下载记入审计日志。")]
    [ApiResponse(200, "CSV 文件")]
    [ApiResponse(404, "批次不存在或不在管辖范围内")]
    public async Task<IActionResult> File(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/payments/{month}/{district}/file")] HttpRequest req,
        string month,
        string district,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!AssistancePayments.IsMonth(month) || !AccessPolicy.InScope(access.Caller!, new ResourceScope(district))
            || await payments.BankFileAsync(access.Caller!, month, district, context.InvocationId, context.CancellationToken) is not { } csv)
            return Problems.NotFound("BATCH_NOT_FOUND", "批次不存在", "没有找到该月份该区的发放批次，或不在您的管辖范围内。");
        return new FileContentResult(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), "text/csv; charset=utf-8")
        {
            FileDownloadName = $"assistance-{month}-{district}.csv",
        };
    }
}
