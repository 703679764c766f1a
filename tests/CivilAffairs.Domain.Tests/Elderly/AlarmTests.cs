using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class AlarmTests
{
    readonly ManualClock _clock = new(Fixtures.T0);
    static readonly AlarmTerminal Button = new("t-1", "elder-1", TerminalKind.OneButton, TimeSpan.FromHours(24), Fixtures.T0.AddDays(-100));

    Alarm Raised(TerminalEventKind kind = TerminalEventKind.Press) =>
        Alarm.Raise("al-1", Button, new TerminalEvent("t-1", kind, Fixtures.T0.AddSeconds(-3)), "平安通呼叫中心A", _clock).Value;

    Alarm Offered() => Raised().Offer("op-1", _clock).Value;

    Alarm Answered()
    {
        var a = Offered();
        _clock.Advance(TimeSpan.FromSeconds(20));
        return a.Answer("op-1", _clock).Value;
    }

    [Fact]
    public void Normal_path_every_step_timestamped()
    {
        var a = Raised();
        Assert.Equal((AlarmStatus.Raised, Fixtures.T0.AddSeconds(-3), Fixtures.T0), (a.Status, a.PressedAt, a.RaisedAt));
        a = a.Offer("op-1", _clock).Value;
        _clock.Advance(TimeSpan.FromSeconds(25));
        a = a.Answer("op-1", _clock).Value;
        Assert.Equal(("op-1", Fixtures.T0.AddSeconds(25)), (a.AnsweredBy, a.AnsweredAt));
        _clock.Advance(TimeSpan.FromMinutes(2));
        a = a.RecordOutcome(AlarmResolution.CommunityResponderSent, null, "op-1", _clock).Value;
        a = a.NotifyContact(Fixtures.Elder(), "c-1", "op-1", _clock).Value;
        Assert.Equal(Fixtures.T0.AddSeconds(145), a.RelativeNotifiedAt);
        _clock.Advance(TimeSpan.FromMinutes(12));
        a = a.ResponderArrived(Fixtures.North(10), "resp-1", _clock).Value;
        Assert.Equal((AlarmStatus.ResponderOnSite, Fixtures.T0.AddSeconds(865)), (a.Status, a.OnSiteAt));
        Assert.Equal(Fixtures.North(10), a.ResponderPosition);
        _clock.Advance(TimeSpan.FromMinutes(30));
        a = a.Close("op-1", _clock).Value;
        Assert.Equal((AlarmStatus.Closed, Fixtures.T0.AddSeconds(2665)), (a.Status, a.ClosedAt));
        Assert.Equal(
            [AlarmStatus.Raised, AlarmStatus.Offered, AlarmStatus.Answered, AlarmStatus.OutcomeRecorded, AlarmStatus.OutcomeRecorded, AlarmStatus.ResponderOnSite, AlarmStatus.Closed],
            a.History.Select(h => h.To));
    }

    [Fact]
    public void The_operator_it_rings_at_may_send_it_to_the_supervisor_at_once_and_only_once()
    {
        var a = Offered();
        Assert.Equal("ALARM_NOT_OFFERED_TO_YOU", a.EscalateNow("op-2", "sup-1", _clock).Rejection!.Code);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var escalated = a.EscalateNow("op-1", "sup-1", _clock).Value;
        Assert.Equal((AlarmStatus.Offered, "sup-1", true, Fixtures.T0.AddSeconds(5)), (escalated.Status, escalated.OfferedTo, escalated.Escalated, escalated.EscalatedAt));
        Assert.Equal("ALARM_ALREADY_ESCALATED", escalated.EscalateNow("sup-1", "sup-1", _clock).Rejection!.Code);
        Assert.Equal("sup-1", escalated.Answer("sup-1", _clock).Value.AnsweredBy);
        Assert.Equal("ALARM_INVALID_TRANSITION", Answered().EscalateNow("op-1", "sup-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Only_urgent_events_raise_alarms()
    {
        var outcome = Alarm.Raise("al-1", Button, new TerminalEvent("t-1", TerminalEventKind.LowBattery, Fixtures.T0), "A", _clock);
        Assert.Equal("ALARM_EVENT_NOT_URGENT", outcome.Rejection!.Code);
        Assert.True(Alarm.Raise("al-1", Button, new TerminalEvent("t-1", TerminalEventKind.Gas, Fixtures.T0), "A", _clock).Accepted);
    }

    [Fact]
    public void Only_the_operator_it_was_offered_to_may_answer()
    {
        var outcome = Offered().Answer("op-2", _clock);
        Assert.Equal("ALARM_NOT_OFFERED_TO_YOU", outcome.Rejection!.Code);
    }

    [Fact]
    public void Answering_an_alarm_not_yet_offered_is_an_invalid_transition()
    {
        Assert.Equal("ALARM_INVALID_TRANSITION", Raised().Answer("op-1", _clock).Rejection!.Code);
        Assert.Equal("ALARM_INVALID_TRANSITION", Answered().Answer("op-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Unanswered_at_sla_is_reoffered_then_escalated_to_the_supervisor()
    {
        var a = Offered();
        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("ALARM_ACK_NOT_DUE", a.AcknowledgementTimedOut("op-2", "sup-1", _clock).Rejection!.Code);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var first = a.AcknowledgementTimedOut("op-2", "sup-1", _clock).Value;
        Assert.Equal((AcknowledgementAction.ReOffered, "op-2", 1, false), (first.Action, first.Alarm.OfferedTo, first.Alarm.ReOfferCount, first.Alarm.Escalated));
        Assert.Equal("ALARM_NOT_OFFERED_TO_YOU", first.Alarm.Answer("op-1", _clock).Rejection!.Code);

        _clock.Advance(TimeSpan.FromSeconds(60));
        var second = first.Alarm.AcknowledgementTimedOut("op-3", "sup-1", _clock).Value;
        Assert.Equal((AcknowledgementAction.Escalated, "sup-1", true, _clock.GetUtcNow()), (second.Action, second.Alarm.OfferedTo, second.Alarm.Escalated, second.Alarm.EscalatedAt));
        Assert.Equal("ALARM_ALREADY_ESCALATED", second.Alarm.AcknowledgementTimedOut("op-3", "sup-1", _clock).Rejection!.Code);
        Assert.Equal("sup-1", second.Alarm.Answer("sup-1", _clock).Value.AnsweredBy);
    }

    [Fact]
    public void Sla_and_reoffer_count_are_configurable()
    {
        var policy = new AlarmPolicy(TimeSpan.FromSeconds(30), 0);
        var offered = Offered();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Fixtures.T0.AddSeconds(30), offered.AcknowledgementDueAt(policy));
        var timedOut = offered.AcknowledgementTimedOut("op-2", "sup-1", _clock, policy).Value;
        Assert.Equal(AcknowledgementAction.Escalated, timedOut.Action);
    }

    [Fact]
    public void Reoffer_needs_another_operator()
    {
        var offered = Offered();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("ALARM_OPERATOR_REQUIRED", offered.AcknowledgementTimedOut("op-1", "sup-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Timeout_after_answer_is_rejected()
    {
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("ALARM_INVALID_TRANSITION", Answered().AcknowledgementTimedOut("op-2", "sup-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Relaying_to_120_requires_the_reference_number()
    {
        var a = Answered();
        Assert.Equal("ALARM_EMERGENCY_REFERENCE_REQUIRED", a.RecordOutcome(AlarmResolution.EmergencyRelayed, " ", "op-1", _clock).Rejection!.Code);
        var relayed = a.RecordOutcome(AlarmResolution.EmergencyRelayed, " 120-20260720-0042 ", "op-1", _clock).Value;
        Assert.Equal("120-20260720-0042", relayed.EmergencyReference);
        Assert.Equal(AlarmStatus.Closed, relayed.Close("op-1", _clock).Value.Status);
    }

    [Fact]
    public void Only_the_answering_operator_records_the_outcome()
    {
        Assert.Equal("ALARM_NOT_YOUR_ALARM", Answered().RecordOutcome(AlarmResolution.AdviceGiven, null, "op-2", _clock).Rejection!.Code);
    }

    [Fact]
    public void False_alarm_closes_without_a_responder_and_cannot_have_one()
    {
        var a = Answered().RecordOutcome(AlarmResolution.FalseAlarm, null, "op-1", _clock).Value;
        Assert.Equal("ALARM_NO_RESPONDER_SENT", a.ResponderArrived(Fixtures.Home, "resp-1", _clock).Rejection!.Code);
        Assert.Equal(AlarmStatus.Closed, a.Close("op-1", _clock).Value.Status);
    }

    [Fact]
    public void Cannot_close_while_the_relative_is_on_the_way()
    {
        var a = Answered().RecordOutcome(AlarmResolution.RelativeSent, null, "op-1", _clock).Value;
        Assert.Equal("ALARM_RESPONDER_NOT_ON_SITE", a.Close("op-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Closed_alarms_stay_closed()
    {
        var closed = Answered().RecordOutcome(AlarmResolution.AdviceGiven, null, "op-1", _clock).Value.Close("op-1", _clock).Value;
        Assert.Equal("ALARM_INVALID_TRANSITION", closed.Close("op-1", _clock).Rejection!.Code);
        Assert.Equal("ALARM_INVALID_TRANSITION", closed.NotifyContact(Fixtures.Elder(), "c-1", "op-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Contacts_without_consent_are_not_notified()
    {
        var elder = Fixtures.Elder() with { Contacts = [Fixtures.Daughter(consented: false)] };
        Assert.Equal("CONTACT_WITHOUT_CONSENT", Answered().NotifyContact(elder, "c-1", "op-1", _clock).Rejection!.Code);
        Assert.Equal("CONTACT_NOT_FOUND", Answered().NotifyContact(elder, "c-9", "op-1", _clock).Rejection!.Code);
        Assert.Equal("ALARM_INVALID_TRANSITION", Offered().NotifyContact(Fixtures.Elder(), "c-1", "op-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Outcome_is_recorded_once()
    {
        var a = Answered().RecordOutcome(AlarmResolution.AdviceGiven, null, "op-1", _clock).Value;
        Assert.Equal("ALARM_INVALID_TRANSITION", a.RecordOutcome(AlarmResolution.FalseAlarm, null, "op-1", _clock).Rejection!.Code);
        Assert.Equal("ALARM_INVALID_TRANSITION", Offered().RecordOutcome(AlarmResolution.FalseAlarm, null, "op-1", _clock).Rejection!.Code);
    }

    [Fact]
    public void Ambulance_arrival_may_be_recorded_after_a_120_relay()
    {
        var a = Answered().RecordOutcome(AlarmResolution.EmergencyRelayed, "120-1", "op-1", _clock).Value;
        _clock.Advance(TimeSpan.FromMinutes(9));
        var onSite = a.ResponderArrived(Fixtures.Home, "120", _clock).Value;
        Assert.Equal((AlarmStatus.ResponderOnSite, _clock.GetUtcNow()), (onSite.Status, onSite.OnSiteAt));
    }

    [Fact]
    public void Offering_twice_is_an_invalid_transition() =>
        Assert.Equal("ALARM_INVALID_TRANSITION", Offered().Offer("op-2", _clock).Rejection!.Code);
}
