using CivilAffairs.Domain.Funeral.Services;

namespace CivilAffairs.Domain.Tests.Funeral.Services;

public class ServiceBillingTests
{
    static readonly IReadOnlyList<ServiceItem> Catalogue = ServiceCatalogue.Defaults();
    static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.FromHours(8));

    static ServiceOrder NewOrder(ExemptionGroup? group = null) =>
        new("01JEXAMPLE0000000000000000", "gz-funeral-home", OrderStatus.Open, "idx", new DateOnly(2026, 12, 1), null, [], group, Now, "funeral-staff-a");

    static ServiceOrder With(ServiceOrder order, params (string Code, int Quantity)[] lines)
    {
        foreach (var (code, quantity) in lines)
        {
            var (next, rejected) = ServiceOrderRules.AddLine(order, Catalogue, code, quantity);
            Assert.Null(rejected);
            order = next!;
        }
        return order;
    }

    static ServiceOrder Basic(ExemptionGroup? group = null) =>
        With(NewOrder(group), (ServiceCodes.BodyTransport, 1), (ServiceCodes.ColdStorage, 3), (ServiceCodes.Cremation, 1), (ServiceCodes.OrdinaryUrn, 1));

    [Fact]
    public void The_default_catalogue_is_valid_and_has_the_four_basic_services_and_two_optional_items()
    {
        Assert.Empty(ServiceCatalogue.Validate(Catalogue));
        Assert.Equal([ServiceCodes.BodyTransport, ServiceCodes.ColdStorage, ServiceCodes.Cremation, ServiceCodes.OrdinaryUrn], Catalogue.Where(i => i.Basic).Select(i => i.Code));
        Assert.Equal([ServiceCodes.FarewellHall, ServiceCodes.Restoration], Catalogue.Where(i => !i.Basic).Select(i => i.Code));
    }

    [Fact]
    public void An_ordinary_person_pays_every_line_at_its_price()
    {
        var bill = Billing.Compute(Basic().Lines, Catalogue, null);
        // 300 + 3 × 80 + 500 + 200
        Assert.Equal(1240.00m, bill.Total);
        Assert.Equal(0m, bill.Exempted);
        Assert.Equal(1240.00m, bill.Payable);
        Assert.Null(bill.Exemption);
        Assert.Contains("按标准价格收费", bill.ExemptionReason);
    }

    [Theory]
    [InlineData(ExemptionGroup.MinimumLivingAllowance, "低保对象，基本殡葬服务费用全免")]
    [InlineData(ExemptionGroup.ExtremePoverty, "特困供养人员，基本殡葬服务费用全免")]
    public void An_eligible_person_has_every_basic_service_free(ExemptionGroup group, string reason)
    {
        var bill = Billing.Compute(Basic(group).Lines, Catalogue, group);
        Assert.Equal(1240.00m, bill.Total);
        Assert.Equal(1240.00m, bill.Exempted);
        Assert.Equal(0m, bill.Payable);
        Assert.All(bill.Lines, l => Assert.Equal(l.Amount, l.Exempted));
        Assert.Equal(reason, bill.ExemptionReason);
    }

    [Fact]
    public void Optional_items_are_never_exempted()
    {
        var order = With(Basic(ExemptionGroup.MinimumLivingAllowance), (ServiceCodes.FarewellHall, 1), (ServiceCodes.Restoration, 1));
        var bill = Billing.Compute(order.Lines, Catalogue, ExemptionGroup.MinimumLivingAllowance);
        Assert.Equal(1240.00m + 800m + 300m, bill.Total);
        Assert.Equal(1240.00m, bill.Exempted);
        Assert.Equal(1100.00m, bill.Payable);
        Assert.All(bill.Lines.Where(l => !l.Basic), l => Assert.Equal(0m, l.Exempted));
        Assert.EndsWith("非基本服务项目按标准价格收费", bill.ExemptionReason);
    }

    [Fact]
    public void Cold_storage_is_exempted_up_to_its_covered_days_even_across_lines()
    {
        var order = With(NewOrder(), (ServiceCodes.ColdStorage, 5), (ServiceCodes.ColdStorage, 5));
        var bill = Billing.Compute(order.Lines, Catalogue, ExemptionGroup.ExtremePoverty);
        Assert.Equal(800.00m, bill.Total);
        Assert.Equal(7 * 80.00m, bill.Exempted);
        Assert.Equal(3 * 80.00m, bill.Payable);
        Assert.Equal([400.00m, 160.00m], bill.Lines.Select(l => l.Exempted));
        Assert.Contains("减免不超过 7 天", bill.ExemptionReason);
    }

    [Fact]
    public void The_group_is_extreme_poverty_first_then_minimum_living_allowance_else_none()
    {
        Assert.Equal(ExemptionGroup.ExtremePoverty, Billing.GroupOf(true, true));
        Assert.Equal(ExemptionGroup.MinimumLivingAllowance, Billing.GroupOf(false, true));
        Assert.Null(Billing.GroupOf(false, false));
    }

    [Fact]
    public void An_unknown_service_code_and_a_quantity_out_of_range_are_refused_with_their_codes()
    {
        var order = NewOrder();
        Assert.Equal("UNKNOWN_SERVICE_CODE", ServiceOrderRules.AddLine(order, Catalogue, "embalming", 1).Rejected!.Code);
        Assert.Equal("UNKNOWN_SERVICE_CODE", ServiceOrderRules.AddLine(order, Catalogue, null, 1).Rejected!.Code);
        Assert.Equal("QUANTITY_OUT_OF_RANGE", ServiceOrderRules.AddLine(order, Catalogue, ServiceCodes.Cremation, 0).Rejected!.Code);
        Assert.Equal("QUANTITY_OUT_OF_RANGE", ServiceOrderRules.AddLine(order, Catalogue, ServiceCodes.Cremation, 2).Rejected!.Code);
        Assert.Equal("QUANTITY_OUT_OF_RANGE", ServiceOrderRules.AddLine(order, Catalogue, ServiceCodes.ColdStorage, null).Rejected!.Code);
        // The limit is per order: a second cremation line is refused.
        var once = With(order, (ServiceCodes.Cremation, 1));
        var again = ServiceOrderRules.AddLine(once, Catalogue, ServiceCodes.Cremation, 1).Rejected!;
        Assert.Equal("QUANTITY_OUT_OF_RANGE", again.Code);
        Assert.Equal("quantity", again.Field);
    }

    [Fact]
    public void Lines_can_be_removed_while_open_and_each_keeps_its_own_id()
    {
        var order = With(NewOrder(), (ServiceCodes.BodyTransport, 1), (ServiceCodes.Cremation, 1));
        Assert.Equal(["L1", "L2"], order.Lines.Select(l => l.LineId));
        var removed = ServiceOrderRules.RemoveLine(order, "L1").Order!;
        Assert.Equal(["L2"], removed.Lines.Select(l => l.LineId));
        Assert.Equal("L3", With(removed, (ServiceCodes.OrdinaryUrn, 1)).Lines[^1].LineId);
        Assert.Equal(ServiceRejectionKind.NotFound, ServiceOrderRules.RemoveLine(order, "L9").Rejected!.Kind);
    }

    [Fact]
    public void Settlement_freezes_the_bill_and_a_settled_order_can_no_longer_change_or_be_cancelled()
    {
        var (settled, rejected) = ServiceOrderRules.Settle(Basic(), Catalogue, ExemptionGroup.MinimumLivingAllowance, "BZ20261204ABCDEFGH", Now, "funeral-staff-a");
        Assert.Null(rejected);
        Assert.Equal(OrderStatus.Settled, settled!.Status);
        Assert.Equal(0m, settled.Bill!.Payable);
        Assert.Equal(ExemptionGroup.MinimumLivingAllowance, settled.Exemption);

        foreach (var r in new[]
        {
            ServiceOrderRules.AddLine(settled, Catalogue, ServiceCodes.Restoration, 1).Rejected,
            ServiceOrderRules.RemoveLine(settled, "L1").Rejected,
            ServiceOrderRules.Cancel(settled, Now, "x").Rejected,
            ServiceOrderRules.Settle(settled, Catalogue, null, "BZ2", Now, "x").Rejected,
        })
        {
            Assert.Equal("ORDER_ALREADY_SETTLED", r!.Code);
            Assert.Equal(ServiceRejectionKind.State, r.Kind);
        }
        // A later price change does not touch the frozen bill.
        var dearer = Catalogue.Select(i => i with { UnitPrice = i.UnitPrice * 2 }).ToList();
        Assert.Equal(1240.00m, settled.Bill.Total);
        Assert.Equal(2480.00m, Billing.Compute(settled.Lines, dearer, null).Total);
    }

    [Fact]
    public void An_empty_order_cannot_be_settled_and_a_cancelled_order_cannot_change()
    {
        Assert.Equal("ORDER_EMPTY", ServiceOrderRules.Settle(NewOrder(), Catalogue, null, "BZ", Now, "x").Rejected!.Code);
        var cancelled = ServiceOrderRules.Cancel(Basic(), Now, "funeral-staff-a").Order!;
        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal("ORDER_CANCELLED", ServiceOrderRules.AddLine(cancelled, Catalogue, ServiceCodes.Cremation, 1).Rejected!.Code);
        Assert.Equal("ORDER_CANCELLED", ServiceOrderRules.Settle(cancelled, Catalogue, null, "BZ", Now, "x").Rejected!.Code);
    }

    [Fact]
    public void A_configured_catalogue_with_a_negative_price_or_fractions_of_a_fen_is_invalid()
    {
        Assert.NotEmpty(ServiceCatalogue.Validate([.. Catalogue.Select(i => i.Code == ServiceCodes.Cremation ? i with { UnitPrice = -1m } : i)]));
        Assert.NotEmpty(ServiceCatalogue.Validate([.. Catalogue.Select(i => i.Code == ServiceCodes.Cremation ? i with { UnitPrice = 1.005m } : i)]));
        Assert.NotEmpty(ServiceCatalogue.Validate([.. Catalogue, Catalogue[0]]));
    }
}
