using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class TerminalTests
{
    readonly ManualClock _clock = new(Fixtures.T0);

    static AlarmTerminal Sensor(DateTimeOffset? lastSeen = null) =>
        new("t-1", "elder-1", TerminalKind.SmartSensor, AlarmTerminal.DefaultHeartbeatInterval(TerminalKind.SmartSensor), Fixtures.T0.AddDays(-10), lastSeen);

    [Fact]
    public void Press_fall_smoke_and_gas_are_urgent_battery_and_heartbeat_are_not()
    {
        Assert.Equal(
            [TerminalEventKind.Press, TerminalEventKind.Fall, TerminalEventKind.Smoke, TerminalEventKind.Gas],
            Enum.GetValues<TerminalEventKind>().Where(k => k.IsUrgent()));
    }

    [Fact]
    public void Default_heartbeat_intervals()
    {
        Assert.Equal(TimeSpan.FromHours(1), AlarmTerminal.DefaultHeartbeatInterval(TerminalKind.SmartSensor));
        Assert.Equal(TimeSpan.FromHours(24), AlarmTerminal.DefaultHeartbeatInterval(TerminalKind.OneButton));
    }

    [Fact]
    public void Silent_only_after_interval_plus_grace()
    {
        var t = Sensor(Fixtures.T0);
        _clock.Advance(TimeSpan.FromMinutes(90));
        var atDue = TerminalSilence.Assess(t, _clock);
        Assert.Equal((false, Fixtures.T0.AddMinutes(90)), (atDue.WelfareCheckNeeded, atDue.DueBy));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var late = TerminalSilence.Assess(t, _clock);
        Assert.True(late.WelfareCheckNeeded);
        Assert.Equal(TimeSpan.FromSeconds(1), late.OverdueBy);
    }

    [Fact]
    public void Grace_is_configurable()
    {
        _clock.Advance(TimeSpan.FromMinutes(61));
        Assert.True(TerminalSilence.Assess(Sensor(Fixtures.T0), _clock, TimeSpan.Zero).WelfareCheckNeeded);
        Assert.False(TerminalSilence.Assess(Sensor(Fixtures.T0), _clock).WelfareCheckNeeded);
    }

    [Fact]
    public void A_terminal_that_never_reported_counts_from_installation()
    {
        var a = TerminalSilence.Assess(Sensor(), _clock);
        Assert.Equal((true, Fixtures.T0.AddDays(-10)), (a.WelfareCheckNeeded, a.SilentSince));
    }

    [Fact]
    public void Any_event_is_a_sign_of_life_and_late_events_do_not_move_it_back()
    {
        var t = Sensor(Fixtures.T0.AddMinutes(-5));
        t = t.Receive(new TerminalEvent("t-1", TerminalEventKind.LowBattery, Fixtures.T0), _clock).Value;
        Assert.Equal(Fixtures.T0, t.LastSeenAt);
        Assert.Equal(Fixtures.T0, t.Receive(new TerminalEvent("t-1", TerminalEventKind.Heartbeat, Fixtures.T0.AddMinutes(-30)), _clock).Value.LastSeenAt);
    }

    [Fact]
    public void Events_from_another_terminal_or_the_future_are_rejected()
    {
        Assert.Equal("TERMINAL_MISMATCH", Sensor().Receive(new TerminalEvent("t-2", TerminalEventKind.Heartbeat, Fixtures.T0), _clock).Rejection!.Code);
        Assert.Equal("TERMINAL_EVENT_IN_FUTURE", Sensor().Receive(new TerminalEvent("t-1", TerminalEventKind.Heartbeat, Fixtures.T0.AddMinutes(6)), _clock).Rejection!.Code);
    }
}
