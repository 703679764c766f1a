using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Disaster;

/// <summary>A relief item (救灾物资品种) and the need categories it satisfies.</summary>
/// <param name="Code">Stable code, upper-case ASCII.</param>
/// <param name="Name">Chinese name.</param>
/// <param name="Unit">Chinese counting unit (顶, 床, 箱…).</param>
/// <param name="Perishable">True for items with a shelf life (water, food, medical); their lots carry an expiry date.</param>
public sealed record ReliefItem(string Code, string Name, string Unit, IReadOnlyList<NeedCategory> Satisfies, bool Perishable = false);

/// <summary>
/// Standard relief items. The list follows the kinds of central relief stock named in national
/// practice (帐篷、棉被、折叠床、家庭应急包、照明、发电…) plus the consumables the bureau buys
/// locally (饮用水、方便食品); configuration may add more.
/// </summary>
public static class ReliefItemCatalogue
{
    public static IReadOnlyList<ReliefItem> Standard { get; } =
    [
        new("TENT", "帐篷", "顶", [NeedCategory.Shelter]),
        new("QUILT", "棉被", "床", [NeedCategory.Shelter]),
        new("COT", "折叠床", "张", [NeedCategory.Shelter]),
        new("BLANKET", "毛毯", "条", [NeedCategory.Shelter]),
        new("COAT", "棉大衣", "件", [NeedCategory.Shelter]),
        new("WATER", "饮用水", "箱", [NeedCategory.Water], Perishable: true),
        new("FOOD", "方便食品", "箱", [NeedCategory.Food], Perishable: true),
        new("FIRSTAID", "急救包", "个", [NeedCategory.Medical, NeedCategory.Rescue], Perishable: true),
        new("FAMILYKIT", "家庭应急包", "个", [NeedCategory.Rescue, NeedCategory.Food, NeedCategory.Water], Perishable: true),
        new("LIFEJACKET", "救生衣", "件", [NeedCategory.Rescue]),
        new("GENERATOR", "发电机", "台", [NeedCategory.Power]),
        new("LAMP", "应急照明灯", "盏", [NeedCategory.Power]),
    ];

    public static ReliefItem? Find(string code) => Standard.FirstOrDefault(i => i.Code == code);

    /// <summary>Items that satisfy a need category, in catalogue order.</summary>
    public static IReadOnlyList<ReliefItem> For(NeedCategory category) => Standard.Where(i => i.Satisfies.Contains(category)).ToList();
}

/// <summary>A relief-supplies warehouse (救灾物资储备库/点).</summary>
public sealed record Warehouse(string Id, string Name, GeoPoint Position, string JurisdictionCode);

public enum MovementKind
{
    /// <summary>入库: on hand +q.</summary>
    Receive,
    /// <summary>预留 for a dispatch: reserved +q.</summary>
    Reserve,
    /// <summary>释放预留 (dispatch cancelled/failed): reserved −q.</summary>
    Release,
    /// <summary>出库 against a reservation: on hand −q, reserved −q.</summary>
    Issue,
}

/// <summary>
/// One line of the append-only stock ledger of a warehouse. <see cref="Sequence"/> is 1, 2, 3…
/// per warehouse (the application can use it as RowKey and for optimistic concurrency).
/// </summary>
/// <param name="Reference">The dispatch id for Reserve/Release/Issue; for Receive the delivery note or donation id.</param>
/// <param name="Expiry">Last usable day of the lot (China Standard Time); only on Receive, null for non-perishables.</param>
public sealed record StockMovement(
    long Sequence,
    string WarehouseId,
    MovementKind Kind,
    string ItemCode,
    string LotNumber,
    decimal Quantity,
    string Reference,
    DateTimeOffset At,
    string Actor,
    DateOnly? Expiry = null);

/// <summary>The position of one lot: on hand, reserved, and what is left to reserve.</summary>
/// <param name="Expiry">Last usable day, inclusive; null for items that do not expire.</param>
public sealed record LotPosition(string ItemCode, string LotNumber, DateOnly? Expiry, decimal OnHand, decimal Reserved)
{
    public decimal Available => OnHand - Reserved;

    /// <summary>A lot is expired from the day after its expiry date (China Standard Time).</summary>
    public bool IsExpiredOn(DateOnly today) => Expiry is { } e && today > e;
}

/// <summary>A quantity reserved for one reference (dispatch) in one lot.</summary>
public sealed record ReservationLine(string Reference, string ItemCode, string LotNumber, decimal Quantity);

