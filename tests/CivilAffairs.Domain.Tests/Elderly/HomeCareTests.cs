using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class HomeCareTests
{
    readonly ManualClock _clock = new(Fixtures.T0);
    static readonly Enrolment Budget = new("elder-1", ElderCareService.HomeCareBudget, new DateOnly(2026, 1, 1));

    HomeCareOrder Assigned(Elder elder, HomeCareServiceType service = HomeCareServiceType.Cleaning) =>
        HomeCareOrder.Place("hc-1", elder, service, Fixtures.Today, _clock).Value.Assign("carer-1").Value;

    HomeCareOrder Visited(Elder elder, TimeSpan length, HomeCareServiceType service = HomeCareServiceType.Cleaning)
    {
        var o = Assigned(elder, service).CheckInAt("carer-1", Fixtures.North(50), elder, _clock).Value;
        _clock.Advance(length);
        return o.CheckOutAt("carer-1", Fixtures.North(60), _clock).Value.Confirm(VisitConfirmer.Relative, "李女士", _clock).Value;
    }

    [Fact]
    public void Order_to_confirmation_gives_the_six_evv_elements()
    {
        var elder = Fixtures.Elder();
        var order = Visited(elder, TimeSpan.FromMinutes(90));
        Assert.Equal(HomeCareOrderStatus.Confirmed, order.Status);
        Assert.Equal(new VisitConfirmation(VisitConfirmer.Relative, "李女士", Fixtures.T0.AddMinutes(90)), order.Confirmation);
        var evv = order.Evv().Value;
        Assert.Equal(new EvvRecord(HomeCareServiceType.Cleaning, "elder-1", Fixtures.Today, Fixtures.North(50), "carer-1", Fixtures.T0, Fixtures.T0.AddMinutes(90)), evv);
    }

    [Fact]
    public void Check_in_beyond_200_m_of_home_is_too_far()
    {
        var elder = Fixtures.Elder();
        Assert.True(Assigned(elder).CheckInAt("carer-1", Fixtures.North(199), elder, _clock).Accepted);
        var far = Assigned(elder).CheckInAt("carer-1", Fixtures.North(201), elder, _clock);
        Assert.Equal(("EVV_TOO_FAR", "position"), (far.Rejection!.Code, far.Rejection.Field));
        Assert.Contains("201米", far.Rejection.Reason);
        Assert.True(Assigned(elder).CheckInAt("carer-1", Fixtures.North(450), elder, _clock, maxDistanceMetres: 500).Accepted);
    }

    [Fact]
    public void Only_the_assigned_carer_checks_in_on_the_scheduled_day()
    {
        var elder = Fixtures.Elder();
        Assert.Equal("EVV_WRONG_PROVIDER", Assigned(elder).CheckInAt("carer-2", Fixtures.Home, elder, _clock).Rejection!.Code);
        var tomorrow = HomeCareOrder.Place("hc-2", elder, HomeCareServiceType.Bathing, Fixtures.Today.AddDays(1), _clock).Value.Assign("carer-1").Value;
        Assert.Equal("EVV_WRONG_DATE", tomorrow.CheckInAt("carer-1", Fixtures.Home, elder, _clock).Rejection!.Code);
        Assert.Equal("EVV_HOME_UNKNOWN", Assigned(elder).CheckInAt("carer-1", Fixtures.Home, elder with { Home = null }, _clock).Rejection!.Code);
        Assert.Equal("HOMECARE_INVALID_TRANSITION", HomeCareOrder.Place("hc-3", elder, HomeCareServiceType.Bathing, Fixtures.Today, _clock).Value.CheckInAt("carer-1", Fixtures.Home, elder, _clock).Rejection!.Code);
    }

    [Fact]
    public void Check_out_must_come_after_check_in()
    {
        var elder = Fixtures.Elder();
        var inside = Assigned(elder).CheckInAt("carer-1", Fixtures.Home, elder, _clock).Value;
        Assert.Equal("EVV_CHECKOUT_BEFORE_CHECKIN", inside.CheckOutAt("carer-1", Fixtures.Home, _clock).Rejection!.Code);
        Assert.Equal("HOMECARE_INVALID_TRANSITION", Assigned(elder).CheckOutAt("carer-1", Fixtures.Home, _clock).Rejection!.Code);
        Assert.Equal("HOMECARE_INVALID_TRANSITION", inside.Confirm(VisitConfirmer.Elder, "陈伯", _clock).Rejection!.Code);
        Assert.Equal("EVV_INCOMPLETE", inside.Evv().Rejection!.Code);
    }

    [Theory]
    [InlineData(7, "0")]
    [InlineData(8, "0.25")]
    [InlineData(52, "0.75")]
    [InlineData(53, "1.00")]
    [InlineData(60, "1.00")]
    [InlineData(97, "1.50")]
    public void Billable_hours_follow_the_8_minute_rule(int minutes, string hours) =>
        Assert.Equal(decimal.Parse(hours), HomeCareBilling.BillableHours(TimeSpan.FromMinutes(minutes).Add(TimeSpan.FromSeconds(59))));

    [Fact]
    public void Bill_is_hours_times_price_subsidised_within_the_budget()
    {
        var elder = Fixtures.Elder(ElderCategory.Aged60To79); // 4 h a month
        var line = HomeCareBilling.Bill(Visited(elder, TimeSpan.FromMinutes(90)), elder, Budget, 0m).Value;
        Assert.Equal((1.5m, 45.00m, 67.50m, 1.5m, 67.50m, 0m, 2.5m), (line.BillableHours, line.HourlyPrice, line.Amount, line.SubsidisedHours, line.Subsidy, line.ElderPays, line.RemainingHoursAfter));
    }

    [Fact]
    public void Beyond_the_remaining_budget_the_elder_pays()
    {
        var elder = Fixtures.Elder(ElderCategory.Aged60To79);
        var line = HomeCareBilling.Bill(Visited(elder, TimeSpan.FromHours(2), HomeCareServiceType.Bathing), elder, Budget, 3.5m).Value;
        Assert.Equal((160.00m, 0.5m, 40.00m, 120.00m, 0m), (line.Amount, line.SubsidisedHours, line.Subsidy, line.ElderPays, line.RemainingHoursAfter));
        var exhausted = HomeCareBilling.Bill(Visited(elder, TimeSpan.FromHours(1)), elder, Budget, 5m).Value;
        Assert.Equal((0m, 45.00m), (exhausted.Subsidy, exhausted.ElderPays));
    }

    [Fact]
    public void Budget_depends_on_category()
    {
        var elder = Fixtures.Elder(ElderCategory.Destitute);
        var line = HomeCareBilling.Bill(Visited(elder, TimeSpan.FromHours(1), HomeCareServiceType.Rehabilitation), elder, Budget, 0m).Value;
        Assert.Equal((30m, 120.00m, 0m, 29m), (line.BudgetHours, line.Subsidy, line.ElderPays, line.RemainingHoursAfter));
    }

    [Fact]
    public void Without_an_active_budget_enrolment_the_elder_pays_everything()
    {
        var elder = Fixtures.Elder();
        var line = HomeCareBilling.Bill(Visited(elder, TimeSpan.FromHours(1)), elder, null, 0m).Value;
        Assert.Equal((0m, 0m, 45.00m), (line.BudgetHours, line.Subsidy, line.ElderPays));
    }

    [Fact]
    public void Unconfirmed_visits_are_not_billed()
    {
        var elder = Fixtures.Elder();
        Assert.Equal("HOMECARE_NOT_CONFIRMED", HomeCareBilling.Bill(Assigned(elder), elder, Budget, 0m).Rejection!.Code);
        Assert.Equal("EVV_WRONG_RECIPIENT", HomeCareBilling.Bill(Visited(elder, TimeSpan.FromHours(1)), elder with { Id = "elder-2" }, Budget, 0m).Rejection!.Code);
    }

    [Fact]
    public void Used_hours_are_summed_per_elder_and_month()
    {
        HomeCareBillingLine Line(string elderId, DateOnly date, decimal hours) => new("o", elderId, HomeCareServiceType.Cleaning, date, hours, 45m, 0m, hours, 0m, 0m, 4m, 0m);
        var lines = new[] { Line("elder-1", Fixtures.Today, 1m), Line("elder-1", Fixtures.Today.AddDays(5), 1.25m), Line("elder-2", Fixtures.Today, 2m), Line("elder-1", Fixtures.Today.AddMonths(-1), 3m) };
        Assert.Equal(2.25m, HomeCareBilling.SubsidisedHoursUsed("elder-1", Fixtures.Today, lines));
    }

    [Fact]
    public void No_visits_after_death()
    {
        var dead = Fixtures.Elder(diedOn: Fixtures.Today.AddDays(-1));
        Assert.Equal("ELDER_DECEASED", HomeCareOrder.Place("hc-1", dead, HomeCareServiceType.Cleaning, Fixtures.Today, _clock).Rejection!.Code);
        var order = Assigned(Fixtures.Elder());
        Assert.Equal("ELDER_DECEASED", order.CheckInAt("carer-1", Fixtures.Home, dead, _clock).Rejection!.Code);
    }

    [Fact]
    public void Cancel_only_before_check_in()
    {
        var elder = Fixtures.Elder();
        Assert.Equal("HOMECARE_REASON_REQUIRED", Assigned(elder).Cancel(" ").Rejection!.Code);
        Assert.Equal(HomeCareOrderStatus.Cancelled, Assigned(elder).Cancel("老人住院").Value.Status);
        Assert.Equal("HOMECARE_INVALID_TRANSITION", Assigned(elder).CheckInAt("carer-1", Fixtures.Home, elder, _clock).Value.Cancel("x").Rejection!.Code);
    }

    [Fact]
    public void Services_have_chinese_names() =>
        Assert.Equal(["助浴", "保洁", "康复", "陪护", "助餐"], Enum.GetValues<HomeCareServiceType>().Select(s => s.ChineseName()));

    [Fact]
    public void Orders_cannot_be_placed_for_a_past_date() =>
        Assert.Equal("HOMECARE_DATE_IN_PAST", HomeCareOrder.Place("hc-1", Fixtures.Elder(), HomeCareServiceType.Bathing, Fixtures.Today.AddDays(-1), _clock).Rejection!.Code);
}
