using System.Globalization;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>
/// The checks the institution service applies to what staff and citizens send, before anything is stored: each mistake is a
/// <see cref="FieldIssue"/> with a stable code and a Chinese message (one kind of mistake keeps its code, a mix is
/// <c>VALIDATION_FAILED</c>). The registry's own rules (beds, licence) are the domain's <see cref="Institution.Validate"/>.
/// Plain functions, no storage.
/// </summary>
public static class InstitutionRules
{
    public const int MaxNameLength = 100;
    public const int MaxLicenceLength = 50;
    public const int MaxAddressLength = 200;
    public const int MaxBeds = 10_000;
    public const int MaxFindingsLength = 2_000;
    public const int MaxComplaintLength = 1_000;
    public const int MaxDecisionNoteLength = 500;
    public const int MaxCareStaff = 10_000;

    static FieldIssue Issue(string code, string field, string message) => new(code, "请求内容有误", field, message);

    static FieldIssue Issue(Rejection r) => Issue(r.Code, r.Field ?? "", r.Reason);

    /// <summary>The registry fields of a new institution; <paramref name="issues"/> gets every mistake.</summary>
    public static void CheckRegistration(RegisterInstitutionRequest r, DivisionDirectory divisions, List<FieldIssue> issues)
    {
        CheckName(r.Name, required: true, issues);
        CheckText(r.LicenceNumber, "licenceNumber", MaxLicenceLength, "INSTITUTION_LICENCE_REQUIRED", "请填写备案/许可编号", "INSTITUTION_LICENCE_INVALID", required: true, issues);
        if (r.LicenceValidUntil is null) issues.Add(Issue("INSTITUTION_LICENCE_EXPIRY_REQUIRED", "licenceValidUntil", "请填写备案/许可有效期至（yyyy-MM-dd）"));
        CheckBeds(r.Beds, required: true, issues);
        CheckJurisdiction(r.Jurisdiction, divisions, required: true, issues);
        CheckText(r.Address, "address", MaxAddressLength, "INSTITUTION_ADDRESS_REQUIRED", "请填写机构地址", "INSTITUTION_ADDRESS_INVALID", required: true, issues);
        if (r.Ownership is null) issues.Add(Issue("INSTITUTION_OWNERSHIP_REQUIRED", "ownership", "请选择机构性质：public（公办）或 private（民办）"));
        // The domain's registry rules (beds above zero, a licence number) on what was sent; only what the checks above did not already report.
        if (r.Beds is > 0 and <= MaxBeds && !string.IsNullOrWhiteSpace(r.LicenceNumber))
            foreach (var rejection in Institution.Validate(new Institution("new", r.Name ?? "", "", r.LicenceNumber.Trim(), r.LicenceValidUntil ?? default, r.Beds.Value, 0)).Rejections)
                issues.Add(Issue(rejection));
    }

    /// <summary>The fields an update sends (absent ones stay); the district cannot change, the residents must still fit.</summary>
    public static void CheckUpdate(UpdateInstitutionRequest r, InstitutionRecord current, int? latestResidents, DivisionDirectory divisions, List<FieldIssue> issues)
    {
        if (r.Name is not null) CheckName(r.Name, required: true, issues);
        if (r.LicenceNumber is not null)
            CheckText(r.LicenceNumber, "licenceNumber", MaxLicenceLength, "INSTITUTION_LICENCE_REQUIRED", "请填写备案/许可编号", "INSTITUTION_LICENCE_INVALID", required: true, issues);
        if (r.Beds is not null) CheckBeds(r.Beds, required: true, issues);
        if (r.Address is not null)
            CheckText(r.Address, "address", MaxAddressLength, "INSTITUTION_ADDRESS_REQUIRED", "请填写机构地址", "INSTITUTION_ADDRESS_INVALID", required: true, issues);
        if (r.Jurisdiction is not null && CheckJurisdiction(r.Jurisdiction, divisions, required: true, issues) && DistrictOf(r.Jurisdiction) != current.District)
            issues.Add(Issue("INSTITUTION_DISTRICT_FIXED", "jurisdiction", "机构所在区不能变更；迁往其他区的机构请在该区重新登记"));
        if (r.Beds is { } beds && beds > 0 && latestResidents is { } residents && residents > beds)
            issues.Add(Issue("INSTITUTION_OCCUPANCY_INVALID", "beds", $"床位数不能少于最近一次登记的在住老人数（{residents}人）"));
    }

