using CivilAffairs.Application.Platform.Events;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Elderly;

/// <summary>
/// Life events for the 养老服务 area (Tell Us Once): the in-app delivery of its queue <c>events-elderly</c> to its subscriber
/// (<c>person.died</c> ends or re-calculates what the area holds for the person). Redelivered events are skipped by the inbox; a
/// message that keeps failing ends in <c>events-elderly-poison</c>.
/// </summary>
public sealed class ElderlyLifeEventsFunctions(ILifeEventInbox inbox)
{
    [Function("ElderlyLifeEvents")]
    public Task Run([QueueTrigger(LifeEventQueues.Elderly)] string message, CancellationToken ct) => inbox.DeliverAsync("elderly", message, ct);
}
