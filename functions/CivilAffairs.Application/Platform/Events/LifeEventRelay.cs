using System.Collections.Concurrent;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// Publishes life events when the <see cref="Outbox"/> relays them: records the event in the <see cref="LifeEventLog"/>, puts
/// its CloudEvent on the queue of each in-app <see cref="ILifeEventSubscriber"/> of its type (<c>events-{name}</c>) and leaves
/// the partner units' delivery to a job on <c>life-events-partners</c> (the event id; <see cref="PartnerEvents.PublishAsync"/>
/// from the <c>PublishLifeEventToPartners</c> function), so the request that made the change does not wait for nine sends.
/// Runs at least once per event: the log is upserted, a unit already sent to is skipped, and the in-app inbox skips an event
/// its subscriber already handled.
/// </summary>
public sealed class LifeEventRelay(LifeEventLog log, PartnerEvents partners, QueueServiceClient queues, IServiceProvider services) : IOutboxHandler
{
    readonly Lazy<ILookup<string, ILifeEventSubscriber>> subscribers = new(() => services.GetServices<ILifeEventSubscriber>()
        .SelectMany(s => s.EventTypes.Select(t => (Type: t, Subscriber: s))).ToLookup(x => x.Type, x => x.Subscriber, StringComparer.Ordinal));
    readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> inAppQueues = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> EventTypes => LifeEventTypes.All;

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        await log.RecordAsync(e, ct);
        var json = CloudEvents.Serialize(e);
        foreach (var subscriber in subscribers.Value[e.Type])
        {
            var queue = await inAppQueues.GetOrAdd(subscriber.Name, name => new Lazy<Task<QueueClient>>(async () =>
            {
                var client = queues.GetQueueClient(LifeEventQueues.InApp(name));
                await client.CreateIfNotExistsAsync();
                return client;
            })).Value.WaitAsync(ct);
            await queue.SendMessageAsync(json, ct);
        }
        if (partners.SubscribersOf(e.Type).Count > 0)
        {
            var job = await inAppQueues.GetOrAdd("", _ => new Lazy<Task<QueueClient>>(async () =>
            {
                var client = queues.GetQueueClient(QueueNames.LifeEventPartners);
                await client.CreateIfNotExistsAsync();
                return client;
            })).Value.WaitAsync(ct);
            await job.SendMessageAsync(e.Id, ct);
        }
    }

    /// <summary>The partner job of one event (<c>life-events-partners</c>): sends it to every subscribed unit not yet sent to.</summary>
    public async Task PublishToPartnersAsync(string eventId, CancellationToken ct)
    {
        var e = await log.GetAsync(eventId.Trim(), ct) ?? throw new InvalidOperationException($"Life event {eventId} is not recorded.");
        await partners.PublishAsync(e, ct);
    }
}

/// <summary>The in-app end of life-event delivery (see <see cref="ILifeEventInbox"/>).</summary>
public sealed class LifeEventInbox(LifeEventLog log, IServiceProvider services, TimeProvider clock, ILogger<LifeEventInbox> logger) : ILifeEventInbox
{
    readonly Lazy<IReadOnlyDictionary<string, ILifeEventSubscriber>> byName = new(() =>
        services.GetServices<ILifeEventSubscriber>().ToDictionary(s => s.Name, StringComparer.Ordinal));

    public async Task DeliverAsync(string subscriberName, string message, CancellationToken ct)
    {
        if (!byName.Value.TryGetValue(subscriberName, out var subscriber))
            throw new InvalidOperationException($"No life-event subscriber named '{subscriberName}'.");
        var (e, _) = CloudEvents.Parse(message);
        if (!subscriber.EventTypes.Contains(e.Type, StringComparer.Ordinal))
        {
            logger.LogWarning("Life event {EventId} of type {Type} is not for subscriber {Subscriber}; dropped", e.Id, e.Type, subscriberName);
            return;
        }
        if (await log.OutcomeAsync(e.Id, subscriberName, ct) is not null)
        {
            logger.LogInformation("Life event {EventId} already handled by {Subscriber}; delivered again and skipped", e.Id, subscriberName);
            return;
        }
        var summary = await subscriber.HandleAsync(e, ct);
        await log.RecordOutcomeAsync(e.Id, new SubscriberOutcome(subscriberName, summary, clock.GetUtcNow()), ct);
    }

