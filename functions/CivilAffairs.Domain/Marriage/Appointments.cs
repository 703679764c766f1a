using System.Globalization;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Marriage;

/// <summary>What a couple (or one party) comes to the registry office for.</summary>
public enum ServiceKind
{
    /// <summary>结婚登记.</summary>
    Marriage,
    /// <summary>离婚登记 (after the cooling-off, both parties in person).</summary>
    Divorce,
    /// <summary>补领婚姻登记证 (a replacement certificate under a new number).</summary>
    Replacement,
}

public enum BookingStatus
{
    /// <summary>Live: the slot is held.</summary>
    Booked,
    Cancelled,
    /// <summary>The registrar handled it (registered, or issued the replacement).</summary>
    Served,
    /// <summary>Nobody came by the end of the day.</summary>
    NoShow,
}

/// <summary>One opening session of an office on a working day (e.g. 09:00–12:00).</summary>
public sealed record OfficeSession(TimeOnly Opens, TimeOnly Closes);

/// <summary>
/// A marriage registry office (婚姻登记处): where it is, when it opens and how many couples one slot takes. Open on statutory
/// working days (<see cref="HolidayCalendar"/>: holidays closed, adjusted weekend working days open) except its own closed dates.
/// </summary>
public sealed record RegistryOffice(
    string Id,
    string Name,
    string District,
    string Address,
    IReadOnlyList<OfficeSession> Sessions,
    int SlotMinutes,
    int CapacityPerSlot,
    IReadOnlyList<DateOnly> ClosedDates)
{
    public static readonly IReadOnlyList<OfficeSession> StandardHours = [new(new TimeOnly(9, 0), new TimeOnly(12, 0)), new(new TimeOnly(13, 30), new TimeOnly(17, 0))];

    public bool IsOpenOn(DateOnly date, HolidayCalendar calendar) => calendar.IsWorkingDay(date) && !ClosedDates.Contains(date);

    /// <summary>The start times of the slots offered on <paramref name="date"/> (none when the office is closed).</summary>
    public IReadOnlyList<TimeOnly> SlotsOn(DateOnly date, HolidayCalendar calendar)
    {
        if (!IsOpenOn(date, calendar) || SlotMinutes <= 0) return [];
        var slots = new List<TimeOnly>();
        foreach (var s in Sessions)
            for (var t = s.Opens; t.AddMinutes(SlotMinutes) <= s.Closes && t >= s.Opens; t = t.AddMinutes(SlotMinutes))
                slots.Add(t);
        return slots;
    }

    /// <summary>The office's own rules: a name and address, sessions that open before they close and do not overlap, a slot length and capacity in range.</summary>
    public static IReadOnlyList<Rejection> Validate(string? name, string? address, IReadOnlyList<OfficeSession>? sessions, int slotMinutes, int capacity)
    {
        var list = new List<Rejection>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 60) list.Add(new("OFFICE_NAME_INVALID", "请填写登记处名称（不超过 60 字）。", Field: "name"));
        if (string.IsNullOrWhiteSpace(address) || address.Trim().Length > 200) list.Add(new("OFFICE_ADDRESS_INVALID", "请填写登记处地址（不超过 200 字）。", Field: "address"));
        if (slotMinutes is < 10 or > 240) list.Add(new("OFFICE_SLOT_INVALID", "每个时段须为 10 到 240 分钟。", Field: "slotMinutes"));
        if (capacity is < 1 or > 200) list.Add(new("OFFICE_CAPACITY_INVALID", "每个时段可预约数须为 1 到 200。", Field: "capacityPerSlot"));
        var ordered = (sessions ?? []).OrderBy(s => s.Opens).ToList();
        if (ordered.Count is 0 or > 4 || ordered.Any(s => s.Closes <= s.Opens) || ordered.Zip(ordered.Skip(1)).Any(p => p.Second.Opens < p.First.Closes))
            list.Add(new("OFFICE_HOURS_INVALID", "办公时间须为 1 到 4 段、开始早于结束且互不重叠。", Field: "sessions"));
        return list;
    }
}

/// <summary>Booking rules (section <c>Marriage:Booking</c>).</summary>
public sealed record BookingTerms(int HorizonDays = 30, int MaxReschedules = 2, int NoShowLimit = 2, int NoShowWindowDays = 90, int NoShowBlockDays = 30)
{
    public static readonly BookingTerms Default = new();
}

