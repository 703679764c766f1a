using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>
/// Cross-department household economic verification (居民家庭经济状况核对), one round, run inside the case
/// orchestration (the Durable Task sidecar of the one-machine runtime cannot carry sub-orchestration tags, and one
/// history per case keeps the replies' correlation simple). Asks every relevant partner unit
/// about every member (one activity for all units; units it could not reach are tried again), then waits for each unit's
/// answer as one external event (raised by the reply handler once the unit has answered about every member) until that
/// unit's deadline (the catalogue's, or a configured override), a durable timer per distinct deadline. Units that had not answered about every member in time
/// are recorded as not answered; their late replies are stored by the reply handler but not used. Custom status shows
/// units asked / answered / overdue. Inputs, events and outputs carry ids and codes only, never personal data.
/// </summary>
public static class HouseholdVerificationOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    /// <summary>Attempts to queue a unit's requests before it is recorded as not answered (2, 4, 8, 16 s apart).</summary>
    const int SendAttempts = 5;

    public static async Task<VerificationOutcome> RunAsync(TaskOrchestrationContext context, VerificationInput input)
    {
        var correlationId = VerificationNames.CorrelationId(input.ApplicationId, input.Round);
        var codes = input.Units.Select(u => u.Code).ToList();
        var expected = codes.Count * input.MemberRefs.Count;
        var started = context.CurrentUtcDateTime;
        // One durable timer per distinct deadline (the catalogue has a handful: 1, 2, 3, 5 days).
        var byDeadline = input.Units.GroupBy(u => u.DeadlineSeconds).OrderBy(g => g.Key).ToList();
        DateTimeOffset? lastDeadline = byDeadline.Count > 0 ? started.AddSeconds(byDeadline[^1].Key) : null;
        context.SetCustomStatus(new VerificationProgress(VerificationStage.Requesting, codes.Count, 0, 0, expected, 0, lastDeadline));

        // Waiters first, so no answer can arrive before someone listens for it. One event per unit (raised once the unit
        // has answered about every member), so a household of n members costs 60 events, not 60 × n.
        var pending = codes.ToDictionary(unit => context.WaitForExternalEvent<UnitAnsweredNotice>(VerificationNames.UnitAnsweredEvent(input.Round, unit)), unit => unit);

        // One activity queues every unit's requests; units it could not reach are tried again after a while, and after the
        // last attempt count as not answered (the deadline timers still run for everyone else).
        var overdue = new HashSet<string>(StringComparer.Ordinal);
        void StopWaitingForOverdue()
        {
            foreach (var waiter in pending.Where(p => overdue.Contains(p.Value)).Select(p => p.Key).ToList()) pending.Remove(waiter);
        }
        IReadOnlyList<string> unsent = codes;
        for (var attempt = 1; unsent.Count > 0; attempt++)
        {
            var sent = await context.CallActivityAsync<SendRequestsOutcome>(VerificationNames.SendActivity, new SendRequestsInput(input.ApplicationId, correlationId, unsent), Retry);
            unsent = sent.UnitsNotSent;
            if (unsent.Count == 0) break;
            if (attempt == SendAttempts)
            {
                overdue.UnionWith(unsent);
                StopWaitingForOverdue();
                break;
            }
            await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(1 << attempt), CancellationToken.None);
        }

        var answered = new HashSet<string>(StringComparer.Ordinal);
        var received = 0;
        using var cancelTimers = new CancellationTokenSource();
        var timers = byDeadline.ToDictionary(g => (Task)context.CreateTimer(started.AddSeconds(g.Key), cancelTimers.Token), g => g.Select(u => u.Code).ToList());
        VerificationProgress Progress(VerificationStage step) => new(step, codes.Count, answered.Count, overdue.Count, expected, received, lastDeadline);
        context.SetCustomStatus(Progress(VerificationStage.Waiting));
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending.Keys.Cast<Task>().Concat(timers.Keys));
            if (timers.Remove(done, out var dueUnits))
            {
                // These units' time is up: whoever has not answered about every member is overdue; stop waiting for them.
                foreach (var unit in dueUnits.Where(u => !answered.Contains(u))) overdue.Add(unit);
                StopWaitingForOverdue();
            }
            else
            {
                var answer = (Task<UnitAnsweredNotice>)done;
                answered.Add(pending[answer]);
                pending.Remove(answer);
                received += answer.Result.Replies;
            }
            context.SetCustomStatus(Progress(VerificationStage.Waiting));
        }
        if (timers.Count > 0) cancelTimers.Cancel();

        var notAnswered = codes.Where(overdue.Contains).ToList();
        context.SetCustomStatus(Progress(VerificationStage.Reporting));
        var outcome = await context.CallActivityAsync<VerificationOutcome>(VerificationNames.CompleteActivity,
            new CompleteInput(input.ApplicationId, correlationId, input.Round, codes, notAnswered), Retry);
        context.SetCustomStatus(Progress(VerificationStage.Completed));
        return outcome;
    }
}

/// <summary>Activities of the verification orchestration.</summary>
public sealed class VerificationActivities(VerificationService verification)
{
    [Function(VerificationNames.SendActivity)]
    public Task<SendRequestsOutcome> Send([ActivityTrigger] SendRequestsInput input, FunctionContext context) =>
        verification.SendRequestsAsync(input, context.CancellationToken);

    [Function(VerificationNames.CompleteActivity)]
    public Task<VerificationOutcome> Complete([ActivityTrigger] CompleteInput input, FunctionContext context) =>
        verification.CompleteAsync(input, context.CancellationToken);
}