    /// <summary>An inspection: a date not in the future, a score 0–100, findings of bounded length.</summary>
    public static void CheckInspection(InspectionRequest r, DateOnly today, List<FieldIssue> issues)
    {
        if (r.Date is not { } date) issues.Add(Issue("INSPECTION_DATE_REQUIRED", "date", "请填写检查日期（yyyy-MM-dd）"));
        else if (date > today) issues.Add(Issue("INSPECTION_DATE_INVALID", "date", "检查日期不能晚于今天"));
        if (r.Score is not { } score) issues.Add(Issue("INSPECTION_SCORE_REQUIRED", "score", "请填写检查得分（0到100）"));
        else if (score is < 0 or > 100) issues.Add(Issue("INSPECTION_SCORE_OUT_OF_RANGE", "score", "检查得分应在0到100之间"));
        if (r.Findings is { } findings)
        {
            if (findings.Length > MaxFindingsLength) issues.Add(Issue("INSPECTION_FINDINGS_TOO_LONG", "findings", $"检查发现不能超过{MaxFindingsLength}个字符"));
            else if (TextRules.Check(findings) is { } bad) issues.Add(Issue("INSPECTION_FINDINGS_INVALID", "findings", bad));
        }
    }

    /// <summary>A staffing snapshot: a date not in the future, care staff 0…, residents within 0..beds.</summary>
    public static void CheckStaffing(StaffingRequest r, int beds, DateOnly today, List<FieldIssue> issues)
    {
        if (r.AsOf is { } asOf && asOf > today) issues.Add(Issue("STAFFING_DATE_INVALID", "asOf", "统计日期不能晚于今天"));
        if (r.CareStaff is not { } staff) issues.Add(Issue("STAFFING_CARE_STAFF_REQUIRED", "careStaff", "请填写护理员人数"));
        else if (staff is < 0 or > MaxCareStaff) issues.Add(Issue("STAFFING_CARE_STAFF_INVALID", "careStaff", $"护理员人数应在0到{MaxCareStaff}之间"));
        if (r.Residents is not { } residents) issues.Add(Issue("STAFFING_RESIDENTS_REQUIRED", "residents", "请填写在住老人数"));
        else if (residents < 0 || residents > beds) issues.Add(Issue("INSTITUTION_OCCUPANCY_INVALID", "residents", $"在住老人数应在0到床位数（{beds}张）之间"));
    }

    /// <summary>A complaint's text: required, at most <see cref="MaxComplaintLength"/> characters, storable.</summary>
    public static void CheckComplaint(ComplaintRequest r, List<FieldIssue> issues) =>
        CheckText(r.Text, "text", MaxComplaintLength, "COMPLAINT_TEXT_REQUIRED", "请填写投诉内容", "COMPLAINT_TEXT_TOO_LONG", required: true, issues,
            tooLong: $"投诉内容不能超过{MaxComplaintLength}个字符");

    public static void CheckDecision(ComplaintDecisionRequest r, List<FieldIssue> issues)
    {
        if (r.Substantiated is null) issues.Add(Issue("COMPLAINT_DECISION_REQUIRED", "substantiated", "请填写核查结论：true（属实）或 false（不属实）"));
        if (r.Note is { } note)
            CheckText(note, "note", MaxDecisionNoteLength, "COMPLAINT_NOTE_INVALID", "核查说明不能为空白", "COMPLAINT_NOTE_TOO_LONG", required: false, issues);
    }

    /// <summary>The district (6 digits) an institution's jurisdiction lies in: its table partition.</summary>
    public static string DistrictOf(string jurisdiction) => jurisdiction[..6];

