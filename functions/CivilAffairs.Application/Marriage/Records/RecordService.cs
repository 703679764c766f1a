using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Marriage.Records;

/// <summary>
/// The marriage archive: a party reads their own records and certificates (with the certificate's QR code); an authorised
/// institution (a court, a notary office — configured by code, the institution's accounts carry it as their channel) queries one
/// record with a purpose and a case reference, audited, and a court records an annulment. The "currently married" check reads the
/// register's guard rows by blind index; a marriage whose spouse the death register knows to have died ends there and then
/// (status ended, certificates <see cref="CertificateState.Ended"/>), as it does when the death is recorded
/// (<see cref="MarriageDeathHandler"/>).
/// </summary>
public sealed class RecordService(RecordRepository records, OfficeRepository offices, MarriageParties parties, DeathRegister deaths,
    ICertificateIssuer issuer, AuditLog audit, IOptions<MarriageOptions> options, TimeProvider clock, ILogger<RecordService> logger)
{
    Dictionary<string, ArchiveInstitution> Institutions => options.Value.Archive.Institutions;

    /// <summary>"Currently married" in the register (a marriage that a recorded death has ended is ended first).</summary>
    public async Task<bool> IsMarriedAsync(string index, CancellationToken ct)
    {
        if (await records.CurrentOfAsync(index, ct) is not { } recordId) return false;
        if (await records.GetAsync(recordId, ct) is not { } stored) return true;
        if (stored.Record.Status == RecordStatus.Married && await EndIfWidowedAsync(stored, ct)) return false;
        return RecordRules.IsCurrent(stored.Record.Status);
    }

    /// <summary>Ends the marriage when the death register knows that a spouse died. True when it ended (now or before).</summary>
    async Task<bool> EndIfWidowedAsync(StoredRecord stored, CancellationToken ct)
    {
        foreach (var index in stored.Record.PartyIndexes)
            if (await deaths.DateOfDeathAsync(index, stored.Record.District, ct) is { } died)
            {
                await EndByDeathAsync(stored.Record.Id, died, ct);
                return true;
            }
        return false;
    }

    /// <summary>The death of a spouse ends the marriage: certificates ended in the status list, the record ended, the guards released. Idempotent.</summary>
    public async Task EndByDeathAsync(string recordId, DateOnly died, CancellationToken ct) =>
        await EndAsync(recordId, RecordStatus.EndedByDeath, died, "deathRegister", null, ct);

    async Task<StoredRecord?> EndAsync(string recordId, RecordStatus status, DateOnly on, string by, string? reference, CancellationToken ct)
    {
        var stored = await records.GetAsync(recordId, ct);
        if (stored is null) return null;
        if (stored.Record.Status == RecordStatus.Married)
        {
            foreach (var c in stored.Record.Current) await issuer.SetStateAsync(c.Number, CertificateState.Ended, ct);
            stored = await Optimistic.RetryAsync($"record {recordId}", async () =>
            {
                var fresh = (await records.GetAsync(recordId, ct))!;
                if (fresh.Record.Status != RecordStatus.Married) return fresh;
                var ended = fresh.Record with
                {
                    Status = status, EndedOn = on, EndedBy = by, EndReference = reference,
                    Certificates = [.. fresh.Record.Certificates.Select(c => c.State == CertificateState.Valid ? c with { State = CertificateState.Ended } : c)],
                };
                var etag = await records.SaveAsync(ended, fresh.Parties, fresh.ETag, [RecordRepository.Event(RecordRepository.EndedEvent, ended)], ct);
                return fresh with { Record = ended, ETag = etag };
            }, ct);
        }
        if (stored.Record.Status is RecordStatus.EndedByDeath or RecordStatus.Annulled)
        {
            await records.IndexAsync(stored.Record, ct);
            await records.ReleaseCurrentAsync(stored.Record.PartyIndexes, recordId, ct);
        }
        return stored;
    }

    // ---------------------------------------------------------------- a party's own records

    public async Task<Result<RecordList>> ListOwnAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var items = new List<RecordView>();
        foreach (var id in await records.RecordsOfAsync(me.IdIndex, ct))
            if (await records.GetAsync(id, ct) is { } stored && stored.Record.Status != RecordStatus.Registering)
            {
                if (stored.Record.Status == RecordStatus.Married && await EndIfWidowedAsync(stored, ct)) stored = (await records.GetAsync(id, ct))!;
                items.Add(await ViewAsync(stored, stored.Record.PartyIndexes.ToList().IndexOf(me.IdIndex), ct));
            }
        await audit.AppendAsync(caller, new AuditEvent("marriage.record.list", AuditOutcome.Success, me.IdIndex, Detail: items.Count.ToString()), requestId, ct);
        return Result.Ok(new RecordList(items.Count, [.. items.OrderByDescending(i => i.RegisteredOn)]));
    }

    public async Task<Result<RecordView>> GetOwnAsync(CallContext call, string recordId)
    {
        var own = await OwnAsync(call, recordId, "marriage.record.read");
        if (own.Problem is { } p) return p;
        var (stored, party) = own.Value;
        return Result.Ok(await ViewAsync(stored, party, call.Cancellation));
    }

    /// <summary>The PNG of one of the caller's own certificates (the QR code printed on the paper certificate).</summary>
    public async Task<Result<FileBody>> QrAsync(CallContext call, string number)
    {
        var (caller, requestId, ct) = call;
        var recordId = await records.RecordOfCertificateAsync(number, ct);
        if (recordId is null) return CertificateNotFound();
        var own = await OwnAsync(call, recordId, "marriage.certificate.qr");
        if (own.Problem is not null) return CertificateNotFound();
        var png = await issuer.QrPngAsync(number, ct);
        if (png is null) return CertificateNotFound();
        return Result.Ok(new FileBody(png, "image/png", $"{number}.png"));
    }

    async Task<Result<(StoredRecord, int)>> OwnAsync(CallContext call, string recordId, string action)
    {
        var (caller, requestId, ct) = call;
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var stored = await records.GetAsync(recordId, ct);
        var party = stored?.Record.PartyIndexes.ToList().IndexOf(me.IdIndex) ?? -1;
        if (stored is null || party < 0 || stored.Record.Status == RecordStatus.Registering)
        {
            if (stored is not null) await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, me.IdIndex, Detail: $"{recordId}:outOfScope"), requestId, ct);
            return MarriageProblems.RecordNotFound();
        }
        if (stored.Record.Status == RecordStatus.Married && await EndIfWidowedAsync(stored, ct)) stored = (await records.GetAsync(recordId, ct))!;
        await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Success, me.IdIndex, Detail: recordId), requestId, ct);
        return Result.Ok((stored, party));
    }

    /// <summary>The record as the registrar who just served it sees it (unmasked).</summary>
    public async Task<Result<RecordView>> ViewForAsync(CallContext call, string recordId, Success how)
    {
        var stored = await records.GetAsync(recordId, call.Cancellation);
        if (stored is null) return MarriageProblems.RecordNotFound();
        var view = await ViewAsync(stored, null, call.Cancellation);
        return how == Success.Created ? Result.Created(view, $"/api/marriage/records/{recordId}") : Result.Ok(view);
    }

    // ---------------------------------------------------------------- authorised institutions

    /// <summary>
    /// One record for a court or notary office: by certificate number or by a party's ID number (their current marriage, else the
    /// latest record). A purpose and a case reference are required (400 <c>ARCHIVE_PURPOSE_REQUIRED</c>, audited); an institution
    /// that is not authorised gets 404 like a missing record (audited). Every answer is audited with purpose and case reference.
    /// </summary>
    public async Task<Result<RecordView>> QueryAsync(CallContext call, ArchiveQuery query)
    {
        var (caller, requestId, ct) = call;
        var institution = caller.Channel is { } code && Institutions.TryGetValue(code, out var found) ? found : null;
        var reference = query.CaseReference?.Trim();
        if (query.Purpose is null || string.IsNullOrEmpty(reference) || reference.Length > 60 || TextRules.Check(reference) is not null)
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.archive.query", AuditOutcome.Denied, Detail: "noPurpose"), requestId, ct);
            return Problem.Invalid([new FieldError("purpose", "请说明查询用途：litigation（审理案件）、enforcement（执行）或 notarization（办理公证）。"),
                new FieldError("caseReference", "请填写案号或公证案卷号（不超过 60 个字符）。")], "查询婚姻登记档案须说明用途并提供案号。", "ARCHIVE_PURPOSE_REQUIRED", "须说明查询用途");
        }
        var hasNumber = !string.IsNullOrWhiteSpace(query.CertificateNumber);
        var id = IdNumber.Validate(query.IdNumber, ChinaTime.Today(clock));
        if (hasNumber == (query.IdNumber is not null) || !hasNumber && !id.IsValid)
            return Problem.Invalid("certificateNumber", "请提供证件字号（certificateNumber）或一方的身份证号码（idNumber）之一。", "ARCHIVE_QUERY_INVALID");
        var detail = $"{query.Purpose}:{reference}";
        if (institution is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.archive.query", AuditOutcome.Denied, Detail: $"{detail}:notAuthorised"), requestId, ct);
            return MarriageProblems.RecordNotFound();
        }
        string? recordId;
        string? subject = null;
        if (hasNumber) recordId = await records.RecordOfCertificateAsync(query.CertificateNumber!.Trim(), ct);
        else
        {
            subject = parties.IndexOf(id.Normalized);
            recordId = await records.CurrentOfAsync(subject, ct);
            if (recordId is null || (await records.GetAsync(recordId, ct))?.Record.Status == RecordStatus.Registering)
                recordId = (await records.RecordsOfAsync(subject, ct)).Order().LastOrDefault();
        }
        var stored = recordId is null ? null : await records.GetAsync(recordId, ct);
        if (stored is null || stored.Record.Status == RecordStatus.Registering)
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.archive.query", AuditOutcome.NotFound, subject, Detail: detail), requestId, ct);
            return MarriageProblems.RecordNotFound();
        }
        if (stored.Record.Status == RecordStatus.Married && await EndIfWidowedAsync(stored, ct)) stored = (await records.GetAsync(stored.Record.Id, ct))!;
        foreach (var index in stored.Record.PartyIndexes)
            await audit.AppendAsync(caller, new AuditEvent("marriage.archive.query", AuditOutcome.Success, index, Detail: $"{detail}:{stored.Record.Id}:{institution.Name}"), requestId, ct);
        return Result.Ok(await ViewAsync(stored, null, ct));
    }

    /// <summary>A court's judgment that the marriage is void or annulled: the record ends and its certificates read as ended.</summary>
    public async Task<Result<RecordView>> AnnulAsync(CallContext call, string recordId, AnnulmentRequest request)
    {
        var (caller, requestId, ct) = call;
        var court = caller.Channel is { } code && Institutions.TryGetValue(code, out var found) && found.Kind == InstitutionKind.Court ? found : null;
        var stored = await records.GetAsync(recordId, ct);
        if (court is null || stored is null || stored.Record.Status == RecordStatus.Registering)
        {
            if (stored is not null) await audit.AppendAsync(caller, new AuditEvent("marriage.annul", AuditOutcome.Denied, stored.Record.PartyIndexes[0], Detail: $"{recordId}:notACourt"), requestId, ct);
            return MarriageProblems.RecordNotFound();
        }
        var reference = request.CaseReference?.Trim();
        var today = ChinaTime.Today(clock);
        if (string.IsNullOrEmpty(reference) || reference.Length > 60 || TextRules.Check(reference) is not null || request.JudgedOn is not { } judged || judged > today || judged < stored.Record.RegisteredOn)
            return Problem.Invalid([new FieldError("caseReference", "请填写判决书案号（不超过 60 个字符）。"), new FieldError("judgedOn", "请填写判决生效日期（不早于登记日期，不晚于今天）。")]);
        if (RecordRules.CanEnd(stored.Record.Status) is { } no) return MarriageProblems.Rejected(no);
        var ended = await EndAsync(recordId, RecordStatus.Annulled, judged, caller.Subject, reference, ct);
        foreach (var index in stored.Record.PartyIndexes)
            await audit.AppendAsync(caller, new AuditEvent("marriage.annul", AuditOutcome.Success, index, Detail: $"{recordId}:{reference}"), requestId, ct);
        return Result.Ok(await ViewAsync(ended!, null, ct));
    }

    // ---------------------------------------------------------------- views

    /// <summary>The record with its certificates: <paramref name="you"/> sees their own data unmasked and the other party's masked; null: everything unmasked (registrar, institution).</summary>
    async Task<RecordView> ViewAsync(StoredRecord s, int? you, CancellationToken ct)
    {
        var r = s.Record;
        var office = await offices.GetAsync(r.OfficeId, ct);
        var certificates = new List<CertificateView>();
        foreach (var c in r.Certificates.Where(c => you is null || c.Party == you))
        {
            IssuedCertificate? issued = null;
            try { issued = await issuer.FindAsync(c.Number, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning("Certificate lookup failed: {Error}", e.GetType().Name); }
            var holder = s.Parties.ElementAtOrDefault(c.Party)?.Name ?? "";
            certificates.Add(new CertificateView(c.Number, c.Kind, c.Kind.ChineseName(), c.Party + 1, you is null || you == c.Party ? holder : Masking.MaskName(holder)!,
                c.State, c.IssuedOn, c.ReplacedBy, issued?.KeyId, issued?.StatusListId, issued?.StatusIndex, issued?.QrText, $"/api/marriage/certificates/{c.Number}/qr.png"));
        }
        var partyViews = s.Parties.Select((p, i) =>
        {
            var open = you is null || you == i;
            return new RecordPartyView(i + 1, open ? p.Name : Masking.MaskName(p.Name)!, open ? p.IdNumber : Masking.MaskIdNumber(p.IdNumber)!, p.Nationality, open ? p.Occupation : null, you == i);
        }).ToList();
        return new RecordView(r.Id, r.Status, r.Status.ChineseName(), r.RegisteredOn, r.OfficeId, office?.Name ?? r.OfficeId, partyViews, certificates, r.EndedOn, r.EndReference, r.DivorceId);
    }

    static Problem CertificateNotFound() => Problem.NotFound("CERTIFICATE_NOT_FOUND", "证件不存在", "没有找到该婚姻登记证，或您无权查看。");
}

