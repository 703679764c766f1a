using CivilAffairs.Application.Disaster.Supplies;
using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.Alarms;

/// <summary>Settings (section <c>Elderly:Alarms</c>).</summary>
public sealed class AlarmOptions
{
    public const string SectionName = "Elderly:Alarms";

    /// <summary>Seconds an offered alarm may ring at one desk before it goes to the next (the acknowledgement SLA). Default 60.</summary>
    public int AcknowledgeSeconds { get; set; } = 60;

    /// <summary>Re-offers to other operators before the supervisor gets it. Default 1 (<see cref="AlarmPolicy.Default"/>).</summary>
    public int MaxReOffers { get; set; } = 1;

    /// <summary>The operator company (呼叫中心运营单位) that answers the city's terminals; its code is the operators' channel.</summary>
    public string Company { get; set; } = "pat-center";

    /// <summary>
    /// The duty roster per company: operators' platform subjects in offer order, and the supervisor on duty. Configuration, not a
    /// table: the centre publishes its roster per shift (default: the demo accounts of the one-machine runtime).
    /// </summary>
    public Dictionary<string, AlarmDesk> Desks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The roster used when none is configured: the one-machine runtime's demo accounts.</summary>
    public static AlarmDesk DemoDesk() => new() { Operators = ["pat-operator-1", "pat-operator-2"], Supervisor = "pat-supervisor" };

    public AlarmPolicy Policy => new(TimeSpan.FromSeconds(Math.Max(1, AcknowledgeSeconds)), Math.Max(0, MaxReOffers));

    public AlarmDesk DeskOf(string company) =>
        Desks.TryGetValue(company, out var desk) && desk.Operators.Count > 0 ? desk : throw new InvalidOperationException($"No duty roster configured for alarm company {company}.");
}

/// <summary>One company's duty roster.</summary>
public sealed class AlarmDesk
{
    public List<string> Operators { get; set; } = [];
    public string Supervisor { get; set; } = "";
}

/// <summary>Who a dispatched responder is: the community (any community worker of the elder's community) or one named contact.</summary>
/// <param name="ContactId">The elder's contact sent (a relative, or the community worker on file); null: the community on duty.</param>
public sealed record AlarmResponder(string Kind, string? ContactId, string? Name);

/// <summary>A stored alarm: the domain record plus what the platform needs around it (no personal identifiers).</summary>
/// <param name="Jurisdiction">The elder's community code (for staff scope and the welfare side).</param>
/// <param name="Position">Where the terminal was when it fired, if it knows.</param>
/// <param name="ElderShownAs">The elder's name as the desks' queue shows it, masked (李**): kept so the read models and pushes of
/// every later step need not read (and decrypt) the elder. Older records without it read the elder.</param>
public sealed record AlarmRecord(Alarm Alarm, string Jurisdiction, PositionBody? Position, int? Battery, AlarmResponder? Responder, string? Note,
    string? ElderShownAs = null);


/// <summary>Body of <c>POST /api/elderly/terminal-events</c>.</summary>
/// <param name="EventId">The terminal's own id of the event (1–64 letters, digits, <c>-_.:</c>): a replay with the same id answers the same result.</param>
public sealed record TerminalEventReport(string? EventId, TerminalEventKind? Kind, DateTimeOffset? At, PositionBody? Position, int? Battery);

/// <summary>What the platform did with a terminal event.</summary>
/// <param name="AlarmId">The alarm raised (urgent events), else null.</param>
/// <param name="Replayed">True when this event id had been received before (nothing was done again).</param>
public sealed record TerminalEventResult(string TerminalId, string EventId, TerminalEventKind Kind, string? AlarmId, DateTimeOffset? LastSeenAt, string? Note, bool Replayed);

/// <summary>Body of <c>POST /api/elderly/alarms/{id}/outcome</c>.</summary>
/// <param name="Responder">Who is sent: a contact id of the elder (a relative or the community worker on file), or <c>community</c>.</param>
public sealed record AlarmOutcomeRequest(AlarmResolution? Outcome, string? EmergencyReference, string? Responder, string? Note);

/// <summary>Body of <c>POST /api/elderly/alarms/{id}/arrival</c>; <c>at</c> defaults to now.</summary>
public sealed record AlarmArrivalRequest(PositionBody? Position, DateTimeOffset? At);

/// <summary>Body of <c>POST /api/elderly/alarms/{id}/close</c>.</summary>
public sealed record AlarmCloseRequest(string? Note);

/// <summary>One line of the operator's queue.</summary>
public sealed record AlarmQueueItem(string Id, AlarmStatus Status, TerminalEventKind Trigger, string ElderName, DateTimeOffset RaisedAt,
    string? OfferedTo, bool OfferedToMe, bool Escalated, DateTimeOffset? AcknowledgementDueAt);

public sealed record AlarmStepView(AlarmStatus From, AlarmStatus To, DateTimeOffset At, string Actor, string? Note);

public sealed record AlarmContactView(string Id, string Name, ContactRole Role, string Phone, bool Consented, bool HasAccount);

