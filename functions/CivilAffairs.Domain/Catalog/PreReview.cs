using System.Globalization;

namespace CivilAffairs.Domain.Catalog;

/// <summary>A material the citizen says they hold.</summary>
public sealed record HeldMaterial
{
    public required string Code { get; init; }
    /// <summary>True when the original is held; false when only a copy.</summary>
    public bool Original { get; init; } = true;
    public DateOnly? IssuedOn { get; init; }
    public DateOnly? ValidUntil { get; init; }
    public int Count { get; init; } = 1;
}

/// <summary>A stated fact: exactly one of the values is set, matching the fact's type.</summary>
public sealed record FactValue(decimal? Number = null, bool? Boolean = null, string? Text = null)
{
    public override string ToString() =>
        Number?.ToString(CultureInfo.InvariantCulture) ?? Boolean?.ToString() ?? Text ?? "";
}

public sealed record PreReviewSubmission
{
    public IReadOnlyList<HeldMaterial> Materials { get; init; } = [];
    public IReadOnlyDictionary<string, FactValue> Facts { get; init; } = new Dictionary<string, FactValue>();
}

public enum FindingKind
{
    MaterialMissing,
    MaterialNotOriginal,
    MaterialIssueDateMissing,
    MaterialTooOld,
    MaterialValidityMissing,
    MaterialExpired,
    MaterialTooFewCopies,
    FactMissing,
    FactNotMet,
}

/// <summary>One missing or non-conforming item, with the reason and how to fix it (一次性告知).</summary>
public sealed record PreReviewFinding(FindingKind Kind, string Item, string ItemName, string Reason, string Remedy);

public enum PreReviewOutcome
{
    /// <summary>Everything required is present and conforming.</summary>
    Passed,
    /// <summary>At least one finding: the citizen must complete or correct the materials.</summary>
    Incomplete,
}

public sealed record PreReviewResult(PreReviewOutcome Outcome, IReadOnlyList<PreReviewFinding> Findings, int MaterialsChecked, int RulesChecked);

/// <summary>A problem with the submission itself (not with the citizen's materials): answered 400.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Online pre-review (网上预审): checks every required material and eligibility rule of a
/// service item and reports all problems in one answer, never stopping at the first.
/// </summary>
public static class PreReviewEngine
{
    /// <summary>Checks that the submission refers only to materials and facts the item knows, with the right types.</summary>
    public static IReadOnlyList<FieldError> Validate(ServiceItem item, PreReviewSubmission submission)
    {
        var errors = new List<FieldError>();
        var known = item.Materials.Select(m => m.Code).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < submission.Materials.Count; i++)
        {
            var held = submission.Materials[i];
            var field = $"materials[{i}]";
            if (string.IsNullOrWhiteSpace(held.Code))
                errors.Add(new FieldError($"{field}.code", "材料编码不能为空。"));
            else if (!known.Contains(held.Code))
                errors.Add(new FieldError($"{field}.code", $"本事项不需要材料“{held.Code}”，可用的材料编码：{string.Join("、", known)}。"));
            else if (!seen.Add(held.Code))
                errors.Add(new FieldError($"{field}.code", $"材料“{held.Code}”重复提交。"));
            if (held.Count < 1 || held.Count > 100)
                errors.Add(new FieldError($"{field}.count", "份数应在 1 到 100 之间。"));
            if (held.IssuedOn is { } issued && held.ValidUntil is { } until && until < issued)
                errors.Add(new FieldError($"{field}.validUntil", "有效期截止日期早于签发日期。"));
        }

