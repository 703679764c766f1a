using CivilAffairs.Application.Assistance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Assistance;

/// <summary>
/// Cross-department household economic verification (居民家庭经济状况核对), one round, run inside the case
/// orchestration (the Durable Task sidecar of the one-machine runtime cannot carry sub-orchestration tags, and one
/// history per case keeps the replies' correlation simple). Asks every relevant partner unit
/// about every member (one activity per unit, retried on failure), then waits for each unit's reply per member as an
/// external event until the per-unit deadline, a durable timer. Units that had not answered about every member in time
/// are recorded as not answered; their late replies are stored by the reply handler but not used. Custom status shows
/// units asked / answered / overdue. Inputs, events and outputs carry ids and codes only, never personal data.
/// </summary>
public static class HouseholdVerificationOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public static async Task<VerificationOutcome> RunAsync(TaskOrchestrationContext context, VerificationInput input)
    {
        var correlationId = VerificationNames.CorrelationId(input.ApplicationId, input.Round);
        var expected = input.Units.Count * input.MemberRefs.Count;
        var deadlineAt = context.CurrentUtcDateTime.AddSeconds(input.DeadlineSeconds);
        context.SetCustomStatus(new VerificationProgress("requesting", input.Units.Count, 0, 0, expected, 0, deadlineAt));

        // Waiters first, so no reply can arrive before someone listens for it.
        var pending = new Dictionary<Task<ReplyNotice>, string>();
        foreach (var unit in input.Units)
            foreach (var member in input.MemberRefs)
                pending[context.WaitForExternalEvent<ReplyNotice>(VerificationNames.EventName(input.Round, unit, member))] = unit;

        await Task.WhenAll(input.Units.Select(unit =>
            context.CallActivityAsync(VerificationNames.SendActivity, new SendRequestsInput(input.ApplicationId, correlationId, unit), Retry)));

        var outstanding = input.Units.ToDictionary(u => u, _ => input.MemberRefs.Count, StringComparer.Ordinal);
        var received = 0;
        context.SetCustomStatus(new VerificationProgress("waiting", input.Units.Count, 0, 0, expected, 0, deadlineAt));
        if (pending.Count > 0)
        {
            using var cancelTimer = new CancellationTokenSource();
            var deadline = context.CreateTimer(deadlineAt, cancelTimer.Token);
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending.Keys.Cast<Task>().Append(deadline));
                if (done == deadline) break;
                var reply = (Task<ReplyNotice>)done;
                outstanding[pending[reply]]--;
                pending.Remove(reply);
                received++;
                context.SetCustomStatus(new VerificationProgress("waiting", input.Units.Count, outstanding.Count(o => o.Value == 0), 0, expected, received, deadlineAt));
            }
            if (pending.Count == 0) cancelTimer.Cancel();
        }

        var notAnswered = outstanding.Where(o => o.Value > 0).Select(o => o.Key).ToList();
        var answered = input.Units.Count - notAnswered.Count;
        context.SetCustomStatus(new VerificationProgress("reporting", input.Units.Count, answered, notAnswered.Count, expected, received, deadlineAt));
        var outcome = await context.CallActivityAsync<VerificationOutcome>(VerificationNames.CompleteActivity,
            new CompleteInput(input.ApplicationId, correlationId, input.Round, input.Units, notAnswered), Retry);
        context.SetCustomStatus(new VerificationProgress("completed", input.Units.Count, answered, notAnswered.Count, expected, received, deadlineAt));
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