    static void CheckName(string? name, bool required, List<FieldIssue> issues) =>
        CheckText(name, "name", MaxNameLength, "INSTITUTION_NAME_REQUIRED", "请填写机构名称", "INSTITUTION_NAME_INVALID", required, issues);

    static void CheckBeds(int? beds, bool required, List<FieldIssue> issues)
    {
        if (beds is null) { if (required) issues.Add(Issue("INSTITUTION_BEDS_INVALID", "beds", "请填写床位数（大于0）")); return; }
        if (beds <= 0) issues.Add(Issue("INSTITUTION_BEDS_INVALID", "beds", "床位数必须大于0"));
        else if (beds > MaxBeds) issues.Add(Issue("INSTITUTION_BEDS_INVALID", "beds", $"床位数不能超过{MaxBeds}张"));
    }

    static bool CheckJurisdiction(string? code, DivisionDirectory divisions, bool required, List<FieldIssue> issues)
    {
        if (code is null) { if (required) issues.Add(Issue("INSTITUTION_JURISDICTION_INVALID", "jurisdiction", "请填写机构所在的行政区划代码（区6位、街道9位或社区12位）")); return false; }
        if (!Jurisdiction.IsWellFormed(code) || Jurisdiction.LevelOf(code) == DivisionLevel.City)
        {
            issues.Add(Issue("INSTITUTION_JURISDICTION_INVALID", "jurisdiction", "行政区划代码须为区（6位）、街道（9位）或社区（12位）代码"));
            return false;
        }
        if (divisions.Find(code) is null)
        {
            issues.Add(Issue("INSTITUTION_JURISDICTION_INVALID", "jurisdiction", "行政区划代码不存在"));
            return false;
        }
        return true;
    }

    static void CheckText(string? text, string field, int max, string requiredCode, string requiredMessage, string invalidCode, bool required, List<FieldIssue> issues,
        string? tooLong = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required || text is not null) issues.Add(Issue(requiredCode, field, requiredMessage));
            return;
        }
        if (text.Trim().Length > max) issues.Add(Issue(invalidCode, field, tooLong ?? $"不能超过{max}个字符"));
        else if (TextRules.Check(text) is { } bad) issues.Add(Issue(invalidCode, field, bad));
    }
}

/// <summary>
/// The rating as the service stores and explains it: <see cref="InstitutionRating.Rate"/> over the stored inputs (residents from
/// the latest staffing record), and what the domain's explanation says about caps. Plain functions, no storage.
/// </summary>
public static class RatingRules
{
    /// <summary>Rates one institution from its stored records at the clock's China date.</summary>
    public static Outcome<StarRating> Rate(InstitutionRecord institution, IEnumerable<InspectionRecord> inspections, IEnumerable<ComplaintRecord> complaints,
        IEnumerable<StaffingRecord> staffing, TimeProvider clock, StarRatingWeights weights)
    {
        var today = ChinaTime.Today(clock);
        var staff = staffing.ToList();
        var residents = Latest(staff, today)?.Residents ?? 0;
        var domain = new Institution(institution.Id, institution.Name, institution.District, institution.LicenceNumber, institution.LicenceValidUntil, institution.Beds,
            Math.Min(residents, institution.Beds));
        return InstitutionRating.Rate(domain,
            inspections.Select(i => new Inspection(institution.Id, i.Date, i.Score, i.SeriousViolation ? 1 : 0)),
            complaints.Where(c => c.Status != ComplaintStatus.Pending).Select(c => new Complaint(institution.Id, c.ReceivedOn, c.Status == ComplaintStatus.Substantiated)),
            staff.Select(s => new Staffing(institution.Id, s.AsOf, s.CareStaff)),
            clock, weights);
    }

