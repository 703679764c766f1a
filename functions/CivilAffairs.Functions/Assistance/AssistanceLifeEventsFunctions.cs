using CivilAffairs.Application.Platform.Events;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Assistance;

/// <summary>
/// Life events for the 社会救助 area (Tell Us Once): the in-app delivery of its queue <c>events-assistance</c> to its subscriber
/// (<c>person.died</c> ends or re-calculates what the area holds for the person). Redelivered events are skipped by the inbox; a
/// message that keeps failing ends in <c>events-assistance-poison</c>.
/// </summary>
public sealed class AssistanceLifeEventsFunctions(ILifeEventInbox inbox)
{
    [Function("AssistanceLifeEvents")]
    public Task Run([QueueTrigger(LifeEventQueues.Assistance)] string message, CancellationToken ct) => inbox.DeliverAsync("assistance", message, ct);
}
