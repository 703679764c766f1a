using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Domain.Tests.Assistance;

public class MemberDeathTests
{
    static ProgramDefinition P(AssistanceProgram p) => ProgramCatalogue.Defaults().Single(d => d.Program == p);

    [Fact]
    public void A_members_death_takes_their_income_out_and_recalculates_the_gap_for_the_rest()
    {
        // 3 members at 673 per head (2019 a month), the deceased earning 1000: 1019 / 2 = 509.50, (1368 − 509.50) × 2 = 1717.00.
        var after = MemberDeath.Recalculate(P(AssistanceProgram.MinimumLivingAllowance), 673m, 3, 1000m);
        Assert.False(after.Ends);
        Assert.Equal(2, after.RemainingMembers);
        Assert.Equal(509.50m, after.IncomePerCapita);
        Assert.Equal(1717.00m, after.MonthlyAllowance);
    }

    [Fact]
    public void A_members_death_without_income_raises_the_per_capita_income_of_the_rest()
    {
        // 2019 shared by 2 instead of 3: 1009.50 per head, (1368 − 1009.50) × 2 = 717.00.
        var after = MemberDeath.Recalculate(P(AssistanceProgram.MinimumLivingAllowance), 673m, 3, 0m);
        Assert.Equal(1009.50m, after.IncomePerCapita);
        Assert.Equal(717.00m, after.MonthlyAllowance);
    }

    [Fact]
    public void Extreme_poverty_is_paid_per_remaining_member_and_the_only_members_death_ends_the_grant()
    {
        Assert.Equal(Math.Round(1368m * 1.3m, 2), MemberDeath.Recalculate(P(AssistanceProgram.ExtremePoverty), 0m, 2, 0m).MonthlyAllowance);
        var ended = MemberDeath.Recalculate(P(AssistanceProgram.MinimumLivingAllowance), 300m, 1, 300m);
        Assert.True(ended.Ends);
        Assert.Equal(0, ended.RemainingMembers);
        Assert.Equal(0m, ended.MonthlyAllowance);
    }

    [Theory]
    [InlineData("2026-12-04", "2026-12-05", new string[0], "202701")]
    [InlineData("2026-12-04", "2026-12-05", new[] { "202701" }, "202702")]
    [InlineData("2026-09-30", "2026-12-05", new string[0], "202612")]
    [InlineData("2026-09-30", "2026-12-05", new[] { "202612", "202701" }, "202702")]
    public void The_new_amount_applies_from_the_first_month_after_the_death_that_has_no_batch_yet(string died, string today, string[] batched, string expected) =>
        Assert.Equal(expected, MemberDeath.FirstPaymentMonth(DateOnly.Parse(died), DateOnly.Parse(today), batched.Contains));
}
