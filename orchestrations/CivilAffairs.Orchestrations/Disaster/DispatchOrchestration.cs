using CivilAffairs.Application.Disaster.Dispatching;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Disaster;

/// <summary>
/// One relief dispatch as a durable process: plan (nearest warehouses, split, FEFO, shortfall) → reserve per warehouse
/// (on a conflict re-plan once, then fail and release) → assign the nearest available field team of the incident's
/// jurisdiction (none: the supervisors are told and staff assign by hand) → wait for the team's <c>pickup</c> (stock
/// issued) and <c>delivered</c> events, or a <c>cancel</c> (reservations released). Two durable timers watch the delivery
/// clock — at start + limit × warning fraction and at the deadline — and escalate when the goods have not arrived; the
/// dispatch keeps waiting after an escalation. The workflow's own steps are activities; the people's steps (pick-up,
/// delivery, cancellation) are stored by the application with an outbox event, relayed here until it lands. The custom
/// status names the current step.
/// </summary>
public static class DispatchOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(DispatchFlow.Orchestrator)]
    public static async Task<DispatchEnd> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<DispatchInput>() ?? throw new InvalidOperationException("Dispatch started without input.");
        var id = input.DispatchId;
        var escalated = false;
        var teamAssigned = false;
        void Status(DispatchStage step) => context.SetCustomStatus(new DispatchProgress(step, escalated, teamAssigned));

        // One waiter per event name for the whole life of the instance (an abandoned waiter would swallow an event).
        var pickup = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.PickupEvent);
        var delivered = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.DeliveredEvent);
        var cancel = context.WaitForExternalEvent<DispatchNotice>(DispatchFlow.CancelEvent);

        var reserved = false;
        for (var attempt = 1; attempt <= 2 && !reserved; attempt++)
        {
            Status(attempt == 1 ? DispatchStage.Planning : DispatchStage.Replanning);
            var plan = await context.CallActivityAsync<PlanResult>(DispatchFlow.PlanActivity, new DispatchActivityInput(id, attempt), Retry);
            if (plan.Ended)
            {
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, attempt), Retry);
                Status(DispatchStage.Ended);
                return DispatchEnd.Ended;
            }
            Status(DispatchStage.Reserving);
            var outcome = await context.CallActivityAsync<ReserveResult>(DispatchFlow.ReserveActivity, new DispatchActivityInput(id, attempt), Retry);
            if (outcome == ReserveResult.Ended)
            {
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, attempt), Retry);
                Status(DispatchStage.Cancelled);
                return DispatchEnd.Cancelled;
            }
            reserved = outcome == ReserveResult.Reserved;
        }
        if (!reserved)
        {
            await context.CallActivityAsync(DispatchFlow.FailActivity, new DispatchActivityInput(id, 2, Reason: "重新调配后库存仍不足，预留失败"), Retry);
            Status(DispatchStage.Failed);
            return DispatchEnd.Failed;
        }

        Status(DispatchStage.Assigning);
        var assigned = await context.CallActivityAsync<AssignResult>(DispatchFlow.AssignActivity, new DispatchActivityInput(id, 1), Retry);
        if (assigned == AssignResult.Ended)
        {
            await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, 1), Retry);
            Status(DispatchStage.Cancelled);
            return DispatchEnd.Cancelled;
        }
        teamAssigned = assigned == AssignResult.Assigned;

        using var timers = new CancellationTokenSource();
        var checks = new Queue<DateTimeOffset>([input.EscalateAt, input.DeadlineAt]);
        Task? timer = null;
        var timerDue = default(DateTimeOffset);
        var pickedUp = false;
        Status(DispatchStage.AwaitingPickup);
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
                Status(pickedUp ? DispatchStage.AwaitingDelivery : DispatchStage.AwaitingPickup);
                continue;
            }
            if (first == cancel)
            {
                timers.Cancel();
                var by = await cancel;
                await context.CallActivityAsync(DispatchFlow.SettleActivity, new DispatchActivityInput(id, 1, by.Actor), Retry);
                Status(DispatchStage.Cancelled);
                return DispatchEnd.Cancelled;
            }
            if (first == pickup)
            {
                var by = await pickup;
                pickedUp = true;
                await context.CallActivityAsync(DispatchFlow.PickedUpActivity, new DispatchActivityInput(id, 1, by.Actor), Retry);
                Status(DispatchStage.AwaitingDelivery);
                continue;
            }
            timers.Cancel();
            var deliveredBy = await delivered;
            await context.CallActivityAsync(DispatchFlow.DeliveredActivity, new DispatchActivityInput(id, 1, deliveredBy.Actor), Retry);
            Status(DispatchStage.Delivered);
            return DispatchEnd.Delivered;
        }
    }
}

/// <summary>Activities of the dispatch orchestration: each a thin wrapper over <see cref="DispatchService"/>.</summary>
public sealed class DispatchActivities(DispatchService dispatches)
{
    [Function(DispatchFlow.PlanActivity)]
    public Task<PlanResult> Plan([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.PlanAsync(input, context.CancellationToken);

    [Function(DispatchFlow.ReserveActivity)]
    public Task<ReserveResult> Reserve([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.ReserveAsync(input, context.CancellationToken);

    [Function(DispatchFlow.FailActivity)]
    public Task Fail([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.FailAsync(input, context.CancellationToken);

    [Function(DispatchFlow.AssignActivity)]
    public Task<AssignResult> Assign([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.AssignAsync(input, context.CancellationToken);

    [Function(DispatchFlow.PickedUpActivity)]
    public Task PickedUp([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.PickedUpAsync(input, context.CancellationToken);

    [Function(DispatchFlow.DeliveredActivity)]
    public Task Delivered([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.DeliveredAsync(input, context.CancellationToken);

    [Function(DispatchFlow.EscalateActivity)]
    public Task<bool> Escalate([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.EscalateAsync(input, context.CancellationToken);

    [Function(DispatchFlow.SettleActivity)]
    public Task Settle([ActivityTrigger] DispatchActivityInput input, FunctionContext context) => dispatches.SettleAsync(input, context.CancellationToken);
}