    public Task<IReadOnlyList<SubscriberOutcome>> OutcomesAsync(string eventId, CancellationToken ct) => log.OutcomesAsync(eventId, ct);
}

/// <summary>
/// Partner units' acknowledgement receipts (queue <c>partner-event-receipts</c>): a CloudEvent of type
/// <see cref="CloudEvents.ReceiptType"/> from <c>urn:civilaffairs:partner:{code}</c>, subject the event id, and data
/// <c>{"ciphertext":"…"}</c> — an <see cref="EventReceipt"/> sealed with the unit's key (so only the unit can confirm). The
/// delivery is marked acknowledged once; the <see cref="IEventReceiptHandler"/>s of the event's type are told (again on a
/// redelivered receipt, so a workflow that missed it learns it). A receipt that is not valid, for an event never sent to the
/// unit, throws: after the dequeue limit it is quarantined in <c>partner-event-receipts-poison</c>.
/// </summary>
public sealed class PartnerEventReceipts(LifeEventLog log, PartnerEvents partners, PartnerCodec codec, AuditLog audit, IServiceProvider services,
    ILogger<PartnerEventReceipts> logger)
{
    readonly Lazy<ILookup<string, IEventReceiptHandler>> handlers = new(() => services.GetServices<IEventReceiptHandler>()
        .SelectMany(h => h.EventTypes.Select(t => (Type: t, Handler: h))).ToLookup(x => x.Type, x => x.Handler, StringComparer.Ordinal));

    public async Task HandleAsync(string message, CancellationToken ct)
    {
        var (receipt, _) = CloudEvents.Parse(message);
        const string prefix = "urn:civilaffairs:partner:";
        if (receipt.Type != CloudEvents.ReceiptType || !receipt.Source.StartsWith(prefix, StringComparison.Ordinal))
            throw new CloudEventException("Not an event receipt from a partner unit.");
        var unit = receipt.Source[prefix.Length..];
        if (!PartnerCatalogue.IsValidCode(unit)) throw new CloudEventException("The receipt's source names no partner unit.");
        var eventId = receipt.Subject;
        if (receipt.Data.ValueKind != System.Text.Json.JsonValueKind.Object || !receipt.Data.TryGetProperty("ciphertext", out var token) || token.GetString() is not { } sealedReceipt)
            throw new CloudEventException("The receipt has no sealed data.");
        var opened = await codec.OpenEventAsync<EventReceipt>(sealedReceipt, unit, CloudEvents.ReceiptType, eventId, ct);
        if (opened.EventId != eventId || opened.UnitCode != unit) throw new CloudEventException("The sealed receipt names another event or unit.");
        var e = await log.GetAsync(eventId, ct) ?? throw new CloudEventException($"Receipt from {unit} for an unknown event.");
        var acknowledged = await Optimistic.RetryAsync($"delivery {eventId}/{unit}", async () =>
        {
            var delivery = await log.DeliveryAsync(eventId, unit, ct) ?? throw new CloudEventException($"Receipt from {unit} for an event not sent to it.");
            if (delivery.AcknowledgedAt is not null) return false;
            await log.SaveDeliveryAsync(eventId, delivery with { AcknowledgedAt = opened.ReceivedAt, UnitReference = Trim(opened.UnitReference) }, delivery.ETag, ct);
            return true;
        }, ct);
        if (acknowledged) await audit.AppendAsync(null, new AuditEvent("lifeEvent.acknowledged", AuditOutcome.Success, eventId, Detail: unit), null, ct);
        var view = (await partners.DeliveriesAsync(eventId, ct)).First(d => d.UnitCode == unit);
        foreach (var handler in handlers.Value[e.Type]) await handler.OnReceiptAsync(e, view, ct);
        logger.LogInformation("Life event {EventId} acknowledged by {Unit}", eventId, unit);
    }

    static string? Trim(string? reference) => reference is null ? null : reference.Length > 64 ? reference[..64] : reference;
}
