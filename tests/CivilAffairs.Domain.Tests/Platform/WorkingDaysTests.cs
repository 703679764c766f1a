using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Platform;

/// <summary>
/// Facts asserted here are from the notices themselves:
/// 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12）and
/// 国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）.
/// </summary>
public class WorkingDaysTests
{
    static readonly HolidayCalendar Cal = HolidayCalendar.Default;

    static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    static IEnumerable<DateOnly> Range(string from, string to)
    {
        for (var d = D(from); d <= D(to); d = d.AddDays(1)) yield return d;
    }

    // ---- data ----

    [Fact]
    public void Embedded_data_covers_2025_and_2026_with_their_notices()
    {
        Assert.Equal([2025, 2026], Cal.Years);
        Assert.True(Cal.Covers(2025));
        Assert.True(Cal.Covers(2026));
        Assert.False(Cal.Covers(2024));
        Assert.False(Cal.Covers(2027));
        Assert.Contains("国办发明电〔2024〕12号", Cal.SourceOf(2025));
        Assert.Contains("2026年部分节假日安排的通知", Cal.SourceOf(2026));
        Assert.Null(Cal.SourceOf(2027));
        Assert.All(Cal.Arrangements, y => Assert.False(string.IsNullOrWhiteSpace(y.Source)));
    }

    [Fact]
    public void Holiday_day_counts_match_the_notices()
    {
        static int Days(HolidayPeriod p) => p.To.DayNumber - p.From.DayNumber + 1;
        var y2025 = Cal.Arrangements.Single(y => y.Year == 2025);
        var y2026 = Cal.Arrangements.Single(y => y.Year == 2026);
        // 2025: 元旦1 春节8 清明3 劳动5 端午3 国庆中秋8; 2026: 元旦3 春节9 清明3 劳动5 端午3 中秋3 国庆7
        Assert.Equal([1, 8, 3, 5, 3, 8], y2025.Holidays.Select(Days));
        Assert.Equal([3, 9, 3, 5, 3, 3, 7], y2026.Holidays.Select(Days));
        Assert.Equal(5, y2025.AdjustedWorkingDays.Count);
        Assert.Equal(6, y2026.AdjustedWorkingDays.Count);
    }

    [Fact]
    public void Each_covered_year_has_248_working_days()
    {
        // 261 weekdays each year; 2025: -18 weekday holidays +5 adjusted; 2026: -19 +6.
        Assert.Equal(248, Cal.WorkingDaysBetween(D("2024-12-31"), D("2025-12-31")));
        Assert.Equal(248, Cal.WorkingDaysBetween(D("2025-12-31"), D("2026-12-31")));
    }

    // ---- 2025 ----

    [Fact]
    public void Spring_festival_2025_holiday_and_adjusted_working_days()
    {
        // 1月28日（除夕、周二）至2月4日（正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
        Assert.All(Range("2025-01-28", "2025-02-04"), d => Assert.False(Cal.IsWorkingDay(d), $"{d}"));
        Assert.All(Range("2025-01-28", "2025-02-04"), d => Assert.True(Cal.IsHoliday(d), $"{d}"));
        Assert.Equal(DayOfWeek.Sunday, D("2025-01-26").DayOfWeek);
        Assert.Equal(DayOfWeek.Saturday, D("2025-02-08").DayOfWeek);
        Assert.True(Cal.IsWorkingDay(D("2025-01-26")));
        Assert.True(Cal.IsAdjustedWorkingDay(D("2025-01-26")));
        Assert.True(Cal.IsWorkingDay(D("2025-02-08")));
        Assert.True(Cal.IsWorkingDay(D("2025-01-27")));  // ordinary Monday before the holiday
        Assert.True(Cal.IsWorkingDay(D("2025-02-05")));  // first day back
        Assert.False(Cal.IsWorkingDay(D("2025-01-25"))); // ordinary Saturday
        Assert.False(Cal.IsWorkingDay(D("2025-02-09"))); // ordinary Sunday
    }

