using System.Collections.Concurrent;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>Configuration section <c>Platform:Events</c>.</summary>
public sealed class LifeEventOptions
{
    /// <summary>
    /// Which partner units receive which life events (unit code → event types). Empty: the defaults below — the units that hold
    /// a benefit or record a death must stop or close (Tell Us Once), the police household register for marriages, and the
    /// medical-security and housing bureaus for assistance grants (medical assistance and housing support follow 低保 status).
    /// </summary>
    public Dictionary<string, string[]> Partners { get; set; } = [];

    public static readonly IReadOnlyDictionary<string, string[]> DefaultPartners = new Dictionary<string, string[]>
    {
        ["police"] = [LifeEventTypes.PersonDied, LifeEventTypes.MarriageRegistered, LifeEventTypes.MarriageEnded],
        ["hrss"] = [LifeEventTypes.PersonDied],
        ["medical-security"] = [LifeEventTypes.PersonDied, LifeEventTypes.AssistanceGranted, LifeEventTypes.AssistanceEnded],
        ["housing-fund"] = [LifeEventTypes.PersonDied],
        ["veterans"] = [LifeEventTypes.PersonDied],
        ["disabled-fed"] = [LifeEventTypes.PersonDied],
        ["bank-icbc"] = [LifeEventTypes.PersonDied],
        ["bank-gzcb"] = [LifeEventTypes.PersonDied],
        ["bank-grcb"] = [LifeEventTypes.PersonDied],
        ["housing"] = [LifeEventTypes.AssistanceGranted, LifeEventTypes.AssistanceEnded],
    };

    public IReadOnlyDictionary<string, string[]> EffectivePartners => Partners.Count > 0 ? Partners : DefaultPartners;
}

/// <summary>
/// Sends life events to the partner units subscribed to their type and keeps each delivery's record in the <see cref="LifeEventLog"/>.
/// The personal details a unit needs come from the area's <see cref="IPartnerEventDetails"/>, sealed with the unit's key into
/// the CloudEvent's <c>sealeddetails</c>; the event itself stays ids and facts.
/// </summary>
public sealed class PartnerEvents(LifeEventLog log, IPartnerEventTransport transport, PartnerCodec codec, IServiceProvider services,
    IOptions<LifeEventOptions> options, TimeProvider clock, ILogger<PartnerEvents> logger) : IPartnerEvents
{
    readonly Lazy<ILookup<string, IPartnerEventDetails>> details = new(() => services.GetServices<IPartnerEventDetails>()
        .SelectMany(d => d.EventTypes.Select(t => (Type: t, Details: d))).ToLookup(x => x.Type, x => x.Details, StringComparer.Ordinal));

    public IReadOnlyList<string> SubscribersOf(string eventType) =>
        options.Value.EffectivePartners.Where(p => p.Value.Contains(eventType, StringComparer.Ordinal)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>First delivery of a relayed event to every subscribed unit: a unit already sent to (a relay run again) is skipped.</summary>
    public async Task PublishAsync(OutboxEvent e, CancellationToken ct)
    {
        foreach (var unit in SubscribersOf(e.Type))
        {
            var existing = await log.DeliveryAsync(e.Id, unit, ct);
            if (existing is { Attempts: > 0 }) continue;
            await transport.SendAsync(await MessageAsync(e, unit, ct), 1, ct);
            var row = new LifeEventLog.DeliveryRow(unit, clock.GetUtcNow(), 1, null, null, false, default);
            try { await log.SaveDeliveryAsync(e.Id, row, existing?.ETag, ct); }
            catch (Exception x) when (Optimistic.IsConflict(x))
            {
                // Another relay of the same event (or the unit's receipt) recorded it first: that record stands.
                logger.LogInformation("Life event {EventId}: delivery to {Unit} recorded concurrently", e.Id, unit);
            }
        }
    }

    public async Task ResendAsync(string eventId, string unitCode, CancellationToken ct)
    {
        var e = await log.GetAsync(eventId, ct) ?? throw new InvalidOperationException($"Life event {eventId} is not published.");
        var message = await MessageAsync(e, unitCode, ct);
        await Optimistic.RetryAsync($"delivery {eventId}/{unitCode}", async () =>
        {
            var current = await log.DeliveryAsync(eventId, unitCode, ct);
            if (current?.AcknowledgedAt is not null) return;
            var attempts = (current?.Attempts ?? 0) + 1;
            await transport.SendAsync(message, attempts, ct);
            await log.SaveDeliveryAsync(eventId, new LifeEventLog.DeliveryRow(unitCode, clock.GetUtcNow(), attempts, null, null, current?.Late ?? false, default), current?.ETag, ct);
        }, ct);
    }

    /// <summary>Marks the deliveries to <paramref name="units"/> that are still unacknowledged as late.</summary>
    public async Task MarkLateAsync(string eventId, IEnumerable<string> units, CancellationToken ct)
    {
        foreach (var unit in units)
            await Optimistic.RetryAsync($"delivery {eventId}/{unit}", async () =>
            {
                if (await log.DeliveryAsync(eventId, unit, ct) is { AcknowledgedAt: null, Late: false } current)
                    await log.SaveDeliveryAsync(eventId, current with { Late = true }, current.ETag, ct);
            }, ct);
    }

    public async Task<IReadOnlyList<PartnerDelivery>> DeliveriesAsync(string eventId, CancellationToken ct)
    {
        var catalogue = services.GetRequiredService<PartnerCatalogue>();
        return (await log.DeliveriesAsync(eventId, ct))
            .Select(d => new PartnerDelivery(d.UnitCode, catalogue.Find(d.UnitCode)?.Name ?? d.UnitCode, d.SentAt, d.Attempts, d.AcknowledgedAt, d.UnitReference))
            .ToList();
    }

    async Task<PartnerEventMessage> MessageAsync(OutboxEvent e, string unit, CancellationToken ct)
    {
        string? sealedDetails = null;
        foreach (var source in details.Value[e.Type])
            if (await source.DetailsForAsync(e, unit, ct) is { } payload)
            {
                sealedDetails = await codec.SealEventAsync(payload, unit, e.Type, e.Id, ct);
                break;
            }
        return new PartnerEventMessage(e.Id, e.Type, unit, CloudEvents.Serialize(e, sealedDetails));
    }
}

/// <summary>One machine: a Storage queue per partner unit (<c>partner-{code}-events</c>), read by the partner simulator.</summary>
public sealed class StorageQueuePartnerEventTransport(QueueServiceClient queues) : IPartnerEventTransport
{
    readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> clients = new(StringComparer.Ordinal);

    public async Task SendAsync(PartnerEventMessage message, int attempt, CancellationToken ct)
    {
        var queue = await clients.GetOrAdd(message.UnitCode, code => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = queues.GetQueueClient(LifeEventQueues.Partner(code));
            await client.CreateIfNotExistsAsync();
            return client;
        })).Value.WaitAsync(ct);
        await queue.SendMessageAsync(message.CloudEventJson, ct);
    }
}
