using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Supplies;

public sealed record PositionBody(double? Latitude, double? Longitude);

/// <summary>Body of <c>POST /api/disaster/warehouses</c>.</summary>
public sealed record WarehouseRequest(string? Id, string? Name, PositionBody? Position, string? Jurisdiction);

/// <summary>Body of <c>POST /api/disaster/warehouses/{id}/receipts</c> (入库).</summary>
/// <param name="Expiry">Last usable day (yyyy-MM-dd, China Standard Time); required for perishable items.</param>
/// <param name="Reference">Delivery note or donation id; generated when absent.</param>
public sealed record ReceiptRequest(string? ItemCode, string? LotNumber, DateOnly? Expiry, decimal? Quantity, string? Reference);

public sealed record WarehouseView(string Id, string Name, PositionBody Position, string Jurisdiction, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record MovementView(long Sequence, string Kind, string ItemCode, string LotNumber, decimal Quantity, string Reference, DateTimeOffset At, string Actor, DateOnly? Expiry);

public sealed record LotView(string ItemCode, string ItemName, string LotNumber, DateOnly? Expiry, decimal OnHand, decimal Reserved, decimal Available, bool Expired);

public sealed record ItemPositionView(string ItemCode, string ItemName, string Unit, decimal OnHand, decimal Reserved, decimal Available, IReadOnlyList<LotView> Lots);

/// <summary>Stock of one warehouse: positions by item and lot, reservations per dispatch, the ledger and the replay check.</summary>
public sealed record StockView(string WarehouseId, string WarehouseName, long LastSequence, IReadOnlyList<ItemPositionView> Items,
    IReadOnlyList<ReservationLine> Reservations, IReadOnlyList<MovementView> Movements, ReplayCheck Replay);

/// <summary>Result of a receipt: the movement booked and the item's position after it.</summary>
public sealed record ReceiptView(MovementView Movement, ItemPositionView Item);

/// <summary>
/// Relief warehouses (救灾物资储备库) and their stock: registration by staff, the list in one's jurisdiction, goods
/// received (入库), and the stock view with its ledger. Warehouses live in table <see cref="TableNames.DisasterWarehouses"/>
/// (one partition: a city has tens, not thousands); stock in <see cref="StockLedger"/>.
/// </summary>
public sealed partial class WarehouseService(Tables tables, StockLedger ledger, TimeProvider clock)
{
    public const string Partition = "warehouse";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    private static partial Regex LotPattern();

    static Problem Missing() => Problem.NotFound("WAREHOUSE_NOT_FOUND", "仓库不存在", "没有找到该仓库，或不在您的管辖范围内。");

    public async Task<Result<WarehouseView>> CreateAsync(CallContext call, WarehouseRequest request)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        var errors = new List<FieldIssue>();
        void Bad(string field, string message) => errors.Add(FieldIssue.Invalid(field, message));
        var id = request.Id?.Trim();
        if (id is null || !IdPattern().IsMatch(id)) Bad("id", "仓库编号须为 2 到 40 位字母、数字或连字符。");
        var name = request.Name?.Trim();
        if (name is not { Length: >= 2 and <= 60 }) Bad("name", "请填写仓库名称（2 到 60 字）。");
        GeoPoint position = default;
        if (request.Position is not { Latitude: { } lat, Longitude: { } lon }) Bad("position", "请填写仓库位置（position.latitude、position.longitude，WGS-84）。");
        else if (GeoPoint.Validate(lat, lon) is { } problem) Bad("position." + problem.Field, problem.Reason);
        else position = new GeoPoint(lat, lon);
        var jurisdiction = request.Jurisdiction?.Trim();
        if (!Jurisdiction.IsWellFormed(jurisdiction)) Bad("jurisdiction", "行政区划代码须为 6、9 或 12 位数字。");
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (!AccessPolicy.InScope(caller, new ResourceScope(jurisdiction!)))
            return Problem.OutOfJurisdiction("只能在本人管辖范围内登记仓库。");

        var table = await tables.GetAsync(TableNames.DisasterWarehouses, ct);
        var now = clock.GetUtcNow();
        var entity = new TableEntity(Partition, id)
        {
            ["Name"] = name,
            ["Latitude"] = position.Latitude,
            ["Longitude"] = position.Longitude,
            ["Jurisdiction"] = jurisdiction,
            ["CreatedAt"] = now,
            ["CreatedBy"] = caller.Subject,
        };
        try
        {
            await table.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return Problem.Conflict("WAREHOUSE_EXISTS", "仓库编号已存在", $"编号为 {id} 的仓库已经登记。");
        }
        return Result.Created(View(entity), $"/api/disaster/warehouses/{id}/stock");
    }

    /// <summary>Warehouses whose jurisdiction lies inside the caller's, ordered by id.</summary>
    public async Task<Result<IReadOnlyList<WarehouseView>>> ListAsync(CallContext call) => Result.Ok(await ListAsync(call.Caller, call.Cancellation));

    public async Task<IReadOnlyList<WarehouseView>> ListAsync(Caller caller, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterWarehouses, ct);
        var list = new List<WarehouseView>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
            if (AccessPolicy.InScope(caller, new ResourceScope(e.GetString("Jurisdiction")))) list.Add(View(e));
        return list.OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every warehouse (for allocation: relief crosses jurisdictions), ordered by id.</summary>
    public async Task<IReadOnlyList<Warehouse>> AllAsync(CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterWarehouses, ct);
        var list = new List<Warehouse>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
            list.Add(ToWarehouse(e));
        return list.OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<Warehouse?> FindAsync(string id, CancellationToken ct)
    {
        if (!IdPattern().IsMatch(id)) return null;
        var table = await tables.GetAsync(TableNames.DisasterWarehouses, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        return found.HasValue ? ToWarehouse(found.Value!) : null;
    }

    /// <summary>Books goods in (入库). Perishable items need an expiry date; a lot already expired is refused.</summary>
    public async Task<Result<ReceiptView>> ReceiveAsync(CallContext call, string warehouseId, ReceiptRequest request)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        var warehouse = await FindAsync(warehouseId, ct);
        if (warehouse is null || !AccessPolicy.InScope(caller, new ResourceScope(warehouse.JurisdictionCode))) return Missing();

        var errors = new List<FieldIssue>();
        var itemCode = request.ItemCode?.Trim().ToUpperInvariant();
        var item = itemCode is { Length: > 0 } ? ReliefItemCatalogue.Find(itemCode) : null;
        if (string.IsNullOrEmpty(itemCode))
            errors.Add(FieldIssue.Invalid("itemCode", "请填写物资编码。"));
        else if (item is null)
            errors.Add(new("UNKNOWN_RELIEF_ITEM", "物资品种不存在", "itemCode",
                $"物资编码 {itemCode} 不在救灾物资目录中，可选：{string.Join("、", ReliefItemCatalogue.Standard.Select(i => $"{i.Code}（{i.Name}）"))}。"));
        var lot = request.LotNumber?.Trim();
        if (lot is null || !LotPattern().IsMatch(lot))
            errors.Add(FieldIssue.Invalid("lotNumber", "批次号须为 1 到 40 位字母、数字、点、下划线或连字符。"));
        if (request.Quantity is not { } quantity)
            errors.Add(FieldIssue.Invalid("quantity", "请填写入库数量。"));
        else if (quantity <= 0)
            errors.Add(new("QUANTITY_NOT_POSITIVE", "数量必须大于 0", "quantity", "入库数量必须大于 0。"));
        else if (quantity > 10_000_000 || decimal.Round(quantity, 3) != quantity)
            errors.Add(FieldIssue.Invalid("quantity", "入库数量不能超过 10000000，最多 3 位小数。"));
        var today = ChinaTime.Today(clock);
        if (item is { Perishable: true } && request.Expiry is null)
            errors.Add(new("EXPIRY_REQUIRED", "缺少有效期", "expiry", $"{item.Name}有保质期，入库时须填写有效期（yyyy-MM-dd）。"));
        if (request.Expiry is { } expiry && today > expiry)
            errors.Add(new("LOT_EXPIRED", "批次已过期", "expiry", $"该批次已于 {expiry:yyyy-MM-dd} 过期，不能入库。"));
        var reference = request.Reference?.Trim();
        if (reference is { Length: > 64 })
            errors.Add(FieldIssue.Invalid("reference", "入库单号不能超过 64 个字符。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        reference = string.IsNullOrEmpty(reference) ? "receipt-" + Ids.New(clock) : reference;
        var now = clock.GetUtcNow();
        var outcome = await ledger.ChangeAsync(warehouse.Id, stock =>
        {
            var received = stock.Receive(itemCode!, lot!, request.Expiry, request.Quantity!.Value, reference, caller.Subject, now);
            return received.Accepted ? Outcome<IReadOnlyList<StockMovement>>.Accept([received.Value]) : Outcome<IReadOnlyList<StockMovement>>.Reject(received.Rejections);
        }, ct);
        if (!outcome.Accepted)
        {
            var r = outcome.Rejection!;
            return r.Code == "stock.lot.expiry_mismatch"
                ? Problem.Conflict("LOT_EXPIRY_MISMATCH", "批次有效期不一致", r.Reason)
                : Problem.Invalid([new FieldIssue(Problem.CodeOf(r.Code), "库存变动不符合规则", r.Field ?? "request", r.Reason)]);
        }
        var head = await ledger.ReadHeadAsync(warehouse.Id, ct);
        return Result.Ok(new ReceiptView(MovementOf(outcome.Value[0]), Items(head.Snapshot, today).Single(i => i.ItemCode == itemCode)));
    }

    /// <summary>The stock of a warehouse in the caller's jurisdiction, with its ledger (newest last) and the replay check.</summary>
    public async Task<Result<StockView>> StockAsync(CallContext call, string warehouseId)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        var warehouse = await FindAsync(warehouseId, ct);
        if (warehouse is null || !AccessPolicy.InScope(caller, new ResourceScope(warehouse.JurisdictionCode))) return Missing();
        var head = await ledger.ReadHeadAsync(warehouse.Id, ct);
        var movements = await ledger.ReadLedgerAsync(warehouse.Id, head.Snapshot.LastSequence, ct);
        var replay = await ledger.VerifyAsync(warehouse.Id, ct);
        return Result.Ok(new StockView(warehouse.Id, warehouse.Name, head.Snapshot.LastSequence, Items(head.Snapshot, ChinaTime.Today(clock)),
            head.Snapshot.Reservations, movements.Select(MovementOf).ToList(), replay));
    }

    public static IReadOnlyList<ItemPositionView> Items(StockSnapshot snapshot, DateOnly today) =>
        snapshot.Lots.GroupBy(l => l.ItemCode).Select(g =>
        {
            var item = ReliefItemCatalogue.Find(g.Key);
            var lots = g.Select(l => new LotView(l.ItemCode, item?.Name ?? l.ItemCode, l.LotNumber, l.Expiry, l.OnHand, l.Reserved,
                l.IsExpiredOn(today) ? 0 : l.Available, l.IsExpiredOn(today))).ToList();
            return new ItemPositionView(g.Key, item?.Name ?? g.Key, item?.Unit ?? "", lots.Sum(l => l.OnHand), lots.Sum(l => l.Reserved), lots.Sum(l => l.Available), lots);
        }).ToList();

    public static MovementView MovementOf(StockMovement m) =>
        new(m.Sequence, char.ToLowerInvariant(m.Kind.ToString()[0]) + m.Kind.ToString()[1..], m.ItemCode, m.LotNumber, m.Quantity, m.Reference, m.At, m.Actor, m.Expiry);

    static Warehouse ToWarehouse(TableEntity e) =>
        new(e.RowKey, e.GetString("Name"), new GeoPoint(e.GetDouble("Latitude")!.Value, e.GetDouble("Longitude")!.Value), e.GetString("Jurisdiction"));

    static WarehouseView View(TableEntity e) =>
        new(e.RowKey, e.GetString("Name"), new PositionBody(e.GetDouble("Latitude"), e.GetDouble("Longitude")), e.GetString("Jurisdiction"),
            e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "");
}
