using System.Globalization;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Elderly;

/// <summary>A registered elderly-care institution (养老机构). Residents are the occupied beds.</summary>
public sealed record Institution(string Id, string Name, string DistrictCode, string LicenceNumber, DateOnly LicenceValidUntil, int Beds, int OccupiedBeds)
{
    /// <summary>Registry check: beds above zero (INSTITUTION_BEDS_INVALID), occupied beds within 0..beds (INSTITUTION_OCCUPANCY_INVALID), a licence number (INSTITUTION_LICENCE_REQUIRED).</summary>
    public static Outcome<Institution> Validate(Institution institution)
    {
        ArgumentNullException.ThrowIfNull(institution);
        var problems = new List<Rejection>();
        if (institution.Beds <= 0) problems.Add(new("INSTITUTION_BEDS_INVALID", "床位数必须大于0", "beds"));
        if (institution.OccupiedBeds < 0 || institution.OccupiedBeds > institution.Beds)
            problems.Add(new("INSTITUTION_OCCUPANCY_INVALID", "在住床位数应在0到床位数之间", "occupiedBeds"));
        if (string.IsNullOrWhiteSpace(institution.LicenceNumber)) problems.Add(new("INSTITUTION_LICENCE_REQUIRED", "请填写备案/许可编号", "licenceNumber"));
        return problems.Count > 0 ? Outcome<Institution>.Reject(problems) : Outcome<Institution>.Accept(institution);
    }
}

/// <summary>An inspection (监督检查): score 0–100 and the count of serious violations (重大违规).</summary>
public sealed record Inspection(string InstitutionId, DateOnly Date, int Score, int SeriousViolations);

/// <summary>A complaint (投诉) and whether it was substantiated (经查属实).</summary>
public sealed record Complaint(string InstitutionId, DateOnly ReceivedOn, bool Substantiated);

/// <summary>Care staff (护理员) on the payroll at a date.</summary>
public sealed record Staffing(string InstitutionId, DateOnly AsOf, int CareStaff);

/// <summary>
/// Weights of the three domain ratings and the caps. Demo assumptions, published with the rating (README):
/// inspection 50 %, staffing 30 %, complaints 20 %; a serious violation in the last 12 months caps the rating at 2 stars;
/// an expired licence caps it at 1 star; the rating is never more than one star above the inspection domain.
/// </summary>
public sealed record StarRatingWeights(decimal Inspection, decimal Staffing, decimal Complaints, int SeriousViolationCap, int ExpiredLicenceCap, int MaxAboveInspection)
{
    public static readonly StarRatingWeights Default = new(0.50m, 0.30m, 0.20m, 2, 1, 1);
}

/// <summary>One domain's input and what it contributed: <c>Contribution = DomainStars × Weight</c>.</summary>
public sealed record RatingComponent(string Domain, string Input, int DomainStars, decimal Weight, decimal Contribution);

/// <summary>The published rating: stars 1–5, the weighted points before rounding and caps, each component, and Chinese sentences for the public.</summary>
public sealed record StarRating(string InstitutionId, DateOnly RatedOn, int Stars, decimal WeightedPoints, IReadOnlyList<RatingComponent> Components, IReadOnlyList<string> Explanation);

