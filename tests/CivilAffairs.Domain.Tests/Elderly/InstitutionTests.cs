using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class InstitutionTests
{
    readonly ManualClock _clock = new(Fixtures.T0);
    static readonly Institution Home = new("inst-1", "天河区颐康中心", Fixtures.Tianhe, "粤穗养备-0001", new DateOnly(2028, 12, 31), 100, 80);

    static Inspection Inspected(int score, int serious = 0, DateOnly? on = null) => new("inst-1", on ?? new DateOnly(2026, 5, 10), score, serious);
    static Staffing Staff(int careStaff) => new("inst-1", new DateOnly(2026, 7, 1), careStaff);
    static Complaint[] Substantiated(int count) => Enumerable.Range(0, count).Select(i => new Complaint("inst-1", new DateOnly(2026, 3, 1).AddDays(i), true)).ToArray();

    [Fact]
    public void Five_stars_with_a_full_explanation()
    {
        var r = InstitutionRating.Rate(Home, [Inspected(95)], [new Complaint("inst-1", new DateOnly(2026, 4, 1), false)], [Staff(27)], _clock).Value;
        Assert.Equal((5, 5.00m), (r.Stars, r.WeightedPoints));
        Assert.Equal([("监督检查", 5, 2.50m), ("护理人员配备", 5, 1.50m), ("投诉", 5, 1.00m)], r.Components.Select(c => (c.Domain, c.DomainStars, c.Contribution)));
        Assert.Equal("监督检查：2026-05-10检查得分95分，得5星，权重50%，贡献2.50分。", r.Explanation[0]);
        Assert.Equal("最终评定：5星。", r.Explanation[^1]);
    }

    [Fact]
    public void Weighted_points_round_half_up()
    {
        // inspection 84 → 4★ (2.0), 80 residents / 14 staff = 5.71 → 3★ (0.9), 2 per 100 beds → 3★ (0.6): 3.5 → 4★
        var r = InstitutionRating.Rate(Home, [Inspected(84)], Substantiated(2), [Staff(14)], _clock).Value;
        Assert.Equal((3.50m, 4), (r.WeightedPoints, r.Stars));
        Assert.Contains("每名护理员照护5.71人", r.Components[1].Input);
        Assert.Contains("每百床2件", r.Components[2].Input);
    }

    [Fact]
    public void A_serious_violation_in_the_last_12_months_caps_at_2_stars()
    {
        var r = InstitutionRating.Rate(Home, [Inspected(92), Inspected(70, serious: 1, on: new DateOnly(2025, 9, 1))], [], [Staff(27)], _clock).Value;
        Assert.Equal(2, r.Stars);
        Assert.Contains(r.Explanation, s => s.Contains("重大违规1项，星级最高为2星"));
    }

    [Fact]
    public void A_violation_older_than_12_months_no_longer_caps()
    {
        var r = InstitutionRating.Rate(Home, [Inspected(92), Inspected(70, serious: 1, on: new DateOnly(2025, 7, 20))], [], [Staff(27)], _clock).Value;
        Assert.Equal(5, r.Stars);
    }

    [Fact]
    public void Never_more_than_one_star_above_inspection()
    {
        // inspection 55 → 1★ (0.5) + staffing 5★ (1.5) + complaints 5★ (1.0) = 3.0 → capped at 2★
        var r = InstitutionRating.Rate(Home, [Inspected(55)], [], [Staff(40)], _clock).Value;
        Assert.Equal((3.00m, 2), (r.WeightedPoints, r.Stars));
        Assert.Contains("综合星级不超过监督检查星级加1星，调整为2星。", r.Explanation);
    }

    [Fact]
    public void Expired_licence_caps_at_one_star()
    {
        var r = InstitutionRating.Rate(Home with { LicenceValidUntil = new DateOnly(2026, 7, 19) }, [Inspected(95)], [], [Staff(27)], _clock).Value;
        Assert.Equal(1, r.Stars);
    }

    [Fact]
    public void Many_complaints_and_few_staff_give_one_star_domains()
    {
        var r = InstitutionRating.Rate(Home, [Inspected(60)], Substantiated(5), [Staff(0)], _clock).Value;
        Assert.Equal([2, 1, 1], r.Components.Select(c => c.DomainStars));
        Assert.Equal((1.50m, 2), (r.WeightedPoints, r.Stars));
    }

    [Fact]
    public void Weights_are_configurable()
    {
        var w = StarRatingWeights.Default with { Inspection = 0.2m, Staffing = 0.2m, Complaints = 0.6m };
        var r = InstitutionRating.Rate(Home, [Inspected(84)], Substantiated(5), [Staff(27)], _clock, w).Value;
        Assert.Equal((2.40m, 2), (r.WeightedPoints, r.Stars));
    }

    [Fact]
    public void Cannot_rate_without_recent_inspection_staffing_or_residents()
    {
        var outcome = InstitutionRating.Rate(Home with { OccupiedBeds = 0 }, [Inspected(90, on: new DateOnly(2025, 6, 1))], [], [], _clock);
        Assert.Equal(["RATING_NO_RECENT_INSPECTION", "RATING_NO_STAFFING", "RATING_NO_RESIDENTS"], outcome.Rejections.Select(r => r.Code));
    }

    [Fact]
    public void Registry_checks_beds()
    {
        Assert.Equal("INSTITUTION_OCCUPANCY_INVALID", Institution.Validate(Home with { OccupiedBeds = 101 }).Rejection!.Code);
        Assert.Equal("INSTITUTION_BEDS_INVALID", Institution.Validate(Home with { Beds = 0, OccupiedBeds = 0 }).Rejection!.Code);
        Assert.Equal("INSPECTION_SCORE_OUT_OF_RANGE", InstitutionRating.Rate(Home, [Inspected(101)], [], [Staff(27)], _clock).Rejection!.Code);
    }
}
