using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>
/// Cross-department household economic verification (居民家庭经济状况核对), one round, run inside the case
/// orchestration (the Durable Task sidecar of the one-machine runtime cannot carry sub-orchestration tags, and one
/// history per case keeps the replies' correlation simple). Asks every relevant partner unit
/// about every member (one activity per unit, retried on failure), then waits for each unit's reply per member as an
/// external event until that unit's deadline (the catalogue's, or a configured override), a durable timer per distinct deadline. Units that had not answered about every member in time
/// are recorded as not answered; their late replies are stored by the reply handler but not used. Custom status shows
/// units asked / answered / overdue. Inputs, events and outputs carry ids and codes only, never personal data.
/// </summary>
public static class HouseholdVerificationOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

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

        // Waiters first, so no reply can arrive before someone listens for it.
        var pending = new Dictionary<Task<ReplyNotice>, string>();
        foreach (var unit in codes)
            foreach (var member in input.MemberRefs)
                pending[context.WaitForExternalEvent<ReplyNotice>(VerificationNames.EventName(input.Round, unit, member))] = unit;

        await Task.WhenAll(codes.Select(unit =>
            context.CallActivityAsync(VerificationNames.SendActivity, new SendRequestsInput(input.ApplicationId, correlationId, unit), Retry)));

        var outstanding = codes.ToDictionary(u => u, _ => input.MemberRefs.Count, StringComparer.Ordinal);
        var overdue = new HashSet<string>(StringComparer.Ordinal);
        var received = 0;
        using var cancelTimers = new CancellationTokenSource();
        var timers = byDeadline.ToDictionary(g => (Task)context.CreateTimer(started.AddSeconds(g.Key), cancelTimers.Token), g => g.Select(u => u.Code).ToList());
        VerificationProgress Progress(VerificationStage step) => new(step, codes.Count, outstanding.Count(o => o.Value == 0), overdue.Count, expected, received, lastDeadline);
        context.SetCustomStatus(Progress(VerificationStage.Waiting));
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending.Keys.Cast<Task>().Concat(timers.Keys));
            if (timers.Remove(done, out var dueUnits))
            {
                // These units' time is up: whoever has not answered about every member is overdue; stop waiting for them.
                foreach (var unit in dueUnits.Where(u => outstanding[u] > 0)) overdue.Add(unit);
                foreach (var waiter in pending.Where(p => overdue.Contains(p.Value)).Select(p => p.Key).ToList()) pending.Remove(waiter);
            }
            else
            {
                var reply = (Task<ReplyNotice>)done;
                outstanding[pending[reply]]--;
                pending.Remove(reply);
                received++;
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
    public Task Send([ActivityTrigger] SendRequestsInput input, FunctionContext context) =>
        verification.SendRequestsAsync(input, context.CancellationToken);

    [Function(VerificationNames.CompleteActivity)]
    public Task<VerificationOutcome> Complete([ActivityTrigger] CompleteInput input, FunctionContext context) =>
        verification.CompleteAsync(input, context.CancellationToken);
}
