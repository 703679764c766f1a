namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>When an absence from the meal points is worth a welfare check (demo numbers, <see cref="MealsOptions"/>).</summary>
public sealed record MealAttendanceRule(int AbsenceDays, int UsualWindowDays, int UsualMealDays);

/// <summary>An elder who usually comes and has not come for <see cref="DaysAbsent"/> days since <see cref="LastMealOn"/>.</summary>
public sealed record MealAbsence(DateOnly LastMealOn, int DaysAbsent, int MealDaysBefore);

/// <summary>
/// Meal attendance (就餐考勤): an elder who ate on at least <see cref="MealAttendanceRule.UsualMealDays"/> of the
/// <see cref="MealAttendanceRule.UsualWindowDays"/> days before the absence window, and on none of the
/// <see cref="MealAttendanceRule.AbsenceDays"/> days before today, is absent. Today does not count (the day is not over).
/// </summary>
public static class MealAttendance
{
    public static MealAbsence? Assess(IEnumerable<DateOnly> mealDays, DateOnly today, MealAttendanceRule rule)
    {
        ArgumentNullException.ThrowIfNull(mealDays);
        if (rule.AbsenceDays < 1 || rule.UsualWindowDays < 1 || rule.UsualMealDays < 1) throw new ArgumentOutOfRangeException(nameof(rule));
        var days = mealDays.Where(d => d < today).Distinct().ToList();
        var windowStart = today.AddDays(-rule.AbsenceDays);
        if (days.Any(d => d >= windowStart)) return null;
        var usualFrom = windowStart.AddDays(-rule.UsualWindowDays);
        var before = days.Count(d => d >= usualFrom);
        if (before < rule.UsualMealDays) return null;
        var last = days.Max();
        return new MealAbsence(last, today.DayNumber - last.DayNumber - 1, before);
    }
}
