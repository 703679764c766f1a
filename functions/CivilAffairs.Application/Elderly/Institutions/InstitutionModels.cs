using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>Who runs an institution: 公办 (public) or 民办 (private).</summary>
public enum InstitutionOwnership
{
    Public,
    Private,
}

/// <summary>Where a complaint stands: lodged and waiting (待核查), found true (经查属实) or not (经查不属实).</summary>
public enum ComplaintStatus
{
    Pending,
    Substantiated,
    NotSubstantiated,
}

public static class InstitutionNames
{
    public static string ChineseName(this InstitutionOwnership o) => o switch
    {
        InstitutionOwnership.Public => "公办",
        InstitutionOwnership.Private => "民办",
        _ => o.ToString(),
    };

    public static string ChineseName(this ComplaintStatus s) => s switch
    {
        ComplaintStatus.Pending => "待核查",
        ComplaintStatus.Substantiated => "经查属实",
        ComplaintStatus.NotSubstantiated => "经查不属实",
        _ => s.ToString(),
    };
}

/// <summary>Body of <c>POST /api/elderly/institutions</c>.</summary>
/// <param name="Jurisdiction">Division code (district 6, street 9 or community 12 digits) the institution belongs to; inside the caller's jurisdiction.</param>
/// <param name="LicenceValidUntil">Last day the licence (备案/许可) is valid, China date <c>yyyy-MM-dd</c>.</param>
public sealed record RegisterInstitutionRequest(string? Name, string? LicenceNumber, DateOnly? LicenceValidUntil, int? Beds, string? Jurisdiction,
    string? Address, InstitutionOwnership? Ownership);

/// <summary>Body of <c>POST /api/elderly/institutions/{id}/update</c>: any of the registry fields; the district cannot change.</summary>
public sealed record UpdateInstitutionRequest(string? Name, string? LicenceNumber, DateOnly? LicenceValidUntil, int? Beds, string? Jurisdiction,
    string? Address, InstitutionOwnership? Ownership);

/// <summary>Body of <c>POST /api/elderly/institutions/{id}/inspections</c>.</summary>
/// <param name="Score">0–100.</param>
/// <param name="SeriousViolation">A serious violation (重大违规) was found.</param>
public sealed record InspectionRequest(DateOnly? Date, int? Score, bool? SeriousViolation, string? Findings);

/// <summary>Body of <c>POST /api/elderly/institutions/{id}/staffing</c>: care staff and residents at a date (today when absent).</summary>
public sealed record StaffingRequest(DateOnly? AsOf, int? CareStaff, int? Residents);

/// <summary>Body of <c>POST /api/elderly/institutions/{id}/complaints</c>.</summary>
public sealed record ComplaintRequest(string? Text);

/// <summary>Body of <c>POST /api/elderly/institutions/{id}/complaints/{complaintId}/decision</c>.</summary>
public sealed record ComplaintDecisionRequest(bool? Substantiated, string? Note);

/// <summary>The rating in one line: stars, or 暂无评级.</summary>
public sealed record RatingSummary(bool Rated, int? Stars, string Display, DateOnly? RatedOn);

/// <summary>An institution as staff see it.</summary>
public sealed record InstitutionView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string LicenceNumber { get; init; }
    public required DateOnly LicenceValidUntil { get; init; }
    public required int Beds { get; init; }
    public required string District { get; init; }
    public required string Jurisdiction { get; init; }
    public required string JurisdictionName { get; init; }
    public required string Address { get; init; }
    public required InstitutionOwnership Ownership { get; init; }
    public required string OwnershipName { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
    public required string RegisteredBy { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }
    public RatingSummary? Rating { get; init; }
}

public sealed record InstitutionList(int Count, IReadOnlyList<InstitutionView> Items);

public sealed record InspectionView(string Id, string InstitutionId, DateOnly Date, int Score, bool SeriousViolation, string? Findings,
    DateTimeOffset RecordedAt, string RecordedBy, RatingSummary Rating);

public sealed record StaffingView(string Id, string InstitutionId, DateOnly AsOf, int CareStaff, int Residents, DateTimeOffset RecordedAt,
    string RecordedBy, RatingSummary Rating);

