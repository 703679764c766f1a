using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.Alarms;

/// <summary>What an alarm event carries (ids only).</summary>
public sealed record AlarmEventData(string AlarmId, string ElderId, string Company, string Actor);

/// <summary>The events an alarm records with its changes (outbox, CloudEvents <c>type</c>s).</summary>
public static class AlarmEvents
{
    public const string Source = "/civilaffairs/elderly/alarms";
    public const string Raised = "elderly.alarm.raised";
    public const string ReOffered = "elderly.alarm.reOffered";
    public const string Escalated = "elderly.alarm.escalated";
    public const string Answered = "elderly.alarm.answered";
    public const string OutcomeRecorded = "elderly.alarm.outcomeRecorded";
    public const string ContactsNotified = "elderly.alarm.contactsNotified";
    public const string ResponderOnSite = "elderly.alarm.responderOnSite";
    public const string Closed = "elderly.alarm.closed";

    public static readonly IReadOnlyCollection<string> All = [Raised, ReOffered, Escalated, Answered, OutcomeRecorded, ContactsNotified, ResponderOnSite, Closed];

    public static PendingEvent Of(string type, Alarm alarm, string actor) =>
        new(Source, type, alarm.Id, new AlarmEventData(alarm.Id, alarm.ElderId, alarm.Company, actor));
}

/// <summary>Real-time push to the alarm desks: hub <c>alarms</c>, one group per operator company, plus the operator offered to.</summary>
public sealed class AlarmDesks(IRealtimeService realtime, ILogger<AlarmDesks> logger)
{
    public const string Hub = RealtimeNames.AlarmsHub;
    public const string Method = "alarm";

    /// <summary>The company's group: <c>alarm_pat_center</c> for <c>pat-center</c> (group names allow letters, digits and underscores).</summary>
    public static string CompanyGroup(string company) => RealtimeNames.AlarmCompanyGroup(company);

    /// <summary>Pushes to the company group and, when it rings at someone's desk, to that person. Never fails the caller.</summary>
    public async Task PushAsync(string kind, Alarm alarm, string elderName, AlarmPolicy policy, CancellationToken ct)
    {
        var message = new AlarmPush(kind, alarm.Id, alarm.Status, alarm.Trigger, Masking.MaskName(elderName) ?? "", alarm.Status == AlarmStatus.Offered ? alarm.OfferedTo : null,
            alarm.Escalated, alarm.RaisedAt, alarm.Status == AlarmStatus.Offered ? alarm.AcknowledgementDueAt(policy) : null, $"/api/elderly/alarms/{alarm.Id}");
        try
        {
            var sends = new List<Task> { realtime.SendToGroupAsync(Hub, CompanyGroup(alarm.Company), Method, [message], ct) };
            if (alarm.Status == AlarmStatus.Offered && alarm.OfferedTo is { } user && RealtimeNames.IsValidUser(user))
                sends.Add(realtime.SendToUserAsync(Hub, user, Method, [message], ct));
            await Task.WhenAll(sends);
        }
        catch (Exception e) when (e is RealtimeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Alarm push {Kind} of {AlarmId} failed: {Error}", kind, alarm.Id, e.GetType().Name);
        }
    }

    /// <summary>
    /// Who gets the alarm next: alarms are spread evenly over the roster by their id (a stable hash picks the first desk), and a
    /// re-offer goes to the next desk in roster order that it has not rung at yet (the first desk again when every one has).
    /// No storage is read: counting open alarms per desk on every press read the whole open queue, so the cost of a press grew
    /// with the number of alarms open (at 50 presses a second the queue scan was what the platform spent its time on).
    /// </summary>
    public static string PickOperator(IReadOnlyList<string> roster, string alarmId, IReadOnlyCollection<string> exclude)
    {
        if (roster.Count == 0) throw new ArgumentException("Empty roster.", nameof(roster));
        var hash = 2166136261u;
        foreach (var c in alarmId) hash = (hash ^ c) * 16777619u;
        var start = (int)(hash % (uint)roster.Count);
        for (var k = 0; k < roster.Count; k++)
            if (!exclude.Contains(roster[(start + k) % roster.Count])) return roster[(start + k) % roster.Count];
        return roster[start];
    }
}

/// <summary>Keeps the queue and SLA read models and the desks' screens in step with every alarm event (idempotent).</summary>
public sealed class AlarmReadModelRelay(AlarmRepository alarms, ElderRepository elders, AlarmDesks desks, IOptions<AlarmOptions> options) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes => AlarmEvents.All;

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var data = e.DataAs<AlarmEventData>();
        if (await alarms.GetAsync(data.AlarmId, ct) is not { } stored) return;
        var name = stored.Record.ElderShownAs ?? (await elders.GetAsync(stored.Record.Alarm.ElderId, ct))?.Elder.Name ?? "";
        await alarms.ProjectAsync(stored.Record, name, ct);
        // The intake pushes a new alarm itself before anything slower; every later step is pushed from here.
        if (e.Type != AlarmEvents.Raised)
            await desks.PushAsync(e.Type["elderly.alarm.".Length..], stored.Record.Alarm, name, options.Value.Policy, ct);
    }
}

/// <summary>Starts the alarm's workflow and tells it the people's steps (retried by the relay until they land).</summary>
public sealed class AlarmWorkflowRelay(IAlarmWorkflow workflow, AlarmRepository alarms, IOptions<AlarmOptions> options) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [AlarmEvents.Raised, AlarmEvents.Answered, AlarmEvents.OutcomeRecorded, AlarmEvents.Closed];

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var data = e.DataAs<AlarmEventData>();
        var notice = new AlarmNotice(data.Actor);
        switch (e.Type)
        {
            case AlarmEvents.Raised:
                if (await alarms.GetAsync(data.AlarmId, ct) is not { } stored) return;
                var due = stored.Record.Alarm.AcknowledgementDueAt(options.Value.Policy) ?? stored.Record.Alarm.RaisedAt;
                await workflow.StartAsync(new AlarmInput(data.AlarmId, due), ct);
                break;
            case AlarmEvents.Answered:
                await workflow.AnsweredAsync(data.AlarmId, notice, ct);
                break;
            case AlarmEvents.OutcomeRecorded:
                await workflow.OutcomeRecordedAsync(data.AlarmId, notice, ct);
                break;
            default:
                await workflow.ClosedAsync(data.AlarmId, notice, ct);
                break;
        }
    }
}