/// <summary>
/// Appointment rules: which slots can be booked (not in the past, within the horizon, on an open day, one the office offers,
/// not over capacity), when a booking may still be cancelled or moved, and the no-show rule — a party who missed
/// <see cref="BookingTerms.NoShowLimit"/> appointments within <see cref="BookingTerms.NoShowWindowDays"/> days may not book online
/// for <see cref="BookingTerms.NoShowBlockDays"/> days after the last one (they can still be served at the counter).
/// </summary>
public static class Appointments
{
    public static DateTimeOffset SlotStart(DateOnly date, TimeOnly time) => new(date.ToDateTime(time), ChinaTime.Offset);

    /// <summary>Whether the slot can be booked now (capacity aside).</summary>
    public static Rejection? CheckSlot(RegistryOffice office, DateOnly date, TimeOnly time, DateTimeOffset now, HolidayCalendar calendar, BookingTerms terms)
    {
        var today = ChinaTime.DateOf(now);
        if (SlotStart(date, time) <= now)
            return new("BOOKING_IN_PAST", $"不能预约已过去的时间（{date:yyyy-MM-dd} {time:HH\\:mm}）。", RejectionKind.Invalid, "date");
        if (date > today.AddDays(terms.HorizonDays))
            return new("BOOKING_TOO_FAR_AHEAD", $"最多可预约 {terms.HorizonDays} 天内的时段。", RejectionKind.Invalid, "date");
        if (!office.IsOpenOn(date, calendar))
            return new("OFFICE_CLOSED", $"{office.Name}{date:yyyy-MM-dd}不办公（周末、法定节假日或闭馆日）。", RejectionKind.Invalid, "date");
        if (!office.SlotsOn(date, calendar).Contains(time))
            return new("SLOT_NOT_OFFERED", $"{office.Name}没有 {time:HH\\:mm} 开始的预约时段。", RejectionKind.Invalid, "time");
        return null;
    }

    public static Rejection? CheckCapacity(int booked, int capacity) => booked >= capacity
        ? new("SLOT_FULL", "该时段已约满，请选择其他时段或其他登记处。", RejectionKind.State, "time")
        : null;

    /// <summary>The no-show block: null when the party may book on <paramref name="today"/>.</summary>
    public static Rejection? CheckNoShows(IEnumerable<DateOnly> noShows, DateOnly today, BookingTerms terms)
    {
        var recent = noShows.Where(d => d > today.AddDays(-terms.NoShowWindowDays) && d <= today).Order().ToList();
        if (recent.Count < terms.NoShowLimit) return null;
        var until = recent[^1].AddDays(terms.NoShowBlockDays);
        return until >= today
            ? new("BOOKING_BLOCKED_NO_SHOWS", $"{terms.NoShowWindowDays} 天内已有 {recent.Count} 次预约未到，{until:yyyy-MM-dd} 前不能在网上预约，可直接到登记处办理。", RejectionKind.State)
            : null;
    }

    /// <summary>A live booking may be cancelled or moved until its slot starts.</summary>
    public static Rejection? CanChange(BookingStatus status, DateTimeOffset slotStart, DateTimeOffset now)
    {
        if (status != BookingStatus.Booked) return new("BOOKING_NOT_LIVE", "该预约已取消、已办理或已记为未到，不能再更改。", RejectionKind.State);
        if (slotStart <= now) return new("BOOKING_ALREADY_STARTED", "预约时段已开始，不能再取消或改约。", RejectionKind.State);
        return null;
    }

    public static Rejection? CanReschedule(BookingStatus status, DateTimeOffset slotStart, DateTimeOffset now, int reschedules, BookingTerms terms) =>
        CanChange(status, slotStart, now)
        ?? (reschedules >= terms.MaxReschedules ? new Rejection("BOOKING_RESCHEDULE_LIMIT", $"每个预约最多改约 {terms.MaxReschedules} 次，请取消后重新预约。", RejectionKind.State) : null);

    /// <summary>A booking becomes a no-show once its slot has started and nobody was served.</summary>
    public static Rejection? CanMarkNoShow(BookingStatus status, DateTimeOffset slotStart, DateTimeOffset now)
    {
        if (status != BookingStatus.Booked) return new("BOOKING_NOT_LIVE", "该预约已取消、已办理或已记为未到。", RejectionKind.State);
        if (slotStart > now) return new("BOOKING_NOT_STARTED", "预约时段尚未开始，不能记为未到。", RejectionKind.State);
        return null;
    }

    /// <summary>Days from booking to the slot (the wait the statistics average), one decimal.</summary>
    public static decimal WaitDays(DateTimeOffset bookedAt, DateTimeOffset slotStart) =>
        Math.Round((decimal)Math.Max(0, (slotStart - bookedAt).TotalDays), 1, MidpointRounding.AwayFromZero);

    public static string Key(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    public static string Key(TimeOnly time) => time.ToString("HHmm", CultureInfo.InvariantCulture);
}
