using CivilAffairs.Application.Elderly.Alarms;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Elderly;

/// <summary>
/// One 平安通 alarm as a durable process (instance <c>alarm-{alarmId}</c>). The intake has already raised the alarm and offered it
/// to an operator. The workflow watches the acknowledgement SLA with a durable timer per offer: not answered in time → the
/// acknowledgement activity re-offers it to the next operator, then to the supervisor (no timer after that: the supervisor's
/// desk is the last). The people's steps — answer, outcome, close — are stored by the application with an outbox event, relayed
/// here until they land. After the outcome the workflow notifies the consenting contacts (its own step), then waits for the
/// close. The custom status names the stage.
/// </summary>
public static class AlarmOrchestration
{
    static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    [Function(AlarmFlow.Orchestrator)]
    public static async Task<AlarmEnd> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<AlarmInput>() ?? throw new InvalidOperationException("Alarm workflow started without input.");
        var offers = 1;
        var escalated = false;
        void Status(AlarmStage stage) => context.SetCustomStatus(new AlarmProgress(stage, offers, escalated));

        // One waiter per event name for the whole life of the instance (an abandoned waiter would swallow an event).
        var answered = context.WaitForExternalEvent<AlarmNotice>(AlarmFlow.AnsweredEvent);
        var outcome = context.WaitForExternalEvent<AlarmNotice>(AlarmFlow.OutcomeEvent);
        var closed = context.WaitForExternalEvent<AlarmNotice>(AlarmFlow.ClosedEvent);

        // 1. Acknowledgement: a timer per offer until someone answers, the supervisor has it, or it ends otherwise.
        Status(AlarmStage.AwaitingAnswer);
        DateTimeOffset? due = input.AcknowledgeBy;
        using (var timers = new CancellationTokenSource())
        {
            while (due is { } dueAt)
            {
                var timer = context.CreateTimer(dueAt.UtcDateTime, timers.Token);
                var first = await Task.WhenAny(timer, answered, outcome, closed);
                if (first != timer) { timers.Cancel(); break; }
                var check = await context.CallActivityAsync<AcknowledgementResult>(AlarmFlow.AcknowledgementActivity, new AlarmActivityInput(input.AlarmId, dueAt), Retry);
                switch (check.Check)
                {
                    case AcknowledgementCheck.ReOffered: offers++; due = check.NextDueAt; break;
                    case AcknowledgementCheck.NotDue: due = check.NextDueAt; break;
                    case AcknowledgementCheck.Escalated: offers++; escalated = true; due = null; break;
                    default: due = null; break;
                }
                Status(AlarmStage.AwaitingAnswer);
            }
        }

        // 2. The operator records what was done (or the alarm is closed straight away); then the contacts are told.
        Status(AlarmStage.AwaitingOutcome);
        await Task.WhenAny(outcome, closed);
        if (outcome.IsCompleted)
        {
            Status(AlarmStage.NotifyingContacts);
            await context.CallActivityAsync<int>(AlarmFlow.NotifyActivity, new AlarmActivityInput(input.AlarmId), Retry);
        }

        // 3. The responder (or the operator, for a false alarm) closes it.
        Status(AlarmStage.AwaitingClose);
        await closed;
        Status(AlarmStage.Closed);
        return AlarmEnd.Closed;
    }
}

/// <summary>Activities of the alarm orchestration: thin wrappers over <see cref="AlarmService"/>.</summary>
public sealed class AlarmActivities(AlarmService alarms)
{
    [Function(AlarmFlow.AcknowledgementActivity)]
    public Task<AcknowledgementResult> AcknowledgementDue([ActivityTrigger] AlarmActivityInput input, FunctionContext context) =>
        alarms.AcknowledgementDueAsync(input, context.CancellationToken);

    [Function(AlarmFlow.NotifyActivity)]
    public Task<int> NotifyContacts([ActivityTrigger] AlarmActivityInput input, FunctionContext context) =>
        alarms.NotifyContactsAsync(input, context.CancellationToken);
}