    [Fact]
    public void National_day_2025_holiday_and_adjusted_working_days()
    {
        // 10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
        Assert.All(Range("2025-10-01", "2025-10-08"), d => Assert.False(Cal.IsWorkingDay(d), $"{d}"));
        Assert.Equal(DayOfWeek.Sunday, D("2025-09-28").DayOfWeek);
        Assert.Equal(DayOfWeek.Saturday, D("2025-10-11").DayOfWeek);
        Assert.True(Cal.IsWorkingDay(D("2025-09-28")));
        Assert.True(Cal.IsWorkingDay(D("2025-10-11")));
        Assert.True(Cal.IsWorkingDay(D("2025-10-09")));
    }

    [Theory]
    [InlineData("2025-01-01", false)] // 元旦（周三）
    [InlineData("2025-04-04", false)] // 清明（周五）
    [InlineData("2025-04-27", true)]  // 劳动节调休上班（周日）
    [InlineData("2025-05-01", false)]
    [InlineData("2025-05-05", false)] // 劳动节（周一）
    [InlineData("2025-05-06", true)]
    [InlineData("2025-06-02", false)] // 端午（周一）
    public void Other_2025_holidays(string date, bool working) => Assert.Equal(working, Cal.IsWorkingDay(D(date)));

    // ---- 2026 ----

    [Theory]
    [InlineData("2026-01-01", false)] // 元旦 1月1日（周四）至3日（周六）
    [InlineData("2026-01-02", false)]
    [InlineData("2026-01-04", true)]  // 1月4日（周日）上班
    [InlineData("2026-02-14", true)]  // 2月14日（周六）上班
    [InlineData("2026-02-15", false)] // 春节 2月15日（腊月二十八、周日）至23日（正月初七、周一）
    [InlineData("2026-02-23", false)]
    [InlineData("2026-02-24", true)]
    [InlineData("2026-02-28", true)]  // 2月28日（周六）上班
    [InlineData("2026-04-06", false)] // 清明（周一）
    [InlineData("2026-05-05", false)] // 劳动节 5月1日（周五）至5日（周二）
    [InlineData("2026-05-09", true)]  // 5月9日（周六）上班
    [InlineData("2026-06-19", false)] // 端午（周五）
    [InlineData("2026-09-20", true)]  // 9月20日（周日）上班
    [InlineData("2026-09-25", false)] // 中秋（周五）
    [InlineData("2026-10-07", false)] // 国庆 10月1日（周四）至7日（周三）
    [InlineData("2026-10-08", true)]
    [InlineData("2026-10-10", true)]  // 10月10日（周六）上班
    public void Holidays_2026(string date, bool working) => Assert.Equal(working, Cal.IsWorkingDay(D(date)));

    // ---- AddWorkingDays ----

    [Fact]
    public void Across_the_2025_spring_festival()
    {
        // Accepted Fri 24 Jan: Sun 26 (1), Mon 27 (2), holiday 28 Jan–4 Feb, Wed 5 (3), Thu 6 (4), Fri 7 (5).
        Assert.Equal(D("2025-02-07"), Cal.AddWorkingDays(D("2025-01-24"), 5));
    }

    [Fact]
    public void Across_the_2025_national_day_with_both_adjusted_days()
    {
        // Accepted Fri 26 Sep: Sun 28 (1), 29–30 (3), holiday 1–8 Oct, 9–11 (6), 13–17 (11), 20–24 (16), 27–30 (20).
        var deadline = Cal.AddWorkingDays(D("2025-09-26"), 20);
        Assert.Equal(D("2025-10-30"), deadline);
        // Plain Monday–Friday would end six days early.
        Assert.Equal(D("2025-10-24"), HolidayCalendar.WeekdaysOnly.AddWorkingDays(D("2025-09-26"), 20));
    }

