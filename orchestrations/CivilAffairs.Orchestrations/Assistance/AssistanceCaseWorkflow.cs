using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Orchestrations.Platform;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>The assistance area's <see cref="IAssistanceCaseWorkflow"/>: one <see cref="AssistanceCaseOrchestration"/> instance per application.</summary>
public sealed class AssistanceCaseWorkflow(WorkflowClient workflows) : IAssistanceCaseWorkflow
{
    public Task StartAsync(CaseInput input, CancellationToken ct) =>
        workflows.StartOnceAsync(CaseNames.Orchestrator, CaseNames.InstanceId(input.ApplicationId), input, ct);

    public Task ObjectionRaisedAsync(string applicationId, ObjectionNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.ObjectionEvent, notice, ct);

    public Task ObjectionResolvedAsync(string applicationId, ObjectionResolution resolution, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.ResolutionEvent, resolution, ct);

    public Task DecidedAsync(string applicationId, DecisionNotice decision, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.DecisionEvent, decision, ct);

    public Task UnitAnsweredAsync(string applicationId, int round, UnitAnsweredNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(CaseNames.InstanceId(applicationId), VerificationNames.UnitAnsweredEvent(round, notice.UnitCode), notice, ct);

    /// <summary>
    /// The case shows <see cref="VerificationProgress"/> as its custom status while a round runs, and <see cref="CaseProgress"/>
    /// otherwise; anything that is not a verification progress is no progress.
    /// </summary>
    public async Task<VerificationProgress?> VerificationProgressAsync(string applicationId, CancellationToken ct)
    {
        var instance = await workflows.Current.GetInstanceAsync(CaseNames.InstanceId(applicationId), getInputsAndOutputs: true, ct);
        if (instance?.SerializedCustomStatus is null) return null;
        try
        {
            return instance.ReadCustomStatusAs<VerificationProgress>();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
