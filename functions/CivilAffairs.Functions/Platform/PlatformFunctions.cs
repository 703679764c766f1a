using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform;

public sealed record ComponentHealth(string Status, string? Detail = null);

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, ComponentHealth> Components);

/// <summary>Health and API description.</summary>
public sealed class PlatformFunctions(Tables tables, Azure.Storage.Blobs.BlobServiceClient blobs, Azure.Storage.Queues.QueueServiceClient queues, TimeProvider clock, AccessGuard guard)
{
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    [Function("Health")]
    [PublicEndpoint("健康检查，不含个人信息")]
    [ApiOperation("platform", "健康检查", Description = "存储（表、Blob、队列）和持久化编排后端的状态；任一不可用时返回 503。")]
    [ApiResponse(200, "全部正常", Body = typeof(HealthReport))]
    [ApiResponse(503, "有组件不可用", Body = typeof(HealthReport))]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var logger = context.GetLogger<PlatformFunctions>();
        async Task<ComponentHealth> Probe(string name, Func<CancellationToken, Task> probe)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            cts.CancelAfter(ProbeTimeout);
            try
            {
                await probe(cts.Token);
                return new ComponentHealth("healthy");
            }
            catch (Exception e)
            {
                logger.LogWarning("Health probe {Component} failed: {Error}", name, e.GetType().Name);
                return new ComponentHealth("unhealthy", e is OperationCanceledException ? "超时" : "不可用");
            }
        }

        var checks = await Task.WhenAll(
            Probe("tables", async ct => { await foreach (var _ in tables.Service.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages()) break; }),
            Probe("blobs", ct => blobs.GetPropertiesAsync(ct)),
            Probe("queues", ct => queues.GetPropertiesAsync(ct)),
            Probe("durable", ct => durable.GetInstanceAsync("health-probe", getInputsAndOutputs: false, ct)));
        var components = new Dictionary<string, ComponentHealth>
        {
            ["tables"] = checks[0], ["blobs"] = checks[1], ["queues"] = checks[2], ["durable"] = checks[3],
        };
        var healthy = components.Values.All(c => c.Status == "healthy");
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", clock.GetUtcNow(), components);
        return new ObjectResult(report) { StatusCode = healthy ? 200 : 503 };
    }

    [Function("OpenApi")]
    [PublicEndpoint("接口文档")]
    [ApiOperation("platform", "OpenAPI 文档", Description = "由已编译的 HTTP 函数生成。")]
    [ApiResponse(200, "OpenAPI 3.1 JSON")]
    public async Task<IActionResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        return new ContentResult { Content = OpenApiDocument.Json, ContentType = "application/json; charset=utf-8", StatusCode = 200 };
    }
}
