using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class StockTests
{
    static readonly DateTimeOffset At = Fixtures.T0;
    static readonly DateOnly Today = new(2026, 7, 20);

    static WarehouseStock Stocked()
    {
        var s = new WarehouseStock("wh-1");
        s.Receive("WATER", "W-B", new DateOnly(2026, 9, 30), 100, "PO-1", "keeper", At).Value.ToString();
        s.Receive("WATER", "W-A", new DateOnly(2026, 8, 31), 50, "PO-1", "keeper", At).Value.ToString();
        s.Receive("WATER", "W-OLD", new DateOnly(2026, 7, 19), 500, "PO-0", "keeper", At).Value.ToString();
        s.Receive("TENT", "T-1", null, 20, "PO-2", "keeper", At).Value.ToString();
        return s;
    }

    [Fact]
    public void Catalogue_seeds_standard_items_with_units_and_need_categories()
    {
        var names = ReliefItemCatalogue.Standard.Select(i => i.Name).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "帐篷", "棉被", "折叠床", "饮用水", "方便食品", "急救包", "发电机" });
        Assert.Equal(ReliefItemCatalogue.Standard.Count, ReliefItemCatalogue.Standard.Select(i => i.Code).Distinct().Count());
        Assert.All(ReliefItemCatalogue.Standard, i => Assert.NotEmpty(i.Satisfies));
        Assert.Equal("顶", ReliefItemCatalogue.Find("TENT")!.Unit);
        Assert.Contains(ReliefItemCatalogue.For(NeedCategory.Shelter), i => i.Code == "COT");
        Assert.Contains(ReliefItemCatalogue.For(NeedCategory.Power), i => i.Name == "发电机");
        Assert.All(Enum.GetValues<NeedCategory>().Where(c => c != NeedCategory.Other), c => Assert.NotEmpty(ReliefItemCatalogue.For(c)));
    }

    [Fact]
    public void Reserve_takes_first_expiry_first_and_never_an_expired_lot()
    {
        var s = Stocked();
        Assert.Equal(150, s.Available("WATER", Today)); // W-OLD expired yesterday
        var moves = s.Reserve("WATER", 70, "D-1", "dispatcher", At, Today).Value;
        Assert.Equal([("W-A", 50m), ("W-B", 20m)], moves.Select(m => (m.LotNumber, m.Quantity)));
        Assert.All(moves, m => Assert.Equal(MovementKind.Reserve, m.Kind));
        Assert.Equal(80, s.Available("WATER", Today));
        Assert.Equal([new ReservationLine("D-1", "WATER", "W-A", 50), new ReservationLine("D-1", "WATER", "W-B", 20)], s.ReservedFor("D-1"));
    }

    [Fact]
    public void A_lot_is_usable_through_its_expiry_date()
    {
        var s = Stocked();
        Assert.Equal(650, s.Available("WATER", new DateOnly(2026, 7, 19)));
        Assert.Equal("stock.lot.expired", s.ReserveLot("WATER", "W-OLD", 1, "D-1", "d", At, Today).Rejection!.Code);
        Assert.True(s.ReserveLot("WATER", "W-OLD", 1, "D-1", "d", At, new DateOnly(2026, 7, 19)).Accepted);
    }

    [Fact]
    public void Cannot_reserve_more_than_available_and_a_failed_reserve_changes_nothing()
    {
        var s = Stocked();
        s.Reserve("WATER", 100, "D-1", "d", At, Today).Value.ToString();
        var before = s.Snapshot();
        var outcome = s.Reserve("WATER", 51, "D-2", "d", At, Today);
        Assert.Equal("stock.insufficient", outcome.Rejection!.Code);
        Assert.Contains("50", outcome.Rejection.Reason);
        Assert.True(before.Equivalent(s.Snapshot()));
        Assert.Equal("stock.insufficient", s.ReserveLot("WATER", "W-B", 51, "D-2", "d", At, Today).Rejection!.Code);
        Assert.Equal("stock.lot.unknown", s.ReserveLot("WATER", "NOPE", 1, "D-2", "d", At, Today).Rejection!.Code);
        Assert.Equal("stock.quantity.not_positive", s.Reserve("WATER", 0, "D-2", "d", At, Today).Rejection!.Code);
        Assert.Equal("stock.reference.required", s.Reserve("WATER", 1, "", "d", At, Today).Rejection!.Code);
    }

    [Fact]
    public void Issue_and_release_are_limited_to_what_that_reference_reserved()
    {
        var s = Stocked();
        s.ReserveLot("TENT", "T-1", 5, "D-1", "d", At, Today).Value.ToString();
        s.ReserveLot("TENT", "T-1", 3, "D-2", "d", At, Today).Value.ToString();

        Assert.Equal("stock.issue.exceeds_reserved", s.Issue("TENT", "T-1", 6, "D-1", "keeper", At).Rejection!.Code);
        Assert.Equal("stock.issue.exceeds_reserved", s.Issue("TENT", "T-1", 1, "D-9", "keeper", At).Rejection!.Code);
        Assert.Equal("stock.release.exceeds_reserved", s.Release("TENT", "T-1", 4, "D-2", "d", At).Rejection!.Code);

        s.Issue("TENT", "T-1", 5, "D-1", "keeper", At).Value.ToString();
        var tent = Assert.Single(s.Lots("TENT"));
        Assert.Equal((15m, 3m, 12m), (tent.OnHand, tent.Reserved, tent.Available));
        Assert.Empty(s.ReservedFor("D-1"));
        Assert.Equal("stock.issue.exceeds_reserved", s.Issue("TENT", "T-1", 1, "D-1", "keeper", At).Rejection!.Code);

        s.Release("TENT", "T-1", 2, "D-2", "d", At).Value.ToString();
        Assert.Equal(1m, Assert.Single(s.ReservedFor("D-2")).Quantity);
        var all = s.ReleaseAll("D-2", "d", At).Value;
        Assert.Equal(1m, Assert.Single(all).Quantity);
        Assert.Equal(15m, Assert.Single(s.Lots("TENT")).Available);
        Assert.Empty(s.ReleaseAll("D-2", "d", At).Value);
    }

    [Fact]
    public void Receive_keeps_a_lot_expiry_and_only_receive_carries_one()
    {
        var s = Stocked();
        Assert.Equal("stock.lot.expiry_mismatch", s.Receive("WATER", "W-A", new DateOnly(2027, 1, 1), 5, "PO-3", "k", At).Rejection!.Code);
        Assert.True(s.Receive("WATER", "W-A", new DateOnly(2026, 8, 31), 5, "PO-3", "k", At).Accepted);
        Assert.Equal(55m, s.Lots("WATER").Single(l => l.LotNumber == "W-A").OnHand);
        Assert.Equal("stock.quantity.not_positive", s.Receive("WATER", "W-A", new DateOnly(2026, 8, 31), -5, "PO-3", "k", At).Rejection!.Code);
    }

    [Fact]
    public void Ledger_is_append_only_with_consecutive_sequence_numbers()
    {
        var s = Stocked();
        s.Reserve("WATER", 70, "D-1", "d", At, Today).Value.ToString();
        s.Reserve("WATER", 1000, "D-2", "d", At, Today); // rejected: appends nothing
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), s.Ledger.Select(m => m.Sequence));
        Assert.Equal(6, s.LastSequence);
    }

    [Fact]
    public void Replaying_the_ledger_gives_the_running_state()
    {
        var s = Stocked();
        s.Reserve("WATER", 70, "D-1", "d", At, Today).Value.ToString();
        s.ReserveLot("TENT", "T-1", 4, "D-1", "d", At, Today).Value.ToString();
        s.Reserve("WATER", 30, "D-2", "d", At, Today).Value.ToString();
        s.IssueAll("D-1", "keeper", At.AddHours(1)).Value.ToString();
        s.Release("WATER", "W-B", 10, "D-2", "d", At.AddHours(2)).Value.ToString();
        s.Receive("TENT", "T-2", null, 10, "DON-7", "keeper", At.AddHours(3)).Value.ToString();

        StockSnapshot expected = new("wh-1", 13,
        [
            new("TENT", "T-1", null, 16, 0),
            new("TENT", "T-2", null, 10, 0),
            new("WATER", "W-OLD", new DateOnly(2026, 7, 19), 500, 0),
            new("WATER", "W-A", new DateOnly(2026, 8, 31), 0, 0),
            new("WATER", "W-B", new DateOnly(2026, 9, 30), 80, 20),
        ],
        [new("D-2", "WATER", "W-B", 20)]);
        Assert.True(expected.Equivalent(s.Snapshot()));

        var replayed = WarehouseStock.Replay("wh-1", s.Ledger);
        Assert.True(replayed.Snapshot().Equivalent(s.Snapshot()));
        Assert.Equal(s.Snapshot().Lots, replayed.Snapshot().Lots);
        Assert.Equal(s.Snapshot().Reservations, replayed.Snapshot().Reservations);

        // The fold is a real fold: a prefix gives the earlier state.
        var prefix = WarehouseStock.Replay("wh-1", s.Ledger.Take(4));
        Assert.Equal(650m, prefix.Lots("WATER").Sum(l => l.OnHand));
        Assert.Equal(4, prefix.LastSequence);
        Assert.Equal(0m, prefix.Lots().Sum(l => l.Reserved));
    }

    [Fact]
    public void Replay_refuses_an_inconsistent_ledger()
    {
        var s = Stocked();
        s.Reserve("WATER", 10, "D-1", "d", At, Today).Value.ToString();
        var ledger = s.Ledger.ToList();
        Assert.Throws<InvalidOperationException>(() => WarehouseStock.Replay("wh-1", ledger.Skip(1)));                    // gap
        Assert.Throws<InvalidOperationException>(() => WarehouseStock.Replay("wh-2", ledger));                            // other warehouse
        var tampered = ledger.Select(m => m.Kind == MovementKind.Reserve ? m with { Quantity = 10_000 } : m);
        Assert.Throws<InvalidOperationException>(() => WarehouseStock.Replay("wh-1", tampered));                          // over-reservation
        var issueWithoutReserve = ledger.Take(4).Append(new StockMovement(5, "wh-1", MovementKind.Issue, "TENT", "T-1", 1, "D-1", At, "k"));
        Assert.Throws<InvalidOperationException>(() => WarehouseStock.Replay("wh-1", issueWithoutReserve));
    }
}
