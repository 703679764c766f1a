using CivilAffairs.Application.Catalog;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Catalog;

/// <summary>Queue and timer functions of the catalogue.</summary>
public sealed class CatalogBackgroundFunctions(PreReviewService preReviews, PreReviewStatisticsService statistics, CatalogRepository catalog,
    WorkflowClient workflows)
{
    /// <summary>Processes pre-reviews submitted with ?async=true. A message that keeps failing moves to catalog-prereviews-poison.</summary>
    [Function("ProcessPreReview")]
    public async Task ProcessPreReview(
        [QueueTrigger("catalog-prereviews")] PreReviewMessage message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        var view = await preReviews.ProcessQueuedAsync(message, context.CancellationToken);
        context.GetLogger<CatalogBackgroundFunctions>().LogInformation("Pre-review {Id} processed: {Outcome}", view.Id, view.Outcome);
    }

    /// <summary>Daily per-area pre-review statistics (schedule from the CatalogStatisticsSchedule setting).</summary>
    [Function("RecomputeStatistics")]
    public async Task RecomputeStatistics([TimerTrigger("%CatalogStatisticsSchedule%")] TimerInfo timer, FunctionContext context)
    {
        var view = await statistics.RecomputeAsync(context.CancellationToken);
        context.GetLogger<CatalogBackgroundFunctions>().LogInformation(
            "Statistics recomputed (past due: {PastDue}) over {Total} pre-reviews", timer.IsPastDue, view.Areas.Sum(a => a.Total));
    }

    /// <summary>Keeps the stored catalogue in step with the version shipped with the app (on start-up and nightly at 01:30 China time; schedules are UTC).</summary>
    [Function("SyncCatalog")]
    public Task SyncCatalog([TimerTrigger("0 30 17 * * *", RunOnStartup = true)] TimerInfo timer, FunctionContext context) =>
        catalog.SyncBuiltInAsync(context.CancellationToken);
}
