using CivilAffairs.Application.Platform.Events;

namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>What a dispatch event carries (ids only).</summary>
public sealed record DispatchEventData(string DispatchId, string NeedId, string IncidentId, string Actor);

/// <summary>
/// The events a dispatch records with its state changes (outbox, CloudEvents <c>type</c>s). The people's steps — pick-up,
/// delivery, cancellation — are written with their event; the event moves the workflow on
/// (<see cref="DispatchWorkflowRelay"/>) and the need follows (fulfilled on delivery, open again after a cancellation or failure).
/// </summary>
public static class DispatchEvents
{
    public const string Source = "/civilaffairs/disaster/dispatches";
    public const string PickedUp = "disaster.dispatch.pickedUp";
    public const string Delivered = "disaster.dispatch.delivered";
    public const string Cancelled = "disaster.dispatch.cancelled";
    public const string Failed = "disaster.dispatch.failed";

    public static PendingEvent Of(string type, DispatchRecord record, string actor) =>
        new(Source, type, record.Dispatch.Id, new DispatchEventData(record.Dispatch.Id, record.Dispatch.NeedId, record.Dispatch.IncidentId, actor));
}

/// <summary>Raises the people's steps into the dispatch orchestration (the step is already stored; the raise is retried until it lands).</summary>
public sealed class DispatchWorkflowRelay(IDispatchWorkflow workflow) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [DispatchEvents.PickedUp, DispatchEvents.Delivered, DispatchEvents.Cancelled];

    public Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var data = e.DataAs<DispatchEventData>();
        var notice = new DispatchNotice(data.Actor);
        return e.Type switch
        {
            DispatchEvents.PickedUp => workflow.PickedUpAsync(data.DispatchId, notice, ct),
            DispatchEvents.Delivered => workflow.DeliveredAsync(data.DispatchId, notice, ct),
            _ => workflow.CancelledAsync(data.DispatchId, notice, ct),
        };
    }
}
