using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.HomeCare;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Tests.Elderly;

/// <summary>Who may act on a home-care order, who confirms it as what, and the configurable catalogue.</summary>
public class HomeCareDecisionTests
{
    static readonly StoredElder Elder = new(
        new Domain.Elderly.Elder
        {
            Id = "E-1", Name = "李建国", BirthDate = new DateOnly(1940, 5, 1), Category = ElderCategory.Aged80Plus, LivesAlone = true,
            Community = "440104002001", DistrictCode = "440104",
        },
        "440104002001", "P-ELDER", "idx", "越秀区盐运西路 1 号",
        [
            new StoredContact("C-1", "李娜", ContactRole.Relative, "13800000000", true, DateTimeOffset.UnixEpoch, "P-DAUGHTER"),
            new StoredContact("C-2", "社区王姐", ContactRole.CommunityWorker, "13900000000", true, DateTimeOffset.UnixEpoch, null),
        ],
        [], "123456789012", DateTimeOffset.UnixEpoch, "seed", default);

    static readonly StoredHomeCareOrder Order = new(new HomeCareOrder
    {
        Id = "O-1", ElderId = "E-1", Service = HomeCareServiceType.Cleaning, ScheduledFor = new DateOnly(2026, 3, 20),
        OrderedAt = DateTimeOffset.UnixEpoch, Status = HomeCareOrderStatus.CheckedOut, ProviderId = "tianhe-homecare",
    }, "440104002001", "yanyunxi-worker", null, null, default);

    static Caller Citizen(string person) => new("acct", "市民", Role.Citizen, null, person, null, "test");
    static Caller Staff(Role role, string jurisdiction) => new("staff", "社区工作者", role, jurisdiction, null, null, "test");
    static Caller Carer(string company) => new("carer", "护理员", Role.CareWorker, "440106", null, company, "test");

    [Fact]
    public void Only_the_elder_their_contacts_staff_over_them_and_the_assigned_provider_reach_an_order()
    {
        Assert.True(HomeCareOrderService.Reaches(Citizen("P-ELDER"), Order, Elder));
        Assert.True(HomeCareOrderService.Reaches(Citizen("P-DAUGHTER"), Order, Elder));
        Assert.False(HomeCareOrderService.Reaches(Citizen("P-STRANGER"), Order, Elder));
        Assert.True(HomeCareOrderService.Reaches(Staff(Role.CommunityWorker, "440104002001"), Order, Elder));
        Assert.True(HomeCareOrderService.Reaches(Staff(Role.DistrictApprover, "440104"), Order, Elder));
        Assert.False(HomeCareOrderService.Reaches(Staff(Role.StreetOfficer, "440106008"), Order, Elder));
        // The carer works in another district but for the assigned company: the company decides, not the jurisdiction.
        Assert.True(HomeCareOrderService.Reaches(Carer("tianhe-homecare"), Order, Elder));
        Assert.False(HomeCareOrderService.Reaches(Carer("other-homecare"), Order, Elder));
    }

    [Fact]
    public void The_confirmer_is_the_elder_a_relative_by_their_contact_name_or_the_community_worker()
    {
        Assert.Equal((VisitConfirmer.Elder, "李建国"), HomeCareOrderService.Confirmer(Citizen("P-ELDER"), Elder));
        Assert.Equal((VisitConfirmer.Relative, "李娜"), HomeCareOrderService.Confirmer(Citizen("P-DAUGHTER"), Elder));
        Assert.Equal((VisitConfirmer.CommunityWorker, "社区工作者"), HomeCareOrderService.Confirmer(Staff(Role.CommunityWorker, "440104002001"), Elder));
    }

    [Fact]
    public void Catalogue_prices_and_monthly_hours_can_be_overridden_one_by_one()
    {
        var options = new HomeCareOptions();
        Assert.Same(HomeCareCatalogue.Default, options.Catalogue());
        options.HourlyPrices[HomeCareServiceType.Cleaning] = 50m;
        options.MonthlyHours[ElderCategory.Aged60To79] = 0.25m;
        var c = options.Catalogue();
        Assert.Equal(50m, c.HourlyPrices[HomeCareServiceType.Cleaning]);
        Assert.Equal(80m, c.HourlyPrices[HomeCareServiceType.Bathing]);
        Assert.Equal(0.25m, c.MonthlySubsidisedHours[ElderCategory.Aged60To79]);
        Assert.Equal(30m, c.MonthlySubsidisedHours[ElderCategory.Destitute]);
    }

    [Fact]
    public void The_billing_csv_lists_each_visit_and_the_totals()
    {
        var line = new HomeCareBillingLine("O-1", "E-1", HomeCareServiceType.Cleaning, new DateOnly(2026, 3, 20), 1.5m, 45m, 67.5m, 1m, 45m, 22.5m, 4m, 0m);
        var csv = HomeCareOrderService.BillingCsv(new HomeCareBillingList("tianhe-homecare", "2026-03", 1, 1.5m, 67.5m, 45m, 22.5m, [line]));
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("O-1,E-1,保洁,2026-03-20,1.50,45.00,67.50,1.00,45.00,22.50,0.00", lines[1]);
        Assert.Equal("合计,tianhe-homecare,,2026-03,1.50,,67.50,,45.00,22.50,", lines[2]);
    }
}
