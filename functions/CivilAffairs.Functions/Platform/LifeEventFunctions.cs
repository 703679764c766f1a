using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Platform;

/// <summary>Partner units' acknowledgement receipts of life events (they move the Tell Us Once workflow on, hence the durable client).</summary>
public sealed class LifeEventFunctions(PartnerEventReceipts receipts, LifeEventRelay relay, WorkflowClient workflows)
{
    /// <summary>Sends a relayed life event to its partner units (a job that keeps failing ends in <c>life-events-partners-poison</c>).</summary>
    [Function("PublishLifeEventToPartners")]
    public Task Publish([QueueTrigger(QueueNames.LifeEventPartners)] string eventId, FunctionContext context) =>
        relay.PublishToPartnersAsync(eventId, context.CancellationToken);

    [Function("PartnerEventReceipt")]
    public async Task Receipt(
        [QueueTrigger(QueueNames.PartnerEventReceipts)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        await receipts.HandleAsync(message, context.CancellationToken);
    }
}
