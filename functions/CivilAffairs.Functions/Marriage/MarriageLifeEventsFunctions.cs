using CivilAffairs.Application.Platform.Events;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Marriage;

/// <summary>
/// Life events for the 婚姻登记 area (Tell Us Once): the in-app delivery of its queue <c>events-marriage</c> to its subscriber
/// (<c>person.died</c> ends or re-calculates what the area holds for the person). Redelivered events are skipped by the inbox; a
/// message that keeps failing ends in <c>events-marriage-poison</c>.
/// </summary>
public sealed class MarriageLifeEventsFunctions(ILifeEventInbox inbox)
{
    [Function("MarriageLifeEvents")]
    public Task Run([QueueTrigger(LifeEventQueues.Marriage)] string message, CancellationToken ct) => inbox.DeliverAsync("marriage", message, ct);
}
