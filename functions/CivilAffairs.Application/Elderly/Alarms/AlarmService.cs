using CivilAffairs.Application.Disaster.Supplies;
using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;


namespace CivilAffairs.Application.Elderly.Alarms;

/// <summary>
/// 平安通 alarms: raising (from the terminal intake), the operators' desk (queue, detail, answer, outcome, escalate), the
/// responder's steps (arrival, close), the relatives' view, and the workflow's own steps (acknowledgement deadline, notifying
/// the contacts). Every person's step is written with its event through the outbox (the workflow learns it from the relay);
/// the workflow's steps are its activities. Object-level reach: operators see their company's alarms, staff the alarms of
/// elders in their jurisdiction, citizens those of an elder they are a named contact of (through the elder's scope); anything
/// else answers 404 <c>ALARM_NOT_FOUND</c> and the denial is audited.
/// </summary>
public sealed class AlarmService(AlarmRepository alarms, ElderRepository elders, ElderService elderService, AlarmDesks desks,
    NotificationService notifications, AuditLog audit, IOptions<AlarmOptions> options, TimeProvider clock)
{
    AlarmOptions Options => options.Value;

    public static Problem NotFound() => Problem.NotFound("ALARM_NOT_FOUND", "告警不存在", "没有找到该告警，或您无权查看。");

    // ---------------------------------------------------------------- raising (terminal intake)

    /// <summary>
    /// Raises and offers an alarm (id given by the intake, so a replayed event finds it; the intake has looked for it already),
    /// writes it with its <c>raised</c> event, pushes it to the company's desks at once, and only then relays the event (read
    /// models, the workflow's start). When the alarm exists after all (two deliveries at once), the one that was written is answered.
    /// </summary>
    public async Task<Alarm> RaiseAsync(string alarmId, AlarmTerminal terminal, TerminalEvent ev, StoredElder elder, PositionBody? position, int? battery, CancellationToken ct)
    {
        var company = Options.Company;
        var desk = Options.DeskOf(company);
        var raised = Alarm.Raise(alarmId, terminal, ev, company, clock).Value;
        var op = AlarmDesks.PickOperator(desk.Operators, alarmId, []);
        var offered = raised.Offer(op, clock).Value;
        var record = new AlarmRecord(offered, elder.Jurisdiction, position, battery, null, null, Masking.MaskName(elder.Elder.Name));
        if (!await alarms.AddAsync(record, [AlarmEvents.Of(AlarmEvents.Raised, offered, "system")], ct, relayNow: false))
            return (await alarms.GetAsync(alarmId, ct))!.Value.Record.Alarm;
        await desks.PushAsync("offered", offered, elder.Elder.Name, Options.Policy, ct);
        await alarms.RelayAsync(alarmId, ct);
        return offered;
    }

    // ---------------------------------------------------------------- the desk

    /// <summary>The company's alarms (open ones by default), the caller's own first, oldest first.</summary>
    public async Task<Result<IReadOnlyList<AlarmQueueItem>>> QueueAsync(CallContext call, string? status)
    {
        var (caller, _, ct) = call;
        if (status is not (null or "open" or "all")) return Problem.InvalidQuery("status", "参数 status 只能是 open 或 all。", "可选值：open、all");
        if (caller.Channel is not { Length: > 0 } company) return Problem.Forbidden("只有平安通呼叫中心的坐席可以查看告警队列。");
        var items = (await alarms.QueueAsync(company, status != "all", ct)).Select(r =>
        {
            var offeredTo = r.GetString("OfferedTo");
            var statusValue = Enum.Parse<AlarmStatus>(r.GetString("Status"));
            return new AlarmQueueItem(r.RowKey, statusValue, Enum.Parse<TerminalEventKind>(r.GetString("Trigger")), Masking.MaskName(r.GetString("ElderName")) ?? "",
                r.GetDateTimeOffset("RaisedAt")!.Value, offeredTo, offeredTo == caller.Subject, r.GetBoolean("Escalated") ?? false,
                statusValue == AlarmStatus.Offered ? r.GetDateTimeOffset("OfferedAt") + Options.Policy.AcknowledgementSla : null);
        }).OrderByDescending(i => i.OfferedToMe).ThenBy(i => i.RaisedAt).ToList();
        return Result.Ok<IReadOnlyList<AlarmQueueItem>>(items);
    }

    /// <summary>
    /// One alarm. Operators and staff get the desk view (phones and address masked unless <paramref name="purpose"/> allows
    /// them for the caller's role); a relative gets the relative's view. The elder is read through the elders service, which
    /// checks the caller's reach and audits the access.
    /// </summary>
    public async Task<Result<object>> GetAsync(CallContext call, string id, AccessPurpose? purpose)
    {
        var (caller, requestId, ct) = call;
        if (await alarms.GetAsync(id, ct) is not { } stored) return NotFound();
        var record = stored.Record;
        if (caller.IsContractor && record.Alarm.Company != caller.Channel) return await DeniedAsync(call, id, "read");
        var elder = await elderService.ReadForAsync(call, record.Alarm.ElderId, "elderly.alarm.read");
        if (elder.Problem is not null) return await DeniedAsync(call, id, "read");
        if (caller.Role == Role.Citizen) return Result.Ok<object>(RelativeView(record, elder.Value!));
        var unmask = AccessPolicy.MayUnmask(caller.Role, purpose);
        await audit.AppendAsync(caller, new AuditEvent("elderly.alarm.read", AuditOutcome.Success, record.Alarm.ElderId, unmask ? purpose : null, id), requestId, ct);
        return Result.Ok<object>(DeskView(record, elder.Value!, unmask, clock, Options.Policy));
    }

    public Task<Result<AlarmDeskView>> AnswerAsync(CallContext call, string id) =>
        DeskStepAsync(call, id, "answer", (alarm, _, caller) => alarm.Answer(caller.Subject, clock).Map(a => (a, (AlarmResponder?)null, (string?)null)),
            a => [AlarmEvents.Of(AlarmEvents.Answered, a, call.Caller.Subject)]);

    public Task<Result<AlarmDeskView>> EscalateAsync(CallContext call, string id) =>
        DeskStepAsync(call, id, "escalate", (alarm, _, caller) => alarm.EscalateNow(caller.Subject, Options.DeskOf(alarm.Company).Supervisor, clock)
            .Map(a => (a, (AlarmResponder?)null, (string?)null)), a => [AlarmEvents.Of(AlarmEvents.Escalated, a, call.Caller.Subject)]);

    /// <summary>
    /// Records what the operator did. A false alarm or advice closes the alarm at once (nobody goes); otherwise it waits for the
    /// responder's arrival (or, for a 120 relay, may be closed without). The workflow then notifies the consenting contacts.
    /// </summary>
    public async Task<Result<AlarmDeskView>> OutcomeAsync(CallContext call, string id, AlarmOutcomeRequest body)
    {
        var errors = new List<FieldError>();
        if (body.Outcome is null) errors.Add(new FieldError("outcome", "请选择处置结果：falseAlarm、adviceGiven、relativeSent、communityResponderSent 或 emergencyRelayed。"));
        if (body.Note is { } n && (n.Length > 500 || TextRules.Check(n) is not null)) errors.Add(new FieldError("note", "备注不超过 500 字，且不能含控制字符。"));
        if (body.EmergencyReference is { } r && (r.Length > 40 || TextRules.Check(r) is not null)) errors.Add(new FieldError("emergencyReference", "120受理编号不超过 40 个字符。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var outcome = body.Outcome!.Value;
        return await DeskStepAsync(call, id, "outcome", (alarm, elder, caller) =>
        {
            AlarmResponder? responder = null;
            if (outcome.SendsSomeone() && outcome != AlarmResolution.EmergencyRelayed)
            {
                var picked = PickResponder(outcome, body.Responder, elder);
                if (picked.Problem is { } bad) return Outcome<(Alarm, AlarmResponder?, string?)>.Reject(bad.Code, bad.Detail ?? bad.Title, "responder");
                responder = picked.Value;
            }
            var recorded = alarm.RecordOutcome(outcome, body.EmergencyReference, caller.Subject, clock);
            if (!recorded.Accepted || outcome.SendsSomeone()) return recorded.Map(a => (a, responder, body.Note?.Trim()));
            return recorded.Value.Close(caller.Subject, clock).Map(a => (a, responder, body.Note?.Trim()));
        }, a => a.Status == AlarmStatus.Closed
            ? [AlarmEvents.Of(AlarmEvents.OutcomeRecorded, a, call.Caller.Subject), AlarmEvents.Of(AlarmEvents.Closed, a, call.Caller.Subject)]
            : [AlarmEvents.Of(AlarmEvents.OutcomeRecorded, a, call.Caller.Subject)]);
    }

    static Result<AlarmResponder> PickResponder(AlarmResolution outcome, string? requested, StoredElder elder)
    {
        var wanted = requested?.Trim();
        if (outcome == AlarmResolution.CommunityResponderSent && (string.IsNullOrEmpty(wanted) || wanted == "community"))
            return Result.Ok(new AlarmResponder("community", null, "社区值班人员"));
        var role = outcome == AlarmResolution.RelativeSent ? ContactRole.Relative : ContactRole.CommunityWorker;
        var contact = string.IsNullOrEmpty(wanted)
            ? elder.Contacts.FirstOrDefault(c => c.Role == role)
            : elder.Contacts.FirstOrDefault(c => c.Id == wanted && c.Role == role);
        return contact is null
            ? Problem.Invalid("responder", outcome == AlarmResolution.RelativeSent ? "请指定上门的亲属（老人的联系人编号）。" : "请指定社区响应人员（联系人编号或 community）。",
                "ALARM_RESPONDER_INVALID", "响应人员无效")
            : Result.Ok(new AlarmResponder(role == ContactRole.Relative ? "relative" : "community", contact.Id, contact.Name));
    }

    delegate Outcome<(Alarm Alarm, AlarmResponder? Responder, string? Note)> DeskChange(Alarm alarm, StoredElder elder, Caller caller);

    async Task<Result<AlarmDeskView>> DeskStepAsync(CallContext call, string id, string action, DeskChange change, Func<Alarm, IReadOnlyList<Platform.Events.PendingEvent>> events)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<(AlarmRecord Record, StoredElder Elder)>>($"alarm {id}", async () =>
        {
            if (await alarms.GetAsync(id, ct) is not { } stored || stored.Record.Alarm.Company != caller.Channel) return await DeniedAsync(call, id, action);
            if (await elders.GetAsync(stored.Record.Alarm.ElderId, ct) is not { } elder) return NotFound();
            var changed = change(stored.Record.Alarm, elder, caller);
            if (!changed.Accepted)
            {
                if (changed.Rejections.Any(r => r.Code is "ALARM_NOT_OFFERED_TO_YOU" or "ALARM_NOT_YOUR_ALARM"))
                    await audit.AppendAsync(caller, new AuditEvent($"elderly.alarm.{action}", AuditOutcome.Denied, stored.Record.Alarm.ElderId, Detail: $"{id}:{changed.Rejection!.Code}"), requestId, ct);
                return Problem.Rejected(changed.Rejections);
            }
            var (alarm, responder, note) = changed.Value;
            var record = stored.Record with { Alarm = alarm, Responder = responder ?? stored.Record.Responder, Note = note ?? stored.Record.Note };
            await alarms.SaveAsync(record, stored.ETag, events(alarm), ct);
            return Result.Ok((record, elder));
        }, ct);
        if (result.Problem is { } problem) return problem;
        var (saved, storedElder) = result.Value;
        await audit.AppendAsync(caller, new AuditEvent($"elderly.alarm.{action}", AuditOutcome.Success, saved.Alarm.ElderId, Detail: id), requestId, ct);
        return Result.Ok(DeskView(saved, storedElder, false, clock, Options.Policy));
    }

    // ---------------------------------------------------------------- the responder

    public async Task<Result<AlarmRelativeView>> ArrivalAsync(CallContext call, string id, AlarmArrivalRequest body)
    {
        if (body.Position is not { Latitude: { } lat, Longitude: { } lon } || !GeoPoint.TryCreate(lat, lon, out var position))
            return Problem.Invalid("position", "请提供到场位置 {latitude, longitude}（WGS-84）。");
        var now = clock.GetUtcNow();
        if (body.At is { } at && (at > now + TimeSpan.FromMinutes(5) || at < now - TimeSpan.FromDays(1)))
            return Problem.Invalid("at", "到场时间不能晚于现在，也不能早于一天前。");
        var stepClock = body.At is { } given && given < now ? new FixedClock(given) : clock;
        return await ResponderStepAsync(call, id, "arrival", a => a.ResponderArrived(position, call.Caller.Subject, stepClock), AlarmEvents.ResponderOnSite, null);
    }

    public Task<Result<AlarmRelativeView>> CloseAsync(CallContext call, string id, AlarmCloseRequest body)
    {
        if (body.Note is { } n && (n.Length > 500 || TextRules.Check(n) is not null))
            return Task.FromResult<Result<AlarmRelativeView>>(Problem.Invalid("note", "备注不超过 500 字，且不能含控制字符。"));
        return ResponderStepAsync(call, id, "close", a => a.Close(call.Caller.Subject, clock), AlarmEvents.Closed, body.Note?.Trim());
    }

    /// <summary>
    /// A responder's step: staff whose jurisdiction holds the elder (the community worker), or a citizen who is the relative
    /// named as responder. Everyone else gets 404, audited.
    /// </summary>
    async Task<Result<AlarmRelativeView>> ResponderStepAsync(CallContext call, string id, string action, Func<Alarm, Outcome<Alarm>> change, string eventType, string? note)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<(AlarmRecord Record, StoredElder Elder)>>($"alarm {id}", async () =>
        {
            if (await alarms.GetAsync(id, ct) is not { } stored) return NotFound();
            if (await elders.GetAsync(stored.Record.Alarm.ElderId, ct) is not { } elder || !MayRespond(caller, stored.Record, elder))
                return await DeniedAsync(call, id, action);
            var changed = change(stored.Record.Alarm);
            if (!changed.Accepted) return Problem.Rejected(changed.Rejections);
            var record = stored.Record with { Alarm = changed.Value, Note = note ?? stored.Record.Note };
            await alarms.SaveAsync(record, stored.ETag, [AlarmEvents.Of(eventType, changed.Value, caller.Subject)], ct);
            return Result.Ok((record, elder));
        }, ct);
        if (result.Problem is { } problem) return problem;
        await audit.AppendAsync(caller, new AuditEvent($"elderly.alarm.{action}", AuditOutcome.Success, result.Value.Record.Alarm.ElderId, Detail: id), requestId, ct);
        return Result.Ok(RelativeView(result.Value.Record, result.Value.Elder));
    }

    static bool MayRespond(Caller caller, AlarmRecord record, StoredElder elder) => caller.Role switch
    {
        Role.Citizen => caller.PersonId is { } me && record.Responder?.ContactId is { } named
            && elder.Contacts.Any(c => c.Id == named && c.PersonId == me),
        Role.CommunityWorker or Role.StreetOfficer => caller.Jurisdiction is { } j && Jurisdiction.Contains(j, elder.Jurisdiction),
        _ => false,
    };

    async Task<Problem> DeniedAsync(CallContext call, string id, string action)
    {
        await audit.AppendAsync(call.Principal, new AuditEvent($"elderly.alarm.{action}", AuditOutcome.Denied, Detail: $"{id}:outOfScope"), call.RequestId, call.Cancellation);
        return NotFound();
    }

    // ---------------------------------------------------------------- the workflow's steps

    /// <summary>
    /// The acknowledgement deadline of an offer passed: re-offer to the next operator (the next in roster order it has not rung at),
    /// or to the supervisor when the re-offers are used up (<see cref="Alarm.AcknowledgementTimedOut"/>). An alarm answered,
    /// escalated or closed meanwhile is left alone; a deadline that moved (a later offer) is reported back to wait for.
    /// </summary>
    public async Task<AcknowledgementResult> AcknowledgementDueAsync(AlarmActivityInput input, CancellationToken ct)
    {
        var policy = Options.Policy;
        return await Optimistic.RetryAsync($"alarm {input.AlarmId} acknowledgement", async () =>
        {
            if (await alarms.GetAsync(input.AlarmId, ct) is not { } stored) return new AcknowledgementResult(AcknowledgementCheck.Settled, null);
            var alarm = stored.Record.Alarm;
            if (alarm.Status != AlarmStatus.Offered || alarm.Escalated) return new AcknowledgementResult(AcknowledgementCheck.Settled, null);
            // A durable timer may fire a little early (whole-second queue visibility): judge the deadline as of its due time at least.
            var now = clock.GetUtcNow();
            var checkClock = input.DueAt is { } due && due > now && due - now < TimeSpan.FromSeconds(2) ? new FixedClock(due) : clock;
            var desk = Options.DeskOf(alarm.Company);
            var rungAt = desk.Operators.Where(o => o == alarm.OfferedTo
                || alarm.History.Any(h => h.To == AlarmStatus.Offered && (h.Note == o || h.Note?.EndsWith("改派给" + o, StringComparison.Ordinal) == true))).ToList();
            var next = AlarmDesks.PickOperator(desk.Operators, alarm.Id, rungAt);
            var timedOut = alarm.AcknowledgementTimedOut(next, desk.Supervisor, checkClock, policy);
            if (!timedOut.Accepted)
                return timedOut.Rejection!.Code == "ALARM_ACK_NOT_DUE"
                    ? new AcknowledgementResult(AcknowledgementCheck.NotDue, alarm.AcknowledgementDueAt(policy))
                    : new AcknowledgementResult(AcknowledgementCheck.Settled, null);
            var (changed, action) = timedOut.Value;
            var type = action == AcknowledgementAction.ReOffered ? AlarmEvents.ReOffered : AlarmEvents.Escalated;
            await alarms.SaveAsync(stored.Record with { Alarm = changed }, stored.ETag, [AlarmEvents.Of(type, changed, "system")], ct);
            return action == AcknowledgementAction.ReOffered
                ? new AcknowledgementResult(AcknowledgementCheck.ReOffered, changed.AcknowledgementDueAt(policy))
                : new AcknowledgementResult(AcknowledgementCheck.Escalated, null);
        }, ct);
    }

    /// <summary>
    /// Tells the elder's contacts what happened and who is coming: every contact who consented and has a citizen account gets an
    /// in-app notification (and the WeChat subscribe message the notification service sends from its queue); the alarm records
    /// each one told. Contacts without consent are never told — that is audited. Idempotent (one notification per alarm and person).
    /// </summary>
    public async Task<int> NotifyContactsAsync(AlarmActivityInput input, CancellationToken ct)
    {
        if (await alarms.GetAsync(input.AlarmId, ct) is not { } first || await elders.GetAsync(first.Record.Alarm.ElderId, ct) is not { } elder) return 0;
        var record = first.Record;
        var now = clock.GetUtcNow();
        var notifiable = ElderRules.NotifiableContacts(elder.Elder, now).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var told = new List<string>();
        foreach (var contact in elder.Contacts)
        {
            if (!notifiable.Contains(contact.Id))
            {
                await audit.AppendAsync(null, new AuditEvent("elderly.alarm.notify", AuditOutcome.Denied, elder.Elder.Id, Detail: $"{record.Alarm.Id}:{contact.Id}:noConsent"), input.AlarmId, ct);
                continue;
            }
            if (contact.PersonId is null) continue; // no citizen account: the operator phones them
            await notifications.NotifyAsync(contact.PersonId, new Notification($"{record.Alarm.Id}.alarm", "elderly", "平安通紧急呼叫提醒",
                NotificationText(record, elder), $"/api/elderly/alarms/{record.Alarm.Id}"), ct);
            await audit.AppendAsync(null, new AuditEvent("elderly.alarm.notify", AuditOutcome.Success, elder.Elder.Id, Detail: $"{record.Alarm.Id}:{contact.Id}"), input.AlarmId, ct);
            told.Add(contact.Id);
        }
        if (told.Count == 0) return 0;
        await Optimistic.RetryAsync($"alarm {input.AlarmId} notified", async () =>
        {
            var stored = (await alarms.GetAsync(input.AlarmId, ct))!.Value;
            var alarm = stored.Record.Alarm;
            var changed = false;
            foreach (var contactId in told.Where(c => alarm.Notifications.All(n => n.ContactId != c)))
            {
                var noted = alarm.NotifyContact(elder.Elder, contactId, "system", clock);
                if (noted.Accepted) { alarm = noted.Value; changed = true; }
            }
            if (changed) await alarms.SaveAsync(stored.Record with { Alarm = alarm }, stored.ETag, [AlarmEvents.Of(AlarmEvents.ContactsNotified, alarm, "system")], ct);
        }, ct);
        return told.Count;
    }

    static string NotificationText(AlarmRecord record, StoredElder elder)
    {
        var a = record.Alarm;
        var at = ChinaTime.ToChina(a.PressedAt).ToString("M月d日 HH:mm", CultureInfo.InvariantCulture);
        var what = a.Resolution is { } r ? r.ChineseName() : "处置中";
        var who = WhoIsComing(record);
        return $"您的家人{elder.Elder.Name}于{at}通过平安通发出“{a.Trigger.ChineseName()}”告警，呼叫中心已处置：{what}。" + (who is null ? "" : $"上门人员：{who}。");
    }

    static string? WhoIsComing(AlarmRecord record) => record.Alarm.Resolution switch
    {
        AlarmResolution.EmergencyRelayed => "120急救",
        AlarmResolution.RelativeSent or AlarmResolution.CommunityResponderSent => record.Responder?.Name ?? "社区值班人员",
        _ => null,
    };

    // ---------------------------------------------------------------- views

    public static AlarmRelativeView RelativeView(AlarmRecord record, StoredElder elder)
    {
        var a = record.Alarm;
        var steps = new List<AlarmRelativeStep> { new(a.PressedAt, $"发出{a.Trigger.ChineseName()}告警"), new(a.RaisedAt, "呼叫中心已收到") };
        if (a.AnsweredAt is { } answered) steps.Add(new(answered, "坐席已接听"));
        if (a.ResolvedAt is { } resolved) steps.Add(new(resolved, $"处置：{a.Resolution!.Value.ChineseName()}"));
        foreach (var n in a.Notifications.Where(n => n.Role == ContactRole.Relative)) steps.Add(new(n.At, "已通知亲属"));
        if (a.OnSiteAt is { } onSite) steps.Add(new(onSite, "响应人员已到场"));
        if (a.ClosedAt is { } closed) steps.Add(new(closed, "已结案"));
        return new AlarmRelativeView(a.Id, elder.Elder.Name, a.Trigger, a.Trigger.ChineseName(), a.Status, a.Status.ChineseName(), a.PressedAt,
            a.Resolution, a.Resolution?.ChineseName(), WhoIsComing(record), a.OnSiteAt, a.ClosedAt, steps.OrderBy(s => s.At).ToList());
    }

    public static AlarmDeskView DeskView(AlarmRecord record, StoredElder elder, bool unmask, TimeProvider clock, AlarmPolicy policy)
    {
        var a = record.Alarm;
        var e = elder.Elder;
        var contacts = elder.Contacts.Select(c => new AlarmContactView(c.Id, c.Name, c.Role, unmask ? c.Phone : Masking.MaskPhone(c.Phone) ?? "", c.Consented, c.PersonId is not null)).ToList();
        return new AlarmDeskView(a.Id, a.Status, a.Status.ChineseName(), a.Trigger, a.Trigger.ChineseName(), a.Company, a.ElderId, e.Name,
            e.AgeOn(ChinaTime.Today(clock)), e.LivesAlone, unmask ? elder.Address : Masking.MaskAddress(elder.Address) ?? "", record.Position, record.Battery,
            a.PressedAt, a.RaisedAt, a.Status == AlarmStatus.Offered ? a.OfferedTo : null, a.Status == AlarmStatus.Offered ? a.AcknowledgementDueAt(policy) : null,
            a.ReOfferCount, a.Escalated, a.AnsweredBy, a.AnsweredAt, a.Resolution, a.EmergencyReference, record.Responder, a.Notifications, contacts,
            a.History.Select(h => new AlarmStepView(h.From, h.To, h.At, h.Actor, h.Note)).ToList(), SlaLedger.Timeline(a), unmask);
    }

    /// <summary>A clock stopped at one instant (a step dated by the responder, a timer judged as of its due time).</summary>
    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}

static class OutcomeMapping
{
    /// <summary>Transforms an accepted value; rejections pass through.</summary>
    public static Outcome<TOut> Map<T, TOut>(this Outcome<T> outcome, Func<T, TOut> map) =>
        outcome.Accepted ? Outcome<TOut>.Accept(map(outcome.Value)) : Outcome<TOut>.Reject(outcome.Rejections);
}
