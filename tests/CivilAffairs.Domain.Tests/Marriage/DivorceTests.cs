using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Domain.Tests.Marriage;

public class DivorceTests
{
    static readonly TimeSpan China = TimeSpan.FromHours(8);
    /// <summary>Received on 2026-03-10 at 15:20 China time.</summary>
    static readonly DateTimeOffset Received = new(2026, 3, 10, 15, 20, 0, China);

    [Fact]
    public void The_statutory_periods_are_calendar_days_counted_from_the_day_after_receipt_and_end_with_their_last_day()
    {
        var p = DivorceTerms.Statutory.PeriodsFrom(Received);
        // Day 1 is 2026-03-11; day 30 is 2026-04-09, which ends at midnight — a weekend or holiday changes nothing.
        Assert.Equal(new DateTimeOffset(2026, 4, 10, 0, 0, 0, China), p.CoolingOffEndsAt);
        Assert.Equal(new DateTimeOffset(2026, 5, 10, 0, 0, 0, China), p.AppearanceEndsAt);
    }

    [Fact]
    public void Shortened_periods_for_tests_and_the_demo_run_from_the_moment_of_receipt()
    {
        var p = new DivorceTerms(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)).PeriodsFrom(Received);
        Assert.Equal(Received.AddSeconds(30), p.CoolingOffEndsAt);
        Assert.Equal(Received.AddSeconds(150), p.AppearanceEndsAt);
    }

    [Fact]
    public void Either_party_may_withdraw_until_the_cooling_off_ends_and_not_after()
    {
        var p = DivorceTerms.Statutory.PeriodsFrom(Received);
        Assert.Null(DivorceRules.CanWithdraw(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt.AddSeconds(-1)));
        var late = DivorceRules.CanWithdraw(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt);
        Assert.Equal("DIVORCE_COOLING_OFF_ENDED", late!.Code);
        Assert.Equal(RejectionKind.State, late.Kind);
        Assert.Equal("DIVORCE_COOLING_OFF_ENDED", DivorceRules.CanWithdraw(DivorceStatus.AwaitingAppearance, p, p.CoolingOffEndsAt.AddSeconds(-1))!.Code);
        Assert.Null(DivorceRules.CanWithdraw(DivorceStatus.AwaitingPartner, null, Received));
        Assert.Equal("DIVORCE_NOT_OPEN", DivorceRules.CanWithdraw(DivorceStatus.Lapsed, p, Received)!.Code);
    }

    [Fact]
    public void The_divorce_is_registered_only_between_the_end_of_the_cooling_off_and_the_end_of_the_window()
    {
        var p = DivorceTerms.Statutory.PeriodsFrom(Received);
        Assert.Equal("DIVORCE_COOLING_OFF_NOT_ENDED", DivorceRules.CanRegister(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt.AddMinutes(-1))!.Code);
        Assert.Null(DivorceRules.CanRegister(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt));
        Assert.Null(DivorceRules.CanRegister(DivorceStatus.AwaitingAppearance, p, p.AppearanceEndsAt.AddSeconds(-1)));
        Assert.Equal("DIVORCE_LAPSED", DivorceRules.CanRegister(DivorceStatus.AwaitingAppearance, p, p.AppearanceEndsAt)!.Code);
        Assert.Equal("DIVORCE_NOT_RECEIVED", DivorceRules.CanRegister(DivorceStatus.AwaitingPartner, null, Received)!.Code);
        Assert.Equal("DIVORCE_NOT_OPEN", DivorceRules.CanRegister(DivorceStatus.Withdrawn, p, p.CoolingOffEndsAt)!.Code);
    }

    [Fact]
    public void An_open_application_lapses_once_the_window_has_closed_and_the_cooling_off_ends_into_the_window_only_at_its_end()
    {
        var p = DivorceTerms.Statutory.PeriodsFrom(Received);
        Assert.False(DivorceRules.ShouldLapse(DivorceStatus.AwaitingAppearance, p, p.AppearanceEndsAt.AddSeconds(-1)));
        Assert.True(DivorceRules.ShouldLapse(DivorceStatus.AwaitingAppearance, p, p.AppearanceEndsAt));
        Assert.False(DivorceRules.ShouldLapse(DivorceStatus.Registered, p, p.AppearanceEndsAt.AddDays(1)));
        Assert.False(DivorceRules.ShouldLapse(DivorceStatus.Withdrawn, p, p.AppearanceEndsAt.AddDays(1)));
        Assert.Equal(DivorceStatus.AwaitingAppearance, DivorceRules.AfterCoolingOff(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt));
        Assert.Equal(DivorceStatus.Withdrawn, DivorceRules.AfterCoolingOff(DivorceStatus.Withdrawn, p, p.CoolingOffEndsAt));
        // A timer that fires a moment early does not end the cooling-off: withdrawal stays possible until its end.
        Assert.Equal(DivorceStatus.CoolingOff, DivorceRules.AfterCoolingOff(DivorceStatus.CoolingOff, p, p.CoolingOffEndsAt.AddMilliseconds(-300)));
    }
}
