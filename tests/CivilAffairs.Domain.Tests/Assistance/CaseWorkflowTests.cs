using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Assistance;

public class CaseWorkflowTests
{
    static ProgramDefinition P(AssistanceProgram p) => ProgramCatalogue.Defaults().Single(d => d.Program == p);

    [Theory]
    [InlineData(ApplicationStatus.Submitted, ApplicationStatus.Accepted, true)]
    [InlineData(ApplicationStatus.Accepted, ApplicationStatus.Verifying, true)]
    [InlineData(ApplicationStatus.Verifying, ApplicationStatus.Publicity, true)]
    [InlineData(ApplicationStatus.Verifying, ApplicationStatus.AwaitingDecision, true)]
    [InlineData(ApplicationStatus.Publicity, ApplicationStatus.PublicityPaused, true)]
    [InlineData(ApplicationStatus.PublicityPaused, ApplicationStatus.Publicity, true)]
    [InlineData(ApplicationStatus.AwaitingDecision, ApplicationStatus.Granted, true)]
    [InlineData(ApplicationStatus.Granted, ApplicationStatus.AwaitingDecision, true)]
    [InlineData(ApplicationStatus.Submitted, ApplicationStatus.Granted, false)]
    [InlineData(ApplicationStatus.Verifying, ApplicationStatus.Granted, false)]
    [InlineData(ApplicationStatus.Publicity, ApplicationStatus.Granted, false)]
    [InlineData(ApplicationStatus.Rejected, ApplicationStatus.AwaitingDecision, false)]
    [InlineData(ApplicationStatus.Ended, ApplicationStatus.Granted, false)]
    public void Only_the_legal_moves_are_allowed(ApplicationStatus from, ApplicationStatus to, bool allowed) =>
        Assert.Equal(allowed, CaseWorkflow.CanMove(from, to));

    [Fact]
    public void Ended_rejected_and_withdrawn_cases_free_their_members_and_every_status_has_a_chinese_name()
    {
        Assert.False(CaseWorkflow.IsActive(ApplicationStatus.Rejected));
        Assert.False(CaseWorkflow.IsActive(ApplicationStatus.Ended));
        Assert.False(CaseWorkflow.IsActive(ApplicationStatus.Withdrawn));
        Assert.True(CaseWorkflow.IsActive(ApplicationStatus.PublicityPaused));
        Assert.True(CaseWorkflow.IsActive(ApplicationStatus.Granted));
        Assert.All(Enum.GetValues<ApplicationStatus>(), s => Assert.Matches(@"^\p{IsCJKUnifiedIdeographs}", CaseWorkflow.NameOf(s)));
    }

    [Fact]
    public void The_decision_deadline_counts_working_days_across_the_national_day_holiday()
    {
        // Arrived at the district on Monday 2026-09-28; 国庆 2026-10-01..07 are not working days.
        var d = CaseWorkflow.Deadline(ApplicationStatus.AwaitingDecision, new DateOnly(2026, 9, 28), new DateOnly(2026, 10, 10), CaseTimeLimits.Default, HolidayCalendar.Default)!;
        Assert.Equal("decision", d.Step);
        Assert.True(d.Due > new DateOnly(2026, 10, 12), $"10 working days from 9-28 end after the holiday, not {d.Due}");
        Assert.Equal(10, HolidayCalendar.Default.WorkingDaysBetween(d.Since, d.Due));
        Assert.False(d.Overdue);
        Assert.True(CaseWorkflow.Deadline(ApplicationStatus.AwaitingDecision, d.Since, d.Due.AddDays(1), CaseTimeLimits.Default, HolidayCalendar.Default)!.Overdue);
    }

    [Fact]
    public void Review_covers_verification_and_publicity_and_final_states_have_no_deadline()
    {
        var since = new DateOnly(2026, 3, 2);
        foreach (var s in new[] { ApplicationStatus.Accepted, ApplicationStatus.Verifying, ApplicationStatus.Publicity, ApplicationStatus.PublicityPaused })
            Assert.Equal("review", CaseWorkflow.Deadline(s, since, since, CaseTimeLimits.Default, HolidayCalendar.Default)!.Step);
        Assert.Equal("accept", CaseWorkflow.Deadline(ApplicationStatus.Submitted, since, since, CaseTimeLimits.Default, HolidayCalendar.Default)!.Step);
        Assert.Null(CaseWorkflow.Deadline(ApplicationStatus.Granted, since, since, CaseTimeLimits.Default, HolidayCalendar.Default));
        Assert.Null(CaseWorkflow.Deadline(ApplicationStatus.Rejected, since, since, CaseTimeLimits.Default, HolidayCalendar.Default));
    }

    [Fact]
    public void Minimum_living_allowance_tops_each_member_up_to_the_standard()
    {
        var dibao = P(AssistanceProgram.MinimumLivingAllowance);
        Assert.Equal((1368m - 557.33m) * 3, Allowances.Monthly(dibao, 557.33m, 3));
        Assert.Equal(0m, Allowances.Monthly(dibao, 1500m, 2));
        Assert.True(Allowances.PaysIn(dibao, firstBatch: false));
    }

    [Fact]
    public void Other_programs_pay_by_their_own_rule()
    {
        Assert.Equal(Math.Round(1368m * 1.3m, 2), Allowances.Monthly(P(AssistanceProgram.ExtremePoverty), 0m, 1));
        var temporary = P(AssistanceProgram.TemporaryAssistance);
        Assert.Equal(1368m * 3 * 2, Allowances.Monthly(temporary, 900m, 2));
        Assert.True(Allowances.PaysIn(temporary, firstBatch: true));
        Assert.False(Allowances.PaysIn(temporary, firstBatch: false));
        var lowIncome = P(AssistanceProgram.LowIncomeFamily);
        Assert.Equal(0m, Allowances.Monthly(lowIncome, 900m, 2));
        Assert.False(Allowances.PaysIn(lowIncome, firstBatch: true));
        Assert.All(ProgramCatalogue.Defaults().Where(p => p.Allowance != AllowanceRule.None), p => Assert.False(string.IsNullOrEmpty(p.AllowanceSource)));
    }

    [Fact]
    public void The_standard_is_configuration()
    {
        var dibao = ProgramCatalogue.Defaults(1500m).Single(p => p.Program == AssistanceProgram.MinimumLivingAllowance);
        Assert.Equal(500m * 2, Allowances.Monthly(dibao, 1000m, 2));
    }
}
