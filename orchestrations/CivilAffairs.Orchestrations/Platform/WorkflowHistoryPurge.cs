using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Orchestrations.Platform;

/// <summary>
/// Removes the history of workflows that ended (completed, failed or terminated) longer ago than
/// <c>Workflows:HistoryRetention</c> (default 7 days). A workflow's history is the backend's working state, not a
/// record: what a workflow decided is kept in the area's own tables and in the audit log. Without a purge the task
/// hub's History and Instances tables only grow — 90 million records a year — and every query against them gets
/// slower on Azurite. Running instances are never touched. Idempotent; safe to run on every instance of the app.
/// </summary>
public sealed class WorkflowHistoryPurge(WorkflowClient workflows, IConfiguration configuration, TimeProvider clock, ILogger<WorkflowHistoryPurge> logger)
{
    public const string RetentionSetting = "Workflows:HistoryRetention";
    static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    public TimeSpan Retention
    {
        get
        {
            var retention = configuration.GetValue(RetentionSetting, DefaultRetention);
            return retention < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : retention;
        }
    }

    /// <summary>Purges what ended before now − retention; answers how many instances went.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var endedBefore = clock.GetUtcNow() - Retention;
        // The filter is on creation time: an instance created before the cut-off that is still running keeps its history
        // because only terminal statuses are selected; one that ended recently but started earlier goes a little early,
        // which is harmless for a working state whose outcome lives elsewhere.
        var result = await workflows.Current.PurgeAllInstancesAsync(new PurgeInstancesFilter(
            CreatedFrom: DateTimeOffset.UnixEpoch,
            CreatedTo: endedBefore,
            Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]), ct);
        if (result.PurgedInstanceCount > 0)
            logger.LogInformation("Workflow history purged: {Count} instance(s) created before {Before:o}", result.PurgedInstanceCount, endedBefore);
        return result.PurgedInstanceCount;
    }
}
