using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Catalog;

/// <summary>Starts the durable expiry workflow of a completed pre-review, once per pre-review.</summary>
public sealed class PreReviewExpiryScheduler(ILogger<PreReviewExpiryScheduler> logger)
{
    public async Task ScheduleAsync(DurableTaskClient client, PreReviewView view, CancellationToken ct = default)
    {
        if (view.Status != PreReviewStatus.Completed || view.ExpiresAt is not { } expiresAt) return;
        var instanceId = PreReviewOrchestrations.InstanceId(view.Id);
        // A redelivered queue message finds the workflow already started; the workflow itself is idempotent.
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            logger.LogInformation("Expiry workflow {InstanceId} already exists", instanceId);
            return;
        }
        await client.ScheduleNewOrchestrationInstanceAsync(
            PreReviewOrchestrations.Expiry,
            new PreReviewExpiryInput(view.Id, expiresAt),
            new StartOrchestrationOptions(InstanceId: instanceId),
            ct);
    }
}
