using CivilAffairs.Application.Assistance;
using CivilAffairs.Domain.Assistance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>
/// The social-assistance case as one durable process, from acceptance to the end of the grant:
/// verification (<see cref="HouseholdVerificationOrchestration"/>, one round at a time) → publicity of 7 days for an eligible household, paused while
/// objections are open and resumed with the time that was left → the district decision (an external event raised by
/// <c>POST .../decision</c>) → while granted, a re-verification round after the configured period (continue-as-new).
/// Ineligible households go straight to the district with the per-rule reasons. Every state change is an activity.
/// </summary>
public static class AssistanceCaseOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    [Function(CaseNames.Orchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<CaseInput>() ?? throw new InvalidOperationException("Case started without input.");
        context.SetCustomStatus(new CaseProgress("verifying", input.Round, null, 0, 0));
        var verification = await context.CallActivityAsync<VerificationInput?>(CaseNames.BeginVerificationActivity,
            new BeginInput(input.ApplicationId, input.Round, input.VerificationDeadlineSeconds), Retry);
        if (verification is null) return "closed";

        var outcome = await HouseholdVerificationOrchestration.RunAsync(context, verification);

        var publicityEndsAt = context.CurrentUtcDateTime.AddSeconds(input.PublicitySeconds);
        var next = await context.CallActivityAsync<string>(CaseNames.AfterVerificationActivity,
            new AfterVerificationInput(input.ApplicationId, input.Round, outcome.Outcome, publicityEndsAt), Retry);

        if (next == "publicity")
            await PublicityAsync(context, input, publicityEndsAt);
        if (next is "publicity" or "decision")
        {
            context.SetCustomStatus(new CaseProgress("awaitingDecision", input.Round, null, 0, 0));
            var decision = await context.WaitForExternalEvent<DecisionNotice>(CaseNames.DecisionEvent);
            if (!decision.Approved) return input.Round == 1 ? "rejected" : "ended";
        }
        if (next == "closed") return "closed";

        // Granted: wait for the periodic re-verification, then start the next round as a fresh history.
        context.SetCustomStatus(new CaseProgress("granted", input.Round, null, 0, 0));
        await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(input.ReverificationSeconds), CancellationToken.None);
        context.ContinueAsNew(input with { Round = input.Round + 1 });
        return "reverifying";
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
                context.SetCustomStatus(new CaseProgress("publicity", input.Round, started + remaining, 0, upheld));
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
            context.SetCustomStatus(new CaseProgress("publicityPaused", input.Round, null, open.Count, upheld));
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

/// <summary>Activities of the case orchestration: each one state change through <see cref="AssistanceCases"/>.</summary>
public sealed class AssistanceCaseActivities(AssistanceCases cases)
{
    [Function(CaseNames.BeginVerificationActivity)]
    public Task<VerificationInput?> Begin([ActivityTrigger] BeginInput input, FunctionContext context) =>
        cases.BeginVerificationAsync(input.ApplicationId, input.Round, input.DeadlineSeconds, context.CancellationToken);

    [Function(CaseNames.AfterVerificationActivity)]
    public Task<string> After([ActivityTrigger] AfterVerificationInput input, FunctionContext context) =>
        cases.AfterVerificationAsync(input, context.CancellationToken);

    [Function(CaseNames.PausePublicityActivity)]
    public Task Pause([ActivityTrigger] PauseInput input, FunctionContext context) => cases.PausePublicityAsync(input, context.CancellationToken);

    [Function(CaseNames.ResumePublicityActivity)]
    public Task Resume([ActivityTrigger] PublicityInput input, FunctionContext context) => cases.ResumePublicityAsync(input, context.CancellationToken);

    [Function(CaseNames.EndPublicityActivity)]
    public Task End([ActivityTrigger] string applicationId, FunctionContext context) => cases.EndPublicityAsync(applicationId, context.CancellationToken);
}
