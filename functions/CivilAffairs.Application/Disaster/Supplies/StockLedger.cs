using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Disaster.Supplies;

/// <summary>The stored head of a warehouse's stock: the snapshot the ledger implies, and its ETag.</summary>
public sealed record StockHead(string WarehouseId, StockSnapshot Snapshot, ETag ETag, bool Exists);

/// <summary>Result of replaying a warehouse's ledger and comparing it with the stored head.</summary>
public sealed record ReplayCheck(bool Matches, long HeadSequence, int Movements, string? Problem);

/// <summary>
/// Storage of the per-warehouse stock ledger in table <see cref="TableNames.DisasterStock"/>: partition = warehouse id,
/// one row per <see cref="StockMovement"/> (RowKey = the sequence zero-padded to 19 digits, append-only) and one
/// <c>head</c> row holding the current <see cref="StockSnapshot"/> (JSON) and last sequence.
/// <para>
/// Every change reads the head, rebuilds a <see cref="WarehouseStock"/> from the snapshot, applies the domain operation
/// and writes the new movements plus the new head in one entity-group transaction guarded by the head's ETag. When
/// another writer got there first the transaction fails with 412 (or 409 on the movement rows) and the change is
/// re-read and re-applied, so concurrent reservations can never take more than is on hand: a reservation that no longer
/// fits comes back as the domain's rejection.
/// </para>
/// </summary>
public sealed class StockLedger(Tables tables)
{
    public const string HeadRowKey = "head";
    const string SeedReference = "__snapshot";

