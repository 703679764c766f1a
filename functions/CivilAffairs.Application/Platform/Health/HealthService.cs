using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Health;

public sealed record ComponentHealth(string Status, string? Detail = null);

public sealed record HealthReport(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, ComponentHealth> Components);

/// <summary>One thing the platform depends on, probed cheaply (e.g. the durable backend, implemented beside the workflows).</summary>
public interface IHealthProbe
{
    string Name { get; }
    Task ProbeAsync(CancellationToken ct);
}

/// <summary>Probes storage (tables, blobs, queues) and every registered <see cref="IHealthProbe"/>, each with a timeout.</summary>
public sealed class HealthService(Tables tables, BlobServiceClient blobs, QueueServiceClient queues, IEnumerable<IHealthProbe> probes,
    TimeProvider clock, ILogger<HealthService> logger)
{
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The report when every component is healthy; otherwise 503 <c>UNHEALTHY</c> with the report's components.</summary>
    public async Task<Result<HealthReport>> CheckAsync(CallContext call)
    {
        var all = new List<(string Name, Func<CancellationToken, Task> Probe)>
        {
            ("tables", async ct => { await foreach (var _ in tables.Service.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages()) break; }),
            ("blobs", ct => blobs.GetPropertiesAsync(ct)),
            ("queues", ct => queues.GetPropertiesAsync(ct)),
        };
        all.AddRange(probes.Select(p => (p.Name, (Func<CancellationToken, Task>)p.ProbeAsync)));
        var results = await Task.WhenAll(all.Select(p => ProbeAsync(p.Name, p.Probe, call.Cancellation)));
        var components = all.Select((p, i) => (p.Name, results[i])).ToDictionary(x => x.Name, x => x.Item2);
        var healthy = components.Values.All(c => c.Status == "healthy");
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", clock.GetUtcNow(), components);
        return healthy
            ? Result.Ok(report)
            : new Problem(503, "UNHEALTHY", "服务暂不可用", "有组件不可用，详见 components。").With("components", components).With("checkedAt", report.CheckedAt);
    }

    async Task<ComponentHealth> ProbeAsync(string name, Func<CancellationToken, Task> probe, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
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
}