    [Fact]
    public void Across_the_2026_spring_festival_and_mid_autumn_national_day()
    {
        // Sat 14 Feb (1), holiday 15–23, Tue 24 (2), Wed 25 (3).
        Assert.Equal(D("2026-02-25"), Cal.AddWorkingDays(D("2026-02-13"), 3));
        // Sun 20 Sep (1), 21–24 (5), 中秋 25–27, 28–30 (8), 国庆 1–7 Oct, Thu 8 (9), Fri 9 (10).
        Assert.Equal(D("2026-10-09"), Cal.AddWorkingDays(D("2026-09-18"), 10));
    }

    [Fact]
    public void Across_the_year_boundary()
    {
        // 2026 元旦 1–3 Jan, Sun 4 Jan is a working day.
        var d = Cal.Deadline(D("2025-12-31"), 3);
        Assert.Equal(D("2026-01-06"), d.Date);
        Assert.False(d.IsEstimate);
        // Starting in an uncovered year but counting only 2025 days is not an estimate: 1 Jan 2025 is 元旦.
        var e = Cal.Deadline(D("2024-12-31"), 1);
        Assert.Equal(D("2025-01-02"), e.Date);
        Assert.False(e.IsEstimate);
    }

    [Fact]
    public void Zero_days_is_the_start_date_even_on_a_holiday()
    {
        Assert.Equal(D("2025-10-03"), Cal.AddWorkingDays(D("2025-10-03"), 0));
        Assert.Equal(D("2025-10-09"), Cal.AddWorkingDays(D("2025-10-09"), 0));
        Assert.False(Cal.Deadline(D("2030-05-01"), 0).IsEstimate);
    }