/// <summary>Everything the ledger implies, in a canonical order (for comparing and storing snapshots).</summary>
public sealed record StockSnapshot(string WarehouseId, long LastSequence, IReadOnlyList<LotPosition> Lots, IReadOnlyList<ReservationLine> Reservations)
{
    public bool Equivalent(StockSnapshot other) =>
        WarehouseId == other.WarehouseId && LastSequence == other.LastSequence
        && Lots.SequenceEqual(other.Lots) && Reservations.SequenceEqual(other.Reservations);
}

/// <summary>First-expiry-first-out order of lots.</summary>
public static class Fefo
{
    /// <summary>
    /// Lots that may be reserved on <paramref name="today"/> (not expired, something available),
    /// earliest expiry first; lots without expiry after all dated lots; ties by lot number (ordinal).
    /// </summary>
    public static IEnumerable<LotPosition> Order(IEnumerable<LotPosition> lots, DateOnly today) =>
        lots.Where(l => !l.IsExpiredOn(today) && l.Available > 0)
            .OrderBy(l => l.Expiry is null ? 1 : 0)
            .ThenBy(l => l.Expiry ?? DateOnly.MaxValue)
            .ThenBy(l => l.LotNumber, StringComparer.Ordinal);
}

/// <summary>
/// The stock of one warehouse, kept as an append-only ledger of <see cref="StockMovement"/>s and the
/// running position it implies. Every operation validates, appends movements and updates the
/// position; nothing is ever edited or removed. <see cref="Replay"/> folds a ledger back into the
/// same position (so the application may store only the ledger, or a snapshot plus the tail).
/// <para>
/// Rules: quantities are positive; a reservation cannot exceed what is available (on hand −
/// reserved) and never touches an expired lot; lots are chosen first-expiry-first-out; release and
/// issue are limited to what is reserved <i>for that reference</i> in that lot.
/// </para>
/// Not thread-safe: one instance per request, guarded by the stored ETag.
/// </summary>
public sealed class WarehouseStock
{
    readonly Dictionary<(string Item, string Lot), LotState> _lots = [];
    readonly Dictionary<(string Reference, string Item, string Lot), decimal> _reservations = [];
    readonly List<StockMovement> _ledger = [];

    sealed class LotState(DateOnly? expiry)
    {
        public DateOnly? Expiry { get; } = expiry;
        public decimal OnHand { get; set; }
        public decimal Reserved { get; set; }
    }

    public WarehouseStock(string warehouseId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(warehouseId);
        WarehouseId = warehouseId;
    }

    public string WarehouseId { get; }

    /// <summary>All movements so far, oldest first.</summary>
    public IReadOnlyList<StockMovement> Ledger => _ledger;

    public long LastSequence => _ledger.Count == 0 ? 0 : _ledger[^1].Sequence;

    /// <summary>Rebuilds a warehouse's stock from its ledger (in sequence order).</summary>
    /// <exception cref="InvalidOperationException">The ledger is inconsistent (gap in sequence, other warehouse, or a movement the rules forbid).</exception>
    public static WarehouseStock Replay(string warehouseId, IEnumerable<StockMovement> ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var stock = new WarehouseStock(warehouseId);
        foreach (var m in ledger)
        {
            if (m.WarehouseId != warehouseId) throw new InvalidOperationException($"Movement {m.Sequence} belongs to warehouse {m.WarehouseId}.");
            if (m.Sequence != stock.LastSequence + 1) throw new InvalidOperationException($"Ledger gap: expected sequence {stock.LastSequence + 1}, got {m.Sequence}.");
            if (stock.Check(m) is { } problem) throw new InvalidOperationException($"Movement {m.Sequence} is not allowed: {problem}");
            stock.Apply(m);
        }
        return stock;
    }

    /// <summary>Lots of an item (or of all items), in FEFO order then item code; includes empty and expired lots.</summary>
    public IReadOnlyList<LotPosition> Lots(string? itemCode = null) =>
        _lots.Where(kv => itemCode is null || kv.Key.Item == itemCode)
            .Select(kv => new LotPosition(kv.Key.Item, kv.Key.Lot, kv.Value.Expiry, kv.Value.OnHand, kv.Value.Reserved))
            .OrderBy(l => l.ItemCode, StringComparer.Ordinal)
            .ThenBy(l => l.Expiry is null ? 1 : 0).ThenBy(l => l.Expiry ?? DateOnly.MaxValue)
            .ThenBy(l => l.LotNumber, StringComparer.Ordinal)
            .ToList();

    /// <summary>What can be reserved of an item today (expired lots excluded).</summary>
    public decimal Available(string itemCode, DateOnly today) => Fefo.Order(Lots(itemCode), today).Sum(l => l.Available);

    /// <summary>What is reserved for a reference, per lot.</summary>
    public IReadOnlyList<ReservationLine> ReservedFor(string reference) =>
        _reservations.Where(kv => kv.Key.Reference == reference && kv.Value > 0)
            .Select(kv => new ReservationLine(kv.Key.Reference, kv.Key.Item, kv.Key.Lot, kv.Value))
            .OrderBy(r => r.ItemCode, StringComparer.Ordinal).ThenBy(r => r.LotNumber, StringComparer.Ordinal)
            .ToList();

