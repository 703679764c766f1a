using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Marriage.Records;
using CivilAffairs.Application.Marriage.Statistics;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Marriage.Bookings;

/// <summary>A booking read for someone: the booking and, for a citizen, which party they are (0 or 1).</summary>
public sealed record BookingAccess(StoredBooking Booking, int? Party);

/// <summary>
/// Appointments at the registry offices and the pre-collection (预填) of a marriage booking. Citizens book a slot at any office
/// for a marriage, a divorce or a replacement certificate (one live booking per party, so per couple), cancel or move it until the
/// slot starts; each party fills in and confirms their own data and statements with their own account — never the other's — and
/// gives a photo through the shared upload checks. The office's registrars see the day's worklist and each case; a booking nobody
/// came to is a no-show (marked by the registrar or by the nightly sweep), and too many no-shows block online booking for a while.
/// Objects out of reach answer 404 <c>BOOKING_NOT_FOUND</c>, audited.
/// </summary>
public sealed class BookingService(BookingRepository bookings, OfficeRepository offices, RecordRepository records, DivorceRepository divorces,
    MarriageParties parties, MarriageStatistics statistics, BlobServiceClient blobs, HolidayCalendar calendar, AuditLog audit,
    IOptions<MarriageOptions> options, TimeProvider clock)
{
    public const string PhotoContainer = "marriage-photos";
    public const long MaxPhotoBytes = 2 * 1024 * 1024;
    static readonly UploadKind[] PhotoKinds = [UploadKind.Jpeg, UploadKind.Png];

    BookingTerms Terms => options.Value.BookingTerms;

    // ---------------------------------------------------------------- booking

    public async Task<Result<BookingView>> BookAsync(CallContext call, BookingRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (request.Kind is null) errors.Add(new FieldError("kind", "请选择办理事项：marriage（结婚登记）、divorce（离婚登记）或 replacement（补领婚姻登记证）。"));
        if (request.Date is null) errors.Add(new FieldError("date", "请选择预约日期（yyyy-MM-dd）。"));
        if (!OfficeRepository.TryTime(request.Time, out var time)) errors.Add(new FieldError("time", "请选择预约时段（HH:mm）。"));
        if (string.IsNullOrEmpty(request.OfficeId)) errors.Add(new FieldError("officeId", "请选择婚姻登记处。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (await parties.OfCallerAsync(caller, ct) is not { } me) return MarriageProblems.RealNameRequired();
        var office = await offices.GetAsync(request.OfficeId!, ct);
        if (office is null) return MarriageProblems.OfficeNotFound();
        var now = clock.GetUtcNow();
        if (Appointments.CheckSlot(office, request.Date!.Value, time, now, calendar, Terms) is { } slotRejection) return MarriageProblems.Rejected(slotRejection);

        var who = await PartiesForAsync(call, me, request);
        if (who.Problem is { } problem) return problem;
        var (indexes, data, divorceId, recordId) = who.Value;
        var today = ChinaTime.DateOf(now);
        foreach (var index in indexes)
            if (Appointments.CheckNoShows(await bookings.NoShowsAsync(index, ct), today, Terms) is { } blocked)
            {
                await audit.AppendAsync(caller, new AuditEvent("marriage.booking.create", AuditOutcome.Denied, index, Detail: blocked.Code), requestId, ct);
                return MarriageProblems.Rejected(blocked);
            }

        var id = Ids.New(clock);
        if (!await bookings.ClaimLiveAsync(indexes, id, ct))
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.booking.create", AuditOutcome.Failed, me.IdIndex, Detail: "alreadyLive"), requestId, ct);
            return Problem.Conflict("BOOKING_ALREADY_LIVE", "已有未办理的预约", "您（或对方）已有一个未办理的婚姻登记预约；请先取消或改约该预约。");
        }
        if (await bookings.ReserveAsync(office.Id, request.Date.Value, time, id, request.Kind!.Value, office.CapacityPerSlot, ct) is { } full)
        {
            await bookings.ReleaseLiveAsync(indexes, id, ct);
            return MarriageProblems.Rejected(full);
        }
        var record = new BookingRecord(id, office.Id, request.Kind.Value, request.Date.Value, time, BookingStatus.Booked, 0, now, indexes, divorceId, recordId);
        await bookings.InsertAsync(record, data, ct);
        await statistics.RecordAsync(office.Id, now, MarriageMetric.Wait, id, Appointments.WaitDays(now, record.SlotStart), ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.booking.create", AuditOutcome.Success, me.IdIndex, Detail: $"{id}:{record.Kind}"), requestId, ct);
        return Result.Created(View(new StoredBooking(record, data, default), office, 0), $"/api/marriage/bookings/{id}");
    }

    /// <summary>Who the booking is for: marriage — the caller and the partner they name; divorce — both parties of the application; replacement — the caller.</summary>
    async Task<Result<(IReadOnlyList<string> Indexes, IReadOnlyList<PartyData> Data, string? DivorceId, string? RecordId)>> PartiesForAsync(CallContext call, PartyIdentity me, BookingRequest request)
    {
        var ct = call.Cancellation;
        switch (request.Kind!.Value)
        {
            case ServiceKind.Marriage:
            {
                var errors = new List<FieldError>();
                var name = request.Partner?.Name?.Trim();
                if (name is null || !PersonIndex.NamePattern().IsMatch(name)) errors.Add(new FieldError("partner.name", "请填写对方姓名（1 到 50 个汉字或字母）。"));
                var id = IdNumber.Validate(request.Partner?.IdNumber, ChinaTime.Today(clock));
                if (!id.IsValid) errors.Add(new FieldError("partner.idNumber", id.Message ?? "对方身份证号码无效。"));
                if (errors.Count > 0) return Problem.Invalid(errors);
                var partner = parties.IndexOf(id.Normalized);
                if (partner == me.IdIndex) return Problem.Invalid("partner.idNumber", "对方不能是您本人。", "PARTNER_IS_YOURSELF");
                return Result.Ok<(IReadOnlyList<string>, IReadOnlyList<PartyData>, string?, string?)>(
                    ([me.IdIndex, partner], [new PartyData(me.Name, me.IdNumber), new PartyData(name!, id.Normalized)], null, null));
            }
            case ServiceKind.Divorce:
            {
                var divorce = request.DivorceId is { } d ? await divorces.GetAsync(d, ct) : null;
                if (divorce is null || !divorce.Record.PartyIndexes.Contains(me.IdIndex)) return Problem.Invalid("divorceId", "请填写您本人的离婚登记申请编号。", "DIVORCE_NOT_FOUND");
                if (divorce.Record.Status is not (DivorceStatus.CoolingOff or DivorceStatus.AwaitingAppearance))
                    return Problem.Conflict("DIVORCE_NOT_OPEN", "离婚登记申请不在办理中", "双方都提交申请后、冷静期届满后三十日内，方可预约到场办理离婚登记。");
                var marriage = await records.GetAsync(divorce.Record.RecordId, ct);
                if (marriage is null) return MarriageProblems.RecordNotFound();
                return Result.Ok<(IReadOnlyList<string>, IReadOnlyList<PartyData>, string?, string?)>(
                    (marriage.Record.PartyIndexes, [.. marriage.Parties.Select(p => new PartyData(p.Name, p.IdNumber))], divorce.Record.Id, marriage.Record.Id));
            }
            default:
            {
                var marriage = request.RecordId is { } r ? await records.GetAsync(r, ct) : null;
                if (marriage is null || !marriage.Record.PartyIndexes.Contains(me.IdIndex)) return Problem.Invalid("recordId", "请填写您本人的婚姻登记记录编号。", "MARRIAGE_RECORD_NOT_FOUND");
                if (RecordRules.CanReplace(marriage.Record.Status) is { } no) return MarriageProblems.Rejected(no);
                return Result.Ok<(IReadOnlyList<string>, IReadOnlyList<PartyData>, string?, string?)>(([me.IdIndex], [new PartyData(me.Name, me.IdNumber)], null, marriage.Record.Id));
            }
        }
    }

    public async Task<Result<BookingView>> GetAsync(CallContext call, string id)
    {
        var access = await AccessAsync(call, id, "read", allowRegistrar: true);
        if (access.Problem is { } p) return p;
        var office = await offices.GetAsync(access.Value!.Booking.Record.OfficeId, call.Cancellation);
        return Result.Ok(View(access.Value.Booking, office, access.Value.Party), Quote(access.Value.Booking.ETag));
    }

    public Task<Result<BookingView>> CancelAsync(CallContext call, string id) => ChangeAsync(call, id, "cancel", async (b, now) =>
    {
        if (Appointments.CanChange(b.Record.Status, b.Record.SlotStart, now) is { } no) return MarriageProblems.Rejected(no);
        var saved = await bookings.SaveAsync(b with { Record = b.Record with { Status = BookingStatus.Cancelled } }, call.Cancellation);
        await bookings.ReleaseAsync(b.Record.OfficeId, b.Record.Date, b.Record.Time, b.Record.Id, BookingStatus.Cancelled, call.Cancellation);
        await bookings.ReleaseLiveAsync(b.Record.PartyIndexes, b.Record.Id, call.Cancellation);
        return Result.Ok(saved);
    });

    public Task<Result<BookingView>> RescheduleAsync(CallContext call, string id, RescheduleRequest request) => ChangeAsync(call, id, "reschedule", async (b, now) =>
    {
        var ct = call.Cancellation;
        if (Appointments.CanReschedule(b.Record.Status, b.Record.SlotStart, now, b.Record.Reschedules, Terms) is { } no) return MarriageProblems.Rejected(no);
        if (request.Date is not { } date || !OfficeRepository.TryTime(request.Time, out var time))
            return Problem.Invalid([new FieldError("date", "请选择新的预约日期（yyyy-MM-dd）和时段（time，HH:mm）。")]);
        var office = await offices.GetAsync(request.OfficeId ?? b.Record.OfficeId, ct);
        if (office is null) return MarriageProblems.OfficeNotFound();
        if (office.Id == b.Record.OfficeId && date == b.Record.Date && time == b.Record.Time)
            return Problem.Invalid("time", "新的时段与原预约相同。", "RESCHEDULE_SAME_SLOT");
        if (Appointments.CheckSlot(office, date, time, now, calendar, Terms) is { } bad) return MarriageProblems.Rejected(bad);
        if (await bookings.ReserveAsync(office.Id, date, time, b.Record.Id, b.Record.Kind, office.CapacityPerSlot, ct) is { } full) return MarriageProblems.Rejected(full);
        var saved = await bookings.SaveAsync(b with { Record = b.Record with { OfficeId = office.Id, Date = date, Time = time, Reschedules = b.Record.Reschedules + 1 } }, ct);
        await bookings.ReleaseAsync(b.Record.OfficeId, b.Record.Date, b.Record.Time, b.Record.Id, BookingStatus.Cancelled, ct);
        return Result.Ok(saved);
    });

    /// <summary>A citizen party's change of the booking, optimistic on the booking row.</summary>
    async Task<Result<BookingView>> ChangeAsync(CallContext call, string id, string action, Func<StoredBooking, DateTimeOffset, Task<Result<StoredBooking>>> change)
    {
        var (caller, requestId, ct) = call;
        int? party = null;
        var result = await Optimistic.RetryAsync<Result<StoredBooking>>($"booking {id}", async () =>
        {
            var access = await AccessAsync(call, id, action, allowRegistrar: false);
            if (access.Problem is { } p) return p;
            party = access.Value!.Party;
            return await change(access.Value.Booking, clock.GetUtcNow());
        }, ct);
        if (result.Problem is { } problem) return problem;
        var saved = result.Value!;
        await audit.AppendAsync(caller, new AuditEvent($"marriage.booking.{action}", AuditOutcome.Success, saved.Record.PartyIndexes[party ?? 0], Detail: id), requestId, ct);
        return Result.Ok(View(saved, await offices.GetAsync(saved.Record.OfficeId, ct), party), Quote(saved.ETag));
    }

    // ---------------------------------------------------------------- the registrar's day

    public async Task<Result<WorklistView>> WorklistAsync(CallContext call, string officeId, string? date)
    {
        var (caller, requestId, ct) = call;
        if (!caller.IsRegistrarOf(officeId) || await offices.GetAsync(officeId, ct) is not { } office)
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.worklist.read", AuditOutcome.Denied, Detail: $"{officeId}:outOfScope"), requestId, ct);
            return MarriageProblems.OfficeNotFound();
        }
        var day = ChinaTime.Today(clock);
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", out day))
            return Problem.InvalidQuery("date", "请用 date=yyyy-MM-dd 指定日期。", "日期格式须为 yyyy-MM-dd");
        var items = new List<WorklistItem>();
        foreach (var (time, bookingId, status) in (await bookings.DayAsync(office.Id, day, ct)).OrderBy(l => l.Time))
        {
            if (status == BookingStatus.Cancelled || await bookings.GetAsync(bookingId, ct) is not { } b || b.Record.OfficeId != office.Id) continue;
            items.Add(new WorklistItem(bookingId, OfficeRepository.Time(time), b.Record.Kind, b.Record.Kind.ChineseName(), b.Record.Status,
                [.. b.Parties.Select(p => p.Name)], IsReady(b), b.Record.RecordId));
        }
        await audit.AppendAsync(caller, new AuditEvent("marriage.worklist.read", AuditOutcome.Success, Detail: $"{office.Id}:{day:yyyy-MM-dd}:{items.Count}"), requestId, ct);
        return Result.Ok(new WorklistView(office.Id, day, items.Count, items));
    }

    /// <summary>The registrar records that nobody came (after the slot started).</summary>
    public async Task<Result<BookingView>> NoShowAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<StoredBooking>>($"booking {id}", async () =>
        {
            var access = await AccessAsync(call, id, "noShow", allowRegistrar: true, allowParty: false);
            if (access.Problem is { } p) return p;
            return await MarkNoShowAsync(access.Value!.Booking, ct);
        }, ct);
        if (result.Problem is { } problem) return problem;
        await audit.AppendAsync(caller, new AuditEvent("marriage.booking.noShow", AuditOutcome.Success, result.Value!.Record.PartyIndexes[0], Detail: id), requestId, ct);
        return Result.Ok(View(result.Value, await offices.GetAsync(result.Value.Record.OfficeId, ct), null));
    }

    async Task<Result<StoredBooking>> MarkNoShowAsync(StoredBooking b, CancellationToken ct)
    {
        if (Appointments.CanMarkNoShow(b.Record.Status, b.Record.SlotStart, clock.GetUtcNow()) is { } no) return MarriageProblems.Rejected(no);
        var saved = await bookings.SaveAsync(b with { Record = b.Record with { Status = BookingStatus.NoShow } }, ct);
        await bookings.MarkAsync(b.Record.OfficeId, b.Record.Date, b.Record.Time, b.Record.Id, BookingStatus.NoShow, ct);
        await bookings.AddNoShowAsync(b.Record.PartyIndexes, b.Record.Id, b.Record.Date, ct);
        await bookings.ReleaseLiveAsync(b.Record.PartyIndexes, b.Record.Id, ct);
        return Result.Ok(saved);
    }

    /// <summary>The nightly sweep: every booking of <paramref name="date"/> still live at every office becomes a no-show. Returns how many.</summary>
    public async Task<int> SweepNoShowsAsync(DateOnly date, CancellationToken ct)
    {
        var count = 0;
        foreach (var office in await offices.ListAsync(ct))
            foreach (var (_, bookingId, status) in await bookings.DayAsync(office.Id, date, ct))
            {
                if (status != BookingStatus.Booked) continue;
                var marked = await Optimistic.RetryAsync<bool>($"booking {bookingId}", async () =>
                    await bookings.GetAsync(bookingId, ct) is { Record.Status: BookingStatus.Booked } b && b.Record.Date == date && (await MarkNoShowAsync(b, ct)).IsSuccess, ct);
                if (marked)
                {
                    count++;
                    await audit.AppendAsync(null, new AuditEvent("marriage.booking.noShow", AuditOutcome.Success, Detail: bookingId), "no-show-sweep", ct);
                }
            }
        return count;
    }

    // ---------------------------------------------------------------- pre-collection (预填)

    public Task<Result<BookingView>> FillAsync(CallContext call, string id, string party, PreFillRequest request) => PartyStepAsync(call, id, party, "prefill", (b, i) =>
    {
        var errors = new List<FieldError>();
        var name = request.Name?.Trim();
        if (name is null || !PersonIndex.NamePattern().IsMatch(name)) errors.Add(new FieldError("name", "姓名须为 1 到 50 个汉字或字母，与身份证件一致。"));
        var idNumber = IdNumber.Validate(request.IdNumber, ChinaTime.Today(clock));
        if (!idNumber.IsValid) errors.Add(new FieldError("idNumber", idNumber.Message ?? "身份证号码无效。"));
        else if (parties.IndexOf(idNumber.Normalized) != b.Record.PartyIndexes[i])
            return Task.FromResult<Result<StoredBooking>>(Problem.Invalid("idNumber", "身份证号码与预约时登记的本人身份证号码不一致。", "PREFILL_IDENTITY_MISMATCH"));
        if (request.Phone is { Length: > 0 } phone && !PersonIndex.PhonePattern().IsMatch(phone)) errors.Add(new FieldError("phone", "电话号码格式不正确。"));
        Text("occupation", request.Occupation, 40, errors);
        Text("education", request.Education, 20, errors);
        Text("nationality", request.Nationality, 20, errors);
        if (errors.Count > 0) return Task.FromResult<Result<StoredBooking>>(Problem.Invalid(errors));
        // Changing what one confirmed takes the confirmation back: the party confirms the new data again.
        var data = b.Parties[i] with
        {
            Name = name!, IdNumber = idNumber.Normalized, Phone = Empty(request.Phone), Occupation = Empty(request.Occupation?.Trim()),
            Education = Empty(request.Education?.Trim()), Nationality = Empty(request.Nationality?.Trim()) ?? "中国", Filled = true,
            StatesNoSpouse = false, StatesNoKinship = false, ConfirmedAt = null,
        };
        return Task.FromResult(Result.Ok(b with { Parties = Replace(b.Parties, i, data) }));
    });

    public Task<Result<BookingView>> ConfirmAsync(CallContext call, string id, string party, ConfirmRequest request) => PartyStepAsync(call, id, party, "confirm", (b, i) =>
    {
        if (!b.Parties[i].Filled)
            return Task.FromResult<Result<StoredBooking>>(Problem.Conflict("PREFILL_INCOMPLETE", "尚未填写本人信息", "请先填写本人信息（PUT …/parties/{party}）再确认声明。"));
        if (request.NoSpouse != true || request.NoProhibitedKinship != true)
            return Task.FromResult<Result<StoredBooking>>(Problem.Invalid([
                new FieldError("noSpouse", "请本人声明：本人无配偶。"),
                new FieldError("noProhibitedKinship", "请本人声明：本人与对方没有直系血亲和三代以内旁系血亲关系。")], code: "STATEMENTS_REQUIRED", title: "须本人签署声明",
                detail: "结婚登记须双方各自本人声明无配偶、与对方无禁止结婚的亲属关系。"));
        var data = b.Parties[i] with { StatesNoSpouse = true, StatesNoKinship = true, ConfirmedAt = clock.GetUtcNow() };
        return Task.FromResult(Result.Ok(b with { Parties = Replace(b.Parties, i, data) }));
    });

    public async Task<Result<BookingView>> PhotoAsync(CallContext call, string id, string party, string? fileName, string? contentType, long length, Stream content)
    {
        var head = new byte[Math.Min(length, MaxPhotoBytes) is var n and > 0 ? (int)n : 1];
        var read = 0;
        while (read < head.Length && await content.ReadAsync(head.AsMemory(read), call.Cancellation) is var got and > 0) read += got;
        var check = UploadPolicy.Check(fileName, contentType, length, head.AsSpan(0, read), MaxPhotoBytes, PhotoKinds);
        if (!check.Ok) return Problem.Invalid(check.Errors, "照片须为 JPEG 或 PNG 格式，不超过 2 MB。");
        return await PartyStepAsync(call, id, party, "photo", async (b, i) =>
        {
            var container = blobs.GetBlobContainerClient(PhotoContainer);
            await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: call.Cancellation);
            var name = $"{b.Record.Id}/{i + 1}-{check.SafeName}";
            await container.GetBlobClient(name).UploadAsync(new BinaryData(head.AsMemory(0, read)),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = check.ContentType } }, call.Cancellation);
            return Result.Ok(b with { Parties = Replace(b.Parties, i, b.Parties[i] with { Photo = name }) });
        });
    }

    /// <summary>
    /// A party's own step on a live marriage booking: only the party themself (the citizen whose person is that party). The other
    /// party gets 403 <c>MARRIAGE_PARTY_NOT_YOU</c> (audited); anyone else 404.
    /// </summary>
    async Task<Result<BookingView>> PartyStepAsync(CallContext call, string id, string party, string action, Func<StoredBooking, int, Task<Result<StoredBooking>>> change)
    {
        var (caller, requestId, ct) = call;
        var i = party switch { "1" => 0, "2" => 1, _ => -1 };
        var result = await Optimistic.RetryAsync<Result<StoredBooking>>($"booking {id}", async () =>
        {
            var access = await AccessAsync(call, id, action, allowRegistrar: false);
            if (access.Problem is { } p) return p;
            var b = access.Value!.Booking;
            if (i < 0 || i >= b.Parties.Count) return Problem.NotFound("PARTY_NOT_FOUND", "当事人不存在", "当事人编号只能是 1 或 2。");
            if (access.Value.Party != i)
            {
                await audit.AppendAsync(caller, new AuditEvent($"marriage.booking.{action}", AuditOutcome.Denied, b.Record.PartyIndexes[i], Detail: $"{id}:notYourParty"), requestId, ct);
                return MarriageProblems.Rejected(new Rejection("MARRIAGE_PARTY_NOT_YOU", "每位当事人只能用本人账号填写和确认本人的信息与声明，不能代对方确认。", RejectionKind.NotYours));
            }
            if (b.Record.Kind != ServiceKind.Marriage) return Problem.Conflict("PREFILL_NOT_NEEDED", "无需预填", "只有结婚登记预约需要双方预填信息。");
            if (b.Record.Status != BookingStatus.Booked || b.Record.Registration is not null)
                return MarriageProblems.Rejected(new Rejection("BOOKING_NOT_LIVE", "该预约已取消、已办理或已记为未到，不能再填写。", RejectionKind.State));
            var changed = await change(b, i);
            return changed.Problem is { } bad ? bad : Result.Ok(await bookings.SaveAsync(changed.Value!, ct));
        }, ct);
        if (result.Problem is { } problem) return problem;
        await audit.AppendAsync(caller, new AuditEvent($"marriage.booking.{action}", AuditOutcome.Success, result.Value!.Record.PartyIndexes[i], Detail: id), requestId, ct);
        return Result.Ok(View(result.Value, await offices.GetAsync(result.Value.Record.OfficeId, ct), i), Quote(result.Value.ETag));
    }

    // ---------------------------------------------------------------- reach

    /// <summary>
    /// Reads a booking for the caller: a citizen who is one of its parties, or (when allowed) a registrar of its office. Anyone else
    /// — and an unknown id — gets 404, the denial audited.
    /// </summary>
    public async Task<Result<BookingAccess>> AccessAsync(CallContext call, string id, string action, bool allowRegistrar, bool allowParty = true)
    {
        var (caller, requestId, ct) = call;
        var booking = await bookings.GetAsync(id, ct);
        if (booking is null) return MarriageProblems.BookingNotFound();
        if (allowRegistrar && caller.IsRegistrarOf(booking.Record.OfficeId))
        {
            await audit.AppendAsync(caller, new AuditEvent($"marriage.booking.{action}", AuditOutcome.Success, booking.Record.PartyIndexes[0], Detail: $"{id}:registrar"), requestId, ct);
            return Result.Ok(new BookingAccess(booking, null));
        }
        if (allowParty && await parties.OfCallerAsync(caller, ct) is { } me && booking.Record.PartyIndexes.ToList().IndexOf(me.IdIndex) is var i and >= 0)
            return Result.Ok(new BookingAccess(booking, i));
        await audit.AppendAsync(caller, new AuditEvent($"marriage.booking.{action}", AuditOutcome.Denied, booking.Record.PartyIndexes[0], Detail: $"{id}:outOfScope"), requestId, ct);
        return MarriageProblems.BookingNotFound();
    }

    /// <summary>A marriage booking is ready for the registrar when both parties filled in, confirmed and gave a photo.</summary>
    public static bool IsReady(StoredBooking b) => b.Record.Kind != ServiceKind.Marriage || b.Parties.All(p => p.Filled && p.ConfirmedAt is not null && p.Photo is not null);

    BookingView View(StoredBooking b, RegistryOffice? office, int? you)
    {
        var list = b.Parties.Select((p, i) =>
        {
            var open = you is null || you == i;
            return new PartyView(i + 1, open ? p.Name : Masking.MaskName(p.Name)!, open ? p.IdNumber : Masking.MaskIdNumber(p.IdNumber)!,
                open ? p.Phone : Masking.MaskPhone(p.Phone), p.Occupation, p.Education, p.Nationality, p.Filled, p.StatesNoSpouse, p.StatesNoKinship,
                p.ConfirmedAt, p.Photo is not null, you == i);
        }).ToList();
        var r = b.Record;
        return new BookingView(r.Id, r.OfficeId, office?.Name ?? r.OfficeId, r.Kind, r.Kind.ChineseName(), r.Date, OfficeRepository.Time(r.Time), r.Status, r.Reschedules,
            r.CreatedAt, list, IsReady(b), r.DivorceId, r.Registration?.RecordId ?? r.RecordId);
    }

    static IReadOnlyList<PartyData> Replace(IReadOnlyList<PartyData> list, int i, PartyData data) => [.. list.Select((p, k) => k == i ? data : p)];

    static void Text(string field, string? value, int max, List<FieldError> errors)
    {
        if (value is null) return;
        if (value.Trim().Length > max || TextRules.Check(value) is not null) errors.Add(new FieldError(field, $"不超过 {max} 个字，且不能含控制字符。"));
    }

    static string? Empty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    static string? Quote(Azure.ETag etag) => etag == default ? null : etag.ToString();
}
