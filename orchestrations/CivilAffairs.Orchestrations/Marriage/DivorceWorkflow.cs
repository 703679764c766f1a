using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Orchestrations.Platform;

namespace CivilAffairs.Orchestrations.Marriage;

/// <summary>The divorce applications' <see cref="IDivorceWorkflow"/>: one <see cref="DivorceOrchestration"/> instance per application.</summary>
public sealed class DivorceWorkflow(WorkflowClient workflows) : IDivorceWorkflow
{
    public Task StartAsync(DivorceInput input, CancellationToken ct) =>
        workflows.StartOnceAsync(DivorceFlow.Orchestrator, DivorceFlow.InstanceId(input.DivorceId), input, ct);

    public Task WithdrawnAsync(string divorceId, DivorceNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(DivorceFlow.InstanceId(divorceId), DivorceFlow.WithdrawnEvent, notice, ct);

    public Task RegisteredAsync(string divorceId, DivorceNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(DivorceFlow.InstanceId(divorceId), DivorceFlow.RegisteredEvent, notice, ct);
}