/// <summary>
/// Five-star rating of institutions, in the spirit of the CMS Care Compare nursing-home five-star rating (a health
/// inspection domain as the base, adjusted by staffing and by quality signals). Published algorithm:
/// <list type="number">
/// <item>Window: the 12 months up to the rating date — dates after the same day one year earlier, up to the rating date.</item>
/// <item>Inspection domain: the most recent inspection in the window (none → RATING_NO_RECENT_INSPECTION). Score ≥ 90 → 5, ≥ 80 → 4, ≥ 70 → 3, ≥ 60 → 2, else 1 star.</item>
/// <item>Staffing domain: residents (occupied beds) per care staff from the latest staffing record (none → RATING_NO_STAFFING).
///   ≤ 3 → 5, ≤ 4 → 4, ≤ 6 → 3, ≤ 8 → 2, more (or no staff) → 1 star. No residents → RATING_NO_RESIDENTS.</item>
/// <item>Complaints domain: substantiated complaints in the window per 100 beds. 0 → 5, ≤ 1 → 4, ≤ 2 → 3, ≤ 4 → 2, more → 1 star.</item>
/// <item>Weighted points = Σ stars × weight (default 0.5 / 0.3 / 0.2), rounded half up to whole stars, kept in 1–5.</item>
/// <item>Caps, in order: at most inspection stars + 1; a serious violation in any inspection in the window → at most 2;
///   a licence expired on the rating date → 1.</item>
/// </list>
/// </summary>
public static class InstitutionRating
{
    public static Outcome<StarRating> Rate(
        Institution institution, IEnumerable<Inspection> inspections, IEnumerable<Complaint> complaints, IEnumerable<Staffing> staffing,
        TimeProvider clock, StarRatingWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(institution);
        ArgumentNullException.ThrowIfNull(inspections);
        ArgumentNullException.ThrowIfNull(complaints);
        ArgumentNullException.ThrowIfNull(staffing);
        ArgumentNullException.ThrowIfNull(clock);
        var w = weights ?? StarRatingWeights.Default;
        if (w.Inspection + w.Staffing + w.Complaints != 1m) throw new ArgumentException("The weights must add up to 1.", nameof(weights));
        var valid = Institution.Validate(institution);
        if (!valid.Accepted) return Outcome<StarRating>.Reject(valid.Rejections);

        var today = ChinaTime.Today(clock);
        var windowStart = today.AddYears(-1);
        bool InWindow(DateOnly d) => d > windowStart && d <= today;
        var recent = inspections.Where(i => i.InstitutionId == institution.Id && InWindow(i.Date)).OrderByDescending(i => i.Date).ToList();
        var staff = staffing.Where(s => s.InstitutionId == institution.Id && s.AsOf <= today).OrderByDescending(s => s.AsOf).FirstOrDefault();
        var problems = new List<Rejection>();
        if (recent.Count == 0) problems.Add(new("RATING_NO_RECENT_INSPECTION", "近12个月没有监督检查记录，暂不评级", "inspections"));
        else if (recent.Any(i => i.Score is < 0 or > 100 || i.SeriousViolations < 0))
            problems.Add(new("INSPECTION_SCORE_OUT_OF_RANGE", "检查得分应在0到100之间，重大违规数不能为负", "inspections"));
        if (staff is null) problems.Add(new("RATING_NO_STAFFING", "没有护理员配备记录，暂不评级", "staffing"));
        if (institution.OccupiedBeds == 0) problems.Add(new("RATING_NO_RESIDENTS", "机构暂无入住老人，暂不评级", "occupiedBeds"));
        if (problems.Count > 0) return Outcome<StarRating>.Reject(problems);

        var latest = recent[0];
        var inspectionStars = latest.Score switch { >= 90 => 5, >= 80 => 4, >= 70 => 3, >= 60 => 2, _ => 1 };
        var residentsPerStaff = staff!.CareStaff > 0 ? (decimal)institution.OccupiedBeds / staff.CareStaff : decimal.MaxValue;
        var staffingStars = residentsPerStaff switch { <= 3 => 5, <= 4 => 4, <= 6 => 3, <= 8 => 2, _ => 1 };
        var substantiated = complaints.Count(c => c.InstitutionId == institution.Id && c.Substantiated && InWindow(c.ReceivedOn));
        var per100Beds = Math.Round(substantiated * 100m / institution.Beds, 2);
        var complaintStars = per100Beds switch { 0 => 5, <= 1 => 4, <= 2 => 3, <= 4 => 2, _ => 1 };

        static string N(decimal d) => d.ToString("0.##", CultureInfo.InvariantCulture);
        var components = new List<RatingComponent>
        {
            new("监督检查", $"{latest.Date:yyyy-MM-dd}检查得分{latest.Score}分", inspectionStars, w.Inspection, inspectionStars * w.Inspection),
            new("护理人员配备", staff.CareStaff > 0 ? $"在住老人{institution.OccupiedBeds}人、护理员{staff.CareStaff}人（每名护理员照护{N(Math.Round(residentsPerStaff, 2))}人）" : $"在住老人{institution.OccupiedBeds}人、无护理员", staffingStars, w.Staffing, staffingStars * w.Staffing),
            new("投诉", $"近12个月经查属实投诉{substantiated}件（每百床{N(per100Beds)}件）", complaintStars, w.Complaints, complaintStars * w.Complaints),
        };
        var points = components.Sum(c => c.Contribution);
        var stars = Math.Clamp((int)Math.Round(points, 0, MidpointRounding.AwayFromZero), 1, 5);
        var explanation = components.Select(c => $"{c.Domain}：{c.Input}，得{c.DomainStars}星，权重{N(c.Weight * 100)}%，贡献{c.Contribution:0.00}分。").ToList();
        explanation.Add($"加权得分{points:0.00}分，四舍五入为{stars}星。");

        if (stars > inspectionStars + w.MaxAboveInspection)
        {
            stars = inspectionStars + w.MaxAboveInspection;
            explanation.Add($"综合星级不超过监督检查星级加{w.MaxAboveInspection}星，调整为{stars}星。");
        }
        var serious = recent.Sum(i => i.SeriousViolations);
        if (serious > 0 && stars > w.SeriousViolationCap)
        {
            stars = w.SeriousViolationCap;
            explanation.Add($"近12个月检查发现重大违规{serious}项，星级最高为{w.SeriousViolationCap}星。");
        }
        if (institution.LicenceValidUntil < today && stars > w.ExpiredLicenceCap)
        {
            stars = w.ExpiredLicenceCap;
            explanation.Add($"备案/许可已于{institution.LicenceValidUntil:yyyy-MM-dd}到期，星级最高为{w.ExpiredLicenceCap}星。");
        }
        explanation.Add($"最终评定：{stars}星。");
        return Outcome<StarRating>.Accept(new StarRating(institution.Id, today, stars, points, components, explanation));
    }
}
