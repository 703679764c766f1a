using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Marriage.Offices;

/// <summary>
/// Marriage registry offices: the public list and each office's free slots on a day (any office in the city, 全市通办), and
/// registration of an office by the city or its district.
/// </summary>
public sealed class OfficeService(OfficeRepository offices, BookingRepository bookings, DivisionDirectory divisions, HolidayCalendar calendar,
    AuditLog audit, TimeProvider clock)
{
    public const int PublicCacheSeconds = 60;

    public async Task<Result<IReadOnlyList<OfficeView>>> ListAsync(CallContext call) =>
        Result.Ok<IReadOnlyList<OfficeView>>([.. (await offices.ListAsync(call.Cancellation)).OrderBy(o => o.District).ThenBy(o => o.Name).Select(View)]).Cached(PublicCacheSeconds);

    /// <summary>An office's slots on <paramref name="date"/> (default: the next day it is open) with the places left.</summary>
    public async Task<Result<OfficeDayView>> DayAsync(CallContext call, string officeId, string? date)
    {
        var ct = call.Cancellation;
        var office = await offices.GetAsync(officeId, ct);
        if (office is null) return MarriageProblems.OfficeNotFound();
        var today = ChinaTime.Today(clock);
        DateOnly day;
        if (date is null)
        {
            day = today.AddDays(1);
            for (var i = 0; i < 14 && !office.IsOpenOn(day, calendar); i++) day = day.AddDays(1);
        }
        else if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", out day))
            return Problem.InvalidQuery("date", "请用 date=yyyy-MM-dd 指定日期。", "日期格式须为 yyyy-MM-dd");
        if (!office.IsOpenOn(day, calendar))
            return Result.Ok(new OfficeDayView(office.Id, office.Name, day, false, calendar.IsHoliday(day) ? "法定节假日" : calendar.IsWorkingDay(day) ? "闭馆日" : "周末", []));
        var taken = await bookings.TakenAsync(office.Id, day, ct);
        var now = clock.GetUtcNow();
        var slots = office.SlotsOn(day, calendar)
            .Where(t => Appointments.SlotStart(day, t) > now)
            .Select(t => { var n = taken.GetValueOrDefault(t); return new SlotView(OfficeRepository.Time(t), office.CapacityPerSlot, n, Math.Max(0, office.CapacityPerSlot - n)); })
            .ToList();
        return Result.Ok(new OfficeDayView(office.Id, office.Name, day, true, null, slots)).Cached(10);
    }

    public async Task<Result<OfficeView>> CreateAsync(CallContext call, OfficeRequest request)
    {
        var (caller, requestId, ct) = call;
        // Where first: an office outside the caller's jurisdiction is refused before anything else is looked at.
        if (request.Jurisdiction is not { } where) return Problem.Invalid("jurisdiction", "请填写登记处所在的区（或街道）的行政区划代码。");
        if (!AccessPolicy.InScope(caller, new ResourceScope(where)))
        {
            await audit.AppendAsync(caller, new AuditEvent("marriage.office.create", AuditOutcome.Denied, Detail: "outOfScope"), requestId, ct);
            return Problem.OutOfJurisdiction("只能在本人管辖的区设立婚姻登记处。");
        }
        var result = Build(Ids.New(clock), request);
        if (result.Problem is { } problem) return problem;
        await offices.SaveAsync(result.Value!, ct);
        await audit.AppendAsync(caller, new AuditEvent("marriage.office.create", AuditOutcome.Success, Detail: result.Value!.Id), requestId, ct);
        return Result.Created(View(result.Value!), $"/api/marriage/offices/{result.Value!.Id}/slots");
    }

    /// <summary>Stores an office with a known id (demo data, migration); replaces one with the same id.</summary>
    public async Task<Result<OfficeView>> ImportAsync(string officeId, OfficeRequest request, CancellationToken ct)
    {
        var result = Build(officeId, request);
        if (result.Problem is { } problem) return problem;
        await offices.SaveAsync(result.Value!, ct);
        return Result.Ok(View(result.Value!));
    }

    Result<RegistryOffice> Build(string id, OfficeRequest r)
    {
        var errors = new List<FieldError>();
        if (divisions.Find(r.Jurisdiction) is not { } division || division.Level == DivisionLevel.City)
            errors.Add(new FieldError("jurisdiction", "请填写登记处所在的区（或街道）的行政区划代码。"));
        var sessions = new List<OfficeSession>();
        foreach (var (s, i) in (r.Sessions ?? []).Select((s, i) => (s, i)))
        {
            if (s is not null && OfficeRepository.TryTime(s.Opens, out var opens) && OfficeRepository.TryTime(s.Closes, out var closes)) sessions.Add(new(opens, closes));
            else errors.Add(new FieldError($"sessions[{i}]", "办公时间格式须为 HH:mm。"));
        }
        if ((r.ClosedDates?.Count ?? 0) > 366) errors.Add(new FieldError("closedDates", "闭馆日最多 366 个。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var slotMinutes = r.SlotMinutes ?? 30;
        var capacity = r.CapacityPerSlot ?? 10;
        var rules = RegistryOffice.Validate(r.Name, r.Address, sessions.Count == 0 && r.Sessions is null ? RegistryOffice.StandardHours : sessions, slotMinutes, capacity);
        if (rules.Count > 0) return MarriageProblems.Rejected(rules);
        if (r.Name is { } n && TextRules.Check(n) is { } bad1) return Problem.Invalid("name", bad1);
        if (r.Address is { } a && TextRules.Check(a) is { } bad2) return Problem.Invalid("address", bad2);
        return Result.Ok(new RegistryOffice(id, r.Name!.Trim(), r.Jurisdiction![..6], r.Address!.Trim(),
            sessions.Count == 0 ? RegistryOffice.StandardHours : sessions.OrderBy(s => s.Opens).ToList(), slotMinutes, capacity, [.. (r.ClosedDates ?? []).Distinct().Order()]));
    }

    OfficeView View(RegistryOffice o) => new(o.Id, o.Name, o.District, divisions.Find(o.District)?.Name ?? o.District, o.Address,
        [.. o.Sessions.Select(s => new SessionBody(OfficeRepository.Time(s.Opens), OfficeRepository.Time(s.Closes)))], o.SlotMinutes, o.CapacityPerSlot, o.ClosedDates);
}
