using CivilAffairs.Application.Marriage.Divorces;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Marriage;

/// <summary>
/// One divorce application by agreement as a durable process (instance <c>divorce-{id}</c>), started when the registry received
/// the application from both parties. It holds the cooling-off (离婚冷静期) with a durable timer — calendar days, 30 by law,
/// <c>Marriage:Divorce:CoolingOff</c> — during which either party may withdraw (a person's step, relayed here as an event); when it
/// ends, its activity moves the application on to the appearance window, and a second timer
/// (<c>Marriage:Divorce:AppearanceWindow</c>) waits for the registrar's registration; if none comes, its activity lapses the
/// application. The timers live in the durable store, so a runtime restart during the cooling-off loses nothing.
/// </summary>
public static class DivorceOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(DivorceFlow.Orchestrator)]
    public static async Task<DivorceStage> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<DivorceInput>() ?? throw new InvalidOperationException("Divorce workflow started without input.");
        // One waiter per event for the whole life of the instance (an abandoned waiter would swallow an event).
        var withdrawn = context.WaitForExternalEvent<DivorceNotice>(DivorceFlow.WithdrawnEvent);
        var registered = context.WaitForExternalEvent<DivorceNotice>(DivorceFlow.RegisteredEvent);

        // 1. The cooling-off: a withdrawal ends it; otherwise the timer does. A queue-backed timer can fire up to a second before
        //    its time (visibility delays are whole seconds); the activity then finds the cooling-off still running and answers
        //    CoolingOff, and the workflow waits a little longer — withdrawal stays possible until the very end.
        context.SetCustomStatus(DivorceStage.CoolingOff);
        var coolingOffEndsAt = input.CoolingOffEndsAt.UtcDateTime;
        DivorceStage stage;
        for (var look = 1; ; look++)
        {
            using (var timers = new CancellationTokenSource())
            {
                var coolingOff = context.CreateTimer(coolingOffEndsAt, timers.Token);
                var first = await Task.WhenAny(coolingOff, withdrawn, registered);
                if (first != coolingOff)
                {
                    timers.Cancel();
                    var end = first == withdrawn ? DivorceStage.Withdrawn : DivorceStage.Registered;
                    context.SetCustomStatus(end);
                    return end;
                }
            }
            stage = await context.CallActivityAsync<DivorceStage>(DivorceFlow.CoolingOffEndedActivity, input.DivorceId, Retry);
            if (stage is not DivorceStage.CoolingOff || look >= 30) break;
            coolingOffEndsAt = context.CurrentUtcDateTime.AddSeconds(2);
        }
        if (stage is not DivorceStage.AwaitingAppearance) { context.SetCustomStatus(stage); return stage; }

        // 2. Both must appear within the window: the registrar's registration ends it; otherwise the application lapses.
        //    A queue-backed timer can fire up to a second before its time (visibility delays are whole seconds); the lapse
        //    activity then finds the window still open and answers AwaitingAppearance, and the workflow waits a little longer.
        context.SetCustomStatus(DivorceStage.AwaitingAppearance);
        var windowEndsAt = input.AppearanceEndsAt.UtcDateTime;
        for (var look = 1; ; look++)
        {
            using (var timers = new CancellationTokenSource())
            {
                var window = context.CreateTimer(windowEndsAt, timers.Token);
                if (await Task.WhenAny(window, registered) == registered)
                {
                    timers.Cancel();
                    context.SetCustomStatus(DivorceStage.Registered);
                    return DivorceStage.Registered;
                }
            }
            stage = await context.CallActivityAsync<DivorceStage>(DivorceFlow.LapseActivity, input.DivorceId, Retry);
            // A registration under way keeps it open; after a minute of looking the workflow leaves it to the registrar.
            if (stage is not DivorceStage.AwaitingAppearance || look >= 30)
            {
                context.SetCustomStatus(stage);
                return stage;
            }
            windowEndsAt = context.CurrentUtcDateTime.AddSeconds(2);
        }
    }
}

/// <summary>Activities of the divorce orchestration: thin wrappers over <see cref="DivorceService"/>.</summary>
public sealed class DivorceActivities(DivorceService divorces)
{
    [Function(DivorceFlow.CoolingOffEndedActivity)]
    public Task<DivorceStage> CoolingOffEnded([ActivityTrigger] string divorceId, FunctionContext context) =>
        divorces.CoolingOffEndedAsync(divorceId, context.CancellationToken);

    [Function(DivorceFlow.LapseActivity)]
    public Task<DivorceStage> Lapse([ActivityTrigger] string divorceId, FunctionContext context) =>
        divorces.LapseAsync(divorceId, context.CancellationToken);
}
