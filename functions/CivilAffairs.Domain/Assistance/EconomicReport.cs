namespace CivilAffairs.Domain.Assistance;

/// <summary>One figure a partner unit reported, with its evidence.</summary>
/// <param name="Category">Information category code (e.g. "wages", "deposits").</param>
/// <param name="Field">The report field the category feeds.</param>
/// <param name="Monthly">True when the amount is a monthly income (summed per month), false for a stock (balance, count).</param>
public sealed record ReportedFigure(string MemberRef, string UnitCode, string Category, ReportField Field, decimal Amount, bool Monthly, DateTimeOffset AnsweredAt, string ReplyHash);

public sealed record FieldTotal(ReportField Field, decimal Value, IReadOnlyList<ReportedFigure> Evidence);

/// <summary>The household economic report (家庭经济状况核对报告): every figure with its source.</summary>
public sealed record HouseholdEconomicReport(int Members, IReadOnlyList<FieldTotal> Fields, IReadOnlyList<string> UnitsAsked, IReadOnlyList<string> UnitsNotAnswered, IReadOnlyList<string> UnitsFailed)
{
    public decimal Value(ReportField field) => Fields.FirstOrDefault(f => f.Field == field)?.Value ?? 0m;

    /// <summary>Aggregates the figures of all members into per-household fields (per capita where the field says so).</summary>
    public static HouseholdEconomicReport Build(int members, IEnumerable<ReportedFigure> figures, IReadOnlyList<string> asked, IReadOnlyList<string> notAnswered, IReadOnlyList<string> failed)
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members));
        var list = figures.ToList();
        var fields = Enum.GetValues<ReportField>().Select(field =>
        {
            var evidence = list.Where(f => f.Field == field).ToList();
            var sum = evidence.Sum(f => f.Amount);
            var value = field is ReportField.MonthlyIncomePerCapita or ReportField.FinancialAssetsPerCapita or ReportField.ProvidentFundPerCapita
                ? Math.Round(sum / members, 2)
                : sum;
            return new FieldTotal(field, value, evidence);
        }).ToList();
        return new HouseholdEconomicReport(members, fields, asked, notAnswered, failed);
    }
}

public sealed record RuleResult(string Label, ReportField Field, decimal Value, string Operator, decimal Threshold, bool Passed);

public enum DecisionOutcome
{
    Eligible,
    Ineligible,
}

/// <summary>The eligibility decision with an explanation per rule; provisional when some units did not answer.</summary>
public sealed record EligibilityDecision(AssistanceProgram Program, DecisionOutcome Outcome, IReadOnlyList<RuleResult> Rules, bool Provisional, IReadOnlyList<string> MissingSources)
{
    public static EligibilityDecision Decide(ProgramDefinition program, HouseholdEconomicReport report)
    {
        var rules = program.Criteria.Select(c =>
        {
            var value = report.Value(c.Field);
            var threshold = c.ThresholdFor(program.MonthlyStandardYuan);
            var passed = c.Operator == CriterionOperator.LessThan ? value < threshold : value <= threshold;
            return new RuleResult(c.Label, c.Field, value, c.Operator == CriterionOperator.LessThan ? "<" : "≤", threshold, passed);
        }).ToList();
        var missing = report.UnitsNotAnswered.Concat(report.UnitsFailed).Distinct().ToList();
        return new EligibilityDecision(program.Program, rules.All(r => r.Passed) ? DecisionOutcome.Eligible : DecisionOutcome.Ineligible, rules, missing.Count > 0, missing);
    }
}
