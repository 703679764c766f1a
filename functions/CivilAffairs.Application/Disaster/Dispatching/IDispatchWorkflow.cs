namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>
/// The dispatch area's workflow port (start, raise): how the application talks to the dispatch orchestration without
/// knowing Durable Functions. Implemented beside the orchestration (<c>orchestrations/.../Disaster/DispatchWorkflow.cs</c>).
/// Every method is idempotent: starting an existing instance does nothing, an event the orchestration already consumed is ignored.
/// </summary>
public interface IDispatchWorkflow
{
    Task StartAsync(DispatchInput input, CancellationToken ct);
    Task PickedUpAsync(string dispatchId, DispatchNotice notice, CancellationToken ct);
    Task DeliveredAsync(string dispatchId, DispatchNotice notice, CancellationToken ct);
    Task CancelledAsync(string dispatchId, DispatchNotice notice, CancellationToken ct);
}
