using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class AllocationTests
{
    static readonly DateOnly Today = new(2026, 7, 20);
    static readonly GeoPoint Destination = Fixtures.Near(0);

    static Warehouse Wh(string id, double northMetres) => new(id, "仓库" + id, Fixtures.Near(northMetres), "440106");

    static LotPosition Lot(string lot, decimal onHand, DateOnly? expiry = null, decimal reserved = 0, string item = "WATER") => new(item, lot, expiry, onHand, reserved);

    static AllocationRequest Need(decimal quantity, string item = "WATER") => new(Destination, [new AllocationLine(item, quantity)]);

    [Fact]
    public void Nearest_warehouse_covers_the_need_alone_when_it_can()
    {
        var plan = AllocationPlanner.Plan(Need(20), [new(Wh("far", 5000), [Lot("F1", 100)]), new(Wh("near", 1000), [Lot("N1", 30)])], Today);
        Assert.True(plan.IsComplete);
        var pick = Assert.Single(plan.Picks);
        Assert.Equal(("near", "N1", 20m), (pick.WarehouseId, pick.LotNumber, pick.Quantity));
        Assert.Equal(1000, pick.DistanceMetres, 0.5);
    }

    [Fact]
    public void A_need_one_warehouse_cannot_cover_is_split_nearest_first()
    {
        var plan = AllocationPlanner.Plan(Need(60), [new(Wh("far", 5000), [Lot("F1", 50)]), new(Wh("near", 1000), [Lot("N1", 30)])], Today);
        Assert.True(plan.IsComplete);
        Assert.Equal([("near", 30m), ("far", 30m)], plan.Picks.Select(p => (p.WarehouseId, p.Quantity)));
        Assert.Equal(60m, plan.Lines[0].Allocated);
        Assert.Equal(0m, plan.Lines[0].Shortfall);
    }

    [Fact]
    public void What_no_warehouse_has_is_reported_as_shortfall()
    {
        var plan = AllocationPlanner.Plan(
            new AllocationRequest(Destination, [new("WATER", 200), new("TENT", 5)]),
            [new(Wh("a", 1000), [Lot("A1", 30)]), new(Wh("b", 2000), [Lot("B1", 50, reserved: 10)])], Today);
        Assert.False(plan.IsComplete);
        Assert.Equal(70m, plan.Lines[0].Allocated);
        Assert.Equal([("WATER", 130m), ("TENT", 5m)], plan.Shortfalls);
        Assert.Empty(plan.Lines[1].Picks);
    }

    [Fact]
    public void Expired_lots_are_skipped_and_lots_go_first_expiry_first_out()
    {
        var plan = AllocationPlanner.Plan(Need(40),
        [
            new(Wh("a", 1000),
            [
                Lot("NO-EXPIRY", 100),
                Lot("EXPIRED", 100, new DateOnly(2026, 7, 19)),
                Lot("LATER", 25, new DateOnly(2026, 12, 31)),
                Lot("SOONER", 25, new DateOnly(2026, 8, 1)),
            ]),
        ], Today);
        Assert.Equal([("SOONER", 25m), ("LATER", 15m)], plan.Picks.Select(p => (p.LotNumber, p.Quantity)));

        var onlyExpired = AllocationPlanner.Plan(Need(10), [new(Wh("a", 1000), [Lot("EXPIRED", 100, new DateOnly(2026, 7, 19))])], Today);
        Assert.Equal(10m, onlyExpired.Lines[0].Shortfall);
        // The expiry day itself is still usable.
        Assert.True(AllocationPlanner.Plan(Need(10), [new(Wh("a", 1000), [Lot("EXPIRED", 100, new DateOnly(2026, 7, 19))])], new DateOnly(2026, 7, 19)).IsComplete);
    }

    [Fact]
    public void Equal_distances_break_ties_by_warehouse_id_whatever_the_input_order()
    {
        WarehouseSupply north = new(Wh("wh-b", 3000), [Lot("B1", 10)]);
        WarehouseSupply south = new(Wh("wh-c", -3000), [Lot("C1", 10)]);
        WarehouseSupply near = new(Wh("wh-z", 500), [Lot("Z1", 10)]);
        Assert.Equal(north.Warehouse.Position.DistanceTo(Destination), south.Warehouse.Position.DistanceTo(Destination), 6);

        var one = AllocationPlanner.Plan(Need(25), [south, north, near], Today);
        var two = AllocationPlanner.Plan(Need(25), [near, north, south], Today);
        Assert.Equal([("wh-z", 10m), ("wh-b", 10m), ("wh-c", 5m)], one.Picks.Select(p => (p.WarehouseId, p.Quantity)));
        Assert.Equal(one.Picks, two.Picks);
    }

    [Fact]
    public void The_same_item_in_two_lines_is_not_counted_twice()
    {
        var plan = AllocationPlanner.Plan(new AllocationRequest(Destination, [new("WATER", 20), new("WATER", 20)]), [new(Wh("a", 1000), [Lot("A1", 30)])], Today);
        Assert.Equal(20m, plan.Lines[0].Allocated);
        Assert.Equal(10m, plan.Lines[1].Allocated);
        Assert.Equal(10m, plan.Lines[1].Shortfall);
    }

    [Fact]
    public void A_plan_from_ledger_positions_can_be_reserved_exactly()
    {
        var stock = new WarehouseStock("a");
        stock.Receive("WATER", "L1", new DateOnly(2026, 8, 1), 10, "PO", "k", Fixtures.T0).Value.ToString();
        stock.Receive("WATER", "L2", new DateOnly(2026, 9, 1), 10, "PO", "k", Fixtures.T0).Value.ToString();
        stock.Reserve("WATER", 4, "D-0", "d", Fixtures.T0, Today).Value.ToString();

        var plan = AllocationPlanner.Plan(Need(12), [new(Wh("a", 100), stock.Lots())], Today);
        Assert.Equal([("L1", 6m), ("L2", 6m)], plan.Picks.Select(p => (p.LotNumber, p.Quantity)));
        foreach (var pick in plan.Picks)
            Assert.True(stock.ReserveLot(pick.ItemCode, pick.LotNumber, pick.Quantity, "D-1", "d", Fixtures.T0, Today).Accepted);
        Assert.Equal(4m, stock.Available("WATER", Today));
    }

    [Fact]
    public void Non_positive_request_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => AllocationPlanner.Plan(Need(0), [], Today));
    }
}
