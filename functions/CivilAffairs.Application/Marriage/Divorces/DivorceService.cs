using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Marriage.Records;
using CivilAffairs.Application.Marriage.Statistics;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Marriage.Divorces;

/// <summary>
/// Divorce by agreement (协议离婚, Civil Code Art. 1076–1078). One party applies for their current marriage at an office with the
/// agreement; the other applies too with their own account, agreeing to it — the registry has then received the application and
/// the cooling-off starts (a durable workflow holds it, <see cref="IDivorceWorkflow"/>). Either party may withdraw during the
/// cooling-off, not after. After it both must appear within the window and the registrar registers the divorce
/// (<see cref="RegistrationService"/>); otherwise the workflow lapses the application. The people's steps are written with their
/// events through the outbox; the workflow's steps (cooling-off ended, lapse) are its activities.
/// </summary>
public sealed class DivorceService(DivorceRepository divorces, RecordRepository records, OfficeRepository offices, MarriageParties parties,
    MarriageStatistics statistics, AuditLog audit, IOptions<MarriageOptions> options, TimeProvider clock)
{
    public const int MaxAgreementText = 2000;

    public async Task<Result<DivorceView>> ApplyAsync(CallContext call, DivorceApplicationRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        var agreement = request.Agreement;
        Text("agreement.children", agreement?.Children, "子女抚养", errors);
        Text("agreement.property", agreement?.Property, "财产处理", errors);
        Text("agreement.debts", agreement?.Debts, "债务处理", errors);
        if (string.IsNullOrEmpty(request.RecordId)) errors.Add(new FieldError("recordId", "请填写要解除的婚姻登记记录编号。"));
        if (string.IsNullOrEmpty(request.OfficeId)) errors.Add(new FieldError("officeId", "请选择受理申请的婚姻登记处。"));
        if (errors.Count > 0) return Problem.Invalid(errors, "离婚协议须写明子女抚养、财产及债务处理等事项。");
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var office = await offices.GetAsync(request.OfficeId!, ct);
        if (office is null) return MarriageProblems.OfficeNotFound();
        var marriage = await records.GetAsync(request.RecordId!, ct);
        if (marriage is null || !marriage.Record.PartyIndexes.Contains(me.IdIndex))
        {
            if (marriage is not null) await audit.AppendAsync(caller, new AuditEvent("marriage.divorce.apply", AuditOutcome.Denied, me.IdIndex, Detail: $"{request.RecordId}:outOfScope"), requestId, ct);
            return MarriageProblems.RecordNotFound();
        }
        if (RecordRules.CanEnd(marriage.Record.Status) is { } ended) return MarriageProblems.Rejected(ended);

        var id = Ids.New(clock);
        if (await records.ClaimDivorceAsync(marriage.Record.Id, id, ct) is { } holder)
            return Problem.Conflict("DIVORCE_ALREADY_PENDING", "已有办理中的离婚登记申请", $"这段婚姻已有办理中的离婚登记申请：{holder}。");
        var mine = marriage.Record.PartyIndexes.ToList().IndexOf(me.IdIndex);
        var record = new DivorceRecord(id, marriage.Record.Id, office.Id, DivorceStatus.AwaitingPartner, marriage.Record.PartyIndexes,
            [.. marriage.Record.PartyIndexes.Select((_, i) => i == mine)], clock.GetUtcNow());
        var clean = new DivorceAgreement(agreement!.Children!.Trim(), agreement.Property!.Trim(), agreement.Debts!.Trim());
        var etag = await divorces.SaveAsync(record, clean, default, [], caller.Subject, ct);
        await records.IndexDivorceAsync(record.PartyIndexes, id, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.divorce.apply", AuditOutcome.Success, me.IdIndex, Detail: $"{id}:{marriage.Record.Id}"), requestId, ct);
        return Result.Created(View(new StoredDivorce(record, clean, etag)), $"/api/marriage/divorces/{id}");
    }

    /// <summary>The other party applies too (with their own account): the application is received and the cooling-off starts.</summary>
    public Task<Result<DivorceView>> JoinAsync(CallContext call, string id, DivorceJoinRequest request) => StepAsync(call, id, "join", (d, party, now) =>
    {
        if (d.Record.Status != DivorceStatus.AwaitingPartner) return Problem.Conflict("DIVORCE_ALREADY_RECEIVED", "申请已受理", "双方均已提交离婚登记申请。");
        if (d.Record.Applied[party]) return Problem.Conflict("DIVORCE_ALREADY_APPLIED", "您已提交申请", "您已提交离婚登记申请，须由对方用本人账号提交申请。");
        if (request.AgreesToAgreement != true) return Problem.Invalid("agreesToAgreement", "请确认同意离婚协议的全部内容。", "AGREEMENT_NOT_ACCEPTED");
        var received = d.Record with
        {
            Status = DivorceStatus.CoolingOff,
            Applied = [.. d.Record.Applied.Select(_ => true)],
            Periods = options.Value.DivorceTerms.PeriodsFrom(now),
        };
        return Result.Ok((received, (IReadOnlyList<string>)[DivorceRepository.Received]));
    });

    /// <summary>Either party withdraws (撤回) — during the cooling-off, never after it ended.</summary>
    public Task<Result<DivorceView>> WithdrawAsync(CallContext call, string id) => StepAsync(call, id, "withdraw", (d, _, now) =>
    {
        if (DivorceRules.CanWithdraw(d.Record.Status, d.Record.Periods, now) is { } no) return MarriageProblems.Rejected(no);
        var withdrawn = d.Record with { Status = DivorceStatus.Withdrawn, ClosedAt = now, ClosedBy = call.Caller.Subject };
        return Result.Ok((withdrawn, (IReadOnlyList<string>)(d.Record.Status == DivorceStatus.AwaitingPartner ? [] : [DivorceRepository.Withdrawn])));
    }, after: async (before, saved, ct) =>
    {
        await records.ReleaseDivorceAsync(saved.RecordId, saved.Id, ct);
        if (before.Status == DivorceStatus.CoolingOff)
            await statistics.RecordAsync(saved.OfficeId, saved.ClosedAt ?? clock.GetUtcNow(), MarriageMetric.Withdrawal, saved.Id, null, ct);
    });

    public async Task<Result<DivorceView>> GetAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var found = await OwnAsync(call, id, "read");
        if (found.Problem is { } p) return p;
        return Result.Ok(View(found.Value.Divorce));
    }

    public async Task<Result<IReadOnlyList<DivorceView>>> ListOwnAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var list = new List<DivorceView>();
        foreach (var id in await records.DivorcesOfAsync(me.IdIndex, ct))
            if (await divorces.GetAsync(id, ct) is { } d && d.Record.PartyIndexes.Contains(me.IdIndex)) list.Add(View(d));
        await audit.AppendAsync(caller, new AuditEvent("marriage.divorce.list", AuditOutcome.Success, me.IdIndex, Detail: list.Count.ToString()), requestId, ct);
        return Result.Ok<IReadOnlyList<DivorceView>>([.. list.OrderByDescending(v => v.CreatedAt)]);
    }

    delegate Result<(DivorceRecord Next, IReadOnlyList<string> Events)> Change(StoredDivorce divorce, int party, DateTimeOffset now);

    async Task<Result<DivorceView>> StepAsync(CallContext call, string id, string action, Change change, Func<DivorceRecord, DivorceRecord, CancellationToken, Task>? after = null)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<(StoredDivorce Before, StoredDivorce Saved, int Party)>>($"divorce {id}", async () =>
        {
            var found = await OwnAsync(call, id, action);
            if (found.Problem is { } p) return p;
            var (divorce, party) = found.Value;
            var changed = change(divorce, party, clock.GetUtcNow());
            if (changed.Problem is { } bad)
            {
                await audit.AppendAsync(caller, new AuditEvent($"marriage.divorce.{action}", AuditOutcome.Failed, divorce.Record.PartyIndexes[party], Detail: $"{id}:{bad.Code}"), requestId, ct);
                return bad;
            }
            var (next, events) = changed.Value;
            var etag = await divorces.SaveAsync(next, divorce.Agreement, divorce.ETag, events, caller.Subject, ct);
            return Result.Ok((divorce, new StoredDivorce(next, divorce.Agreement, etag), party));
        }, ct);
        if (result.Problem is { } problem) return problem;
        var (before, saved, who) = result.Value;
        if (after is not null) await after(before.Record, saved.Record, ct);
        await audit.AppendAsync(caller, new AuditEvent($"marriage.divorce.{action}", AuditOutcome.Success, saved.Record.PartyIndexes[who], Detail: id), requestId, ct);
        return Result.Ok(View(saved));
    }

    async Task<Result<(StoredDivorce Divorce, int Party)>> OwnAsync(CallContext call, string id, string action)
    {
        var (caller, requestId, ct) = call;
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var divorce = await divorces.GetAsync(id, ct);
        var party = divorce?.Record.PartyIndexes.ToList().IndexOf(me.IdIndex) ?? -1;
        if (divorce is null || party < 0)
        {
            if (divorce is not null) await audit.AppendAsync(caller, new AuditEvent($"marriage.divorce.{action}", AuditOutcome.Denied, me.IdIndex, Detail: $"{id}:outOfScope"), requestId, ct);
            return MarriageProblems.DivorceNotFound();
        }
        return Result.Ok((divorce, party));
    }

    // ---------------------------------------------------------------- the workflow's own steps

    /// <summary>The cooling-off timer fired: an application whose cooling-off has ended by the clock now awaits both parties' appearance (answered CoolingOff when the timer was early).</summary>
    public async Task<DivorceStage> CoolingOffEndedAsync(string id, CancellationToken ct) =>
        await Optimistic.RetryAsync($"divorce {id}", async () =>
        {
            var d = await divorces.GetAsync(id, ct) ?? throw new InvalidOperationException($"Divorce {id} is gone.");
            var next = DivorceRules.AfterCoolingOff(d.Record.Status, d.Record.Periods, clock.GetUtcNow());
            if (next == d.Record.Status) return Stage(next);
            await divorces.SaveAsync(d.Record with { Status = next }, d.Agreement, d.ETag, [], "workflow", ct);
            await audit.AppendAsync(null, new AuditEvent("marriage.divorce.coolingOffEnded", AuditOutcome.Success, d.Record.PartyIndexes[0], Detail: id), "divorce-" + id, ct);
            return Stage(next);
        }, ct);

    /// <summary>The appearance window closed: an application neither registered nor being registered lapses (视为撤回).</summary>
    public async Task<DivorceStage> LapseAsync(string id, CancellationToken ct)
    {
        var (stage, lapsed) = await Optimistic.RetryAsync($"divorce {id}", async () =>
        {
            var d = await divorces.GetAsync(id, ct) ?? throw new InvalidOperationException($"Divorce {id} is gone.");
            if (d.Record.Registration is not null || !DivorceRules.ShouldLapse(d.Record.Status, d.Record.Periods, clock.GetUtcNow())) return (Stage(d.Record.Status), (DivorceRecord?)null);
            var next = d.Record with { Status = DivorceStatus.Lapsed, ClosedAt = clock.GetUtcNow(), ClosedBy = "workflow" };
            await divorces.SaveAsync(next, d.Agreement, d.ETag, [], "workflow", ct);
            return (DivorceStage.Lapsed, next);
        }, ct);
        if (lapsed is not null)
        {
            await records.ReleaseDivorceAsync(lapsed.RecordId, lapsed.Id, ct);
            await statistics.RecordAsync(lapsed.OfficeId, lapsed.ClosedAt!.Value, MarriageMetric.Lapse, lapsed.Id, null, ct);
            foreach (var index in lapsed.PartyIndexes)
                await audit.AppendAsync(null, new AuditEvent("marriage.divorce.lapsed", AuditOutcome.Success, index, Detail: id), "divorce-" + id, ct);
        }
        return stage;
    }

    static DivorceStage Stage(DivorceStatus s) => s switch
    {
        DivorceStatus.AwaitingAppearance => DivorceStage.AwaitingAppearance,
        DivorceStatus.Registered => DivorceStage.Registered,
        DivorceStatus.Withdrawn => DivorceStage.Withdrawn,
        DivorceStatus.Lapsed => DivorceStage.Lapsed,
        _ => DivorceStage.CoolingOff,
    };

    DivorceView View(StoredDivorce s)
    {
        var r = s.Record;
        return new DivorceView(r.Id, r.RecordId, r.OfficeId, r.Status, r.Status.ChineseName(), r.Applied, r.CreatedAt, r.Periods?.ReceivedAt, r.Periods?.CoolingOffEndsAt,
            r.Periods?.AppearanceEndsAt, r.ClosedAt, s.Agreement, DivorceRules.CanWithdraw(r.Status, r.Periods, clock.GetUtcNow()) is null,
            r.Registration?.CertificateNumbers ?? []);
    }

    static void Text(string field, string? value, string what, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxAgreementText || TextRules.Check(value) is not null)
            errors.Add(new FieldError(field, $"请写明{what}（不超过 {MaxAgreementText} 字；没有的写“无”）。"));
    }
}

/// <summary>Starts the divorce's workflow when the application is received and tells it the people's steps (retried by the relay until they land).</summary>
public sealed class DivorceWorkflowRelay(IDivorceWorkflow workflow, DivorceRepository divorces) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [DivorceRepository.Received, DivorceRepository.Withdrawn, DivorceRepository.Registered];

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var data = e.DataAs<DivorceEventData>();
        var notice = new DivorceNotice(data.Actor);
        switch (e.Type)
        {
            case DivorceRepository.Received:
                if (await divorces.GetAsync(data.DivorceId, ct) is not { Record.Periods: { } periods }) return;
                await workflow.StartAsync(new DivorceInput(data.DivorceId, periods.CoolingOffEndsAt, periods.AppearanceEndsAt), ct);
                break;
            case DivorceRepository.Withdrawn:
                await workflow.WithdrawnAsync(data.DivorceId, notice, ct);
                break;
            default:
                await workflow.RegisteredAsync(data.DivorceId, notice, ct);
                break;
        }
    }
}
