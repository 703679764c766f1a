using CivilAffairs.Application.Disaster.Dispatching;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Disaster;

/// <summary>
/// One relief dispatch as a durable process: plan (nearest warehouses, split, FEFO, shortfall) → reserve per warehouse
/// (on a conflict re-plan once, then fail and release) → assign the street's field team → wait for the team's
/// <c>pickup</c> (stock issued) and <c>delivered</c> events, or a <c>cancel</c> (reservations released). Two durable timers
/// watch the delivery clock — at start + limit × warning fraction and at the deadline — and escalate when the goods
/// have not arrived; the dispatch keeps waiting after an escalation. Every state change is an activity; the custom status
/// names the current step.
/// </summary>
public static class DispatchOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(DispatchFlow.Orchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<DispatchInput>() ?? throw new InvalidOperationException("Dispatch started without input.");
        var id = input.DispatchId;
        var escalated = false;
        string? team = null;
        void Status(string step) => context.SetCustomStatus(new DispatchProgress(step, escalated, team));

        // One waiter per event name for the whole life of the instance (an abandoned waiter would swallow an event).
        var pickup = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.PickupEvent);
        var delivered = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.DeliveredEvent);
        var cancel = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.CancelEvent);

        var reserved = false;
        for (var attempt = 1; attempt <= 2 && !reserved; attempt++)
        {
            Status(attempt == 1 ? "planning" : "replanning");
            var plan = await context.CallActivityAsync<PlanResult>(DispatchFlow.PlanActivity, new DispatchActivityInput(id, attempt), Retry);
            if (plan.Ended)
            {
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, attempt), Retry);
                Status("ended");
                return "ended";
            }
            Status("reserving");
            var outcome = await context.CallActivityAsync<string>(DispatchFlow.ReserveActivity, new DispatchActivityInput(id, attempt), Retry);
            if (outcome == "ended")
            {
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, attempt), Retry);
                Status("cancelled");
                return "cancelled";
            }
            reserved = outcome == "reserved";
        }
        if (!reserved)
        {
            await context.CallActivityAsync(DispatchFlow.FailActivity, new DispatchActivityInput(id, 2, Reason: "重新调配后库存仍不足，预留失败"), Retry);
            Status("failed");
            return "failed";
        }

        Status("assigning");
        team = await context.CallActivityAsync<string?>(DispatchFlow.AssignActivity, new DispatchActivityInput(id, 1), Retry);
        if (team is null)
        {
            await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, 1), Retry);
            Status("cancelled");
            return "cancelled";
        }

        using var timers = new CancellationTokenSource();
        var checks = new Queue<DateTimeOffset>([input.EscalateAt, input.DeadlineAt]);
        Task? timer = null;
        var timerDue = default(DateTimeOffset);
        var pickedUp = false;
        Status("awaitingPickup");
        while (true)
        {
            // A check already due fires at once; the escalate activity records each state (atRisk, overdue) once.
            if (timer is null && checks.Count > 0)
            {
                timerDue = checks.Dequeue();
                timer = context.CreateTimer(timerDue.UtcDateTime, timers.Token);
            }
            var waits = new List<Task> { pickedUp ? delivered : pickup };
            if (!pickedUp) waits.Add(cancel);
            if (timer is not null) waits.Add(timer);
            var first = await Task.WhenAny(waits);

            if (first == timer)
            {
                timer = null;
                if (await context.CallActivityAsync<bool>(DispatchFlow.EscalateActivity, new DispatchActivityInput(id, 1, CheckAt: timerDue), Retry)) escalated = true;
                Status(pickedUp ? "awaitingDelivery" : "awaitingPickup");
                continue;
            }
            if (first == cancel)
            {
                timers.Cancel();
                var by = await cancel;
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, 1, by.Actor), Retry);
                Status("cancelled");
                return "cancelled";
            }
            if (first == pickup)
            {
                var by = await pickup;
                pickedUp = true;
                await context.CallActivityAsync(DispatchFlow.PickedUpActivity, new DispatchActivityInput(id, 1, by.Actor), Retry);
                Status("awaitingDelivery");
                continue;
            }
            timers.Cancel();
            var deliveredBy = await delivered;
            await context.CallActivityAsync(DispatchFlow.DeliveredActivity, new DispatchActivityInput(id, 1, deliveredBy.Actor), Retry);
            Status("delivered");
            return "delivered";
        }
    }
}

/// <summary>Activities of the dispatch orchestration: each a thin wrapper over <see cref="DispatchService"/>.</summary>
public sealed class DispatchActivities(DispatchService dispatches)
{
    [Function(DispatchFlow.PlanActivity)]
    public Task<PlanResult> Plan([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.PlanAsync(input, context.CancellationToken);

    [Function(DispatchFlow.ReserveActivity)]
    public Task<string> Reserve([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.ReserveAsync(input, context.CancellationToken);

    [Function(DispatchFlow.FailActivity)]
    public Task Fail([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.FailAsync(input, context.CancellationToken);

    [Function(DispatchFlow.AssignActivity)]
    public Task<string?> Assign([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.AssignAsync(input, context.CancellationToken);

    [Function(DispatchFlow.PickedUpActivity)]
    public Task PickedUp([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.PickedUpAsync(input, context.CancellationToken);

    [Function(DispatchFlow.DeliveredActivity)]
    public Task Delivered([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.DeliveredAsync(input, context.CancellationToken);

    [Function(DispatchFlow.EscalateActivity)]
    public Task<bool> Escalate([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.EscalateAsync(input, context.CancellationToken);

    [Function(DispatchFlow.SettleActivity)]
    public Task Settle([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.SettleAsync(input, context.CancellationToken);
}