/// <summary>
/// Tell Us Once in the marriage register (<c>person.died</c>, subscriber <c>marriage</c>): the current marriage of the deceased
/// (the register's <c>current</c> guard of their blind index) ends by death — record ended, certificates
/// <see cref="CertificateState.Ended"/> in the status list, guards released, <c>marriage.ended</c> through the outbox
/// (<see cref="RecordService.EndByDeathAsync"/>). Idempotent: a marriage already ended by this death (a redelivery, or the
/// register ended it on a read) answers the same. Audited as the system.
/// </summary>
public sealed class MarriageDeathSubscriber(RecordRepository records, RecordService service, AuditLog audit) : ILifeEventSubscriber
{
    public const string SubscriberName = "marriage";
    public const string Widowed = "婚姻登记：婚姻状况已更新为丧偶。";
    public const string NothingHeld = "婚姻登记：无在册婚姻记录。";

    public string Name => SubscriberName;
    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public async Task<string> HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var died = e.DataAs<PersonDiedData>();
        var index = died.PersonIndex;
        if (await records.CurrentOfAsync(index, ct) is { } recordId && await records.GetAsync(recordId, ct) is { Record.Status: RecordStatus.Married })
        {
            await service.EndByDeathAsync(recordId, died.DateOfDeath, ct);
            await audit.AppendAsync(null, new AuditEvent("marriage.endByDeath", AuditOutcome.Success, index, Detail: $"{recordId}: death {died.DeathId}"), e.Id, ct);
            return Widowed;
        }
        foreach (var id in (await records.RecordsOfAsync(index, ct)).Order().Reverse())
            if (await records.GetAsync(id, ct) is { Record: { Status: RecordStatus.EndedByDeath, EndedOn: { } on } } && on == died.DateOfDeath)
                return Widowed;
        await audit.AppendAsync(null, new AuditEvent("marriage.endByDeath", AuditOutcome.NotFound, index, Detail: $"death {died.DeathId}"), e.Id, ct);
        return NothingHeld;
    }
}