    public static string RowKey(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    public async Task<StockHead> ReadHeadAsync(string warehouseId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterStock, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(warehouseId, HeadRowKey, cancellationToken: ct);
        if (!found.HasValue) return new StockHead(warehouseId, new StockSnapshot(warehouseId, 0, [], []), default, false);
        var snapshot = JsonSerializer.Deserialize<StockSnapshot>(found.Value!.GetString("Snapshot"), JsonDefaults.Options)
            ?? throw new InvalidOperationException($"Stock head of {warehouseId} is empty.");
        return new StockHead(warehouseId, snapshot, found.Value.ETag, true);
    }

    /// <summary>
    /// Applies <paramref name="operation"/> to the current stock and commits what it appended (movements and head in
    /// one transaction, retried on concurrent change). Returns the committed movements with their real sequences, or
    /// the operation's rejection (nothing written). An accepted operation that appends nothing writes nothing.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<StockMovement>>> ChangeAsync(string warehouseId,
        Func<WarehouseStock, Outcome<IReadOnlyList<StockMovement>>> operation, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterStock, ct);
        return await Optimistic.RetryAsync($"stock of {warehouseId}", async () =>
        {
            var head = await ReadHeadAsync(warehouseId, ct);
            var (stock, seeded) = Restore(head.Snapshot);
            var outcome = operation(stock);
            if (!outcome.Accepted) return outcome;
            var last = head.Snapshot.LastSequence;
            var fresh = stock.Ledger.Skip(seeded).Select((m, i) => m with { Sequence = last + 1 + i }).ToList();
            if (fresh.Count == 0) return Outcome<IReadOnlyList<StockMovement>>.Accept([]);
            if (fresh.Count > 99)
                return Outcome<IReadOnlyList<StockMovement>>.Reject("stock.batch.too_large", "一次库存变动的行数过多（超过 99 行），请分批办理", null);
            var snapshot = stock.Snapshot() with { LastSequence = last + fresh.Count };
            var headRow = new TableEntity(warehouseId, HeadRowKey)
            {
                ["Snapshot"] = JsonSerializer.Serialize(snapshot, JsonDefaults.Options),
                ["LastSequence"] = snapshot.LastSequence,
            };
            var actions = fresh.Select(m => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(m))).ToList();
            actions.Add(head.Exists
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, headRow, head.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, headRow));
            await table.SubmitTransactionAsync(actions, ct);
            return Outcome<IReadOnlyList<StockMovement>>.Accept(fresh);
        }, ct);
    }

    /// <summary>The ledger up to and including <paramref name="upTo"/> (all of it when null), oldest first.</summary>
    public async Task<IReadOnlyList<StockMovement>> ReadLedgerAsync(string warehouseId, long? upTo, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterStock, ct);
        var filter = upTo is { } u
            ? TableClient.CreateQueryFilter($"PartitionKey eq {warehouseId} and RowKey le {RowKey(u)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {warehouseId} and RowKey lt {HeadRowKey}");
        var list = new List<StockMovement>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            list.Add(FromEntity(e));
        list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return list;
    }

    /// <summary>Replays the ledger (up to the head's sequence) and checks that it implies exactly the stored head.</summary>
    public async Task<ReplayCheck> VerifyAsync(string warehouseId, CancellationToken ct)
    {
        var head = await ReadHeadAsync(warehouseId, ct);
        var ledger = await ReadLedgerAsync(warehouseId, head.Snapshot.LastSequence, ct);
        try
        {
            var replayed = WarehouseStock.Replay(warehouseId, ledger).Snapshot();
            return replayed.Equivalent(head.Snapshot)
                ? new ReplayCheck(true, head.Snapshot.LastSequence, ledger.Count, null)
                : new ReplayCheck(false, head.Snapshot.LastSequence, ledger.Count, "The replayed ledger differs from the stored head.");
        }
        catch (InvalidOperationException e)
        {
            return new ReplayCheck(false, head.Snapshot.LastSequence, ledger.Count, e.Message);
        }
    }

    /// <summary>
    /// Rebuilds a <see cref="WarehouseStock"/> in the position a snapshot describes, with synthetic seed movements
    /// (returned count) that are never stored: a receive per lot (receive-reserve-issue of one unit for an emptied lot,
    /// so its expiry is remembered) and a reservation per reservation line.
    /// </summary>
    public static (WarehouseStock Stock, int Seeded) Restore(StockSnapshot snapshot)
    {
        var stock = new WarehouseStock(snapshot.WarehouseId);
        var at = DateTimeOffset.UnixEpoch;
        foreach (var lot in snapshot.Lots)
        {
            if (lot.OnHand > 0)
            {
                _ = stock.Receive(lot.ItemCode, lot.LotNumber, lot.Expiry, lot.OnHand, SeedReference, SeedReference, at).Value;
                continue;
            }
            _ = stock.Receive(lot.ItemCode, lot.LotNumber, lot.Expiry, 1, SeedReference, SeedReference, at).Value;
            _ = stock.ReserveLot(lot.ItemCode, lot.LotNumber, 1, SeedReference, SeedReference, at, DateOnly.MinValue).Value;
            _ = stock.Issue(lot.ItemCode, lot.LotNumber, 1, SeedReference, SeedReference, at).Value;
        }
        foreach (var r in snapshot.Reservations)
            _ = stock.ReserveLot(r.ItemCode, r.LotNumber, r.Quantity, r.Reference, SeedReference, at, DateOnly.MinValue).Value;
        return (stock, stock.Ledger.Count);
    }

    static TableEntity ToEntity(StockMovement m)
    {
        var e = new TableEntity(m.WarehouseId, RowKey(m.Sequence))
        {
            ["Kind"] = m.Kind.ToString(),
            ["ItemCode"] = m.ItemCode,
            ["LotNumber"] = m.LotNumber,
            ["Quantity"] = m.Quantity.ToString(CultureInfo.InvariantCulture),
            ["Reference"] = m.Reference,
            ["At"] = m.At,
            ["Actor"] = m.Actor,
        };
        if (m.Expiry is { } x) e["Expiry"] = x.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return e;
    }

    static StockMovement FromEntity(TableEntity e) => new(
        long.Parse(e.RowKey, CultureInfo.InvariantCulture),
        e.PartitionKey,
        Enum.Parse<MovementKind>(e.GetString("Kind")),
        e.GetString("ItemCode"),
        e.GetString("LotNumber"),
        decimal.Parse(e.GetString("Quantity"), CultureInfo.InvariantCulture),
        e.GetString("Reference"),
        e.GetDateTimeOffset("At")!.Value,
        e.GetString("Actor"),
        e.GetString("Expiry") is { } x ? DateOnly.ParseExact(x, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null);
}
