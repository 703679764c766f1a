using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Domain.Elderly;

/// <summary>
/// Alarm states. Normal path: Raised → Offered → Answered → OutcomeRecorded → ResponderOnSite → Closed.
/// Alarms that send nobody (false alarm, advice given) close straight from OutcomeRecorded.
/// Re-offer and escalation keep the alarm Offered (to the next operator, then to the supervisor);
/// <see cref="Alarm.Escalated"/> is a flag, not a state.
/// </summary>
public enum AlarmStatus
{
    /// <summary>已接收: received by the platform, not yet offered to an operator.</summary>
    Raised,
    /// <summary>已派单: ringing at one operator's desk.</summary>
    Offered,
    /// <summary>已接听.</summary>
    Answered,
    /// <summary>已处置: the operator recorded the outcome.</summary>
    OutcomeRecorded,
    /// <summary>已到场: a responder reached the elder.</summary>
    ResponderOnSite,
    /// <summary>已结案 (terminal).</summary>
    Closed,
}

/// <summary>What the operator did (处置结果).</summary>
public enum AlarmResolution
{
    /// <summary>误报.</summary>
    FalseAlarm,
    /// <summary>电话指导/建议.</summary>
    AdviceGiven,
    /// <summary>通知亲属上门.</summary>
    RelativeSent,
    /// <summary>派社区响应人员上门.</summary>
    CommunityResponderSent,
    /// <summary>转120急救（须登记120受理编号）.</summary>
    EmergencyRelayed,
}

/// <summary>The acknowledgement rule of the call centre.</summary>
/// <param name="AcknowledgementSla">An offered alarm not answered within this time goes to the next operator. Default 60 s.</param>
/// <param name="MaxReOffers">Re-offers to other operators before the alarm goes to the supervisor. Default 1.</param>
public sealed record AlarmPolicy(TimeSpan AcknowledgementSla, int MaxReOffers)
{
    /// <summary>60 s, one re-offer: the 平安通 call centre's demo setting (see <see cref="SlaLedger"/> for the reference targets).</summary>
    public static readonly AlarmPolicy Default = new(TimeSpan.FromSeconds(60), 1);
}

/// <summary>One step in an alarm's history. Every transition is timestamped.</summary>
public sealed record AlarmStep(AlarmStatus From, AlarmStatus To, DateTimeOffset At, string Actor, string? Note);

/// <summary>A contact told about the alarm.</summary>
public sealed record AlarmNotification(string ContactId, ContactRole Role, DateTimeOffset At);

/// <summary>What happened when the acknowledgement deadline passed.</summary>
public enum AcknowledgementAction
{
    /// <summary>改派: offered to the next operator.</summary>
    ReOffered,
    /// <summary>升级: offered to the supervisor.</summary>
    Escalated,
}

public sealed record AcknowledgementTimeout(Alarm Alarm, AcknowledgementAction Action);

