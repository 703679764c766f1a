namespace CivilAffairs.Domain.Catalog;

/// <summary>The nine service areas of the platform plus the catalogue itself.</summary>
public enum ServiceArea
{
    Assistance,
    Elderly,
    Marriage,
    Funeral,
    Charity,
    Organizations,
    Community,
    FamilyTracing,
    Disaster,
}

/// <summary>The administrative level whose office accepts an application.</summary>
public enum AcceptanceLevel
{
    City,
    District,
    Street,
    Community,
}

/// <summary>How a citizen can submit an application.</summary>
public enum ServiceChannel
{
    Web,
    WeChat,
    MobileApp,
    Counter,
}

/// <summary>One service item of the catalogue (事项清单).</summary>
public sealed record ServiceItem
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required ServiceArea Area { get; init; }
    public required AcceptanceLevel AcceptedAt { get; init; }
    /// <summary>Legal time limit in working days (法定办结时限).</summary>
    public required int TimeLimitWorkingDays { get; init; }
    /// <summary>Fee in yuan; 0 for free services.</summary>
    public required decimal FeeYuan { get; init; }
    public required IReadOnlyList<ServiceChannel> Channels { get; init; }
    public required string LegalBasis { get; init; }
    public string Description { get; init; } = "";
    public required IReadOnlyList<MaterialRequirement> Materials { get; init; }
    public IReadOnlyList<FactDefinition> Facts { get; init; } = [];
    public IReadOnlyList<EligibilityRule> Eligibility { get; init; } = [];
}

/// <summary>A required material and the rule it must satisfy to be accepted.</summary>
public sealed record MaterialRequirement
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    /// <summary>Whether the material is required (false: only when applicable, never reported missing).</summary>
    public bool Required { get; init; } = true;
    /// <summary>The original (原件) must be presented, a copy is not enough.</summary>
    public bool OriginalRequired { get; init; }
    /// <summary>Issued no longer than this many months before the pre-review (e.g. income certificate ≤ 6 months).</summary>
    public int? MaxAgeMonths { get; init; }
    /// <summary>The document carries a validity end date that must not have passed (e.g. ID card).</summary>
    public bool MustBeValid { get; init; }
    /// <summary>Number of copies/sheets expected (e.g. two 2-inch photos).</summary>
    public int MinCount { get; init; } = 1;
    /// <summary>The acceptance rule in words, shown to the citizen.</summary>
    public required string Rule { get; init; }
}

public enum FactType
{
    Number,
    Boolean,
    Text,
}

/// <summary>A simple fact the citizen states so that eligibility rules can be checked.</summary>
public sealed record FactDefinition
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public required FactType Type { get; init; }
    /// <summary>For text facts: the allowed values (empty: any text).</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];
}

public enum RuleOperator
{
    AtLeast,
    AtMost,
    IsTrue,
    IsFalse,
    OneOf,
}

/// <summary>An eligibility condition over a stated fact (e.g. applicant age ≥ 60).</summary>
public sealed record EligibilityRule
{
    public required string Fact { get; init; }
    public required RuleOperator Operator { get; init; }
    public decimal? Threshold { get; init; }
    public IReadOnlyList<string> Values { get; init; } = [];
    /// <summary>Why the rule exists, in Chinese (shown when it fails).</summary>
    public required string Reason { get; init; }
    /// <summary>What the citizen can do when it fails, in Chinese.</summary>
    public required string Remedy { get; init; }
}