        var facts = item.Facts.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var (name, value) in submission.Facts)
        {
            if (!facts.TryGetValue(name, out var def))
            {
                errors.Add(new FieldError($"facts.{name}", facts.Count == 0
                    ? "本事项不需要申报情况。"
                    : $"未知的申报项，可用：{string.Join("、", facts.Keys)}。"));
                continue;
            }
            var ok = def.Type switch
            {
                FactType.Number => value.Number is not null,
                FactType.Boolean => value.Boolean is not null,
                FactType.Text => value.Text is not null,
                _ => false,
            };
            if (!ok)
            {
                errors.Add(new FieldError($"facts.{name}", $"“{def.Label}”应为{TypeName(def.Type)}。"));
                continue;
            }
            if (def.Type == FactType.Text && def.AllowedValues.Count > 0 && !def.AllowedValues.Contains(value.Text!, StringComparer.Ordinal))
                errors.Add(new FieldError($"facts.{name}", $"“{def.Label}”只能是：{string.Join("、", def.AllowedValues)}。"));
            if (def.Type == FactType.Number && (value.Number < 0 || value.Number > 1_000_000_000m))
                errors.Add(new FieldError($"facts.{name}", $"“{def.Label}”超出合理范围。"));
        }
        return errors;
    }

    /// <summary>Evaluates a valid submission. <paramref name="today"/> is the business date in China Standard Time.</summary>
    public static PreReviewResult Evaluate(ServiceItem item, PreReviewSubmission submission, DateOnly today)
    {
        var findings = new List<PreReviewFinding>();
        var held = submission.Materials.ToDictionary(m => m.Code, StringComparer.Ordinal);

        foreach (var req in item.Materials)
        {
            if (!held.TryGetValue(req.Code, out var m))
            {
                if (req.Required)
                    findings.Add(new(FindingKind.MaterialMissing, req.Code, req.Name,
                        $"缺少“{req.Name}”。要求：{req.Rule}",
                        $"请准备“{req.Name}”后一并提交。"));
                continue;
            }
            if (req.OriginalRequired && !m.Original)
                findings.Add(new(FindingKind.MaterialNotOriginal, req.Code, req.Name,
                    $"“{req.Name}”须提供原件，复印件不予受理。",
                    $"请携带或上传“{req.Name}”原件。"));
            if (m.Count < req.MinCount)
                findings.Add(new(FindingKind.MaterialTooFewCopies, req.Code, req.Name,
                    $"“{req.Name}”需要 {req.MinCount} 份，现有 {m.Count} 份。",
                    $"请补足 {req.MinCount - m.Count} 份。"));
            if (req.MaxAgeMonths is { } months)
            {
                if (m.IssuedOn is not { } issued)
                    findings.Add(new(FindingKind.MaterialIssueDateMissing, req.Code, req.Name,
                        $"“{req.Name}”须在 {months} 个月内开具，但未填写开具日期。",
                        "请填写材料上的开具日期。"));
                else if (issued.AddMonths(months) < today)
                    findings.Add(new(FindingKind.MaterialTooOld, req.Code, req.Name,
                        $"“{req.Name}”开具于 {issued:yyyy-MM-dd}，已超过 {months} 个月的有效期限。",
                        $"请重新开具 {today.AddMonths(-months):yyyy-MM-dd} 之后的“{req.Name}”。"));
                else if (issued > today)
                    findings.Add(new(FindingKind.MaterialTooOld, req.Code, req.Name,
                        $"“{req.Name}”的开具日期 {issued:yyyy-MM-dd} 晚于今天。",
                        "请核对并填写正确的开具日期。"));
            }
            if (req.MustBeValid)
            {
                if (m.ValidUntil is not { } until)
                    findings.Add(new(FindingKind.MaterialValidityMissing, req.Code, req.Name,
                        $"“{req.Name}”须在有效期内，但未填写有效期截止日期。",
                        "请填写证件上的有效期截止日期（长期有效可填 9999-12-31）。"));
                else if (until < today)
                    findings.Add(new(FindingKind.MaterialExpired, req.Code, req.Name,
                        $"“{req.Name}”已于 {until:yyyy-MM-dd} 过期。",
                        $"请先换领新的“{req.Name}”。"));
            }
        }

        var facts = item.Facts.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var rule in item.Eligibility)
        {
            var label = facts.TryGetValue(rule.Fact, out var def) ? def.Label : rule.Fact;
            if (!submission.Facts.TryGetValue(rule.Fact, out var value))
            {
                findings.Add(new(FindingKind.FactMissing, rule.Fact, label,
                    $"未申报“{label}”，无法判断：{rule.Reason}",
                    $"请申报“{label}”。"));
                continue;
            }
            if (!Holds(rule, value))
                findings.Add(new(FindingKind.FactNotMet, rule.Fact, label,
                    $"{rule.Reason}（申报值：{Describe(value)}）", rule.Remedy));
        }

        return new PreReviewResult(
            findings.Count == 0 ? PreReviewOutcome.Passed : PreReviewOutcome.Incomplete,
            findings, item.Materials.Count, item.Eligibility.Count);
    }

    static bool Holds(EligibilityRule rule, FactValue v) => rule.Operator switch
    {
        RuleOperator.AtLeast => v.Number >= rule.Threshold,
        RuleOperator.AtMost => v.Number <= rule.Threshold,
        RuleOperator.IsTrue => v.Boolean == true,
        RuleOperator.IsFalse => v.Boolean == false,
        RuleOperator.OneOf => v.Text is not null && rule.Values.Contains(v.Text, StringComparer.Ordinal),
        _ => false,
    };

    static string Describe(FactValue v) => v.Boolean is { } b ? (b ? "是" : "否") : v.ToString();

    static string TypeName(FactType t) => t switch
    {
        FactType.Number => "数字",
        FactType.Boolean => "是/否（true/false）",
        _ => "文字",
    };
}
