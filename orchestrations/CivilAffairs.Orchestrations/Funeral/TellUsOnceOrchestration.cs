using CivilAffairs.Application.Funeral.TellUsOnce;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Funeral;

/// <summary>Names of the Tell Us Once workflow.</summary>
public static class TellUsOnceFlow
{
    public const string Orchestrator = "TellUsOnceOrchestration";
    public const string PendingActivity = "TellUsOncePending";
    public const string ResendActivity = "TellUsOnceResend";
    public const string LateActivity = "TellUsOnceLate";
    public const string ReceiptEvent = "receipt";
    public static string InstanceId(string deathId) => "tuo-" + deathId;
}

/// <summary>Input of the pending/resend/late activities: the event and the units concerned.</summary>
public sealed record TellUsOnceUnits(string EventId, IReadOnlyList<string> Units);

/// <summary>
/// Tell Us Once for one registered death (instance <c>tuo-{deathId}</c>): waits for every partner unit's acknowledgement receipt of
/// <c>person.died</c> until a deadline (<c>Funeral:TellUsOnce:AcknowledgementDeadline</c>), sends the event once more to the units
/// that have not answered, waits the same time again, and then marks those still silent late (the family's page shows them, staff
/// follow up). Receipts arrive as events; the workflow also re-reads the deliveries at each deadline, so a receipt that reached the
/// store but not the instance still counts. The timers live in the durable store: a restart while receipts are outstanding loses nothing.
/// </summary>
public static class TellUsOnceOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(TellUsOnceFlow.Orchestrator)]
    public static async Task<TellUsOnceStatus> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<TellUsOnceInput>() ?? throw new InvalidOperationException("Tell Us Once started without input.");
        var pending = new HashSet<string>(await context.CallActivityAsync<List<string>>(TellUsOnceFlow.PendingActivity,
            new TellUsOnceUnits(input.EventId, input.Units), Retry), StringComparer.Ordinal);
        var resent = 0;
        // One waiter at a time, carried across rounds (an abandoned waiter would swallow a receipt).
        Task<string>? receipt = null;
        for (var round = 1; round <= 2 && pending.Count > 0; round++)
        {
            context.SetCustomStatus(Status(input, pending, resent, [], finished: false));
            using (var timers = new CancellationTokenSource())
            {
                var deadline = context.CreateTimer(context.CurrentUtcDateTime.Add(input.Deadline), timers.Token);
                while (pending.Count > 0)
                {
                    receipt ??= context.WaitForExternalEvent<string>(TellUsOnceFlow.ReceiptEvent);
                    if (await Task.WhenAny(receipt, deadline) == deadline) break;
                    pending.Remove(receipt.Result);
                    receipt = null;
                    context.SetCustomStatus(Status(input, pending, resent, [], finished: false));
                }
                if (pending.Count == 0) { timers.Cancel(); break; }
            }
            pending = new HashSet<string>(await context.CallActivityAsync<List<string>>(TellUsOnceFlow.PendingActivity,
                new TellUsOnceUnits(input.EventId, [.. pending]), Retry), StringComparer.Ordinal);
            if (pending.Count == 0) break;
            if (round == 1)
            {
                await context.CallActivityAsync(TellUsOnceFlow.ResendActivity, new TellUsOnceUnits(input.EventId, [.. pending.Order(StringComparer.Ordinal)]), Retry);
                resent = pending.Count;
            }
            else
            {
                await context.CallActivityAsync(TellUsOnceFlow.LateActivity, new TellUsOnceUnits(input.EventId, [.. pending.Order(StringComparer.Ordinal)]), Retry);
            }
        }
        var status = Status(input, pending, resent, [.. pending.Order(StringComparer.Ordinal)], finished: true);
        context.SetCustomStatus(status);
        return status;
    }

    static TellUsOnceStatus Status(TellUsOnceInput input, HashSet<string> pending, int resent, IReadOnlyList<string> late, bool finished) =>
        new(input.Units.Count, input.Units.Count - pending.Count, resent, late, finished);
}

/// <summary>Activities of the Tell Us Once workflow: thin wrappers over <see cref="TellUsOnceService"/>.</summary>
public sealed class TellUsOnceActivities(TellUsOnceService tellUsOnce)
{
    [Function(TellUsOnceFlow.PendingActivity)]
    public async Task<List<string>> Pending([ActivityTrigger] TellUsOnceUnits units, FunctionContext context) =>
        [.. await tellUsOnce.PendingAsync(units.EventId, units.Units, context.CancellationToken)];

    [Function(TellUsOnceFlow.ResendActivity)]
    public Task Resend([ActivityTrigger] TellUsOnceUnits units, FunctionContext context) =>
        tellUsOnce.ResendAsync(units.EventId, units.Units, context.CancellationToken);

    [Function(TellUsOnceFlow.LateActivity)]
    public Task Late([ActivityTrigger] TellUsOnceUnits units, FunctionContext context) =>
        tellUsOnce.MarkLateAsync(units.EventId, units.Units, context.CancellationToken);
}