/// <summary>A complaint as the person who lodged it sees it: no one else's data.</summary>
public sealed record ComplaintReceipt(string Id, string InstitutionId, string InstitutionName, DateOnly ReceivedOn, ComplaintStatus Status, string StatusName);

/// <summary>A complaint as staff see it: the text, who lodged it only as a role (never the person), the decision.</summary>
public sealed record ComplaintView(string Id, string InstitutionId, DateOnly ReceivedOn, DateTimeOffset ReceivedAt, string LodgedAs, string Text,
    ComplaintStatus Status, string StatusName, DateTimeOffset? DecidedAt, string? DecidedBy, string? DecisionNote, RatingSummary? Rating = null);

public sealed record ComplaintList(int Count, IReadOnlyList<ComplaintView> Items);

public sealed record RatingComponentView(string Domain, string Input, int DomainStars, decimal Weight, decimal Contribution);

public sealed record RatingReason(string Code, string Reason, string? Field);

/// <summary>The published weights and caps (<see cref="StarRatingWeights"/>).</summary>
public sealed record RatingWeightsView(decimal Inspection, decimal Staffing, decimal Complaints, int SeriousViolationCap, int ExpiredLicenceCap, int MaxAboveInspection);

/// <summary>
/// The stored rating of one institution, explained: each domain's input, stars, weight and contribution, the weighted points,
/// the caps that applied, the rules in Chinese — or, without enough input, 暂无评级 with the reasons.
/// </summary>
public sealed record InstitutionRatingView
{
    public required string InstitutionId { get; init; }
    public required string Name { get; init; }
    public required bool Rated { get; init; }
    public int? Stars { get; init; }
    /// <summary>"★★★★☆ 4星" or "暂无评级".</summary>
    public required string Display { get; init; }
    public DateOnly? RatedOn { get; init; }
    public required DateTimeOffset ComputedAt { get; init; }
    public decimal? WeightedPoints { get; init; }
    public IReadOnlyList<RatingComponentView> Components { get; init; } = [];
    public IReadOnlyList<string> CapsApplied { get; init; } = [];
    public IReadOnlyList<string> Explanation { get; init; } = [];
    /// <summary>Why there is no rating (empty when rated).</summary>
    public IReadOnlyList<RatingReason> Reasons { get; init; } = [];
    public required RatingWeightsView Weights { get; init; }
    /// <summary>The published algorithm in Chinese.</summary>
    public required IReadOnlyList<string> Rules { get; init; }
}

/// <summary>An institution as the public sees it: registry facts and the rating; no people, no complaints.</summary>
public sealed record PublicInstitution
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string District { get; init; }
    public required string DistrictName { get; init; }
    public required string Address { get; init; }
    public required InstitutionOwnership Ownership { get; init; }
    public required string OwnershipName { get; init; }
    public required int Beds { get; init; }
    public required bool Rated { get; init; }
    public int? Stars { get; init; }
    public required string Display { get; init; }
    public DateOnly? RatedOn { get; init; }
    /// <summary>One sentence: the domain stars and the result, or why there is no rating.</summary>
    public required string Summary { get; init; }
}

/// <summary>The public detail: the listing entry and the rating's explanation.</summary>
public sealed record PublicInstitutionDetail
{
    public required PublicInstitution Institution { get; init; }
    public IReadOnlyList<string> Explanation { get; init; } = [];
    public required IReadOnlyList<string> Rules { get; init; }
}

public sealed record PublicInstitutionList(DateTimeOffset GeneratedAt, int Count, IReadOnlyList<PublicInstitution> Items);

/// <summary>Section <c>Elderly:Institutions</c>.</summary>
public sealed class InstitutionOptions
{
    /// <summary>How long browsers and proxies may cache the public listing and detail.</summary>
    public int PublicCacheSeconds { get; set; } = 300;
    /// <summary>Rating weights (must add up to 1); the defaults are <see cref="StarRatingWeights.Default"/>.</summary>
    public decimal InspectionWeight { get; set; } = StarRatingWeights.Default.Inspection;
    public decimal StaffingWeight { get; set; } = StarRatingWeights.Default.Staffing;
    public decimal ComplaintsWeight { get; set; } = StarRatingWeights.Default.Complaints;

    public StarRatingWeights Weights => StarRatingWeights.Default with { Inspection = InspectionWeight, Staffing = StaffingWeight, Complaints = ComplaintsWeight };
}
