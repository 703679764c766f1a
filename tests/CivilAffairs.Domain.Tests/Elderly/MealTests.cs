using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class MealTests
{
    readonly ManualClock _clock = new(Fixtures.T0.AddHours(3));
    static readonly MealPoint TianhePoint = new("mp-th", "石牌长者饭堂", Fixtures.Tianhe);
    static readonly MealPoint YuexiuPoint = new("mp-yx", "北京街长者饭堂", Fixtures.Yuexiu);
    static readonly Enrolment Meals = new("elder-1", ElderCareService.MealSubsidy, new DateOnly(2026, 1, 1));
    static readonly DateTimeOffset Noon = Fixtures.T0.AddHours(2);

    static Enrolment MealsOf(Elder elder) => Meals with { ElderId = elder.Id };

    [Theory]
    [InlineData(ElderCategory.Destitute, SubsidyTier.Tier1, "11.00", "1.00")]
    [InlineData(ElderCategory.MinimumLiving, SubsidyTier.Tier1, "11.00", "1.00")]
    [InlineData(ElderCategory.LowIncome, SubsidyTier.Tier2, "9.00", "3.00")]
    [InlineData(ElderCategory.Aged80Plus, SubsidyTier.Tier2, "9.00", "3.00")]
    [InlineData(ElderCategory.Aged60To79, SubsidyTier.Tier3, "7.00", "5.00")]
    public void A_12_yuan_meal_by_tier(ElderCategory category, SubsidyTier tier, string subsidy, string elderPays)
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(category), TianhePoint);
        Assert.Equal((tier, 12.00m, decimal.Parse(subsidy), decimal.Parse(elderPays)), (q.Tier, q.Price, q.Subsidy, q.ElderPays));
        Assert.Equal(q.Price, q.CityPays + q.DistrictPays + q.ElderPays);
    }

    [Fact]
    public void Subsidy_is_split_half_city_half_district()
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(ElderCategory.Destitute), TianhePoint);
        Assert.Equal((5.50m, 5.50m, false), (q.CityPays, q.DistrictPays, q.OutOfDistrict));
    }

    [Fact]
    public void Split_is_configurable_and_rounded_to_fen()
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(ElderCategory.Aged60To79), TianhePoint, MealSubsidyPolicy.Default with { CityShare = 0.333m });
        Assert.Equal((2.33m, 4.67m, 5.00m), (q.CityPays, q.DistrictPays, q.ElderPays));
    }

    [Fact]
    public void Outside_the_own_district_only_the_city_share_is_paid()
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(ElderCategory.LowIncome), YuexiuPoint);
        Assert.Equal((true, 4.50m, 0m, 4.50m, 7.50m), (q.OutOfDistrict, q.CityPays, q.DistrictPays, q.Subsidy, q.ElderPays));
    }

    [Fact]
    public void Subsidy_never_exceeds_a_cheaper_price()
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(ElderCategory.Destitute), TianhePoint with { MenuPrice = 8.00m });
        Assert.Equal((8.00m, 4.00m, 4.00m, 0m), (q.Subsidy, q.CityPays, q.DistrictPays, q.ElderPays));
    }

    [Fact]
    public void Menu_price_is_per_meal_point()
    {
        var q = MealSubsidy.Quote(Fixtures.Elder(ElderCategory.Aged60To79), TianhePoint with { MenuPrice = 15.00m });
        Assert.Equal((7.00m, 8.00m), (q.Subsidy, q.ElderPays));
    }

    [Fact]
    public void Same_receipt_seen_again_is_a_duplicate_and_not_counted_twice()
    {
        var elder = Fixtures.Elder();
        var first = MealSubsidy.Record("R-001", elder, Meals, TianhePoint, Noon, [], _clock).Value;
        Assert.Equal(MealRecordingKind.Recorded, first.Kind);
        var again = MealSubsidy.Record("R-001", elder, Meals, TianhePoint, Noon.AddMinutes(1), [first.Transaction], _clock).Value;
        Assert.Equal(MealRecordingKind.Duplicate, again.Kind);
        Assert.Same(first.Transaction, again.Transaction);
        var day = Assert.Single(MealSubsidy.DailySettlements([first.Transaction, again.Transaction]));
        Assert.Equal(1, day.Meals);
    }

    [Fact]
    public void Same_receipt_for_another_elder_is_a_conflict()
    {
        var first = MealSubsidy.Record("R-001", Fixtures.Elder(), Meals, TianhePoint, Noon, [], _clock).Value;
        var other = Fixtures.Elder() with { Id = "elder-2" };
        Assert.Equal("MEAL_RECEIPT_CONFLICT", MealSubsidy.Record("R-001", other, Meals, TianhePoint, Noon, [first.Transaction], _clock).Rejection!.Code);
    }

    [Fact]
    public void Meal_on_the_day_of_death_is_paid_the_next_day_is_rejected()
    {
        var elder = Fixtures.Elder(diedOn: Fixtures.Today);
        Assert.True(MealSubsidy.Record("R-1", elder, Meals, TianhePoint, Noon, [], _clock).Accepted);
        _clock.Advance(TimeSpan.FromDays(1));
        var next = MealSubsidy.Record("R-2", elder, Meals, TianhePoint, Noon.AddDays(1), [], _clock);
        Assert.Equal("ELDER_DECEASED", next.Rejection!.Code);
        Assert.Contains("2026-07-21", next.Rejection.Reason);
    }

    [Fact]
    public void Meals_need_an_enrolment_a_receipt_and_a_past_time()
    {
        var elder = Fixtures.Elder();
        Assert.Equal("SERVICE_NOT_ENROLLED", MealSubsidy.Record("R-1", elder, null, TianhePoint, Noon, [], _clock).Rejection!.Code);
        Assert.Equal("SERVICE_NOT_ENROLLED", MealSubsidy.Record("R-1", elder, Meals with { ElderId = "elder-2" }, TianhePoint, Noon, [], _clock).Rejection!.Code);
        Assert.Equal("SERVICE_ENDED", MealSubsidy.Record("R-1", elder, Meals with { Until = Fixtures.Today.AddDays(-1) }, TianhePoint, Noon, [], _clock).Rejection!.Code);
        Assert.Equal("MEAL_RECEIPT_REQUIRED", MealSubsidy.Record(" ", elder, Meals, TianhePoint, Noon, [], _clock).Rejection!.Code);
        Assert.Equal("MEAL_SERVED_IN_FUTURE", MealSubsidy.Record("R-1", elder, Meals, TianhePoint, Noon.AddHours(2), [], _clock).Rejection!.Code);
        Assert.Equal("MEAL_PRICE_INVALID", MealSubsidy.Record("R-1", elder, Meals, TianhePoint with { MenuPrice = 0 }, Noon, [], _clock).Rejection!.Code);
    }

    [Fact]
    public void Daily_settlement_sums_per_point_and_china_date()
    {
        var tier1 = Fixtures.Elder(ElderCategory.Destitute) with { Id = "e1" };
        var tier3 = Fixtures.Elder(ElderCategory.Aged60To79) with { Id = "e3" };
        var yuexiuElder = Fixtures.Elder(ElderCategory.LowIncome, Fixtures.Yuexiu) with { Id = "ey" };
        var lateEvening = new DateTimeOffset(2026, 7, 19, 23, 0, 0, TimeSpan.Zero); // 07-20 07:00 China
        var tx = new[]
        {
            MealSubsidy.Record("R1", tier1, MealsOf(tier1), TianhePoint, Noon, [], _clock).Value.Transaction,
            MealSubsidy.Record("R2", tier3, MealsOf(tier3), TianhePoint, Noon, [], _clock).Value.Transaction,
            MealSubsidy.Record("R3", yuexiuElder, MealsOf(yuexiuElder), TianhePoint, lateEvening, [], _clock).Value.Transaction,
            MealSubsidy.Record("R4", tier3, MealsOf(tier3), YuexiuPoint, Noon, [], _clock).Value.Transaction,
        };
        var days = MealSubsidy.DailySettlements(tx);
        Assert.Equal(2, days.Count);
        Assert.Equal(new MealDailySettlement("mp-th", Fixtures.Today, 3, 36.00m, 13.50m, 13.50m, 9.00m), days[0]);
        Assert.Equal(new MealDailySettlement("mp-yx", Fixtures.Today, 1, 12.00m, 8.50m, 3.50m, 0m), days[1]);
    }

    [Fact]
    public void District_owes_its_share_of_its_own_elders_at_its_own_points()
    {
        var own = Fixtures.Elder(ElderCategory.Destitute);
        var visitor = Fixtures.Elder(ElderCategory.Destitute, Fixtures.Yuexiu) with { Id = "ey" };
        var tx = new[]
        {
            MealSubsidy.Record("R1", own, MealsOf(own), TianhePoint, Noon, [], _clock).Value.Transaction,
            MealSubsidy.Record("R2", own, MealsOf(own), TianhePoint, Noon.AddDays(-1), [], _clock).Value.Transaction,
            MealSubsidy.Record("R3", own, MealsOf(own), YuexiuPoint, Noon, [], _clock).Value.Transaction,
            MealSubsidy.Record("R4", visitor, MealsOf(visitor), TianhePoint, Noon, [], _clock).Value.Transaction,
            MealSubsidy.Record("R5", own, MealsOf(own), TianhePoint, Noon.AddMonths(-1), [], _clock).Value.Transaction,
        };
        var r = MealSubsidy.Reconcile(Fixtures.Tianhe, new DateOnly(2026, 7, 15), tx);
        Assert.Equal(new DistrictMealReconciliation(Fixtures.Tianhe, new DateOnly(2026, 7, 1), 2, 11.00m, 11.00m, 1, 5.50m), r);
        Assert.Equal(5.50m, MealSubsidy.Reconcile(Fixtures.Yuexiu, Fixtures.Today, tx).CityPaysOutsideDistrict);
        Assert.Equal(0m, MealSubsidy.Reconcile(Fixtures.Yuexiu, Fixtures.Today, tx).DistrictOwes);
    }
}
