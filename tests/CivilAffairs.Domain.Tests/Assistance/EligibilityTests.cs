using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Assistance;

public class EligibilityTests
{
    static readonly DateTimeOffset At = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    static readonly ProgramDefinition Dibao = ProgramCatalogue.Defaults().Single(p => p.Program == AssistanceProgram.MinimumLivingAllowance);

    static ReportedFigure Fig(string member, string unit, ReportField field, decimal amount, bool monthly = false) =>
        new(member, unit, unit + "-cat", field, amount, monthly, At, "hash-" + unit);

    [Fact]
    public void Report_aggregates_per_capita_and_keeps_every_figure_with_its_source()
    {
        var report = HouseholdEconomicReport.Build(3,
        [
            Fig("m1", "hrss", ReportField.MonthlyIncomePerCapita, 2400m, monthly: true),
            Fig("m2", "hrss", ReportField.MonthlyIncomePerCapita, 600m, monthly: true),
            Fig("m1", "bank-icbc", ReportField.FinancialAssetsPerCapita, 9000m),
            Fig("m1", "land", ReportField.RealEstate, 1m),
        ], ["hrss", "bank-icbc", "land", "insurer-x"], ["insurer-x"], []);

        Assert.Equal(1000m, report.Value(ReportField.MonthlyIncomePerCapita));
        Assert.Equal(3000m, report.Value(ReportField.FinancialAssetsPerCapita));
        Assert.Equal(1m, report.Value(ReportField.RealEstate));
        Assert.Equal(["hrss", "hrss"], report.Fields.Single(f => f.Field == ReportField.MonthlyIncomePerCapita).Evidence.Select(e => e.UnitCode));
        Assert.Equal(["insurer-x"], report.UnitsNotAnswered);
    }

    [Fact]
    public void Eligible_household_passes_every_rule_and_a_silent_unit_makes_the_decision_provisional()
    {
        var report = HouseholdEconomicReport.Build(2, [Fig("m1", "hrss", ReportField.MonthlyIncomePerCapita, 1800m, true)], ["hrss", "csdc"], ["csdc"], []);
        var decision = EligibilityDecision.Decide(Dibao, report);
        Assert.Equal(DecisionOutcome.Eligible, decision.Outcome);
        Assert.All(decision.Rules, r => Assert.True(r.Passed));
        var income = decision.Rules.Single(r => r.Field == ReportField.MonthlyIncomePerCapita);
        Assert.Equal((900m, "<", ProgramCatalogue.GuangzhouMinimumLivingStandard), (income.Value, income.Operator, income.Threshold));
        Assert.True(decision.Provisional);
        Assert.Equal(["csdc"], decision.MissingSources);
    }

    [Fact]
    public void Ineligible_household_is_explained_rule_by_rule()
    {
        var report = HouseholdEconomicReport.Build(1,
        [
            Fig("m1", "hrss", ReportField.MonthlyIncomePerCapita, 6000m, true),
            Fig("m1", "police", ReportField.Vehicles, 1m),
        ], ["hrss", "police"], [], []);
        var decision = EligibilityDecision.Decide(Dibao, report);
        Assert.Equal(DecisionOutcome.Ineligible, decision.Outcome);
        Assert.Equal([ReportField.MonthlyIncomePerCapita, ReportField.Vehicles], decision.Rules.Where(r => !r.Passed).Select(r => r.Field));
        Assert.False(decision.Provisional);
        var assets = decision.Rules.Single(r => r.Field == ReportField.FinancialAssetsPerCapita);
        Assert.Equal(24 * ProgramCatalogue.GuangzhouMinimumLivingStandard, assets.Threshold);
    }

    [Fact]
    public void Household_needs_one_applicant_valid_unique_ids_and_every_members_consent()
    {
        var today = new DateOnly(2026, 11, 29);
        var ok = IdNumberFor("440106", "19800101", 123);
        HouseholdMember[] members =
        [
            new("张三", ok, Relationship.Applicant, true),
            new("张四", ok, Relationship.Child, false),
            new("", "440106198001011230", Relationship.Spouse, true),
        ];
        var fields = HouseholdRules.Validate(members, today).Select(e => e.Field).ToList();
        Assert.Equal(["members[1].idNumber", "members[1].consentSigned", "members[2].name", "members[2].idNumber"], fields);
        Assert.Contains(HouseholdRules.Validate([new("李", ok, Relationship.Child, true)], today), e => e.Field == "members");
    }

    static string IdNumberFor(string division, string birth, int seq)
    {
        var first17 = $"{division}{birth}{seq:000}";
        return first17 + IdNumber.ComputeCheckCharacter(first17);
    }
}
