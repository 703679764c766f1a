using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class SlaLedgerTests
{
    static Alarm Alarm(string id, int answerSeconds, string company = "A", DateTimeOffset? raisedAt = null, AlarmResolution? resolution = AlarmResolution.AdviceGiven, bool escalated = false)
    {
        var raised = raisedAt ?? Fixtures.T0;
        return new Alarm
        {
            Id = id, ElderId = "elder-1", TerminalId = "t-1", Trigger = TerminalEventKind.Press, Company = company,
            PressedAt = raised.AddSeconds(-2), RaisedAt = raised,
            Status = answerSeconds < 0 ? AlarmStatus.Offered : AlarmStatus.OutcomeRecorded,
            AnsweredAt = answerSeconds < 0 ? null : raised.AddSeconds(answerSeconds),
            AnsweredBy = answerSeconds < 0 ? null : "op-1",
            Resolution = answerSeconds < 0 ? null : resolution,
            Escalated = escalated,
        };
    }

    [Fact]
    public void Timeline_gives_each_segment()
    {
        var a = Alarm("al-1", 20) with
        {
            Notifications = [new AlarmNotification("c-2", ContactRole.CommunityWorker, Fixtures.T0.AddSeconds(40)), new AlarmNotification("c-1", ContactRole.Relative, Fixtures.T0.AddSeconds(80))],
            OnSiteAt = Fixtures.T0.AddMinutes(15),
            ClosedAt = Fixtures.T0.AddMinutes(45),
        };
        var t = SlaLedger.Timeline(a);
        Assert.Equal(TimeSpan.FromSeconds(2), t.PressToReceived);
        Assert.Equal(TimeSpan.FromSeconds(20), t.ReceivedToAnswered);
        Assert.Equal(TimeSpan.FromSeconds(60), t.AnsweredToRelativeNotified);
        Assert.Equal(TimeSpan.FromSeconds(880), t.AnsweredToOnSite);
        Assert.Equal(TimeSpan.FromMinutes(30), t.OnSiteToClosed);
        Assert.Equal(TimeSpan.FromSeconds(2702), t.PressToClosed);
    }

    [Fact]
    public void Timeline_of_an_unanswered_alarm_has_empty_segments()
    {
        var t = SlaLedger.Timeline(Alarm("al-1", -1));
        Assert.Equal((null, null, null), (t.ReceivedToAnswered, t.AnsweredToRelativeNotified, t.PressToClosed));
    }

    [Theory]
    [InlineData(50, 2)]
    [InlineData(95, 4)]
    [InlineData(100, 4)]
    [InlineData(1, 1)]
    public void Nearest_rank_picks_an_observed_value(int percentile, int expectedSeconds)
    {
        TimeSpan[] values = [TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)];
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), SlaLedger.NearestRank(values, percentile));
    }

    [Fact]
    public void Nearest_rank_of_nothing_is_null() => Assert.Null(SlaLedger.NearestRank([], 50));

    [Fact]
    public void Monthly_shares_count_unanswered_alarms_as_missed()
    {
        // 10 alarms: answered in 10, 20, 30, 31, 45, 60, 61, 120, 181 s, one never answered.
        int[] answers = [10, 20, 30, 31, 45, 60, 61, 120, 181, -1];
        var alarms = answers.Select((s, i) => Alarm($"al-{i}", s)).ToList();
        var m = Assert.Single(SlaLedger.Monthly(alarms));
        Assert.Equal(("A", new DateOnly(2026, 7, 1), 10, 9), (m.Company, m.Month, m.Alarms, m.Answered));
        Assert.Equal((0.3m, 0.6m, 0.8m), (m.ShareWithin30Seconds, m.ShareWithin60Seconds, m.ShareWithin180Seconds));
        Assert.Equal(TimeSpan.FromSeconds(45), m.MedianAnswerTime);
        Assert.Equal(TimeSpan.FromSeconds(181), m.P95AnswerTime);
        Assert.False(m.MeetsReference);
    }

    [Fact]
    public void Reference_is_80_percent_in_30_s_and_98_5_percent_in_60_s()
    {
        var good = Enumerable.Range(0, 200).Select(i => Alarm($"al-{i}", i < 160 ? 15 : i < 197 ? 50 : 90)).ToList();
        var m = SlaLedger.Monthly(good)[0];
        Assert.Equal((0.8m, 0.985m, true), (m.ShareWithin30Seconds, m.ShareWithin60Seconds, m.MeetsReference));
        var oneMoreLate = good.Select((a, i) => i == 196 ? Alarm(a.Id, 61) : a).ToList();
        Assert.False(SlaLedger.Monthly(oneMoreLate)[0].MeetsReference);
    }

    [Fact]
    public void Grouped_by_company_and_china_month_with_escalations_and_false_alarms()
    {
        var lastDayUtc = new DateTimeOffset(2026, 7, 31, 16, 30, 0, TimeSpan.Zero); // 2026-08-01 00:30 in China
        var alarms = new[]
        {
            Alarm("a1", 10, "B"),
            Alarm("a2", 20, "A", resolution: AlarmResolution.FalseAlarm),
            Alarm("a3", 200, "A", escalated: true, resolution: AlarmResolution.RelativeSent),
            Alarm("a4", -1, "A", escalated: true),
            Alarm("a5", 5, "A", raisedAt: lastDayUtc),
        };
        var stats = SlaLedger.Monthly(alarms);
        Assert.Equal([("A", 7), ("A", 8), ("B", 7)], stats.Select(s => (s.Company, s.Month.Month)));
        var july = stats[0];
        Assert.Equal((3, 2, 1, 0.5m), (july.Alarms, july.Escalations, july.FalseAlarms, july.FalseAlarmRate));
    }

    [Fact]
    public void Csv_row_matches_the_headers()
    {
        var m = SlaLedger.Monthly([Alarm("a1", 12), Alarm("a2", 40, resolution: AlarmResolution.FalseAlarm)])[0];
        var row = m.ToRow();
        Assert.Equal(SlaMonthStatistics.Headers.Count, row.Count);
        Assert.Equal(["A", "2026-07", "2", "2", "50.0", "100.0", "100.0", "12.0", "40.0", "0", "1", "50.0", "否"], row);
    }

    [Fact]
    public void Timeline_row_is_in_china_time_and_whole_seconds()
    {
        var a = Alarm("al-1", 20) with { OnSiteAt = Fixtures.T0.AddMinutes(15), ClosedAt = Fixtures.T0.AddMinutes(45) };
        var row = SlaLedger.Timeline(a).ToRow();
        Assert.Equal(AlarmTimeline.Headers.Count, row.Count);
        Assert.Equal(["al-1", "A", "2026-07-20 09:59:58", "2026-07-20 10:00:00", "2026-07-20 10:00:20", "", "2026-07-20 10:15:00", "2026-07-20 10:45:00", "2", "20", "", "880", "1800", "2702"], row);
    }
}
