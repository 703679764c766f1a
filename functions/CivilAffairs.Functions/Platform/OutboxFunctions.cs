using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform;

/// <summary>The outbox's safety net: delivers what a change recorded when the inline relay did not finish.</summary>
public sealed class OutboxFunctions(Outbox outbox, WorkflowClient workflows)
{
    /// <summary>
    /// Relays the events left in one partition (events move workflows on, hence the durable client). A handler that keeps
    /// failing makes the job fail; after the host's <c>maxDequeueCount</c> it ends in <c>outbox-relay-poison</c>, its rows kept.
    /// </summary>
    [Function("RelayOutbox")]
    public async Task Relay(
        [QueueTrigger(QueueNames.OutboxRelay)] OutboxRelayJob job,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        var delivered = await outbox.RelayAsync(job.Table, job.PartitionKey, context.CancellationToken);
        if (delivered > 0)
            context.GetLogger<OutboxFunctions>().LogInformation("Outbox relay of {Table}: {Count} event(s) delivered late", job.Table, delivered);
    }
}
