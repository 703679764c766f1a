using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Memorials;

namespace CivilAffairs.Application.Funeral.Memorials;

public sealed record StoredSweeping(SweepingOrder Order, ETag ETag);

/// <summary>
/// Proxy grave-sweeping orders: <c>FuneralSweepings</c>, PK the cemetery's site id (its staff's worklist is one partition query),
/// RK the order id. Lookups in <c>FuneralMemorialIndex</c>: PK <c>s|{memorial}</c> RK order id (the family's list, with the site),
/// PK <c>so|{order}</c> RK <c>site</c> (the order's site, for staff reaching an order by id).
/// </summary>
public sealed class SweepingOrderRepository(Tables tables)
{
    public async Task<StoredSweeping?> GetAsync(string site, string orderId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralSweepings, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(site, orderId, cancellationToken: ct);
        return row.HasValue ? From(row.Value!) : null;
    }

    /// <summary>The order by id alone (through its site lookup).</summary>
    public async Task<StoredSweeping?> FindAsync(string orderId, CancellationToken ct)
    {
        if (!MemorialRepository.IsWellFormedId(orderId)) return null;
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        var row = await index.GetEntityIfExistsAsync<TableEntity>("so|" + orderId, "site", cancellationToken: ct);
        return row.HasValue ? await GetAsync(row.Value!.GetString("Site"), orderId, ct) : null;
    }

    public async Task AddAsync(SweepingOrder order, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        await index.UpsertEntityAsync(new TableEntity("so|" + order.Id, "site") { ["Site"] = order.Site }, TableUpdateMode.Replace, ct);
        await index.UpsertEntityAsync(new TableEntity("s|" + order.MemorialId, order.Id) { ["Site"] = order.Site }, TableUpdateMode.Replace, ct);
        var table = await tables.GetAsync(TableNames.FuneralSweepings, ct);
        await table.AddEntityAsync(Entity(order), ct);
    }

    /// <summary>Replaces the order if unchanged since read (412 otherwise).</summary>
    public async Task<ETag> UpdateAsync(SweepingOrder order, ETag etag, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralSweepings, ct);
        return (await table.UpdateEntityAsync(Entity(order), etag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
    }

    public async Task<IReadOnlyList<SweepingOrder>> OfSiteAsync(string site, SweepingStatus? status, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralSweepings, ct);
        var filter = status is { } s ? TableClient.CreateQueryFilter($"PartitionKey eq {site} and Status eq {s.ToString()}") : TableClient.CreateQueryFilter($"PartitionKey eq {site}");
        var list = new List<SweepingOrder>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(From(e).Order);
        return list;
    }

    public async Task<IReadOnlyList<SweepingOrder>> OfMemorialAsync(string memorialId, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        var list = new List<SweepingOrder>();
        await foreach (var e in index.QueryAsync<TableEntity>(e => e.PartitionKey == "s|" + memorialId, cancellationToken: ct))
            if (await GetAsync(e.GetString("Site"), e.RowKey, ct) is { } s) list.Add(s.Order);
        return list;
    }

    static TableEntity Entity(SweepingOrder o) => new(o.Site, o.Id)
    {
        ["Order"] = JsonSerializer.Serialize(o, JsonDefaults.Options),
        ["Status"] = o.Status.ToString(),
        ["Date"] = o.Date.ToString("O"),
    };

    static StoredSweeping From(TableEntity e) => new(JsonSerializer.Deserialize<SweepingOrder>(e.GetString("Order"), JsonDefaults.Options)!, e.ETag);
}
