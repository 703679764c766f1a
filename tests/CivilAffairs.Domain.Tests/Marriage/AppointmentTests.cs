using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Marriage;

public class AppointmentTests
{
    static readonly HolidayCalendar Calendar = HolidayCalendar.Default;
    static readonly RegistryOffice Office = new("gz-tianhe", "天河区婚姻登记处", "440106", "华就路 22 号", RegistryOffice.StandardHours, 30, 6, [new DateOnly(2026, 6, 3)]);
    /// <summary>Monday 2026-06-01, 10:00 China time.</summary>
    static readonly DateTimeOffset Now = new(2026, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void An_office_offers_slots_in_its_sessions_on_working_days_only()
    {
        var slots = Office.SlotsOn(new DateOnly(2026, 6, 2), Calendar);
        Assert.Equal(13, slots.Count); // 09:00–11:30 (6) and 13:30–16:30 (7)
        Assert.Equal(new TimeOnly(9, 0), slots[0]);
        Assert.Equal(new TimeOnly(16, 30), slots[^1]);
        Assert.DoesNotContain(new TimeOnly(12, 0), slots);
        Assert.Empty(Office.SlotsOn(new DateOnly(2026, 6, 6), Calendar));   // Saturday
        Assert.Empty(Office.SlotsOn(new DateOnly(2026, 10, 1), Calendar));  // 国庆节
        Assert.Empty(Office.SlotsOn(new DateOnly(2026, 6, 3), Calendar));   // the office's own closed day
    }

    [Fact]
    public void A_weekend_day_made_a_working_day_is_open()
    {
        var adjusted = Calendar.Arrangements.Single(y => y.Year == 2026).AdjustedWorkingDays[0].Date;
        Assert.NotEmpty(Office.SlotsOn(adjusted, Calendar));
    }

    [Fact]
    public void Past_far_closed_and_unknown_slots_are_refused_with_their_own_codes()
    {
        var terms = BookingTerms.Default;
        Assert.Equal("BOOKING_IN_PAST", Appointments.CheckSlot(Office, new(2026, 6, 1), new(9, 30), Now, Calendar, terms)!.Code);
        Assert.Equal("BOOKING_IN_PAST", Appointments.CheckSlot(Office, new(2026, 6, 1), new(10, 0), Now, Calendar, terms)!.Code);
        Assert.Null(Appointments.CheckSlot(Office, new(2026, 6, 1), new(10, 30), Now, Calendar, terms));
        Assert.Equal("BOOKING_TOO_FAR_AHEAD", Appointments.CheckSlot(Office, new(2026, 7, 2), new(9, 0), Now, Calendar, terms)!.Code);
        Assert.Equal("OFFICE_CLOSED", Appointments.CheckSlot(Office, new(2026, 6, 6), new(9, 0), Now, Calendar, terms)!.Code);
        Assert.Equal("SLOT_NOT_OFFERED", Appointments.CheckSlot(Office, new(2026, 6, 2), new(9, 15), Now, Calendar, terms)!.Code);
    }

    [Fact]
    public void A_slot_takes_as_many_as_its_capacity()
    {
        Assert.Null(Appointments.CheckCapacity(5, 6));
        var full = Appointments.CheckCapacity(6, 6);
        Assert.Equal("SLOT_FULL", full!.Code);
        Assert.Equal(RejectionKind.State, full.Kind);
    }

    [Fact]
    public void Two_no_shows_within_90_days_block_online_booking_for_30_days_after_the_last()
    {
        var terms = BookingTerms.Default;
        var today = new DateOnly(2026, 6, 1);
        Assert.Null(Appointments.CheckNoShows([today.AddDays(-10)], today, terms));
        Assert.Equal("BOOKING_BLOCKED_NO_SHOWS", Appointments.CheckNoShows([today.AddDays(-40), today.AddDays(-10)], today, terms)!.Code);
        Assert.Null(Appointments.CheckNoShows([today.AddDays(-80), today.AddDays(-31)], today, terms));
        Assert.Null(Appointments.CheckNoShows([today.AddDays(-200), today.AddDays(-10)], today, terms));
    }

    [Fact]
    public void A_booking_can_change_until_its_slot_starts_a_limited_number_of_times_and_is_a_no_show_only_after()
    {
        var start = Appointments.SlotStart(new DateOnly(2026, 6, 2), new TimeOnly(9, 0));
        Assert.Null(Appointments.CanChange(BookingStatus.Booked, start, start.AddMinutes(-1)));
        Assert.Equal("BOOKING_ALREADY_STARTED", Appointments.CanChange(BookingStatus.Booked, start, start)!.Code);
        Assert.Equal("BOOKING_NOT_LIVE", Appointments.CanChange(BookingStatus.Served, start, start.AddDays(-1))!.Code);
        Assert.Equal("BOOKING_RESCHEDULE_LIMIT", Appointments.CanReschedule(BookingStatus.Booked, start, start.AddDays(-1), 2, BookingTerms.Default)!.Code);
        Assert.Equal("BOOKING_NOT_STARTED", Appointments.CanMarkNoShow(BookingStatus.Booked, start, start.AddMinutes(-1))!.Code);
        Assert.Null(Appointments.CanMarkNoShow(BookingStatus.Booked, start, start.AddMinutes(31)));
        Assert.Equal(1.0m, Appointments.WaitDays(Now, start));
    }

    [Fact]
    public void An_office_needs_a_name_address_sane_hours_slot_length_and_capacity()
    {
        Assert.Empty(RegistryOffice.Validate("天河区婚姻登记处", "华就路", RegistryOffice.StandardHours, 30, 6));
        var codes = RegistryOffice.Validate("", null, [new(new(12, 0), new(9, 0))], 5, 0).Select(r => r.Code);
        Assert.Equal(["OFFICE_NAME_INVALID", "OFFICE_ADDRESS_INVALID", "OFFICE_SLOT_INVALID", "OFFICE_CAPACITY_INVALID", "OFFICE_HOURS_INVALID"], codes);
        Assert.Contains(RegistryOffice.Validate("x", "y", [new(new(9, 0), new(12, 0)), new(new(11, 0), new(14, 0))], 30, 6), r => r.Code == "OFFICE_HOURS_INVALID");
    }
}
