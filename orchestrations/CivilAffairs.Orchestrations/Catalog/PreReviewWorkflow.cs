using CivilAffairs.Application.Catalog;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Orchestrations.Catalog;

/// <summary>The catalogue's <see cref="IPreReviewWorkflow"/>: starts <see cref="PreReviewExpiryOrchestration"/>, once per pre-review.</summary>
public sealed class PreReviewWorkflow(WorkflowClient workflows, ILogger<PreReviewWorkflow> logger) : IPreReviewWorkflow
{
    public async Task ScheduleExpiryAsync(PreReviewView view, CancellationToken ct)
    {
        if (view.Status != PreReviewStatus.Completed || view.ExpiresAt is not { } expiresAt) return;
        var client = workflows.Current;
        var instanceId = PreReviewOrchestrations.InstanceId(view.Id);
        // A redelivered queue message finds the workflow already started; the workflow itself is idempotent.
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct) is not null)
        {
            logger.LogInformation("Expiry workflow {InstanceId} already exists", instanceId);
            return;
        }
        await client.ScheduleNewOrchestrationInstanceAsync(PreReviewOrchestrations.Expiry, new PreReviewExpiryInput(view.Id, expiresAt),
            new StartOrchestrationOptions(InstanceId: instanceId), ct);
    }
}