    [Fact]
    public void Negative_days_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Cal.AddWorkingDays(D("2025-03-03"), -1));

    [Fact]
    public void Starting_on_a_holiday_counts_from_the_next_working_day()
    {
        // Accepted online on 2 Oct 2025 (holiday): first counted day is Thu 9 Oct.
        Assert.Equal(D("2025-10-09"), Cal.AddWorkingDays(D("2025-10-02"), 1));
    }

    // ---- fallback ----

    [Fact]
    public void Uncovered_years_fall_back_to_monday_to_friday()
    {
        // 1 Oct 2024 was a real holiday, but 2024 is not in the data: the calendar can only estimate.
        Assert.False(Cal.Covers(2024));
        Assert.True(Cal.IsWorkingDay(D("2024-10-01")));
        Assert.False(Cal.IsWorkingDay(D("2024-10-05")));
        Assert.True(Cal.IsWorkingDay(D("2027-02-08")));
        Assert.False(Cal.IsWorkingDay(D("2027-02-06")));
    }

    [Fact]
    public void Deadline_reaching_an_uncovered_year_is_flagged_as_an_estimate()
    {
        // Thu 31 Dec 2026 (1), then 2027 by Monday–Friday: Fri 1 Jan (2), 4–6 Jan (5).
        var d = Cal.Deadline(D("2026-12-30"), 5);
        Assert.Equal(D("2027-01-06"), d.Date);
        Assert.True(d.IsEstimate);
        Assert.False(Cal.Covers(D("2026-12-30"), d.Date));
        Assert.True(Cal.Covers(D("2025-01-01"), D("2026-12-31")));

        Assert.False(Cal.Deadline(D("2026-12-01"), 5).IsEstimate);
        Assert.True(Cal.Deadline(D("2024-06-03"), 5).IsEstimate);
    }

    // ---- WorkingDaysBetween ----

    [Fact]
    public void Between_excludes_from_and_includes_to()
    {
        Assert.Equal(0, Cal.WorkingDaysBetween(D("2025-01-27"), D("2025-01-27")));
        Assert.Equal(1, Cal.WorkingDaysBetween(D("2025-01-24"), D("2025-01-26"))); // only Sun 26 (adjusted)
        Assert.Equal(5, Cal.WorkingDaysBetween(D("2025-01-24"), D("2025-02-07")));
        Assert.Equal(-5, Cal.WorkingDaysBetween(D("2025-02-07"), D("2025-01-24")));
        Assert.Equal(0, Cal.WorkingDaysBetween(D("2025-09-30"), D("2025-10-08")));
        Assert.Equal(1, Cal.WorkingDaysBetween(D("2025-10-08"), D("2025-10-09")));
    }

    [Fact]
    public void Between_matches_a_day_by_day_count_and_inverts_AddWorkingDays()
    {
        var calendars = new[] { Cal, HolidayCalendar.WeekdaysOnly };
        foreach (var cal in calendars)
        {
            for (var start = D("2024-12-20"); start <= D("2027-01-10"); start = start.AddDays(3))
            {
                for (var n = 0; n <= 25; n++)
                {
                    var end = cal.AddWorkingDays(start, n);
                    Assert.Equal(n, cal.WorkingDaysBetween(start, end));
                }
                foreach (var span in new[] { 0, 1, 6, 7, 8, 13, 40, 400 })
                {
                    var to = start.AddDays(span);
                    var naive = 0;
                    for (var d = start.AddDays(1); d <= to; d = d.AddDays(1)) if (cal.IsWorkingDay(d)) naive++;
                    Assert.Equal(naive, cal.WorkingDaysBetween(start, to));
                }
            }
        }
    }

    // ---- IsOverdue ----

    [Fact]
    public void Overdue_only_after_the_last_day()
    {
        // 20 working days from Fri 26 Sep 2025 end on Thu 30 Oct.
        Assert.False(Cal.IsOverdue(D("2025-09-26"), 20, D("2025-10-24"))); // a Monday–Friday count would already be at its end
        Assert.False(Cal.IsOverdue(D("2025-09-26"), 20, D("2025-10-30")));
        Assert.True(Cal.IsOverdue(D("2025-09-26"), 20, D("2025-10-31")));
        // The weekend after a Friday deadline is already overdue.
        Assert.True(Cal.IsOverdue(D("2025-11-02"), 5, D("2025-11-08")));
        Assert.False(Cal.IsOverdue(D("2025-11-02"), 5, D("2025-11-07")));
        // A limit of 0 is overdue from the next day.
        Assert.False(Cal.IsOverdue(D("2025-03-03"), 0, D("2025-03-03")));
        Assert.True(Cal.IsOverdue(D("2025-03-03"), 0, D("2025-03-04")));
    }

    // ---- loading ----

    const string Good = """
        { "years": [ { "year": 2030, "source": "test",
          "holidays": [ { "name": "X", "from": "2030-01-01", "to": "2030-01-02", "days": 2 } ],
          "adjustedWorkingDays": [ { "name": "X", "date": "2030-01-05" } ] } ] }
        """;

    [Fact]
    public void FromJson_reads_a_data_file()
    {
        var cal = HolidayCalendar.FromJson(Good);
        Assert.Equal([2030], cal.Years);
        Assert.False(cal.IsWorkingDay(D("2030-01-01")));
        Assert.True(cal.IsWorkingDay(D("2030-01-05"))); // Saturday
        Assert.True(HolidayCalendar.LoadEmbedded().Covers(2026));
    }

    [Theory]
    [InlineData("\"days\": 2", "\"days\": 3")]                          // count disagrees with the range
    [InlineData("\"date\": \"2030-01-05\"", "\"date\": \"2030-01-07\"")] // adjusted working day on a Monday
    [InlineData("\"to\": \"2030-01-02\", \"days\": 2", "\"to\": \"2030-01-05\", \"days\": 5")] // Sat 5 Jan both holiday and working day
    [InlineData("\"source\": \"test\"", "\"source\": \"\"")]            // no source
    [InlineData("\"to\": \"2030-01-02\"", "\"to\": \"2029-12-31\"")]    // ends before it starts
    [InlineData("{ \"years\"", "[")]                                    // not JSON
    public void FromJson_rejects_inconsistent_data(string find, string replace) =>
        Assert.Throws<FormatException>(() => HolidayCalendar.FromJson(Good.Replace(find, replace)));
}
