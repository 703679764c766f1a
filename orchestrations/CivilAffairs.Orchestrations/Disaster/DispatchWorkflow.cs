using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Orchestrations.Disaster;

/// <summary>The dispatch area's <see cref="IDispatchWorkflow"/>: one <see cref="DispatchOrchestration"/> instance per dispatch.</summary>
public sealed class DispatchWorkflow(WorkflowClient workflows) : IDispatchWorkflow
{
    public Task StartAsync(DispatchInput input, CancellationToken ct) =>
        workflows.StartOnceAsync(DispatchFlow.Orchestrator, DispatchFlow.InstanceId(input.DispatchId), input, ct);

    public Task PickedUpAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.PickupEvent, notice, ct);

    public Task DeliveredAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.DeliveredEvent, notice, ct);

    public Task CancelledAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.CancelEvent, notice, ct);

    Task RaiseAsync(string dispatchId, string name, DispatchNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(DispatchFlow.InstanceId(dispatchId), name, notice, ct);
}
