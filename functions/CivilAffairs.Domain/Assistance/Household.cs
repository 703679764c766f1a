using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Assistance;

public enum Relationship
{
    Applicant,
    Spouse,
    Child,
    Parent,
    Sibling,
    Grandparent,
    Grandchild,
    Other,
}

/// <summary>A household member as declared in an application.</summary>
public sealed record HouseholdMember(string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, decimal DeclaredMonthlyIncome = 0m, decimal DeclaredFinancialAssets = 0m);

/// <summary>Where an application stands. See <see cref="CaseWorkflow"/> for the allowed moves.</summary>
public enum ApplicationStatus
{
    /// <summary>提交待受理.</summary>
    Submitted,
    /// <summary>已受理 (the street office accepted it).</summary>
    Accepted,
    /// <summary>家庭经济状况核对中.</summary>
    Verifying,
    /// <summary>公示中 (7 days).</summary>
    Publicity,
    /// <summary>公示暂停：有异议待核实.</summary>
    PublicityPaused,
    /// <summary>待区民政局审核确认.</summary>
    AwaitingDecision,
    /// <summary>已批准，按月发放.</summary>
    Granted,
    /// <summary>不予批准.</summary>
    Rejected,
    /// <summary>救助终止（退出、复核不再符合、成员死亡等）.</summary>
    Ended,
    Withdrawn,
}

/// <summary>Application rules that need no I/O.</summary>
public static class HouseholdRules
{
    public const int MaxMembers = 20;

    public static IReadOnlyList<FieldError> Validate(IReadOnlyList<HouseholdMember> members, DateOnly today)
    {
        var errors = new List<FieldError>();
        if (members.Count == 0) errors.Add(new FieldError("members", "至少填写一名家庭成员（申请人）。"));
        if (members.Count > MaxMembers) errors.Add(new FieldError("members", $"家庭成员不能超过 {MaxMembers} 人。"));
        if (members.Count(m => m.Relationship == Relationship.Applicant) != 1)
            errors.Add(new FieldError("members", "须有且只有一名申请人（relationship = applicant）。"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            if (string.IsNullOrWhiteSpace(m.Name) || m.Name.Trim().Length > 50) errors.Add(new FieldError($"members[{i}].name", "请填写姓名（不超过 50 字）。"));
            var id = IdNumber.Validate(m.IdNumber, today);
            if (!id.IsValid) errors.Add(new FieldError($"members[{i}].idNumber", id.Message ?? "身份证号码无效。"));
            else if (!seen.Add(id.Normalized)) errors.Add(new FieldError($"members[{i}].idNumber", "同一身份证号码重复填写。"));
            if (!m.ConsentSigned) errors.Add(new FieldError($"members[{i}].consentSigned", "每位家庭成员须签署家庭经济状况核对授权书。"));
            if (m.DeclaredMonthlyIncome < 0 || m.DeclaredMonthlyIncome > 10_000_000m) errors.Add(new FieldError($"members[{i}].declaredMonthlyIncome", "申报收入不合理。"));
            if (m.DeclaredFinancialAssets < 0 || m.DeclaredFinancialAssets > 1_000_000_000m) errors.Add(new FieldError($"members[{i}].declaredFinancialAssets", "申报金融资产不合理。"));
        }
        return errors;
    }
}
