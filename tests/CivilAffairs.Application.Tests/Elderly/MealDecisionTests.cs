using CivilAffairs.Application.Elderly.Meals;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Tests.Elderly;

/// <summary>The meal services' own decisions: attendance (welfare checks), resent receipts, the reconciliation CSV.</summary>
public class MealDecisionTests
{
    static readonly DateOnly Today = new(2026, 3, 20);
    static readonly MealAttendanceRule Rule = new(AbsenceDays: 3, UsualWindowDays: 28, UsualMealDays: 8);

    static IEnumerable<DateOnly> Weekdays(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) yield return d;
    }

    [Fact]
    public void A_usual_attendee_absent_three_days_gets_one_welfare_check_dated_by_the_last_meal()
    {
        var days = Weekdays(Today.AddDays(-40), Today.AddDays(-4)).ToList();
        var absence = MealAttendance.Assess(days, Today, Rule);
        Assert.NotNull(absence);
        Assert.Equal(days.Max(), absence!.LastMealOn);
        Assert.Equal(Today.DayNumber - days.Max().DayNumber - 1, absence.DaysAbsent);
        Assert.True(absence.MealDaysBefore >= 8);
    }

    [Fact]
    public void A_meal_within_the_last_three_days_or_rare_attendance_raises_nothing()
    {
        var usual = Weekdays(Today.AddDays(-40), Today.AddDays(-4)).ToList();
        Assert.Null(MealAttendance.Assess([.. usual, Today.AddDays(-3)], Today, Rule));     // ate three days ago: only two days absent
        Assert.Null(MealAttendance.Assess([Today.AddDays(-10), Today.AddDays(-20)], Today, Rule)); // comes now and then: not "usually"
        Assert.Null(MealAttendance.Assess([], Today, Rule));
        // Today does not count yet: a usual attendee who has not eaten today but ate yesterday is fine.
        Assert.Null(MealAttendance.Assess([.. usual, Today.AddDays(-1)], Today, Rule));
    }

    [Fact]
    public void The_absence_days_are_configurable()
    {
        var days = Weekdays(Today.AddDays(-40), Today.AddDays(-4)).Where(d => d <= Today.AddDays(-6)).ToList();
        Assert.NotNull(MealAttendance.Assess(days, Today, Rule with { AbsenceDays = 5 }));
        Assert.Null(MealAttendance.Assess([.. days, Today.AddDays(-5)], Today, Rule with { AbsenceDays = 5 }));
    }

    static StoredMeal Meal(string elder, DateTimeOffset servedAt, decimal? priceSent) => new(new MealTransaction("R-1", elder, "440104", "P-1", "440104",
        servedAt, Domain.Platform.ChinaTime.DateOf(servedAt), new MealQuote(SubsidyTier.Tier2, 12m, 9m, 4.5m, 4.5m, 3m, false)), priceSent);

    [Fact]
    public void A_resent_receipt_is_the_same_meal_only_with_the_same_elder_time_and_price()
    {
        var at = new DateTimeOffset(2026, 3, 20, 11, 45, 12, TimeSpan.FromHours(8));
        var stored = Meal("E-1", at, null);
        Assert.True(MealTransactionService.SameContent(stored, "E-1", at.ToUniversalTime().AddMilliseconds(300), null));
        Assert.False(MealTransactionService.SameContent(stored, "E-2", at, null));
        Assert.False(MealTransactionService.SameContent(stored, "E-1", at.AddMinutes(1), null));
        Assert.False(MealTransactionService.SameContent(stored, "E-1", at, 15m));
        Assert.True(MealTransactionService.SameContent(Meal("E-1", at, 15m), "E-1", at, 15m));
    }

    [Fact]
    public void The_reconciliation_csv_has_a_line_per_point_a_total_and_no_formula_from_names()
    {
        var view = new MealReconciliationView("440104", "广州市越秀区", "2026-03", 2, 9.00m, 9.00m, 1, 3.50m,
        [
            new MealReconciliationLine("P-1", "=HYPERLINK(\"x\")", "440104", false, 2, 24m, 6m, 9m, 9m),
            new MealReconciliationLine("P-2", "石牌街道长者饭堂", "440106", true, 1, 12m, 8.5m, 3.5m, 0m),
        ]);
        var lines = MealSettlementService.Csv(view).TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("饭堂编号,", lines[0]);
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", lines[1]);
        Assert.Equal("P-2,石牌街道长者饭堂,440106,是,1,12.00,8.50,3.50,0.00", lines[2]);
        Assert.Equal("合计,广州市越秀区 2026-03,440104,,3,36.00,14.50,12.50,9.00", lines[3]);
    }
}
