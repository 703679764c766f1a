using System.Text.Json;
using CivilAffairs.Application.Disaster;
using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Tests.Disaster.Supplies;

/// <summary>The head snapshot restores to a stock that behaves exactly like the one the full ledger replays to.</summary>
public class StockLedgerTests
{
    static readonly DateTimeOffset At = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);
    static readonly DateOnly Today = new(2026, 3, 1);

    static WarehouseStock Sample()
    {
        var s = new WarehouseStock("W1");
        _ = s.Receive("WATER", "W-A", new DateOnly(2026, 6, 30), 10, "RK-1", "officer", At).Value;
        _ = s.Receive("WATER", "W-B", new DateOnly(2026, 9, 30), 5, "RK-2", "officer", At).Value;
        _ = s.Receive("TENT", "T-1", null, 4, "RK-3", "officer", At).Value;
        _ = s.Reserve("WATER", 12, "D1", "system", At, Today).Value;
        _ = s.Reserve("TENT", 4, "D2", "system", At, Today).Value;
        _ = s.IssueAll("D2", "team", At).Value;          // T-1 emptied: on hand 0, but its lot (and expiry) is remembered
        _ = s.Reserve("WATER", 1, "D3", "system", At, Today).Value;
        _ = s.ReleaseAll("D3", "system", At).Value;
        return s;
    }

    [Fact]
    public void Restore_reproduces_the_snapshot_and_the_rules()
    {
        var original = Sample();
        var stored = JsonSerializer.Deserialize<StockSnapshot>(JsonSerializer.Serialize(original.Snapshot(), JsonDefaults.Options), JsonDefaults.Options)!;
        var (restored, seeded) = StockLedger.Restore(stored);

        Assert.True((restored.Snapshot() with { LastSequence = stored.LastSequence }).Equivalent(stored));
        Assert.Equal(original.Available("WATER", Today), restored.Available("WATER", Today));
        Assert.Equal(original.ReservedFor("D1"), restored.ReservedFor("D1"));
        // Same answers to the next operation: over-reservation refused, an emptied lot keeps its expiry.
        Assert.Equal("stock.insufficient", restored.Reserve("WATER", 4, "D4", "system", At, Today).Rejection!.Code);
        Assert.Equal("stock.lot.expiry_mismatch", restored.Receive("TENT", "T-1", new DateOnly(2030, 1, 1), 1, "RK-4", "officer", At).Rejection!.Code);
        var issued = restored.IssueAll("D1", "team", At).Value;
        Assert.Equal(12m, issued.Sum(m => m.Quantity));
        Assert.Equal(seeded + issued.Count, restored.Ledger.Count);
    }

    [Fact]
    public void Dispatch_rows_keep_the_destination()
    {
        var request = new DispatchRequest("N1", "I1", "440106008001", ResponseLevel.II, new GeoPoint(23.1368, 113.344), NeedCategory.Water, Urgency.High, [new DispatchItem("WATER", 3)]);
        var back = JsonSerializer.Deserialize<DispatchRequest>(JsonSerializer.Serialize(request, DispatchJson.Options), DispatchJson.Options)!;
        Assert.Equal(request.Destination, back.Destination);
        Assert.Equal(request.Items, back.Items);
    }

    [Fact]
    public void Options_give_explicit_limits_per_level_over_the_scaled_default()
    {
        var options = new DispatchOptions { DeadlineScale = 0.5, LevelSeconds = { ["I"] = 6 } };
        var deadlines = options.Deadlines();
        Assert.Equal(TimeSpan.FromSeconds(6), deadlines.For(ResponseLevel.I));
        Assert.Equal(TimeSpan.FromHours(5), deadlines.For(ResponseLevel.III));
    }
}