    public StockSnapshot Snapshot() => new(
        WarehouseId,
        LastSequence,
        Lots(),
        _reservations.Where(kv => kv.Value > 0)
            .Select(kv => new ReservationLine(kv.Key.Reference, kv.Key.Item, kv.Key.Lot, kv.Value))
            .OrderBy(r => r.Reference, StringComparer.Ordinal).ThenBy(r => r.ItemCode, StringComparer.Ordinal).ThenBy(r => r.LotNumber, StringComparer.Ordinal)
            .ToList());

    /// <summary>Receives a lot (入库). A lot number seen before must keep its expiry date.</summary>
    public Outcome<StockMovement> Receive(string itemCode, string lotNumber, DateOnly? expiry, decimal quantity, string reference, string actor, DateTimeOffset at) =>
        Append(new StockMovement(LastSequence + 1, WarehouseId, MovementKind.Receive, itemCode, lotNumber, quantity, reference, at, actor, expiry));

    /// <summary>
    /// Reserves <paramref name="quantity"/> of an item for a dispatch, taking lots first-expiry-first-out
    /// and never from expired lots. All or nothing: rejected when less is available.
    /// </summary>
    /// <param name="today">The business date (China Standard Time) the expiry check uses; see <see cref="ChinaTime.DateOf"/>.</param>
    public Outcome<IReadOnlyList<StockMovement>> Reserve(string itemCode, decimal quantity, string reference, string actor, DateTimeOffset at, DateOnly today)
    {
        if (quantity <= 0) return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.quantity.not_positive", "数量必须大于 0", "quantity");
        if (string.IsNullOrWhiteSpace(reference)) return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.reference.required", "预留必须关联调度单号", "reference");
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.actor.required", "缺少操作人", "actor");
        if (string.IsNullOrWhiteSpace(itemCode)) return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.item.required", "缺少物资编码", "itemCode");
        var available = Available(itemCode, today);
        if (available < quantity)
            return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.insufficient", $"可用库存不足：需要 {quantity}，未过期可用 {available}", "quantity");
        var plan = new List<(string Lot, decimal Quantity)>();
        var remaining = quantity;
        foreach (var lot in Fefo.Order(Lots(itemCode), today))
        {
            if (remaining == 0) break;
            var take = Math.Min(remaining, lot.Available);
            plan.Add((lot.LotNumber, take));
            remaining -= take;
        }
        var movements = plan.Select(p => Append(new StockMovement(LastSequence + 1, WarehouseId, MovementKind.Reserve, itemCode, p.Lot, p.Quantity, reference, at, actor)).Value).ToList();
        return Outcome<IReadOnlyList<StockMovement>>.Accept(movements);
    }

    /// <summary>Reserves from one named lot (when the allocation planner already chose the lots). Expired lots are refused.</summary>
    public Outcome<StockMovement> ReserveLot(string itemCode, string lotNumber, decimal quantity, string reference, string actor, DateTimeOffset at, DateOnly today)
    {
        if (_lots.TryGetValue((itemCode, lotNumber), out var lot) && lot.Expiry is { } e && today > e)
            return Outcome<StockMovement>.Reject("stock.lot.expired", $"批次 {lotNumber} 已于 {e:yyyy-MM-dd} 过期，不能预留", "lotNumber");
        return Append(new StockMovement(LastSequence + 1, WarehouseId, MovementKind.Reserve, itemCode, lotNumber, quantity, reference, at, actor));
    }

    /// <summary>Releases part of what a reference reserved in a lot.</summary>
    public Outcome<StockMovement> Release(string itemCode, string lotNumber, decimal quantity, string reference, string actor, DateTimeOffset at) =>
        Append(new StockMovement(LastSequence + 1, WarehouseId, MovementKind.Release, itemCode, lotNumber, quantity, reference, at, actor));

    /// <summary>Releases everything still reserved for a reference (dispatch cancelled or failed). Empty when nothing is reserved.</summary>
    public Outcome<IReadOnlyList<StockMovement>> ReleaseAll(string reference, string actor, DateTimeOffset at) =>
        string.IsNullOrWhiteSpace(actor)
            ? Outcome<IReadOnlyList<StockMovement>>.Reject("stock.actor.required", "缺少操作人", "actor")
            : Outcome<IReadOnlyList<StockMovement>>.Accept(ReservedFor(reference).Select(r => Release(r.ItemCode, r.LotNumber, r.Quantity, reference, actor, at).Value).ToList());

