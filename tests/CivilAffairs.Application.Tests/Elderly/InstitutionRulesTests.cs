using CivilAffairs.Application.Elderly.Institutions;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Time.Testing;

namespace CivilAffairs.Application.Tests.Elderly;

/// <summary>
/// The institution service's rules as it applies them: request checks with stable codes (one kind of mistake keeps its code,
/// a mix is VALIDATION_FAILED), and the rating stored and explained from records (residents from the latest staffing record,
/// only decided complaints, caps read from the domain's explanation).
/// </summary>
public sealed class InstitutionRulesTests
{
    static readonly DivisionDirectory Divisions = new();
    // 2025-06-15 10:00 China time.
    readonly FakeTimeProvider clock = new(new DateTimeOffset(2025, 6, 15, 2, 0, 0, TimeSpan.Zero));
    DateOnly Today => ChinaTime.Today(clock);

    static RegisterInstitutionRequest Valid(int? beds = 100, string? jurisdiction = "440106008") =>
        new("测试养老院", "粤民养备 440106-0099", new DateOnly(2027, 1, 1), beds, jurisdiction, "广州市天河区测试路 1 号", InstitutionOwnership.Private);

    static Problem Check(RegisterInstitutionRequest request)
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckRegistration(request, Divisions, issues);
        return Problem.Invalid(issues);
    }

    InstitutionRecord Institution(int beds = 100, DateOnly? licence = null) =>
        new("01JZ0000000000000000000001", "440106", "440106008", "测试养老院", "粤民养备 440106-0099", licence ?? new DateOnly(2027, 1, 1), beds, "地址",
            InstitutionOwnership.Private, clock.GetUtcNow(), "tester");

    InspectionRecord Inspection(int score, bool serious = false, int monthsAgo = 2) =>
        new("01JZ00000000000000000000I" + score % 10, "01JZ0000000000000000000001", Today.AddMonths(-monthsAgo), score, serious, null, clock.GetUtcNow(), "tester");

    StaffingRecord Staffing(int careStaff, int residents, int daysAgo = 7, string id = "01JZ00000000000000000000S1") =>
        new(id, "01JZ0000000000000000000001", Today.AddDays(-daysAgo), careStaff, residents, clock.GetUtcNow(), "tester");

    ComplaintRecord Complaint(ComplaintStatus status, string id = "01JZ00000000000000000000C1") =>
        new(id, "01JZ0000000000000000000001", Today.AddMonths(-1), clock.GetUtcNow(), Role.Citizen, "cipher", "cipher", status);

    RatingRecord Rate(InstitutionRecord institution, IEnumerable<InspectionRecord> inspections, IEnumerable<StaffingRecord> staffing, params ComplaintRecord[] complaints) =>
        RatingRules.ToRecord(institution, RatingRules.Rate(institution, inspections, complaints, staffing, clock, StarRatingWeights.Default), clock.GetUtcNow());

    [Fact]
    public void A_registration_without_mistakes_has_no_issues()
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckRegistration(Valid(), Divisions, issues);
        Assert.Empty(issues);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_001)]
    public void Invalid_beds_answer_the_domain_code(int beds)
    {
        var problem = Check(Valid(beds));
        Assert.Equal((400, "INSTITUTION_BEDS_INVALID", "beds"), (problem.Status, problem.Code, problem.Errors!.Single().Field));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", problem.Detail);
    }

    [Theory]
    [InlineData("440100")]     // the city: an institution belongs to a district
    [InlineData("440199")]     // no such district
    [InlineData("44010")]      // not a division code
    public void An_institution_belongs_to_a_known_district_street_or_community(string code)
    {
        Assert.Equal("INSTITUTION_JURISDICTION_INVALID", Check(Valid(jurisdiction: code)).Code);
    }

    [Fact]
    public void Several_kinds_of_mistakes_are_one_validation_problem_listing_every_field()
    {
        var problem = Check(new RegisterInstitutionRequest("", null, null, 0, "440100", "", null));
        Assert.Equal(Problem.ValidationFailed, problem.Code);
        Assert.Equal(["address", "beds", "jurisdiction", "licenceNumber", "licenceValidUntil", "name", "ownership"],
            problem.Errors!.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_update_cannot_move_the_institution_to_another_district_nor_shrink_below_its_residents()
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckUpdate(new UpdateInstitutionRequest(null, null, null, 50, "440104002", null, null), Institution(), latestResidents: 80, Divisions, issues);
        Assert.Equal(["INSTITUTION_DISTRICT_FIXED", "INSTITUTION_OCCUPANCY_INVALID"], issues.Select(i => i.Code).Order(StringComparer.Ordinal));

        issues.Clear();
        InstitutionRules.CheckUpdate(new UpdateInstitutionRequest("新名称", null, null, 90, "440106005", null, null), Institution(), latestResidents: 80, Divisions, issues);
        Assert.Empty(issues);
    }

    [Theory]
    [InlineData(101, 0, "INSPECTION_SCORE_OUT_OF_RANGE")]
    [InlineData(-1, 0, "INSPECTION_SCORE_OUT_OF_RANGE")]
    [InlineData(90, 1, "INSPECTION_DATE_INVALID")]
    public void Inspections_need_a_score_within_0_to_100_and_a_date_not_in_the_future(int score, int daysAhead, string code)
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckInspection(new InspectionRequest(Today.AddDays(daysAhead), score, false, null), Today, issues);
        Assert.Equal(code, Problem.Invalid(issues).Code);
    }

    [Fact]
    public void Findings_are_bounded_and_checked_like_all_stored_text()
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckInspection(new InspectionRequest(Today, 90, false, new string('查', InstitutionRules.MaxFindingsLength + 1)), Today, issues);
        InstitutionRules.CheckInspection(new InspectionRequest(Today, 90, false, "bell\u0007"), Today, issues);
        Assert.Equal(["INSPECTION_FINDINGS_TOO_LONG", "INSPECTION_FINDINGS_INVALID"], issues.Select(i => i.Code));
    }

    [Fact]
    public void Residents_must_fit_the_beds()
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckStaffing(new StaffingRequest(null, 10, 101), beds: 100, Today, issues);
        Assert.Equal(("INSTITUTION_OCCUPANCY_INVALID", "residents"), (issues.Single().Code, issues.Single().Field));
    }

    [Fact]
    public void Complaint_text_is_required_and_at_most_1000_characters()
    {
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckComplaint(new ComplaintRequest(new string('投', 1001)), issues);
        Assert.Equal("COMPLAINT_TEXT_TOO_LONG", Problem.Invalid(issues).Code);
        issues.Clear();
        InstitutionRules.CheckComplaint(new ComplaintRequest("  "), issues);
        Assert.Equal("COMPLAINT_TEXT_REQUIRED", Problem.Invalid(issues).Code);
        issues.Clear();
        InstitutionRules.CheckComplaint(new ComplaintRequest(new string('投', 1000)), issues);
        Assert.Empty(issues);
    }

    [Fact]
    public void A_well_run_institution_gets_five_stars_explained_by_component()
    {
        var rating = Rate(Institution(), [Inspection(93)], [Staffing(30, 90)]);

        Assert.True(rating.Rated);
        Assert.Equal(5, rating.Stars);
        Assert.Equal(["监督检查", "护理人员配备", "投诉"], rating.Components.Select(c => c.Domain));
        Assert.Equal([0.50m, 0.30m, 0.20m], rating.Components.Select(c => c.Weight));
        Assert.Contains("检查得分93分", rating.Components[0].Input);
        Assert.Contains("在住老人90人、护理员30人", rating.Components[1].Input);
        Assert.Empty(RatingRules.CapsApplied(rating));
        Assert.Equal("★★★★★ 5星", RatingRules.Summary(rating).Display);
        Assert.Equal("最终评定：5星。", rating.Explanation[^1]);
    }

    [Fact]
    public void Residents_come_from_the_latest_staffing_record_dated_today_or_earlier()
    {
        // An older record (3 per carer, 5★) and the latest (6 per carer, 3★); one dated tomorrow does not count yet.
        var staffing = new[]
        {
            Staffing(30, 90, daysAgo: 60, id: "01JZ00000000000000000000S1"),
            Staffing(15, 90, daysAgo: 7, id: "01JZ00000000000000000000S2"),
            Staffing(90, 90, daysAgo: -1, id: "01JZ00000000000000000000S3"),
        };
        var rating = Rate(Institution(), [Inspection(93)], staffing);
        Assert.Equal(3, rating.Components[1].DomainStars);
        Assert.Equal(90, RatingRules.Latest(staffing, Today)!.Residents);
        Assert.Equal("01JZ00000000000000000000S2", RatingRules.Latest(staffing, Today)!.Id);
    }

    [Fact]
    public void A_substantiated_complaint_lowers_the_stars_and_a_pending_or_unfounded_one_does_not()
    {
        // Inspection 85 (4★), 3 residents per carer (5★): 4.5 points → 5★; one substantiated complaint per 100 beds (4★): 4.3 → 4★.
        InspectionRecord[] inspections = [Inspection(85)];
        StaffingRecord[] staffing = [Staffing(30, 90)];
        Assert.Equal(5, Rate(Institution(), inspections, staffing).Stars);
        Assert.Equal(5, Rate(Institution(), inspections, staffing, Complaint(ComplaintStatus.Pending)).Stars);
        Assert.Equal(5, Rate(Institution(), inspections, staffing, Complaint(ComplaintStatus.NotSubstantiated)).Stars);
        var lowered = Rate(Institution(), inspections, staffing, Complaint(ComplaintStatus.Substantiated));
        Assert.Equal(4, lowered.Stars);
        Assert.Contains("经查属实投诉1件", lowered.Components[2].Input);
    }

    [Fact]
    public void Caps_applied_are_read_from_the_explanation()
    {
        var capped = Rate(Institution(), [Inspection(93, serious: true)], [Staffing(30, 90)]);
        Assert.Equal(2, capped.Stars);
        Assert.Contains("重大违规", Assert.Single(RatingRules.CapsApplied(capped)));

        var expired = Rate(Institution(licence: Today.AddDays(-1)), [Inspection(93, serious: true)], [Staffing(30, 90)]);
        Assert.Equal(1, expired.Stars);
        Assert.Equal(2, RatingRules.CapsApplied(expired).Count);
        Assert.Contains("已于", RatingRules.CapsApplied(expired)[1]);

        var view = InstitutionService.RatingView(Institution(), capped, StarRatingWeights.Default);
        Assert.Equal("★★☆☆☆ 2星", view.Display);
        Assert.Contains(view.Rules, r => r.Contains("权重50%") && r.Contains("监督检查"));
        Assert.Contains("重大违规", RatingRules.PublicSummary(capped));
    }

    [Fact]
    public void Without_enough_input_there_is_no_rating_and_the_reasons_are_given()
    {
        var rating = Rate(Institution(), [Inspection(93, monthsAgo: 13)], []);

        Assert.False(rating.Rated);
        Assert.Null(rating.Stars);
        Assert.Equal(["RATING_NO_RECENT_INSPECTION", "RATING_NO_STAFFING", "RATING_NO_RESIDENTS"], rating.Reasons.Select(r => r.Code));
        Assert.Equal(new RatingSummary(false, null, "暂无评级", null), RatingRules.Summary(rating));
        var view = InstitutionService.RatingView(Institution(), rating, StarRatingWeights.Default);
        Assert.Equal("暂无评级", view.Display);
        Assert.Empty(view.Components);
        Assert.Contains("近12个月没有监督检查记录", RatingRules.PublicSummary(rating));
    }

    [Fact]
    public void Configured_weights_are_used_and_published()
    {
        var options = new InstitutionOptions { InspectionWeight = 0.6m, StaffingWeight = 0.2m, ComplaintsWeight = 0.2m };
        var institution = Institution();
        var rating = RatingRules.ToRecord(institution, RatingRules.Rate(institution, [Inspection(85)], [], [Staffing(30, 90)], clock, options.Weights), clock.GetUtcNow());
        Assert.Equal([0.6m, 0.2m, 0.2m], rating.Components.Select(c => c.Weight));
        Assert.Contains(RatingRules.Rules(options.Weights), r => r.Contains("权重60%"));
    }
}
