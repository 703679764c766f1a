namespace CivilAffairs.Domain.Disaster;

/// <summary>One item and quantity a need asks for.</summary>
public sealed record AllocationLine(string ItemCode, decimal Quantity);

/// <summary>What to plan: where the goods must go and what is needed.</summary>
public sealed record AllocationRequest(GeoPoint Destination, IReadOnlyList<AllocationLine> Lines);

/// <summary>A warehouse and its lot positions, as the planner sees them (e.g. from <see cref="WarehouseStock.Lots"/>).</summary>
public sealed record WarehouseSupply(Warehouse Warehouse, IReadOnlyList<LotPosition> Lots);

/// <summary>Take <see cref="Quantity"/> of an item from one lot of one warehouse.</summary>
public sealed record AllocationPick(string WarehouseId, string WarehouseName, string ItemCode, string LotNumber, DateOnly? Expiry, decimal Quantity, double DistanceMetres);

/// <summary>The plan for one requested line: the picks in the order they were taken, and what could not be covered.</summary>
public sealed record AllocationLineResult(string ItemCode, decimal Requested, IReadOnlyList<AllocationPick> Picks)
{
    public decimal Allocated => Picks.Sum(p => p.Quantity);
    public decimal Shortfall => Requested - Allocated;
}

public sealed record AllocationPlan(IReadOnlyList<AllocationLineResult> Lines)
{
    public bool IsComplete => Lines.All(l => l.Shortfall == 0);
    public IReadOnlyList<AllocationPick> Picks => Lines.SelectMany(l => l.Picks).ToList();
    /// <summary>Lines with something missing, for the "not enough stock" report.</summary>
    public IReadOnlyList<(string ItemCode, decimal Shortfall)> Shortfalls => Lines.Where(l => l.Shortfall > 0).Select(l => (l.ItemCode, l.Shortfall)).ToList();
}

/// <summary>
/// Chooses where relief goods come from: nearest warehouse first, splitting across warehouses when
/// one cannot cover a line; inside a warehouse, lots first-expiry-first-out and never expired.
/// <para>
/// Deterministic: warehouses are ordered by great-circle distance to the destination rounded to
/// whole metres, then by warehouse id (ordinal), so two warehouses at the same distance always
/// resolve the same way; lots by <see cref="Fefo.Order"/>. When the same item appears in several
/// lines, later lines see what earlier lines took. The planner only proposes; reserving the picks
/// (<see cref="WarehouseStock.ReserveLot"/>) is what commits them.
/// </para>
/// </summary>
public static class AllocationPlanner
{
    /// <param name="today">Business date (China Standard Time) for the expiry check.</param>
    public static AllocationPlan Plan(AllocationRequest request, IEnumerable<WarehouseSupply> supplies, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(supplies);
        foreach (var line in request.Lines)
        {
            if (line.Quantity <= 0) throw new ArgumentException($"Line {line.ItemCode} has a non-positive quantity.", nameof(request));
        }

        var ordered = supplies
            .Select(s => (Supply: s, Distance: s.Warehouse.Position.DistanceTo(request.Destination)))
            .OrderBy(x => Math.Round(x.Distance, MidpointRounding.AwayFromZero))
            .ThenBy(x => x.Supply.Warehouse.Id, StringComparer.Ordinal)
            .ToList();
        var taken = new Dictionary<(string Warehouse, string Item, string Lot), decimal>();

        var results = new List<AllocationLineResult>();
        foreach (var line in request.Lines)
        {
            var picks = new List<AllocationPick>();
            var remaining = line.Quantity;
            foreach (var (supply, distance) in ordered)
            {
                if (remaining == 0) break;
                var lots = supply.Lots
                    .Where(l => l.ItemCode == line.ItemCode)
                    .Select(l => l with { Reserved = l.Reserved + taken.GetValueOrDefault((supply.Warehouse.Id, l.ItemCode, l.LotNumber)) });
                foreach (var lot in Fefo.Order(lots, today))
                {
                    if (remaining == 0) break;
                    var take = Math.Min(remaining, lot.Available);
                    var key = (supply.Warehouse.Id, lot.ItemCode, lot.LotNumber);
                    taken[key] = taken.GetValueOrDefault(key) + take;
                    picks.Add(new AllocationPick(supply.Warehouse.Id, supply.Warehouse.Name, lot.ItemCode, lot.LotNumber, lot.Expiry, take, Math.Round(distance, 1)));
                    remaining -= take;
                }
            }
            results.Add(new AllocationLineResult(line.ItemCode, line.Quantity, picks));
        }
        return new AllocationPlan(results);
    }
}