/// <summary>The desk's view of an alarm: the elder (phone numbers and address masked unless a purpose allows them), contacts, timeline.</summary>
public sealed record AlarmDeskView(
    string Id, AlarmStatus Status, string StatusName, TerminalEventKind Trigger, string TriggerName, string Company, string ElderId, string ElderName,
    int Age, bool LivesAlone, string Address, PositionBody? Position, int? Battery, DateTimeOffset PressedAt, DateTimeOffset RaisedAt,
    string? OfferedTo, DateTimeOffset? AcknowledgementDueAt, int ReOfferCount, bool Escalated, string? AnsweredBy, DateTimeOffset? AnsweredAt,
    AlarmResolution? Outcome, string? EmergencyReference, AlarmResponder? Responder, IReadOnlyList<AlarmNotification> Notifications,
    IReadOnlyList<AlarmContactView> Contacts, IReadOnlyList<AlarmStepView> Timeline, AlarmTimeline Sla, bool Unmasked);

/// <summary>What a relative sees: what happened, who is coming, when — no operator internals.</summary>
public sealed record AlarmRelativeView(string Id, string ElderName, TerminalEventKind Trigger, string TriggerName, AlarmStatus Status, string StatusName,
    DateTimeOffset PressedAt, AlarmResolution? Outcome, string? OutcomeName, string? WhoIsComing, DateTimeOffset? OnSiteAt, DateTimeOffset? ClosedAt,
    IReadOnlyList<AlarmRelativeStep> Timeline);

public sealed record AlarmRelativeStep(DateTimeOffset At, string What);

/// <summary>A realtime message to the alarm desks (hub <c>alarms</c>, method <c>alarm</c>): ids and facts, the elder's name masked.</summary>
public sealed record AlarmPush(string Kind, string AlarmId, AlarmStatus Status, TerminalEventKind Trigger, string ElderName, string? OfferedTo,
    bool Escalated, DateTimeOffset RaisedAt, DateTimeOffset? AcknowledgementDueAt, string Link);

/// <summary>The monthly SLA report as JSON.</summary>
public sealed record AlarmMonthlyReport(SlaMonthStatistics Statistics, IReadOnlyList<AlarmTimeline> Alarms, decimal ReferenceShareWithin30Seconds, decimal ReferenceShareWithin60Seconds);

// ---- workflow port types (orchestration input, events, activity results) ----

/// <summary>Input of the alarm orchestration.</summary>
public sealed record AlarmInput(string AlarmId, DateTimeOffset AcknowledgeBy);

/// <summary>Payload of the alarm orchestration's external events.</summary>
public sealed record AlarmNotice(string Actor);

/// <summary>Input of the alarm activities.</summary>
/// <param name="DueAt">For the acknowledgement check: the deadline the timer was set for.</param>
public sealed record AlarmActivityInput(string AlarmId, DateTimeOffset? DueAt = null);

[JsonConverter(typeof(CamelCaseEnumConverter<AcknowledgementCheck>))]
public enum AcknowledgementCheck
{
    /// <summary>Re-offered to the next operator: a new deadline.</summary>
    ReOffered,
    /// <summary>Offered to the supervisor: no further deadline.</summary>
    Escalated,
    /// <summary>The current offer is not due yet (it was re-offered meanwhile): wait for its deadline.</summary>
    NotDue,
    /// <summary>Answered, escalated or ended meanwhile: nothing more to watch.</summary>
    Settled,
}

public sealed record AcknowledgementResult(AcknowledgementCheck Check, DateTimeOffset? NextDueAt);

[JsonConverter(typeof(CamelCaseEnumConverter<AlarmStage>))]
public enum AlarmStage { AwaitingAnswer, AwaitingOutcome, NotifyingContacts, AwaitingClose, Closed }

[JsonConverter(typeof(CamelCaseEnumConverter<AlarmEnd>))]
public enum AlarmEnd { Closed }

public sealed record AlarmProgress(AlarmStage Stage, int Offers, bool Escalated);

public static class AlarmFlow
{
    public const string Orchestrator = "ElderlyAlarm";
    public const string AcknowledgementActivity = "ElderlyAlarmAcknowledgementDue";
    public const string NotifyActivity = "ElderlyAlarmNotifyContacts";
    public const string AnsweredEvent = "answered";
    public const string OutcomeEvent = "outcome";
    public const string ClosedEvent = "closed";

    public static string InstanceId(string alarmId) => "alarm-" + alarmId;
}

/// <summary>The elderly alarms' workflow port (start, raise). Idempotent: starting an existing instance does nothing.</summary>
public interface IAlarmWorkflow
{
    Task StartAsync(AlarmInput input, CancellationToken ct);
    Task AnsweredAsync(string alarmId, AlarmNotice notice, CancellationToken ct);
    Task OutcomeRecordedAsync(string alarmId, AlarmNotice notice, CancellationToken ct);
    Task ClosedAsync(string alarmId, AlarmNotice notice, CancellationToken ct);
}
