using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Domain.Assistance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>
/// The social-assistance case as one durable process, from acceptance to the end of the grant:
/// verification (<see cref="HouseholdVerificationOrchestration"/>, one round at a time) → publicity of 7 days for an eligible household, paused while
/// objections are open and resumed with the time that was left → the district decision (an external event raised by
/// <c>POST .../decision</c>) → while granted, a re-verification round after the configured period (continue-as-new).
/// Ineligible households go straight to the district with the per-rule reasons. The workflow's own state changes are
/// activities; the people's steps (objections, their resolution, the decision) are stored by the application with an
/// outbox event, which is relayed here as an external event until it lands.
/// </summary>
public static class AssistanceCaseOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    [Function(CaseNames.Orchestrator)]
    public static async Task<CaseEnd> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<CaseInput>() ?? throw new InvalidOperationException("Case started without input.");
        context.SetCustomStatus(new CaseProgress(CaseStage.Verifying, input.Round, null, 0, 0));
        var verification = await context.CallActivityAsync<VerificationInput?>(CaseNames.BeginVerificationActivity,
            new BeginInput(input.ApplicationId, input.Round, input.VerificationDeadlineSeconds), Retry);
        if (verification is null) return CaseEnd.Closed;

        var outcome = await HouseholdVerificationOrchestration.RunAsync(context, verification);

        var publicityEndsAt = context.CurrentUtcDateTime.AddSeconds(input.PublicitySeconds);
        var next = await context.CallActivityAsync<CaseStep>(CaseNames.AfterVerificationActivity,
            new AfterVerificationInput(input.ApplicationId, input.Round, outcome.Outcome, publicityEndsAt), Retry);

        if (next == CaseStep.Publicity)
            await PublicityAsync(context, input, publicityEndsAt);
        if (next is CaseStep.Publicity or CaseStep.Decision)
        {
            context.SetCustomStatus(new CaseProgress(CaseStage.AwaitingDecision, input.Round, null, 0, 0));
            var decision = await context.WaitForExternalEvent<DecisionNotice>(CaseNames.DecisionEvent);
            if (!decision.Approved) return input.Round == 1 ? CaseEnd.Rejected : CaseEnd.Ended;
        }
        if (next == CaseStep.Closed) return CaseEnd.Closed;

        // Granted: wait for the periodic re-verification, then start the next round as a fresh history.
        context.SetCustomStatus(new CaseProgress(CaseStage.Granted, input.Round, null, 0, 0));
        await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(input.ReverificationSeconds), CancellationToken.None);
        context.ContinueAsNew(input with { Round = input.Round + 1 });
        return CaseEnd.Reverifying;
    }

    static async Task PublicityAsync(TaskOrchestrationContext context, CaseInput input, DateTimeOffset endsAt)
    {
        var remaining = endsAt - context.CurrentUtcDateTime;
        var open = new HashSet<string>(StringComparer.Ordinal);
        var upheld = 0;
        // One waiter per event name at a time: an abandoned waiter would swallow the next event of its name.
        var nextObjection = context.WaitForExternalEvent<ObjectionNotice>(CaseNames.ObjectionEvent);
        var nextResolution = context.WaitForExternalEvent<ObjectionResolution>(CaseNames.ResolutionEvent);
        while (true)
        {
            if (open.Count == 0)
            {
                var started = context.CurrentUtcDateTime;
                context.SetCustomStatus(new CaseProgress(CaseStage.Publicity, input.Round, started + remaining, 0, upheld));
                using var cancel = new CancellationTokenSource();
                var timer = context.CreateTimer(started + remaining, cancel.Token);
                var first = await Task.WhenAny(timer, nextObjection);
                if (first == timer) break;
                cancel.Cancel();
                remaining -= context.CurrentUtcDateTime - started;
                if (remaining < TimeSpan.Zero) remaining = TimeSpan.Zero;
                var objection = await nextObjection;
                nextObjection = context.WaitForExternalEvent<ObjectionNotice>(CaseNames.ObjectionEvent);
                open.Add(objection.ObjectionId);
                await context.CallActivityAsync(CaseNames.PausePublicityActivity, new PauseInput(input.ApplicationId, objection.ObjectionId), Retry);
                continue;
            }
            context.SetCustomStatus(new CaseProgress(CaseStage.PublicityPaused, input.Round, null, open.Count, upheld));
            var done = await Task.WhenAny(nextObjection, nextResolution);
            if (done == nextObjection)
            {
                open.Add((await nextObjection).ObjectionId);
                nextObjection = context.WaitForExternalEvent<ObjectionNotice>(CaseNames.ObjectionEvent);
                continue;
            }
            var resolution = await nextResolution;
            nextResolution = context.WaitForExternalEvent<ObjectionResolution>(CaseNames.ResolutionEvent);
            if (open.Remove(resolution.ObjectionId) && resolution.Upheld) upheld++;
            if (open.Count == 0)
                await context.CallActivityAsync(CaseNames.ResumePublicityActivity, new PublicityInput(input.ApplicationId, context.CurrentUtcDateTime + remaining), Retry);
        }
        await context.CallActivityAsync(CaseNames.EndPublicityActivity, input.ApplicationId, Retry);
    }
}

/// <summary>Activities of the case orchestration: each one state change through <see cref="CaseService"/>.</summary>
public sealed class AssistanceCaseActivities(CaseService cases)
{
    [Function(CaseNames.BeginVerificationActivity)]
    public Task<VerificationInput?> Begin([ActivityTrigger] BeginInput input, FunctionContext context) =>
        cases.BeginVerificationAsync(input.ApplicationId, input.Round, input.DeadlineSeconds, context.CancellationToken);

    [Function(CaseNames.AfterVerificationActivity)]
    public Task<CaseStep> After([ActivityTrigger] AfterVerificationInput input, FunctionContext context) =>
        cases.AfterVerificationAsync(input, context.CancellationToken);

    [Function(CaseNames.PausePublicityActivity)]
    public Task Pause([ActivityTrigger] PauseInput input, FunctionContext context) => cases.PausePublicityAsync(input, context.CancellationToken);

    [Function(CaseNames.ResumePublicityActivity)]
    public Task Resume([ActivityTrigger] PublicityInput input, FunctionContext context) => cases.ResumePublicityAsync(input, context.CancellationToken);

    [Function(CaseNames.EndPublicityActivity)]
    public Task End([ActivityTrigger] string applicationId, FunctionContext context) => cases.EndPublicityAsync(applicationId, context.CancellationToken);
}
