using System.Security.Cryptography;
using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Marriage.Statistics;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Marriage.Records;

/// <summary>
/// The registrar serves a booking: a marriage is checked (<see cref="MarriageLaw"/>) and registered, a divorce registered after
/// the cooling-off, a replacement certificate (补领) issued under a new number. Nothing is ever half-registered: each step first
/// fixes what it will create (record id and certificate numbers on the booking, the divorce or the record) with an ETag, then
/// claims the register's guards, then has the certificates issued (idempotent per number at the issuer), and only then makes
/// the record visible; when the issuer fails the caller gets 503 and the same request later resumes where it stopped, with the
/// same numbers. The register's current-marriage guards are claimed before the certificates exist, so two registrations of one
/// person cannot both succeed.
/// </summary>
public sealed class RegistrationService(BookingService bookingService, BookingRepository bookings, RecordRepository records, RecordService recordService,
    DivorceRepository divorces, OfficeRepository offices, MarriageParties parties, ICertificateIssuer issuer, MarriageStatistics statistics,
    AuditLog audit, TimeProvider clock, ILogger<RegistrationService> logger)
{
    /// <summary>The legal checks of a marriage booking, as they stand now (nothing is changed).</summary>
    public async Task<Result<LegalCheckReport>> CheckAsync(CallContext call, string bookingId, AttendanceRequest body)
    {
        var (caller, requestId, ct) = call;
        var access = await bookingService.AccessAsync(call, bookingId, "checks", allowRegistrar: true, allowParty: false);
        if (access.Problem is { } p) return p;
        var b = access.Value!.Booking;
        if (b.Record.Kind != ServiceKind.Marriage) return Problem.Conflict("CHECKS_ONLY_FOR_MARRIAGE", "无需审查", "婚姻登记审查只适用于结婚登记预约。");
        var report = await EvaluateAsync(b, body.PartiesPresent == true, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.checks", report.Passed ? AuditOutcome.Success : AuditOutcome.Failed, b.Record.PartyIndexes[0],
            Detail: $"{bookingId}:{string.Join(",", report.Failed.Select(c => c.Code).Distinct())}"), requestId, ct);
        return Result.Ok(report);
    }

    /// <summary>Serves the booking by its kind: registers the marriage or the divorce, or issues the replacement certificate.</summary>
    public async Task<Result<RecordView>> ServeAsync(CallContext call, string bookingId, AttendanceRequest body)
    {
        var access = await bookingService.AccessAsync(call, bookingId, "serve", allowRegistrar: true, allowParty: false);
        if (access.Problem is { } p) return p;
        var booking = access.Value!.Booking;
        try
        {
            return booking.Record.Kind switch
            {
                ServiceKind.Marriage => await RegisterMarriageAsync(call, booking, body.PartiesPresent == true),
                ServiceKind.Divorce => await RegisterDivorceAsync(call, booking, body.PartiesPresent == true),
                _ => await ReplaceAsync(call, booking, body.PartiesPresent == true),
            };
        }
        catch (Exception e) when (e is IssuerException)
        {
            logger.LogWarning("Certificate issuer failed while serving booking {BookingId}: {Error}", bookingId, e.InnerException?.GetType().Name);
            await audit.AppendAsync(call.Caller, new AuditEvent("marriage.serve", AuditOutcome.Failed, booking.Record.PartyIndexes[0], Detail: $"{bookingId}:issuerUnavailable"), call.RequestId, call.Cancellation);
            return MarriageProblems.IssuerUnavailable();
        }
    }

    // ---------------------------------------------------------------- marriage

    async Task<Result<RecordView>> RegisterMarriageAsync(CallContext call, StoredBooking booking, bool present)
    {
        var (caller, requestId, ct) = call;
        if (booking.Record is { Status: BookingStatus.Served, Registration: { } done }) return await recordService.ViewForAsync(call, done.RecordId, Success.Ok);
        if (booking.Record.Status != BookingStatus.Booked) return MarriageProblems.Rejected(new Rejection("BOOKING_NOT_LIVE", "该预约已取消或已记为未到。", RejectionKind.State));
        var office = await offices.GetAsync(booking.Record.OfficeId, ct) ?? throw new InvalidOperationException($"Office {booking.Record.OfficeId} is gone.");

        if (booking.Record.Registration is null)
        {
            var report = await EvaluateAsync(booking, present, ct);
            if (!report.Passed)
            {
                await audit.AppendAsync(caller, new AuditEvent("marriage.register", AuditOutcome.Failed, booking.Record.PartyIndexes[0],
                    Detail: $"{booking.Record.Id}:{string.Join(",", report.Failed.Select(c => c.Code).Distinct())}"), requestId, ct);
                return MarriageProblems.ChecksFailed(report);
            }
            var today = ChinaTime.Today(clock);
            var marker = new RegistrationMarker(Platform.Ids.New(clock), [await NewNumberAsync(false, office, today, ct), await NewNumberAsync(false, office, today, ct)], today);
            try { booking = await bookings.SaveAsync(booking with { Record = booking.Record with { Registration = marker } }, ct); }
            catch (Azure.RequestFailedException e) when (e.Status == 412) { booking = (await bookings.GetAsync(booking.Record.Id, ct))!; }
            if (booking.Record.Registration is null) return Problem.Conflict("CONCURRENT_UPDATE", "数据正被他人修改", "该预约正被他人同时办理，请稍后重试。");
        }
        var reg = booking.Record.Registration!;

        // The register's guards first: from here on neither party can be married to anyone else.
        if (await records.ClaimCurrentAsync(booking.Record.PartyIndexes, reg.RecordId, ct) is not null)
        {
            await Optimistic.RetryAsync($"booking {booking.Record.Id}", async () =>
            {
                var fresh = (await bookings.GetAsync(booking.Record.Id, ct))!;
                if (fresh.Record.Registration?.RecordId == reg.RecordId) await bookings.SaveAsync(fresh with { Record = fresh.Record with { Registration = null } }, ct);
            }, ct);
            await audit.AppendAsync(caller, new AuditEvent("marriage.register", AuditOutcome.Failed, booking.Record.PartyIndexes[0], Detail: $"{booking.Record.Id}:{MarriageLaw.MarriedCode}"), requestId, ct);
            return MarriageProblems.ChecksFailed(new LegalCheckReport([new LegalCheck(MarriageLaw.MarriedCode, false, "一方在婚姻登记记录中已有存续的婚姻（刚刚登记），不予登记。")]));
        }

        var stored = await records.GetAsync(reg.RecordId, ct);
        var recordParties = booking.Parties.Select(p => new RecordParty(p.Name, p.IdNumber, p.Nationality ?? "中国", p.Occupation)).ToList();
        if (stored is null)
        {
            var pending = new MarriageRecord(reg.RecordId, office.Id, office.District, RecordStatus.Registering, reg.RegisteredOn, booking.Record.Id,
                booking.Record.PartyIndexes, [], caller.Subject);
            var etag = await records.SaveAsync(pending, recordParties, default, [], ct);
            stored = new StoredRecord(pending, recordParties, etag);
        }

        var names = recordParties.Select(p => p.Name).ToList();
        var certificates = new List<CertificateEntry>();
        for (var i = 0; i < reg.CertificateNumbers.Count; i++)
        {
            await IssueAsync(new CertificateIssueRequest(CertificateKind.Marriage, reg.CertificateNumbers[i], reg.RecordId, names, reg.RegisteredOn, office.Id), ct);
            certificates.Add(new CertificateEntry(reg.CertificateNumbers[i], CertificateKind.Marriage, i, CertificateState.Valid, reg.RegisteredOn));
        }

        if (stored.Record.Status == RecordStatus.Registering)
        {
            var married = stored.Record with { Status = RecordStatus.Married, Certificates = certificates };
            await records.SaveAsync(married, stored.Parties, stored.ETag, [RecordRepository.Event(RecordRepository.RegisteredEvent, married)], ct);
            stored = stored with { Record = married };
        }
        await records.IndexAsync(stored.Record, ct);
        await FinishBookingAsync(booking, caller, ct);
        await statistics.RecordAsync(office.Id, clock.GetUtcNow(), MarriageMetric.Registration, reg.RecordId, null, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.register", AuditOutcome.Success, booking.Record.PartyIndexes[0], Detail: $"{booking.Record.Id}:{reg.RecordId}"), requestId, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.register", AuditOutcome.Success, booking.Record.PartyIndexes[1], Detail: $"{booking.Record.Id}:{reg.RecordId}"), requestId, ct);
        return await recordService.ViewForAsync(call, reg.RecordId, Success.Created);
    }

    /// <summary>The facts of a marriage booking run through <see cref="MarriageLaw.CheckMarriage"/> on today's date.</summary>
    async Task<LegalCheckReport> EvaluateAsync(StoredBooking booking, bool present, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var facts = new List<PartyFacts>();
        for (var i = 0; i < 2; i++)
        {
            var p = booking.Parties[i];
            var id = IdNumber.Validate(p.IdNumber, today);
            var label = id.IsValid ? (id.Sex == Sex.Male ? "男方" : "女方") : $"当事人{i + 1}";
            if (facts.Count == 1 && facts[0].Label == label) label = $"{label}（当事人{i + 1}）";
            facts.Add(new PartyFacts(label, p.IdNumber, await parties.VerifiedAsync(p.IdNumber, p.Name, today, ct),
                await recordService.IsMarriedAsync(booking.Record.PartyIndexes[i], ct), p.ConfirmedAt is not null && p.StatesNoSpouse, p.ConfirmedAt is not null && p.StatesNoKinship));
        }
        return MarriageLaw.CheckMarriage(facts[0], facts[1], present, today);
    }

    // ---------------------------------------------------------------- divorce

    async Task<Result<RecordView>> RegisterDivorceAsync(CallContext call, StoredBooking booking, bool present)
    {
        var (caller, requestId, ct) = call;
        var divorce = booking.Record.DivorceId is { } d ? await divorces.GetAsync(d, ct) : null;
        if (divorce is null) return MarriageProblems.DivorceNotFound();
        if (divorce.Record.Status == DivorceStatus.Registered) return await recordService.ViewForAsync(call, divorce.Record.RecordId, Success.Ok);
        if (!present) return MarriageProblems.Rejected(new Rejection(MarriageLaw.PresentCode, "离婚登记须双方本人亲自到场（《民法典》第一千零七十七条），登记员未确认双方到场。", RejectionKind.Refused));
        var office = await offices.GetAsync(booking.Record.OfficeId, ct) ?? throw new InvalidOperationException($"Office {booking.Record.OfficeId} is gone.");
        var today = ChinaTime.Today(clock);

        if (divorce.Record.Registration is null)
        {
            if (DivorceRules.CanRegister(divorce.Record.Status, divorce.Record.Periods, clock.GetUtcNow()) is { } no)
            {
                await audit.AppendAsync(caller, new AuditEvent("marriage.divorce.register", AuditOutcome.Failed, divorce.Record.PartyIndexes[0], Detail: $"{divorce.Record.Id}:{no.Code}"), requestId, ct);
                return MarriageProblems.Rejected(no);
            }
            var registration = new DivorceRegistration(booking.Record.Id, [await NewNumberAsync(true, office, today, ct), await NewNumberAsync(true, office, today, ct)], today, caller.Subject);
            try
            {
                var etag = await divorces.SaveAsync(divorce.Record with { Registration = registration }, divorce.Agreement, divorce.ETag, [], caller.Subject, ct);
                divorce = divorce with { Record = divorce.Record with { Registration = registration }, ETag = etag };
            }
            catch (Azure.RequestFailedException e) when (e.Status == 412) { return Problem.Conflict("CONCURRENT_UPDATE", "数据正被他人修改", "该离婚登记申请刚刚发生变化，请重试。"); }
            catch (Azure.Data.Tables.TableTransactionFailedException e) when (e.Status == 412) { return Problem.Conflict("CONCURRENT_UPDATE", "数据正被他人修改", "该离婚登记申请刚刚发生变化，请重试。"); }
        }
        var reg = divorce.Record.Registration!;
        var marriage = await records.GetAsync(divorce.Record.RecordId, ct) ?? throw new InvalidOperationException($"Record {divorce.Record.RecordId} is gone.");
        var names = marriage.Parties.Select(p => p.Name).ToList();
        for (var i = 0; i < reg.CertificateNumbers.Count; i++)
            await IssueAsync(new CertificateIssueRequest(CertificateKind.Divorce, reg.CertificateNumbers[i], marriage.Record.Id, names, reg.RegisteredOn, office.Id), ct);
        foreach (var c in marriage.Record.Current.Where(c => c.Kind == CertificateKind.Marriage))
            await SetStateAsync(c.Number, CertificateState.Ended, ct);

        if (marriage.Record.Status == RecordStatus.Married)
        {
            var ended = marriage.Record with
            {
                Status = RecordStatus.Divorced, EndedOn = reg.RegisteredOn, EndedBy = caller.Subject, DivorceId = divorce.Record.Id,
                Certificates = [.. marriage.Record.Certificates.Select(c => c.Kind == CertificateKind.Marriage && c.State == CertificateState.Valid ? c with { State = CertificateState.Ended } : c),
                    .. reg.CertificateNumbers.Select((n, i) => new CertificateEntry(n, CertificateKind.Divorce, i, CertificateState.Valid, reg.RegisteredOn))],
            };
            await records.SaveAsync(ended, marriage.Parties, marriage.ETag, [RecordRepository.Event(RecordRepository.EndedEvent, ended)], ct);
            marriage = marriage with { Record = ended };
        }
        await records.IndexAsync(marriage.Record, ct);
        await records.ReleaseCurrentAsync(marriage.Record.PartyIndexes, marriage.Record.Id, ct);
        await records.ReleaseDivorceAsync(marriage.Record.Id, divorce.Record.Id, ct);
        await Optimistic.RetryAsync($"divorce {divorce.Record.Id}", async () =>
        {
            var fresh = (await divorces.GetAsync(divorce.Record.Id, ct))!;
            if (fresh.Record.Status == DivorceStatus.Registered) return;
            await divorces.SaveAsync(fresh.Record with { Status = DivorceStatus.Registered, ClosedAt = clock.GetUtcNow(), ClosedBy = caller.Subject }, fresh.Agreement, fresh.ETag,
                [DivorceRepository.Registered], caller.Subject, ct);
        }, ct);
        await FinishBookingAsync(booking, caller, ct);
        await statistics.RecordAsync(office.Id, clock.GetUtcNow(), MarriageMetric.Divorce, divorce.Record.Id, null, ct);
        foreach (var index in marriage.Record.PartyIndexes)
            await audit.AppendAsync(caller, new AuditEvent("marriage.divorce.register", AuditOutcome.Success, index, Detail: $"{divorce.Record.Id}:{marriage.Record.Id}"), requestId, ct);
        return await recordService.ViewForAsync(call, marriage.Record.Id, Success.Created);
    }

    // ---------------------------------------------------------------- replacement (补领)

    async Task<Result<RecordView>> ReplaceAsync(CallContext call, StoredBooking booking, bool present)
    {
        var (caller, requestId, ct) = call;
        var stored = booking.Record.RecordId is { } r ? await records.GetAsync(r, ct) : null;
        if (stored is null) return MarriageProblems.RecordNotFound();
        if (booking.Record.Status == BookingStatus.Served) return await recordService.ViewForAsync(call, stored.Record.Id, Success.Ok);
        if (booking.Record.Status != BookingStatus.Booked) return MarriageProblems.Rejected(new Rejection("BOOKING_NOT_LIVE", "该预约已取消或已记为未到。", RejectionKind.State));
        if (!present) return MarriageProblems.Rejected(new Rejection(MarriageLaw.PresentCode, "补领婚姻登记证须当事人本人到场，登记员未确认本人到场。", RejectionKind.Refused));
        if (RecordRules.CanReplace(stored.Record.Status) is { } no) return MarriageProblems.Rejected(no);
        var party = stored.Record.PartyIndexes.ToList().IndexOf(booking.Record.PartyIndexes[0]);
        var office = await offices.GetAsync(booking.Record.OfficeId, ct) ?? throw new InvalidOperationException($"Office {booking.Record.OfficeId} is gone.");

        if (stored.Record.Replacement is not { } pending || pending.BookingId != booking.Record.Id)
        {
            var old = stored.Record.Current.FirstOrDefault(c => c.Party == party);
            if (old is null) return Problem.Conflict("NO_CERTIFICATE_TO_REPLACE", "没有可补领的证件", "该记录中没有您当前持有的婚姻登记证。");
            pending = new PendingReplacement(old.Number, await NewNumberAsync(old.Kind == CertificateKind.Divorce, office, ChinaTime.Today(clock), ct), booking.Record.Id);
            try
            {
                var etag = await records.SaveAsync(stored.Record with { Replacement = pending }, stored.Parties, stored.ETag, [], ct);
                stored = stored with { Record = stored.Record with { Replacement = pending }, ETag = etag };
            }
            catch (Azure.Data.Tables.TableTransactionFailedException e) when (e.Status == 412) { return Problem.Conflict("CONCURRENT_UPDATE", "数据正被他人修改", "该记录刚刚发生变化，请重试。"); }
        }
        var replaced = stored.Record.Certificates.Single(c => c.Number == pending.OldNumber);
        var names = stored.Parties.Select(p => p.Name).ToList();
        await IssueAsync(new CertificateIssueRequest(replaced.Kind, pending.NewNumber, stored.Record.Id, names,
            replaced.Kind == CertificateKind.Divorce ? replaced.IssuedOn : stored.Record.RegisteredOn, office.Id), ct);
        var state = replaced.State == CertificateState.Ended ? CertificateState.Ended : CertificateState.Valid;
        if (state == CertificateState.Ended) await SetStateAsync(pending.NewNumber, CertificateState.Ended, ct);
        await SetStateAsync(pending.OldNumber, CertificateState.Revoked, ct);

        var today = ChinaTime.Today(clock);
        var next = stored.Record with
        {
            Replacement = null,
            Certificates = [.. stored.Record.Certificates.Select(c => c.Number == pending.OldNumber ? c with { State = CertificateState.Revoked, ReplacedBy = pending.NewNumber } : c),
                new CertificateEntry(pending.NewNumber, replaced.Kind, replaced.Party, state, today)],
        };
        await records.SaveAsync(next, stored.Parties, stored.ETag, [], ct);
        await records.IndexAsync(next, ct);
        await FinishBookingAsync(booking, caller, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.replace", AuditOutcome.Success, booking.Record.PartyIndexes[0], Detail: $"{stored.Record.Id}:{pending.OldNumber}->{pending.NewNumber}"), requestId, ct);
        return await recordService.ViewForAsync(call, stored.Record.Id, Success.Created);
    }

    // ---------------------------------------------------------------- helpers

    async Task FinishBookingAsync(StoredBooking booking, Caller caller, CancellationToken ct)
    {
        await Optimistic.RetryAsync($"booking {booking.Record.Id}", async () =>
        {
            var fresh = (await bookings.GetAsync(booking.Record.Id, ct))!;
            if (fresh.Record.Status == BookingStatus.Served) return;
            await bookings.SaveAsync(fresh with { Record = fresh.Record with { Status = BookingStatus.Served, ServedAt = clock.GetUtcNow(), ServedBy = caller.Subject } }, ct);
        }, ct);
        await bookings.MarkAsync(booking.Record.OfficeId, booking.Record.Date, booking.Record.Time, booking.Record.Id, BookingStatus.Served, ct);
        await bookings.ReleaseLiveAsync(booking.Record.PartyIndexes, booking.Record.Id, ct);
    }

    async Task<string> NewNumberAsync(bool divorce, RegistryOffice office, DateOnly today, CancellationToken ct)
    {
        while (true)
        {
            var number = RecordRules.CertificateNumber(divorce, office.District, today.Year, RandomNumberGenerator.GetInt32(100_000_000));
            if (await records.RecordOfCertificateAsync(number, ct) is null) return number;
        }
    }

    async Task IssueAsync(CertificateIssueRequest request, CancellationToken ct)
    {
        try { await issuer.IssueAsync(request, ct); }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { throw new IssuerException(e); }
    }

    async Task SetStateAsync(string number, CertificateState state, CancellationToken ct)
    {
        try { await issuer.SetStateAsync(number, state, ct); }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { throw new IssuerException(e); }
    }
}

/// <summary>The certificate issuer failed; the step is left to be resumed by the same request later.</summary>
public sealed class IssuerException(Exception inner) : Exception("The certificate issuer failed.", inner);
