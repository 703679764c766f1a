namespace CivilAffairs.Domain.Platform;

/// <summary>
/// Legal time limits counted in working days (以工作日计算, 不含法定节假日), as for administrative
/// licensing (《行政许可法》第八十二条) and the service catalogue's <c>TimeLimitWorkingDays</c>.
/// <para>
/// Counting starts the day after the starting event (受理之日不计入): a limit of N working days ends on
/// the N-th working day after <c>start</c>, and a limit of 0 ends on <c>start</c> itself. Dates are
/// calendar dates in China Standard Time; get today's with <see cref="ChinaTime.Today"/>.
/// </para>
/// Where the counted days reach a year the calendar does not cover, the result is a Monday–Friday
/// estimate: <see cref="Deadline"/> says so, or check <see cref="HolidayCalendar.Covers(DateOnly, DateOnly)"/>.
/// </summary>
public static class WorkingDays
{
    /// <summary>The last day of a limit of <paramref name="days"/> working days counted from the day after <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="days"/> is negative.</exception>
    public static DateOnly AddWorkingDays(this HolidayCalendar cal, DateOnly start, int days)
    {
        ArgumentNullException.ThrowIfNull(cal);
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var date = start;
        while (days > 0)
        {
            date = date.AddDays(1);
            if (cal.IsWorkingDay(date)) days--;
        }
        return date;
    }

    /// <summary>
    /// As <see cref="AddWorkingDays"/>, with <see cref="WorkingDayDeadline.IsEstimate"/> set when any day
    /// counted lies in a year the calendar does not cover.
    /// </summary>
    public static WorkingDayDeadline Deadline(this HolidayCalendar cal, DateOnly start, int days)
    {
        var date = cal.AddWorkingDays(start, days);
        return new WorkingDayDeadline(date, days > 0 && !cal.Covers(start.AddDays(1), date));
    }

    /// <summary>
    /// Working days after <paramref name="from"/> up to and including <paramref name="to"/>, so that
    /// <c>WorkingDaysBetween(start, AddWorkingDays(start, n)) == n</c>. Negative when
    /// <paramref name="to"/> is before <paramref name="from"/>: <c>-WorkingDaysBetween(to, from)</c>.
    /// </summary>
    public static int WorkingDaysBetween(this HolidayCalendar cal, DateOnly from, DateOnly to)
    {
        ArgumentNullException.ThrowIfNull(cal);
        if (to < from) return -cal.WorkingDaysBetween(to, from);

        var total = to.DayNumber - from.DayNumber;
        var weeks = total / 7;
        var count = weeks * 5;
        var date = from.AddDays(weeks * 7);
        for (var i = 0; i < total % 7; i++)
        {
            date = date.AddDays(1);
            if (!HolidayCalendar.IsWeekend(date)) count++;
        }
        return count - cal.WeekdayHolidaysIn(from, to) + cal.AdjustedWorkingDaysIn(from, to);
    }

    /// <summary>
    /// True once <paramref name="today"/> is after the last day of a limit of <paramref name="limit"/>
    /// working days from <paramref name="start"/>; the last day itself is still within the limit.
    /// </summary>
    public static bool IsOverdue(this HolidayCalendar cal, DateOnly start, int limit, DateOnly today) =>
        today > cal.AddWorkingDays(start, limit);
}

/// <param name="Date">The last day of the limit.</param>
/// <param name="IsEstimate">
/// Some counted day lies in a year with no announced holiday arrangement, so Monday–Friday was assumed
/// there; the real deadline may differ once that year's notice is added. Show it as provisional.
/// </param>
public readonly record struct WorkingDayDeadline(DateOnly Date, bool IsEstimate);