public static class AlarmNames
{
    public static string ChineseName(this AlarmStatus status) => status switch
    {
        AlarmStatus.Raised => "已接收",
        AlarmStatus.Offered => "已派单",
        AlarmStatus.Answered => "已接听",
        AlarmStatus.OutcomeRecorded => "已处置",
        AlarmStatus.ResponderOnSite => "已到场",
        AlarmStatus.Closed => "已结案",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ChineseName(this AlarmResolution resolution) => resolution switch
    {
        AlarmResolution.FalseAlarm => "误报",
        AlarmResolution.AdviceGiven => "电话指导",
        AlarmResolution.RelativeSent => "通知亲属上门",
        AlarmResolution.CommunityResponderSent => "派社区响应人员上门",
        AlarmResolution.EmergencyRelayed => "转120急救",
        _ => throw new ArgumentOutOfRangeException(nameof(resolution)),
    };

    /// <summary>True when someone goes to the elder (relative, community responder, ambulance): the alarm then waits for "on site".</summary>
    public static bool SendsSomeone(this AlarmResolution resolution) =>
        resolution is AlarmResolution.RelativeSent or AlarmResolution.CommunityResponderSent or AlarmResolution.EmergencyRelayed;
}

/// <summary>
/// One 平安通 emergency call (the Guangzhou 平安通 service under 穗民规字〔2023〕8号: a 24-hour call centre
/// answering the elders' terminals). Immutable; every transition returns a new version or a rejection. No clock is read
/// except through the <see cref="TimeProvider"/> argument.
/// </summary>
public sealed record Alarm
{
    public required string Id { get; init; }
    public required string ElderId { get; init; }
    public required string TerminalId { get; init; }
    public required TerminalEventKind Trigger { get; init; }
    /// <summary>The operator company (呼叫中心运营单位) handling the alarm; the SLA ledger groups by it.</summary>
    public required string Company { get; init; }
    /// <summary>When the elder pressed / the sensor fired (device time).</summary>
    public required DateTimeOffset PressedAt { get; init; }
    /// <summary>When the platform received it: the acknowledgement clock starts here.</summary>
    public required DateTimeOffset RaisedAt { get; init; }
    public AlarmStatus Status { get; init; } = AlarmStatus.Raised;
    /// <summary>The operator (or supervisor) the alarm is currently offered to.</summary>
    public string? OfferedTo { get; init; }
    public DateTimeOffset? OfferedAt { get; init; }
    public DateTimeOffset? FirstOfferedAt { get; init; }
    public int ReOfferCount { get; init; }
    public bool Escalated { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public string? AnsweredBy { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public AlarmResolution? Resolution { get; init; }
    /// <summary>The 120 dispatch centre's reference number (120受理编号) when relayed.</summary>
    public string? EmergencyReference { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public IReadOnlyList<AlarmNotification> Notifications { get; init; } = [];
    public GeoPoint? ResponderPosition { get; init; }
    public DateTimeOffset? OnSiteAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public IReadOnlyList<AlarmStep> History { get; init; } = [];

    /// <summary>The first relative told about the alarm, if any.</summary>
    public DateTimeOffset? RelativeNotifiedAt => Notifications.Where(n => n.Role == ContactRole.Relative).Select(n => (DateTimeOffset?)n.At).Min();

    /// <summary>
    /// Raises an alarm from an urgent terminal event (press, fall, smoke, gas); maintenance events
    /// are refused (ALARM_EVENT_NOT_URGENT). The receive time is now.
    /// </summary>
    public static Outcome<Alarm> Raise(string id, AlarmTerminal terminal, TerminalEvent ev, string company, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(clock);
        if (ev.TerminalId != terminal.Id) return Outcome<Alarm>.Reject("TERMINAL_MISMATCH", "事件不属于该终端", "terminalId");
        if (!ev.Kind.IsUrgent()) return Outcome<Alarm>.Reject("ALARM_EVENT_NOT_URGENT", $"“{ev.Kind.ChineseName()}”不是紧急事件，不生成告警", "kind");
        if (string.IsNullOrWhiteSpace(company)) return Outcome<Alarm>.Reject("ALARM_COMPANY_REQUIRED", "缺少呼叫中心运营单位", "company");
        var now = clock.GetUtcNow();
        return Outcome<Alarm>.Accept(new Alarm
        {
            Id = id,
            ElderId = terminal.ElderId,
            TerminalId = terminal.Id,
            Trigger = ev.Kind,
            Company = company,
            PressedAt = ev.At,
            RaisedAt = now,
            History = [new AlarmStep(AlarmStatus.Raised, AlarmStatus.Raised, now, "system", ev.Kind.ChineseName())],
        });
    }

    /// <summary>Raised → Offered to <paramref name="operatorId"/>; the acknowledgement clock of this offer starts now.</summary>
    public Outcome<Alarm> Offer(string operatorId, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(operatorId)) return Outcome<Alarm>.Reject("ALARM_OPERATOR_REQUIRED", "请指定接警坐席", "operatorId");
        var moved = Move("派单", [AlarmStatus.Raised], AlarmStatus.Offered, "system", clock, operatorId);
        if (!moved.Accepted) return moved;
        var a = moved.Value;
        return Outcome<Alarm>.Accept(a with { OfferedTo = operatorId, OfferedAt = a.History[^1].At, FirstOfferedAt = a.History[^1].At });
    }

    /// <summary>When the current offer must be answered: offered at + SLA.</summary>
    public DateTimeOffset? AcknowledgementDueAt(AlarmPolicy? policy = null) => OfferedAt + (policy ?? AlarmPolicy.Default).AcknowledgementSla;

    /// <summary>
    /// Offered → Answered. Only the operator the alarm is offered to may answer (ALARM_NOT_OFFERED_TO_YOU);
    /// answering after the deadline is allowed as long as the alarm was not re-offered yet.
    /// </summary>
    public Outcome<Alarm> Answer(string operatorId, TimeProvider clock)
    {
        if (Status == AlarmStatus.Offered && OfferedTo != operatorId)
            return Outcome<Alarm>.Reject("ALARM_NOT_OFFERED_TO_YOU", "该告警未派给您，不能接听", "operatorId");
        var moved = Move("接听", [AlarmStatus.Offered], AlarmStatus.Answered, operatorId, clock, null);
        return moved.Accepted ? Outcome<Alarm>.Accept(moved.Value with { AnsweredBy = operatorId, AnsweredAt = moved.Value.History[^1].At }) : moved;
    }

    /// <summary>
    /// The acknowledgement deadline of the current offer passed unanswered: re-offer to <paramref name="nextOperator"/>
    /// while fewer than <see cref="AlarmPolicy.MaxReOffers"/> re-offers were made, otherwise offer it to
    /// <paramref name="supervisor"/> and set <see cref="Escalated"/>. Rejected before the deadline
    /// (ALARM_ACK_NOT_DUE), when not Offered (ALARM_INVALID_TRANSITION), and once already with the supervisor
    /// (ALARM_ALREADY_ESCALATED: the supervisor's desk is the last one).
    /// </summary>
    public Outcome<AcknowledgementTimeout> AcknowledgementTimedOut(string nextOperator, string supervisor, TimeProvider clock, AlarmPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var p = policy ?? AlarmPolicy.Default;
        if (Status != AlarmStatus.Offered)
            return Outcome<AcknowledgementTimeout>.Reject("ALARM_INVALID_TRANSITION", $"告警当前状态为{Status.ChineseName()}，不能改派", null);
        if (Escalated) return Outcome<AcknowledgementTimeout>.Reject("ALARM_ALREADY_ESCALATED", "告警已升级至值班主管", null);
        var now = clock.GetUtcNow();
        if (now < AcknowledgementDueAt(p))
            return Outcome<AcknowledgementTimeout>.Reject("ALARM_ACK_NOT_DUE", $"接听时限（{p.AcknowledgementSla.TotalSeconds:0}秒）未到", null);
        if (ReOfferCount < p.MaxReOffers)
        {
            if (string.IsNullOrWhiteSpace(nextOperator) || nextOperator == OfferedTo)
                return Outcome<AcknowledgementTimeout>.Reject("ALARM_OPERATOR_REQUIRED", "请指定另一名接警坐席", "nextOperator");
            return Outcome<AcknowledgementTimeout>.Accept(new(this with
            {
                OfferedTo = nextOperator,
                OfferedAt = now,
                ReOfferCount = ReOfferCount + 1,
                History = [.. History, new AlarmStep(Status, Status, now, "system", $"超时未接听，改派给{nextOperator}")],
            }, AcknowledgementAction.ReOffered));
        }
        if (string.IsNullOrWhiteSpace(supervisor)) return Outcome<AcknowledgementTimeout>.Reject("ALARM_SUPERVISOR_REQUIRED", "请指定值班主管", "supervisor");
        return Outcome<AcknowledgementTimeout>.Accept(new(this with
        {
            OfferedTo = supervisor,
            OfferedAt = now,
            Escalated = true,
            EscalatedAt = now,
            History = [.. History, new AlarmStep(Status, Status, now, "system", $"多次超时未接听，升级至值班主管{supervisor}")],
        }, AcknowledgementAction.Escalated));
    }

    /// <summary>
    /// The operator the alarm is ringing at sends it to the supervisor at once instead of waiting for the acknowledgement
    /// deadline (busy on another call, a case they cannot handle). Stays Offered, now to <paramref name="supervisor"/>,
    /// with <see cref="Escalated"/> set. Only the operator it is offered to (ALARM_NOT_OFFERED_TO_YOU), only while Offered
    /// (ALARM_INVALID_TRANSITION), and only once (ALARM_ALREADY_ESCALATED).
    /// </summary>
    public Outcome<Alarm> EscalateNow(string operatorId, string supervisor, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (Status != AlarmStatus.Offered)
            return Outcome<Alarm>.Reject("ALARM_INVALID_TRANSITION", $"告警当前状态为{Status.ChineseName()}，不能升级", null);
        if (Escalated) return Outcome<Alarm>.Reject("ALARM_ALREADY_ESCALATED", "告警已升级至值班主管", null);
        if (OfferedTo != operatorId) return Outcome<Alarm>.Reject("ALARM_NOT_OFFERED_TO_YOU", "该告警未派给您，不能升级", "operatorId");
        if (string.IsNullOrWhiteSpace(supervisor)) return Outcome<Alarm>.Reject("ALARM_SUPERVISOR_REQUIRED", "请指定值班主管", "supervisor");
        var now = clock.GetUtcNow();
        return Outcome<Alarm>.Accept(this with
        {
            OfferedTo = supervisor,
            OfferedAt = now,
            Escalated = true,
            EscalatedAt = now,
            History = [.. History, new AlarmStep(Status, Status, now, operatorId, $"坐席升级至值班主管{supervisor}")],
        });
    }

    /// <summary>
    /// Answered → OutcomeRecorded, by the operator who answered (ALARM_NOT_YOUR_ALARM). Relaying to 120 needs the
    /// 120 reference number (ALARM_EMERGENCY_REFERENCE_REQUIRED).
    /// </summary>
    public Outcome<Alarm> RecordOutcome(AlarmResolution resolution, string? emergencyReference, string operatorId, TimeProvider clock)
    {
        if (Status == AlarmStatus.Answered && AnsweredBy != operatorId)
            return Outcome<Alarm>.Reject("ALARM_NOT_YOUR_ALARM", "只有接听该告警的坐席可以登记处置结果", "operatorId");
        if (Status == AlarmStatus.Answered && resolution == AlarmResolution.EmergencyRelayed && string.IsNullOrWhiteSpace(emergencyReference))
            return Outcome<Alarm>.Reject("ALARM_EMERGENCY_REFERENCE_REQUIRED", "转120急救须登记120受理编号", "emergencyReference");
        var moved = Move("登记处置结果", [AlarmStatus.Answered], AlarmStatus.OutcomeRecorded, operatorId, clock, resolution.ChineseName());
        return moved.Accepted
            ? Outcome<Alarm>.Accept(moved.Value with
            {
                Resolution = resolution,
                EmergencyReference = resolution == AlarmResolution.EmergencyRelayed ? emergencyReference!.Trim() : null,
                ResolvedAt = moved.Value.History[^1].At,
            })
            : moved;
    }

    /// <summary>
    /// Records that a contact was told, once the alarm is answered and before it is closed. The contact must be
    /// one of the elder's and have consented (CONTACT_WITHOUT_CONSENT, CONTACT_NOT_FOUND). Not a state change.
    /// </summary>
    public Outcome<Alarm> NotifyContact(Elder elder, string contactId, string operatorId, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(clock);
        if (Status is AlarmStatus.Raised or AlarmStatus.Offered or AlarmStatus.Closed)
            return Outcome<Alarm>.Reject("ALARM_INVALID_TRANSITION", $"告警当前状态为{Status.ChineseName()}，不能通知联系人", null);
        if (elder.Id != ElderId) return Outcome<Alarm>.Reject("ALARM_ELDER_MISMATCH", "老人与告警不符", "elderId");
        if (elder.Contacts.FirstOrDefault(c => c.Id == contactId) is not { } contact)
            return Outcome<Alarm>.Reject("CONTACT_NOT_FOUND", "该老人没有这个联系人", "contactId");
        var now = clock.GetUtcNow();
        var allowed = ElderRules.CheckNotifiable(contact, now);
        if (!allowed.Accepted) return Outcome<Alarm>.Reject(allowed.Rejections);
        return Outcome<Alarm>.Accept(this with
        {
            Notifications = [.. Notifications, new AlarmNotification(contact.Id, contact.Role, now)],
            History = [.. History, new AlarmStep(Status, Status, now, operatorId, $"已通知{contact.Role.ChineseName()}")],
        });
    }

    /// <summary>
    /// OutcomeRecorded → ResponderOnSite with the responder's position. Only when someone was sent
    /// (ALARM_NO_RESPONDER_SENT for a false alarm or advice).
    /// </summary>
    public Outcome<Alarm> ResponderArrived(GeoPoint position, string responderId, TimeProvider clock)
    {
        if (Status == AlarmStatus.OutcomeRecorded && Resolution is { } r && !r.SendsSomeone())
            return Outcome<Alarm>.Reject("ALARM_NO_RESPONDER_SENT", $"处置结果为“{r.ChineseName()}”，没有派人上门", null);
        var moved = Move("登记到场", [AlarmStatus.OutcomeRecorded], AlarmStatus.ResponderOnSite, responderId, clock, position.ToString());
        return moved.Accepted ? Outcome<Alarm>.Accept(moved.Value with { ResponderPosition = position, OnSiteAt = moved.Value.History[^1].At }) : moved;
    }

    /// <summary>
    /// → Closed: from ResponderOnSite, or from OutcomeRecorded when nobody was sent or the call was relayed to 120
    /// (the ambulance does not report back). Closing while a relative or community responder is still on the way is
    /// refused (ALARM_RESPONDER_NOT_ON_SITE).
    /// </summary>
    public Outcome<Alarm> Close(string actor, TimeProvider clock)
    {
        if (Status == AlarmStatus.OutcomeRecorded && Resolution is AlarmResolution.RelativeSent or AlarmResolution.CommunityResponderSent)
            return Outcome<Alarm>.Reject("ALARM_RESPONDER_NOT_ON_SITE", "已派人上门，须登记到场后才能结案", null);
        var moved = Move("结案", [AlarmStatus.OutcomeRecorded, AlarmStatus.ResponderOnSite], AlarmStatus.Closed, actor, clock, null);
        return moved.Accepted ? Outcome<Alarm>.Accept(moved.Value with { ClosedAt = moved.Value.History[^1].At }) : moved;
    }

    Outcome<Alarm> Move(string action, AlarmStatus[] from, AlarmStatus to, string actor, TimeProvider clock, string? note)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (!from.Contains(Status))
            return Outcome<Alarm>.Reject("ALARM_INVALID_TRANSITION", $"告警当前状态为{Status.ChineseName()}，不能{action}", null);
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<Alarm>.Reject("ALARM_ACTOR_REQUIRED", "缺少操作人", "actor");
        var now = clock.GetUtcNow();
        return Outcome<Alarm>.Accept(this with { Status = to, History = [.. History, new AlarmStep(Status, to, now, actor, note)] });
    }
}
