using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Domain.Tests.Catalog;

public class PreReviewEngineTests
{
    static readonly DateOnly Today = new(2026, 11, 28);

    static readonly ServiceItem Allowance = new()
    {
        Code = "T-1",
        Name = "测试事项",
        Area = ServiceArea.Assistance,
        AcceptedAt = AcceptanceLevel.Street,
        TimeLimitWorkingDays = 30,
        FeeYuan = 0,
        Channels = [ServiceChannel.Web],
        LegalBasis = "测试",
        Materials =
        [
            new MaterialRequirement { Code = "idCard", Name = "身份证", Rule = "原件", OriginalRequired = true, MustBeValid = true },
            new MaterialRequirement { Code = "income", Name = "收入证明", Rule = "6个月内", MaxAgeMonths = 6 },
            new MaterialRequirement { Code = "photo", Name = "照片", Rule = "2张", MinCount = 2 },
            new MaterialRequirement { Code = "optional", Name = "残疾人证", Rule = "如有", Required = false },
        ],
        Facts =
        [
            new FactDefinition { Name = "age", Label = "年龄", Type = FactType.Number },
            new FactDefinition { Name = "local", Label = "本市户籍", Type = FactType.Boolean },
            new FactDefinition { Name = "damage", Label = "损毁程度", Type = FactType.Text, AllowedValues = ["倒塌", "一般"] },
        ],
        Eligibility =
        [
            new EligibilityRule { Fact = "age", Operator = RuleOperator.AtLeast, Threshold = 60, Reason = "须年满60周岁", Remedy = "等待" },
            new EligibilityRule { Fact = "local", Operator = RuleOperator.IsTrue, Reason = "须为本市户籍", Remedy = "回户籍地" },
            new EligibilityRule { Fact = "damage", Operator = RuleOperator.OneOf, Values = ["倒塌"], Reason = "须倒塌", Remedy = "申请维修" },
        ],
    };

    static PreReviewSubmission Complete() => new()
    {
        Materials =
        [
            new HeldMaterial { Code = "idCard", Original = true, ValidUntil = new DateOnly(2030, 1, 1) },
            new HeldMaterial { Code = "income", IssuedOn = Today.AddMonths(-2) },
            new HeldMaterial { Code = "photo", Count = 2 },
        ],
        Facts = new Dictionary<string, FactValue> { ["age"] = new(Number: 61), ["local"] = new(Boolean: true), ["damage"] = new(Text: "倒塌") },
    };

    [Fact]
    public void Complete_conforming_submission_passes()
    {
        var result = PreReviewEngine.Evaluate(Allowance, Complete(), Today);
        Assert.Equal(PreReviewOutcome.Passed, result.Outcome);
        Assert.Empty(result.Findings);
        Assert.Equal(4, result.MaterialsChecked);
        Assert.Equal(3, result.RulesChecked);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_answer()
    {
        var submission = new PreReviewSubmission
        {
            Materials =
            [
                new HeldMaterial { Code = "idCard", Original = false, ValidUntil = new DateOnly(2026, 11, 27) },
                new HeldMaterial { Code = "photo", Count = 1 },
            ],
            Facts = new Dictionary<string, FactValue> { ["age"] = new(Number: 59), ["damage"] = new(Text: "一般") },
        };

        var result = PreReviewEngine.Evaluate(Allowance, submission, Today);

        Assert.Equal(PreReviewOutcome.Incomplete, result.Outcome);
        Assert.Equal(
            [
                (FindingKind.MaterialNotOriginal, "idCard"),
                (FindingKind.MaterialExpired, "idCard"),
                (FindingKind.MaterialMissing, "income"),
                (FindingKind.MaterialTooFewCopies, "photo"),
                (FindingKind.FactNotMet, "age"),
                (FindingKind.FactMissing, "local"),
                (FindingKind.FactNotMet, "damage"),
            ],
            result.Findings.Select(f => (f.Kind, f.Item)).ToArray());
        Assert.All(result.Findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Remedy)));
        Assert.DoesNotContain(result.Findings, f => f.Item == "optional");
    }

    [Theory]
    [InlineData(6, false)]  // issued exactly six months ago: still within the limit
    [InlineData(7, true)]   // seven months: too old
    public void Income_certificate_older_than_six_months_is_rejected(int monthsAgo, bool rejected)
    {
        var s = Complete() with { Materials = [.. Complete().Materials.Where(m => m.Code != "income"), new HeldMaterial { Code = "income", IssuedOn = Today.AddMonths(-monthsAgo) }] };
        var result = PreReviewEngine.Evaluate(Allowance, s, Today);
        Assert.Equal(rejected, result.Findings.Any(f => f.Kind == FindingKind.MaterialTooOld && f.Item == "income"));
    }

    [Fact]
    public void Missing_dates_needed_by_a_rule_are_reported()
    {
        var s = Complete() with
        {
            Materials = [new HeldMaterial { Code = "idCard" }, new HeldMaterial { Code = "income" }, new HeldMaterial { Code = "photo", Count = 2 }],
        };
        var kinds = PreReviewEngine.Evaluate(Allowance, s, Today).Findings.Select(f => f.Kind).ToList();
        Assert.Contains(FindingKind.MaterialValidityMissing, kinds);
        Assert.Contains(FindingKind.MaterialIssueDateMissing, kinds);
    }

    [Fact]
    public void Validation_names_unknown_materials_facts_and_wrong_types()
    {
        var s = new PreReviewSubmission
        {
            Materials = [new HeldMaterial { Code = "passport" }, new HeldMaterial { Code = "photo" }, new HeldMaterial { Code = "photo" }],
            Facts = new Dictionary<string, FactValue> { ["age"] = new(Text: "sixty"), ["height"] = new(Number: 1), ["damage"] = new(Text: "其他") },
        };
        var fields = PreReviewEngine.Validate(Allowance, s).Select(e => e.Field).ToList();
        Assert.Equal(["materials[0].code", "materials[2].code", "facts.age", "facts.height", "facts.damage"], fields);
    }

    [Fact]
    public void Statistics_count_pass_rate_and_most_common_problems_per_area()
    {
        var stats = PreReviewStatisticsCalculator.Compute(
        [
            new PreReviewFact(ServiceArea.Elderly, PreReviewOutcome.Passed, []),
            new PreReviewFact(ServiceArea.Elderly, PreReviewOutcome.Incomplete, ["idCard", "idCard", "photo"]),
            new PreReviewFact(ServiceArea.Elderly, PreReviewOutcome.Incomplete, ["idCard"]),
            new PreReviewFact(ServiceArea.Marriage, PreReviewOutcome.Passed, []),
        ]);
        Assert.Equal(9, stats.Count);
        var elderly = stats.Single(s => s.Area == ServiceArea.Elderly);
        Assert.Equal((3, 1, 2, 0.3333m), (elderly.Total, elderly.Passed, elderly.Incomplete, elderly.PassRate));
        Assert.Equal([new ItemCount("idCard", 2), new ItemCount("photo", 1)], elderly.TopProblems);
        Assert.Equal(0, stats.Single(s => s.Area == ServiceArea.Disaster).Total);
    }
}
