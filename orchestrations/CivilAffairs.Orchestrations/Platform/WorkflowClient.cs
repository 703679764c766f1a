using CivilAffairs.Application.Platform.Health;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Orchestrations.Platform;

/// <summary>
/// The durable client of the current function invocation, for the workflow ports of every area. In the isolated worker the
/// Durable Functions client exists only as a binding (<c>[DurableClient] DurableTaskClient</c>), not as a service, so the
/// functions whose work reaches a workflow declare that binding and hand the client over for the invocation
/// (<c>Endpoint.With(durable)</c> for HTTP, <see cref="Use"/> elsewhere). Application services never see it: they talk to
/// their area's port (<c>IDispatchWorkflow</c>, <c>IAssistanceCaseWorkflow</c>, <c>IPreReviewWorkflow</c>), implemented
/// next to the orchestrations on top of <see cref="Current"/>. The client flows with the invocation's async context, like
/// <c>IHttpContextAccessor</c>, so one singleton serves concurrent invocations.
/// </summary>
public sealed class WorkflowClient
{
    readonly AsyncLocal<DurableTaskClient?> current = new();

    /// <summary>Binds <paramref name="client"/> to the calling async flow until the returned scope is disposed.</summary>
    public IDisposable Use(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var previous = current.Value;
        current.Value = client;
        return new Scope(this, previous);
    }

    /// <summary>The client bound to this invocation.</summary>
    /// <exception cref="InvalidOperationException">The function did not declare <c>[DurableClient]</c> or did not hand it over.</exception>
    public DurableTaskClient Current => current.Value ?? throw new InvalidOperationException(
        "No durable client is bound to this invocation: declare [DurableClient] DurableTaskClient on the function and pass it to Endpoint.With(durable) or WorkflowClient.Use(durable).");

    /// <summary>
    /// Starts <paramref name="orchestrator"/> as <paramref name="instanceId"/> unless that instance exists: starting the same
    /// workflow twice (a relayed event, a concurrent request) leaves one instance.
    /// </summary>
    public async Task StartOnceAsync<TInput>(string orchestrator, string instanceId, TInput input, CancellationToken ct)
    {
        var client = Current;
        if (await client.GetInstanceAsync(instanceId, ct) is not null) return;
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, new StartOrchestrationOptions(InstanceId: instanceId), ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Scheduled concurrently by someone else: that is the idempotent outcome.
            if (await client.GetInstanceAsync(instanceId, ct) is null) throw;
        }
    }

    sealed class Scope(WorkflowClient owner, DurableTaskClient? previous) : IDisposable
    {
        public void Dispose() => owner.current.Value = previous;
    }
}

/// <summary>The durable backend, probed by reading a (missing) instance.</summary>
public sealed class WorkflowBackendProbe(WorkflowClient workflows) : IHealthProbe
{
    public string Name => "durable";

    public Task ProbeAsync(CancellationToken ct) => workflows.Current.GetInstanceAsync("health-probe", getInputsAndOutputs: false, ct);
}
