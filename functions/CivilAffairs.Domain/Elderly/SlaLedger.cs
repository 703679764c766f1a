using System.Globalization;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Elderly;

/// <summary>
/// One alarm's milestones and the time between them. Segments are null when either end is missing
/// (not answered yet, no relative told, nobody sent).
/// </summary>
/// <param name="PressToReceived">Press (device time) → received by the platform (network and gateway delay).</param>
/// <param name="ReceivedToAnswered">Received → answered: the <b>answer time</b> the statistics use.</param>
/// <param name="AnsweredToRelativeNotified">Answered → first relative told.</param>
/// <param name="AnsweredToOnSite">Answered → responder on site.</param>
/// <param name="OnSiteToClosed">On site → closed.</param>
/// <param name="PressToClosed">Press → closed: the whole incident.</param>
public sealed record AlarmTimeline(
    string AlarmId, string Company, DateTimeOffset PressedAt, DateTimeOffset ReceivedAt, DateTimeOffset? AnsweredAt,
    DateTimeOffset? RelativeNotifiedAt, DateTimeOffset? OnSiteAt, DateTimeOffset? ClosedAt,
    TimeSpan PressToReceived, TimeSpan? ReceivedToAnswered, TimeSpan? AnsweredToRelativeNotified, TimeSpan? AnsweredToOnSite,
    TimeSpan? OnSiteToClosed, TimeSpan? PressToClosed)
{
    /// <summary>Column names of <see cref="ToRow"/>, in order.</summary>
    public static readonly IReadOnlyList<string> Headers =
    [
        "告警编号", "运营单位", "按键时间", "接收时间", "接听时间", "通知亲属时间", "到场时间", "结案时间",
        "按键至接收(秒)", "接收至接听(秒)", "接听至通知亲属(秒)", "接听至到场(秒)", "到场至结案(秒)", "按键至结案(秒)",
    ];

    /// <summary>Text cells for a CSV encoder: instants in China time (yyyy-MM-dd HH:mm:ss), durations in whole seconds, empty when missing.</summary>
    public IReadOnlyList<string> ToRow()
    {
        static string At(DateTimeOffset? t) => t is { } v ? ChinaTime.ToChina(v).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";
        static string Sec(TimeSpan? t) => t is { } v ? ((long)Math.Round(v.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : "";
        return
        [
            AlarmId, Company, At(PressedAt), At(ReceivedAt), At(AnsweredAt), At(RelativeNotifiedAt), At(OnSiteAt), At(ClosedAt),
            Sec(PressToReceived), Sec(ReceivedToAnswered), Sec(AnsweredToRelativeNotified), Sec(AnsweredToOnSite), Sec(OnSiteToClosed), Sec(PressToClosed),
        ];
    }
}

/// <summary>
/// Answering performance of one operator company in one month (China time, by receive time).
/// Shares are fractions in [0, 1] of <b>all</b> alarms of the month: an alarm never answered counts as
/// answered in none of the windows. Answer times are over the answered alarms only.
/// </summary>
/// <param name="Month">First day of the month.</param>
/// <param name="FalseAlarmRate">False alarms ÷ alarms with a recorded outcome (0 when none has one).</param>
/// <param name="MeetsReference">Both reference targets met: ≥ 80 % within 30 s and ≥ 98.5 % within 60 s.</param>
public sealed record SlaMonthStatistics(
    string Company, DateOnly Month, int Alarms, int Answered, decimal ShareWithin30Seconds, decimal ShareWithin60Seconds,
    decimal ShareWithin180Seconds, TimeSpan? MedianAnswerTime, TimeSpan? P95AnswerTime, int Escalations, int FalseAlarms,
    decimal FalseAlarmRate, bool MeetsReference)
{
    /// <summary>Column names of <see cref="ToRow"/>, in order (Chinese: the report is for people).</summary>
    public static readonly IReadOnlyList<string> Headers =
    [
        "运营单位", "月份", "告警数", "已接听", "30秒内接听率(%)", "60秒内接听率(%)", "180秒内接听率(%)",
        "接听时长中位数(秒)", "接听时长P95(秒)", "升级次数", "误报数", "误报率(%)", "达到参考标准",
    ];

    /// <summary>
    /// The statistics as text cells for a CSV encoder (no quoting here): invariant culture, percentages with one
    /// decimal, seconds with one decimal, empty cells for missing values, 是/否 for the flag.
    /// </summary>
    public IReadOnlyList<string> ToRow()
    {
        static string Pct(decimal share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture);
        static string Sec(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "";
        return
        [
            Company, Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), Alarms.ToString(CultureInfo.InvariantCulture),
            Answered.ToString(CultureInfo.InvariantCulture), Pct(ShareWithin30Seconds), Pct(ShareWithin60Seconds), Pct(ShareWithin180Seconds),
            Sec(MedianAnswerTime), Sec(P95AnswerTime), Escalations.ToString(CultureInfo.InvariantCulture),
            FalseAlarms.ToString(CultureInfo.InvariantCulture), Pct(FalseAlarmRate), MeetsReference ? "是" : "否",
        ];
    }
}

/// <summary>
/// The SLA ledger: plain functions over a list of <see cref="Alarm"/> records.
/// <para>
/// Reference targets, as cited in the bureau's issue: the TSA code (TEC Services Association, UK, code of
/// practice for telecare monitoring centres) — 98.5 % of alarm calls answered within 60 seconds and 80 % within
/// 30 seconds. They are the platform's yardstick for the 平安通 call centre (service rules: 穗民规字〔2023〕8号),
/// not a threshold taken from those rules.
/// </para>
/// </summary>
public static class SlaLedger
{
    /// <summary>Reference: at least 80 % answered within 30 s.</summary>
    public const decimal ReferenceShareWithin30Seconds = 0.80m;
    /// <summary>Reference: at least 98.5 % answered within 60 s.</summary>
    public const decimal ReferenceShareWithin60Seconds = 0.985m;

    public static AlarmTimeline Timeline(Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var relative = alarm.RelativeNotifiedAt;
        return new AlarmTimeline(
            alarm.Id, alarm.Company, alarm.PressedAt, alarm.RaisedAt, alarm.AnsweredAt, relative, alarm.OnSiteAt, alarm.ClosedAt,
            alarm.RaisedAt - alarm.PressedAt,
            alarm.AnsweredAt - alarm.RaisedAt,
            relative - alarm.AnsweredAt,
            alarm.OnSiteAt - alarm.AnsweredAt,
            alarm.ClosedAt - alarm.OnSiteAt,
            alarm.ClosedAt - alarm.PressedAt);
    }

    /// <summary>
    /// Nearest-rank percentile: sort ascending, take the value at rank ⌈p/100 × n⌉ (1-based). No interpolation,
    /// so the answer is always an observed value; p50 of four values is the 2nd. Null for an empty list.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100].</exception>
    public static TimeSpan? NearestRank(IEnumerable<TimeSpan> values, decimal percentile)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (percentile is <= 0 or > 100) throw new ArgumentOutOfRangeException(nameof(percentile), "The percentile must be in (0, 100].");
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return null;
        var rank = (int)Math.Ceiling(percentile / 100m * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>
    /// Statistics per (company, month of the receive time in China time), ordered by company then month.
    /// Median = nearest-rank p50, P95 = nearest-rank p95 (<see cref="NearestRank"/>). Within 30 s means an
    /// answer time ≤ 30 s (inclusive). Escalations count alarms that reached the supervisor.
    /// </summary>
    public static IReadOnlyList<SlaMonthStatistics> Monthly(IEnumerable<Alarm> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        return alarms
            .GroupBy(a => (a.Company, Month: MonthOf(a.RaisedAt)))
            .OrderBy(g => g.Key.Company, StringComparer.Ordinal).ThenBy(g => g.Key.Month)
            .Select(g => Statistics(g.Key.Company, g.Key.Month, g.ToList()))
            .ToList();
    }

    static SlaMonthStatistics Statistics(string company, DateOnly month, IReadOnlyList<Alarm> alarms)
    {
        var answerTimes = alarms.Where(a => a.AnsweredAt is not null).Select(a => a.AnsweredAt!.Value - a.RaisedAt).ToList();
        decimal Share(int seconds) => Math.Round((decimal)answerTimes.Count(t => t <= TimeSpan.FromSeconds(seconds)) / alarms.Count, 4);
        var resolved = alarms.Count(a => a.Resolution is not null);
        var falseAlarms = alarms.Count(a => a.Resolution == AlarmResolution.FalseAlarm);
        var s30 = Share(30);
        var s60 = Share(60);
        return new SlaMonthStatistics(
            company, month, alarms.Count, answerTimes.Count, s30, s60, Share(180),
            NearestRank(answerTimes, 50), NearestRank(answerTimes, 95),
            alarms.Count(a => a.Escalated), falseAlarms,
            resolved == 0 ? 0m : Math.Round((decimal)falseAlarms / resolved, 4),
            s30 >= ReferenceShareWithin30Seconds && s60 >= ReferenceShareWithin60Seconds);
    }

    static DateOnly MonthOf(DateTimeOffset instant)
    {
        var d = ChinaTime.DateOf(instant);
        return new DateOnly(d.Year, d.Month, 1);
    }
}