    /// <summary>The staffing record the rating uses: the latest one dated on or before <paramref name="today"/> (the newest recorded wins a tie).</summary>
    public static StaffingRecord? Latest(IEnumerable<StaffingRecord> staffing, DateOnly today) =>
        staffing.Where(s => s.AsOf <= today).OrderByDescending(s => s.AsOf).ThenByDescending(s => s.Id, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>The stored form of an outcome.</summary>
    public static RatingRecord ToRecord(InstitutionRecord institution, Outcome<StarRating> outcome, DateTimeOffset computedAt) => outcome.Accepted
        ? new RatingRecord(institution.Id, institution.District, true, outcome.Value.Stars, outcome.Value.WeightedPoints, outcome.Value.RatedOn,
            outcome.Value.Components.Select(c => new RatingComponentView(c.Domain, c.Input, c.DomainStars, c.Weight, c.Contribution)).ToList(),
            outcome.Value.Explanation, [], computedAt)
        : new RatingRecord(institution.Id, institution.District, false, null, null, null, [], [],
            outcome.Rejections.Select(r => new RatingReason(r.Code, r.Reason, r.Field)).ToList(), computedAt);

    /// <summary>
    /// The caps that changed the stars: the domain explains each component, then the weighted points, then one sentence per
    /// cap applied, then the final stars.
    /// </summary>
    public static IReadOnlyList<string> CapsApplied(RatingRecord rating) =>
        rating.Rated ? rating.Explanation.Skip(rating.Components.Count + 1).SkipLast(1).ToList() : [];

    public const string NotRated = "暂无评级";

    public static string Display(int? stars) =>
        stars is { } s ? new string('★', s) + new string('☆', 5 - s) + $" {s}星" : NotRated;

    public static RatingSummary Summary(RatingRecord? rating) =>
        rating is { Rated: true } r ? new RatingSummary(true, r.Stars, Display(r.Stars), r.RatedOn) : new RatingSummary(false, null, NotRated, null);

    /// <summary>One sentence for the public listing.</summary>
    public static string PublicSummary(RatingRecord? rating)
    {
        if (rating is null) return $"{NotRated}：尚未评定。";
        if (!rating.Rated) return $"{NotRated}：{string.Join("；", rating.Reasons.Select(r => r.Reason))}。";
        var parts = string.Join("、", rating.Components.Select(c => $"{c.Domain}{c.DomainStars}星"));
        var caps = CapsApplied(rating);
        return caps.Count > 0
            ? $"{parts}，加权{rating.WeightedPoints?.ToString("0.00", CultureInfo.InvariantCulture)}分；{string.Join("", caps)}综合评定{rating.Stars}星。"
            : $"{parts}，加权{rating.WeightedPoints?.ToString("0.00", CultureInfo.InvariantCulture)}分，综合评定{rating.Stars}星。";
    }

    /// <summary>The published algorithm, in Chinese, with the weights in force.</summary>
    public static IReadOnlyList<string> Rules(StarRatingWeights w)
    {
        static string P(decimal d) => (d * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
        return
        [
            "评定范围：评定日前12个月内的监督检查、经查属实的投诉，以及最近一次护理人员配备记录。",
            $"监督检查（权重{P(w.Inspection)}）：最近一次检查得分≥90分5星，≥80分4星，≥70分3星，≥60分2星，其余1星。",
            $"护理人员配备（权重{P(w.Staffing)}）：每名护理员照护在住老人≤3人5星，≤4人4星，≤6人3星，≤8人2星，更多或无护理员1星。",
            $"投诉（权重{P(w.Complaints)}）：每百张床位经查属实投诉0件5星，≤1件4星，≤2件3星，≤4件2星，更多1星。",
            "综合星级 = 各项星级×权重之和，四舍五入，取1到5星。",
            $"封顶规则：综合星级不超过监督检查星级加{w.MaxAboveInspection}星；近12个月有重大违规最高{w.SeriousViolationCap}星；备案/许可过期最高{w.ExpiredLicenceCap}星。",
            "近12个月无监督检查、无护理人员配备记录或暂无入住老人的机构，暂无评级。",
        ];
    }

    public static RatingWeightsView WeightsView(StarRatingWeights w) =>
        new(w.Inspection, w.Staffing, w.Complaints, w.SeriousViolationCap, w.ExpiredLicenceCap, w.MaxAboveInspection);
}
