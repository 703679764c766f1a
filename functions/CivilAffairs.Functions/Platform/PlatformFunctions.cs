using CivilAffairs.Application.Platform.Health;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Platform;

/// <summary>Health and API description.</summary>
public sealed class PlatformFunctions(HealthService health, HttpEndpoint http)
{
    [Function("Health")]
    [PublicEndpoint("健康检查，不含个人信息")]
    [ApiOperation("platform", "健康检查", Description = "存储（表、Blob、队列）和持久化编排后端的状态；任一不可用时返回 503。")]
    [ApiResponse(200, "全部正常", Body = typeof(HealthReport))]
    [ApiResponse(503, "有组件不可用（problem details，components 列出各组件状态）")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync(req, context, health.CheckAsync);

    [Function("OpenApi")]
    [PublicEndpoint("接口文档")]
    [ApiOperation("platform", "OpenAPI 文档", Description = "由已编译的 HTTP 函数生成。")]
    [ApiResponse(200, "OpenAPI 3.1 JSON")]
    public Task<IActionResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, _ => Result.Ok(new TextBody(OpenApiDocument.Json, "application/json; charset=utf-8")).AsTask());
}

/// <summary>Housekeeping of the durable backend.</summary>
public sealed class WorkflowMaintenanceFunctions(WorkflowHistoryPurge purge, WorkflowClient workflows)
{
    /// <summary>Hourly: the history of workflows that ended more than <c>Workflows:HistoryRetention</c> ago (default 7 days) is removed.</summary>
    [Function("PurgeWorkflowHistory")]
    public async Task Purge(
        [TimerTrigger("0 20 * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        await purge.PurgeAsync(context.CancellationToken);
    }
}
