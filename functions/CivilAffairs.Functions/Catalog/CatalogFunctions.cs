using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Catalog;

public sealed record ServiceSummary(string Code, string Name, ServiceArea Area, AcceptanceLevel AcceptedAt,
    int TimeLimitWorkingDays, decimal FeeYuan, IReadOnlyList<ServiceChannel> Channels, int MaterialCount);

public sealed record ServiceList(int Count, IReadOnlyList<ServiceSummary> Items);

/// <summary>HTTP functions of the service catalogue (事项清单) and online pre-review (网上预审).</summary>
public sealed class CatalogFunctions(CatalogRepository catalog, PreReviewService preReviews, PreReviewExpiryScheduler expiry, PreReviewStatisticsService statistics, AccessGuard guard)
{
    const int MaxKeywordLength = 50;

    [Function("ListServices")]
    [PublicEndpoint("公开的事项清单")]
    [ApiOperation("catalog", "列出服务事项", Description = "按服务领域 area 和关键词 q 筛选事项清单。")]
    [ApiQuery("area", "服务领域", Type = typeof(ServiceArea))]
    [ApiQuery("q", "关键词（事项名称、编码、说明或材料名称）")]
    [ApiResponse(200, "事项列表", Body = typeof(ServiceList))]
    [ApiResponse(400, "查询参数有误")]
    public async Task<IActionResult> ListServices(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/services")] HttpRequest req,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!JsonRequest.TryEnumQuery<ServiceArea>(req, "area", out var area, out var problem)) return problem!;
        var q = req.Query["q"].ToString().Trim();
        if (q.Length > MaxKeywordLength)
            return Problems.Create(400, "INVALID_QUERY", "查询参数有误", $"关键词不能超过 {MaxKeywordLength} 个字符。", [new FieldError("q", "关键词过长")]);

        var items = (await catalog.ListAsync(cancellationToken))
            .Where(i => area is null || i.Area == area)
            .Where(i => q.Length == 0 || Matches(i, q))
            .OrderBy(i => i.Code, StringComparer.Ordinal)
            .Select(i => new ServiceSummary(i.Code, i.Name, i.Area, i.AcceptedAt, i.TimeLimitWorkingDays, i.FeeYuan, i.Channels, i.Materials.Count))
            .ToList();
        return new OkObjectResult(new ServiceList(items.Count, items));
    }

    static bool Matches(ServiceItem item, string q) =>
        item.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Code.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Description.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Materials.Any(m => m.Name.Contains(q, StringComparison.OrdinalIgnoreCase));

    [Function("GetService")]
    [PublicEndpoint("公开的事项详情")]
    [ApiOperation("catalog", "查看服务事项", Description = "事项的受理层级、法定时限、收费、渠道和所需材料及其受理标准。")]
    [ApiResponse(200, "事项详情", Body = typeof(ServiceItem))]
    [ApiResponse(404, "事项不存在")]
    public async Task<IActionResult> GetService(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/services/{code}")] HttpRequest req,
        string code,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var item = await catalog.GetAsync(code, cancellationToken);
        return item is null ? UnknownService(code) : new OkObjectResult(item);
    }

    [Function("SubmitPreReview")]
    [PublicEndpoint("网上预审面向所有公众，不收集身份信息")]
    [ApiOperation("catalog", "提交网上预审", Request = typeof(PreReviewRequest),
        Description = "一次性告知：一次返回所有缺少或不符合要求的材料和条件，并说明原因和补正方法。加 ?async=true 时排队处理，返回 202 和状态地址。")]
    [ApiQuery("async", "true 时异步处理", Type = typeof(bool))]
    [ApiResponse(201, "预审完成", Body = typeof(PreReviewView))]
    [ApiResponse(202, "已排队，稍后查询状态地址", Body = typeof(PreReviewView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "事项不存在")]
    [ApiResponse(413, "请求体过大")]
    public async Task<IActionResult> SubmitPreReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalog/services/{code}/prereviews")] HttpRequest req,
        string code,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var asyncRaw = req.Query["async"].ToString();
        if (asyncRaw.Length > 0 && !bool.TryParse(asyncRaw, out _))
            return Problems.Create(400, "INVALID_QUERY", "查询参数有误", "参数 async 只能是 true 或 false。", [new FieldError("async", "只能是 true 或 false")]);
        var queued = asyncRaw.Length > 0 && bool.Parse(asyncRaw);

        var body = await JsonRequest.ReadAsync<PreReviewRequest>(req, ct: cancellationToken);
        if (!body.Ok) return body.Problem!;

        switch (await preReviews.SubmitAsync(code, body.Value!, queued, cancellationToken))
        {
            case SubmitOutcome.UnknownService:
                return UnknownService(code);
            case SubmitOutcome.Invalid invalid:
                return Problems.Validation(invalid.Errors);
            case SubmitOutcome.Queued q:
                return new AcceptedResult(q.View.StatusUrl, q.View);
            case SubmitOutcome.Done done:
                await expiry.ScheduleAsync(durable, done.View, cancellationToken);
                return new CreatedResult(done.View.StatusUrl, done.View);
            default:
                throw new InvalidOperationException("Unexpected outcome.");
        }
    }

    [Function("GetPreReview")]
    [PublicEndpoint("凭不可猜测的预审编号查询，不含身份信息")]
    [ApiOperation("catalog", "查询预审结果")]
    [ApiResponse(200, "预审结果（status 为 pending 时仍在处理）", Body = typeof(PreReviewView))]
    [ApiResponse(404, "预审记录不存在")]
    public async Task<IActionResult> GetPreReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/prereviews/{id}")] HttpRequest req,
        string id,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var view = await preReviews.GetAsync(id, cancellationToken);
        return view is null
            ? Problems.NotFound("PREREVIEW_NOT_FOUND", "预审记录不存在", "请核对预审编号。")
            : new OkObjectResult(view);
    }

    [Function("GetPreReviewStatistics")]
    [PublicEndpoint("汇总统计，不含个人信息")]
    [ApiOperation("catalog", "预审统计", Description = "按服务领域统计近 30 天的预审数量、一次通过率和最常见的问题材料；每日由定时任务重新计算。")]
    [ApiResponse(200, "统计结果", Body = typeof(PreReviewStatisticsView))]
    [ApiResponse(404, "尚未计算")]
    public async Task<IActionResult> GetStatistics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/statistics")] HttpRequest req,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var view = await statistics.GetAsync(cancellationToken);
        return view is null
            ? Problems.NotFound("STATISTICS_NOT_READY", "统计尚未生成", "统计每日计算一次，请稍后再查。")
            : new OkObjectResult(view);
    }

    [Function("RecomputePreReviewStatistics")]
    [OperationsEndpoint]
    [ApiOperation("catalog", "立即重新计算预审统计（管理密钥）")]
    [ApiResponse(200, "统计结果", Body = typeof(PreReviewStatisticsView))]
    [ApiResponse(401, "缺少或错误的管理密钥")]
    public async Task<IActionResult> Recompute(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "catalog/statistics/recompute")] HttpRequest req,
        CancellationToken cancellationToken) =>
        new OkObjectResult(await statistics.RecomputeAsync(cancellationToken));

    static ObjectResult UnknownService(string code) =>
        Problems.NotFound("CATALOG_SERVICE_NOT_FOUND", "服务事项不存在", $"没有编码为“{Truncate(code)}”的服务事项，请通过 /api/catalog/services 查询。");

    static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
