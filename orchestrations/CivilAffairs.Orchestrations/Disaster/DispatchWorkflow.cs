using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Orchestrations.Disaster;

/// <summary>The dispatch area's <see cref="IDispatchWorkflow"/>: one <see cref="DispatchOrchestration"/> instance per dispatch.</summary>
public sealed class DispatchWorkflow(WorkflowClient workflows) : IDispatchWorkflow
{
    public async Task StartAsync(DispatchInput input, CancellationToken ct)
    {
        var client = workflows.Current;
        var instanceId = DispatchFlow.InstanceId(input.DispatchId);
        if (await client.GetInstanceAsync(instanceId, ct) is not null) return;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(DispatchFlow.Orchestrator, input, new StartOrchestrationOptions(InstanceId: instanceId), ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A concurrent start for the same need scheduled it first: that is the idempotent outcome.
            if (await client.GetInstanceAsync(instanceId, ct) is null) throw;
        }
    }

    public Task PickedUpAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.PickupEvent, notice, ct);

    public Task DeliveredAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.DeliveredEvent, notice, ct);

    public Task CancelledAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => RaiseAsync(dispatchId, DispatchFlow.CancelEvent, notice, ct);

    Task RaiseAsync(string dispatchId, string name, DispatchNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(DispatchFlow.InstanceId(dispatchId), name, notice, ct);
}