    /// <summary>Issues (出库) from a lot against what the reference reserved there.</summary>
    public Outcome<StockMovement> Issue(string itemCode, string lotNumber, decimal quantity, string reference, string actor, DateTimeOffset at) =>
        Append(new StockMovement(LastSequence + 1, WarehouseId, MovementKind.Issue, itemCode, lotNumber, quantity, reference, at, actor));

    /// <summary>Issues everything reserved for a reference (goods picked up).</summary>
    public Outcome<IReadOnlyList<StockMovement>> IssueAll(string reference, string actor, DateTimeOffset at) =>
        string.IsNullOrWhiteSpace(actor)
            ? Outcome<IReadOnlyList<StockMovement>>.Reject("stock.actor.required", "缺少操作人", "actor")
            : Outcome<IReadOnlyList<StockMovement>>.Accept(ReservedFor(reference).Select(r => Issue(r.ItemCode, r.LotNumber, r.Quantity, reference, actor, at).Value).ToList());

    Outcome<StockMovement> Append(StockMovement m)
    {
        if (Check(m) is { } problem) return problem;
        Apply(m);
        return Outcome<StockMovement>.Accept(m);
    }

    /// <summary>The rules every movement must satisfy against the current position (date-independent, so replay can use them).</summary>
    Rejection? Check(StockMovement m)
    {
        if (string.IsNullOrWhiteSpace(m.ItemCode)) return new("stock.item.required", "缺少物资编码", "itemCode");
        if (string.IsNullOrWhiteSpace(m.LotNumber)) return new("stock.lot.required", "缺少批次号", "lotNumber");
        if (m.Quantity <= 0) return new("stock.quantity.not_positive", "数量必须大于 0", "quantity");
        if (string.IsNullOrWhiteSpace(m.Actor)) return new("stock.actor.required", "缺少操作人", "actor");
        if (string.IsNullOrWhiteSpace(m.Reference)) return new("stock.reference.required", "缺少关联单号", "reference");
        if (!Enum.IsDefined(m.Kind)) return new("stock.kind.invalid", "库存变动类型无效", "kind");
        var key = (m.ItemCode, m.LotNumber);
        _lots.TryGetValue(key, out var lot);
        var reserved = _reservations.GetValueOrDefault((m.Reference, m.ItemCode, m.LotNumber));
        return m.Kind switch
        {
            MovementKind.Receive when lot is not null && lot.Expiry != m.Expiry =>
                new("stock.lot.expiry_mismatch", $"批次 {m.LotNumber} 已登记的有效期与本次入库不一致", "expiry"),
            MovementKind.Receive => null,
            _ when m.Expiry is not null => new("stock.expiry.only_on_receive", "只有入库时登记有效期", "expiry"),
            _ when lot is null => new("stock.lot.unknown", $"仓库中没有物资 {m.ItemCode} 的批次 {m.LotNumber}", "lotNumber"),
            MovementKind.Reserve when m.Quantity > lot.OnHand - lot.Reserved =>
                new("stock.insufficient", $"批次 {m.LotNumber} 可用数量不足：需要 {m.Quantity}，可用 {lot.OnHand - lot.Reserved}", "quantity"),
            MovementKind.Release when m.Quantity > reserved =>
                new("stock.release.exceeds_reserved", $"释放数量 {m.Quantity} 超过该调度单在批次 {m.LotNumber} 的预留量 {reserved}", "quantity"),
            MovementKind.Issue when m.Quantity > reserved =>
                new("stock.issue.exceeds_reserved", $"出库数量 {m.Quantity} 超过该调度单在批次 {m.LotNumber} 的预留量 {reserved}", "quantity"),
            _ => null,
        };
    }

    void Apply(StockMovement m)
    {
        var key = (m.ItemCode, m.LotNumber);
        var rkey = (m.Reference, m.ItemCode, m.LotNumber);
        switch (m.Kind)
        {
            case MovementKind.Receive:
                if (!_lots.TryGetValue(key, out var lot)) _lots[key] = lot = new LotState(m.Expiry);
                lot.OnHand += m.Quantity;
                break;
            case MovementKind.Reserve:
                _lots[key].Reserved += m.Quantity;
                _reservations[rkey] = _reservations.GetValueOrDefault(rkey) + m.Quantity;
                break;
            case MovementKind.Release:
                _lots[key].Reserved -= m.Quantity;
                _reservations[rkey] -= m.Quantity;
                break;
            case MovementKind.Issue:
                _lots[key].Reserved -= m.Quantity;
                _lots[key].OnHand -= m.Quantity;
                _reservations[rkey] -= m.Quantity;
                break;
        }
        if (_reservations.TryGetValue(rkey, out var left) && left == 0) _reservations.Remove(rkey);
        _ledger.Add(m);
    }
}
