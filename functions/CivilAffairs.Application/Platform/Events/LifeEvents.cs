namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// The life events the platform publishes (CloudEvents <c>type</c>s): written with their state change through the
/// <see cref="Outbox"/>, delivered inside the app to <see cref="ILifeEventSubscriber"/>s (one queue-triggered function each)
/// and outside it to the partner units subscribed to the type (<see cref="IPartnerEvents"/>).
/// </summary>
public static class LifeEventTypes
{
    public const string PersonDied = "person.died";
    public const string MarriageRegistered = "marriage.registered";
    public const string MarriageEnded = "marriage.ended";
    public const string AssistanceGranted = "assistance.granted";
    public const string AssistanceEnded = "assistance.ended";

    public static readonly IReadOnlyList<string> All = [PersonDied, MarriageRegistered, MarriageEnded, AssistanceGranted, AssistanceEnded];
}

/// <summary>
/// A subscriber inside the app: each has its own queue (<c>events-{Name}</c>) and queue-triggered function, is called at least
/// once per event of its <see cref="EventTypes"/>, and the platform records the event ids it handled, so a redelivered event
/// is not applied twice; an event that keeps failing ends in the queue's poison queue.
/// </summary>
public interface ILifeEventSubscriber
{
    /// <summary>Lower-case, letters, digits and hyphens (part of a queue name), e.g. <c>assistance</c>.</summary>
    string Name { get; }
    IReadOnlyCollection<string> EventTypes { get; }
    /// <summary>Applies the event; answers what it did in one Chinese sentence for the people concerned (e.g. the family's Tell Us
    /// Once page: "低保待遇已停止发放"), recorded with the event id.</summary>
    Task<string> HandleAsync(OutboxEvent e, CancellationToken ct);
}

/// <summary>What one in-app subscriber did with one event, and when.</summary>
public sealed record SubscriberOutcome(string Subscriber, string Summary, DateTimeOffset HandledAt);

/// <summary>One partner unit's delivery of one event: sent when and how often, acknowledged when and with which reference.</summary>
public sealed record PartnerDelivery(string UnitCode, string UnitName, DateTimeOffset? SentAt, int Attempts, DateTimeOffset? AcknowledgedAt, string? UnitReference);

/// <summary>
/// Delivery of life events to partner units (on one machine a Storage queue per unit, <c>partner-{code}-events</c>; in Azure
/// the Service Bus topic with one subscription per unit). The platform sends each relayed event once to every unit subscribed
/// to its type and records the deliveries; units answer with an acknowledgement receipt.
/// </summary>
public interface IPartnerEvents
{
    /// <summary>The partner units subscribed to <paramref name="eventType"/> (configuration).</summary>
    IReadOnlyList<string> SubscribersOf(string eventType);

    /// <summary>Sends the (already published) event <paramref name="eventId"/> to <paramref name="unitCode"/> again, counting the attempt.</summary>
    Task ResendAsync(string eventId, string unitCode, CancellationToken ct);

    /// <summary>The deliveries of one event, one per subscribed unit.</summary>
    Task<IReadOnlyList<PartnerDelivery>> DeliveriesAsync(string eventId, CancellationToken ct);
}

/// <summary>Told when a partner unit acknowledges an event of one of its <see cref="EventTypes"/> (at least once per receipt).</summary>
public interface IEventReceiptHandler
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task OnReceiptAsync(OutboxEvent e, PartnerDelivery delivery, CancellationToken ct);
}

/// <summary>
/// The personal part of an event for one partner unit (e.g. the deceased's ID number and name for <c>person.died</c>), read
/// from the area's own record when the event is sent; the platform seals it with the unit's key. Events themselves carry ids
/// and facts, never personal data.
/// </summary>
public interface IPartnerEventDetails
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task<object?> DetailsForAsync(OutboxEvent e, string unitCode, CancellationToken ct);
}

/// <summary>
/// The in-app end of life-event delivery. Each <see cref="ILifeEventSubscriber"/> has a queue-triggered function in its own
/// area (the one-machine runtime and the Functions host need a fixed queue name per trigger):
/// <code>
/// [Function("AssistanceLifeEvents")]
/// public Task Run([QueueTrigger(LifeEventQueues.Assistance)] string message, CancellationToken ct) => inbox.DeliverAsync("assistance", message, ct);
/// </code>
/// The inbox parses the CloudEvents 1.0 JSON message, skips an event id the subscriber already handled (idempotency record),
/// calls the subscriber and records the id; an exception leaves the message to be retried and, after the queue's dequeue
/// limit, in its poison queue.
/// </summary>
public interface ILifeEventInbox
{
    Task DeliverAsync(string subscriberName, string message, CancellationToken ct);

    /// <summary>The in-app subscribers that have handled event <paramref name="eventId"/>, with what they did.</summary>
    Task<IReadOnlyList<SubscriberOutcome>> OutcomesAsync(string eventId, CancellationToken ct);
}

/// <summary>Queue names of life-event delivery (<c>events-{subscriber}</c> in the app, <c>partner-{code}-events</c> per partner unit on one machine).</summary>
public static class LifeEventQueues
{
    public const string Assistance = "events-assistance";
    public const string Elderly = "events-elderly";
    public const string Marriage = "events-marriage";
    public static string InApp(string subscriberName) => "events-" + subscriberName;
    public static string Partner(string unitCode) => $"partner-{unitCode.ToLowerInvariant()}-events";
}

/// <summary>
/// <c>data</c> of <c>person.died</c> (subject: the death registration id). <paramref name="PersonIndex"/> is the platform's
/// keyed hash (blind index) of the ID number — how every area finds its records of the person; partner units get the ID number
/// itself only inside their sealed details (<see cref="IPartnerEventDetails"/>). <paramref name="Jurisdiction"/> is the
/// division the death is recorded in.
/// </summary>
public sealed record PersonDiedData(string DeathId, string PersonIndex, DateOnly DateOfDeath, string Jurisdiction);

/// <summary>
/// One partner-bound life event on the wire: the CloudEvents 1.0 structured-mode JSON (<paramref name="CloudEventJson"/>, which
/// carries the unit's sealed details as the extension attribute <c>sealeddetails</c>), its id and type, and the unit it is for.
/// </summary>
public sealed record PartnerEventMessage(string EventId, string EventType, string UnitCode, string CloudEventJson);

/// <summary>
/// How life events reach partner units: on one machine a Storage queue per unit (<see cref="LifeEventQueues.Partner"/>); in Azure
/// the Service Bus topic (<c>Events__Topic</c>, default <c>domain-events</c>) with one subscription per unit, the message carrying
/// the application property <c>unit</c> that the unit's subscription filters on, <c>MessageId</c> = event id + unit (duplicate
/// detection drops a resend within the window only when it is the same attempt), <c>ContentType</c>
/// <c>application/cloudevents+json</c> and <c>Subject</c> = the event type. Chosen by configuration
/// (<c>Events__ServiceBusNamespace</c> set → Service Bus).
/// </summary>
public interface IPartnerEventTransport
{
    Task SendAsync(PartnerEventMessage message, int attempt, CancellationToken ct);
}
