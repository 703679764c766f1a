using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Catalog;

/// <summary>HTTP functions of the service catalogue (事项清单) and online pre-review (网上预审).</summary>
public sealed class CatalogFunctions(CatalogService catalog, PreReviewService preReviews, PreReviewStatisticsService statistics, HttpEndpoint http)
{
    [Function("ListServices")]
    [PublicEndpoint("公开的事项清单")]
    [ApiOperation("catalog", "列出服务事项", Description = "按服务领域 area 和关键词 q 筛选事项清单。")]
    [ApiQuery("area", "服务领域", Type = typeof(ServiceArea))]
    [ApiQuery("q", "关键词（事项名称、编码、说明或材料名称）")]
    [ApiResponse(200, "事项列表", Body = typeof(ServiceList))]
    [ApiResponse(400, "查询参数有误")]
    public Task<IActionResult> ListServices(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/services")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<ServiceArea>(req, "area").ThenAsync(area => catalog.ListAsync(call, area, Query.Text(req, "q"))));

    [Function("GetService")]
    [PublicEndpoint("公开的事项详情")]
    [ApiOperation("catalog", "查看服务事项", Description = "事项的受理层级、法定时限、收费、渠道和所需材料及其受理标准。")]
    [ApiResponse(200, "事项详情", Body = typeof(ServiceItem))]
    [ApiResponse(404, "事项不存在")]
    public Task<IActionResult> GetService(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/services/{code}")] HttpRequest req,
        string code,
        FunctionContext context) =>
        http.RunAsync(req, context, call => catalog.GetAsync(call, code));

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
    public Task<IActionResult> SubmitPreReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "catalog/services/{code}/prereviews")] HttpRequest req,
        string code,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => Query.Bool(req, "async").ThenAsync(queued =>
            JsonBody.ReadAsync<PreReviewRequest>(req, ct: call.Cancellation).ThenAsync(body => preReviews.SubmitAsync(call, code, body, queued))));

    [Function("GetPreReview")]
    [PublicEndpoint("凭不可猜测的预审编号查询，不含身份信息")]
    [ApiOperation("catalog", "查询预审结果")]
    [ApiResponse(200, "预审结果（status 为 pending 时仍在处理）", Body = typeof(PreReviewView))]
    [ApiResponse(404, "预审记录不存在")]
    public Task<IActionResult> GetPreReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/prereviews/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => preReviews.GetAsync(call, id));

    [Function("GetPreReviewStatistics")]
    [PublicEndpoint("汇总统计，不含个人信息")]
    [ApiOperation("catalog", "预审统计", Description = "按服务领域统计近 30 天的预审数量、一次通过率和最常见的问题材料；每日由定时任务重新计算。")]
    [ApiResponse(200, "统计结果", Body = typeof(PreReviewStatisticsView))]
    [ApiResponse(404, "尚未计算")]
    public Task<IActionResult> GetStatistics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "catalog/statistics")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, statistics.GetAsync);

    [Function("RecomputePreReviewStatistics")]
    [OperationsEndpoint]
    [ApiOperation("catalog", "立即重新计算预审统计（管理密钥）")]
    [ApiResponse(200, "统计结果", Body = typeof(PreReviewStatisticsView))]
    [ApiResponse(401, "缺少或错误的管理密钥")]
    public Task<IActionResult> Recompute(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "catalog/statistics/recompute")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, statistics.RecomputeAsync);
}
