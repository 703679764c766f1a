using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Catalog;

public sealed record PreReviewStatisticsView(int WindowDays, DateOnly From, DateOnly To, DateTimeOffset ComputedAt, IReadOnlyList<AreaStatistics> Areas);

/// <summary>
/// Per-area pre-review statistics over a rolling window, recomputed by a daily timer and
/// stored in <c>CatalogStatistics</c> (one row per window) so reads are one point read.
/// </summary>
public sealed class PreReviewStatisticsService(Tables tables, TimeProvider clock, ILogger<PreReviewStatisticsService> logger)
{
    public const int WindowDays = 30;
    const string Partition = "rolling";

    public async Task<PreReviewStatisticsView> RecomputeAsync(CancellationToken ct = default)
    {
        var to = ChinaTime.Today(clock);
        var from = to.AddDays(-(WindowDays - 1));
        var pFrom = from.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var pTo = to.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

        var source = await tables.GetAsync(TableNames.CatalogPreReviews, ct);
        var facts = new List<PreReviewFact>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {pFrom} and PartitionKey le {pTo}");
        await foreach (var e in source.QueryAsync<TableEntity>(filter, select: ["Area", "Outcome", "ProblemItems"], cancellationToken: ct))
        {
            if (e.GetString("Outcome") is not { } outcome) continue; // still pending
            facts.Add(new PreReviewFact(
                Enum.Parse<ServiceArea>(e.GetString("Area")),
                Enum.Parse<PreReviewOutcome>(outcome),
                (e.GetString("ProblemItems") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }

        var view = new PreReviewStatisticsView(WindowDays, from, to, clock.GetUtcNow(), PreReviewStatisticsCalculator.Compute(facts));
        var target = await tables.GetAsync(TableNames.CatalogStatistics, ct);
        await target.UpsertEntityAsync(new TableEntity(Partition, $"{WindowDays}d")
        {
            ["Document"] = JsonSerializer.Serialize(view, JsonDefaults.Options),
        }, TableUpdateMode.Replace, ct);
        logger.LogInformation("Pre-review statistics recomputed over {Count} pre-reviews from {From} to {To}", facts.Count, from, to);
        return view;
    }

    /// <summary>The latest statistics (recomputed daily), or 404 <c>STATISTICS_NOT_READY</c> before the first run.</summary>
    public async Task<Result<PreReviewStatisticsView>> GetAsync(CallContext call) =>
        await GetAsync(call.Cancellation) is { } view ? Result.Ok(view) : Problem.NotFound("STATISTICS_NOT_READY", "统计尚未生成", "统计每日计算一次，请稍后再查。");

    /// <summary>Recomputes now (operations endpoint).</summary>
    public async Task<Result<PreReviewStatisticsView>> RecomputeAsync(CallContext call) => Result.Ok(await RecomputeAsync(call.Cancellation));

    public async Task<PreReviewStatisticsView?> GetAsync(CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.CatalogStatistics, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, $"{WindowDays}d", cancellationToken: ct);
        return row.HasValue ? JsonSerializer.Deserialize<PreReviewStatisticsView>(row.Value!.GetString("Document"), JsonDefaults.Options) : null;
    }
}
