using System.Reflection;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Catalog;

/// <summary>
/// The service catalogue in Table Storage (PartitionKey "service", RowKey = service code;
/// the item is stored as a JSON document). The built-in catalogue ships with the app and is
/// synchronised into the table when its version changes.
/// </summary>
public sealed class CatalogRepository(Tables tables, ILogger<CatalogRepository> logger)
{
    const string ServicePartition = "service";
    const string MetaPartition = "meta";

    public static (string Version, IReadOnlyList<ServiceItem> Items) BuiltIn { get; } = LoadBuiltIn();

    static (string, IReadOnlyList<ServiceItem>) LoadBuiltIn()
    {
        using var stream = typeof(CatalogRepository).Assembly.GetManifestResourceStream("CivilAffairs.Catalog.services.json")
            ?? throw new InvalidOperationException("Built-in catalogue resource missing.");
        var doc = JsonSerializer.Deserialize<CatalogDocument>(stream, JsonDefaults.Options)!;
        return (doc.Version, doc.Services);
    }

    sealed record CatalogDocument(string Version, IReadOnlyList<ServiceItem> Services);

    public async Task<ServiceItem?> GetAsync(string code, CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.CatalogServices, ct);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(ServicePartition, code, ["Document"], ct);
        return response.HasValue ? Deserialize(response.Value!) : null;
    }

    public async Task<IReadOnlyList<ServiceItem>> ListAsync(CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.CatalogServices, ct);
        var items = new List<ServiceItem>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ServicePartition}"), select: ["Document"], cancellationToken: ct))
            items.Add(Deserialize(e));
        return items;
    }

    static ServiceItem Deserialize(TableEntity e) =>
        JsonSerializer.Deserialize<ServiceItem>(e.GetString("Document"), JsonDefaults.Options)!;

    /// <summary>Writes the built-in catalogue when the stored version differs. Idempotent; returns true when it wrote.</summary>
    public async Task<bool> SyncBuiltInAsync(CancellationToken ct = default)
    {
        var (version, items) = BuiltIn;
        var table = await tables.GetAsync(TableNames.CatalogServices, ct);
        var meta = await table.GetEntityIfExistsAsync<TableEntity>(MetaPartition, "version", cancellationToken: ct);
        if (meta.HasValue && meta.Value!.GetString("Version") == version) return false;

        // One partition, so the items go in transactions of up to 100 operations.
        foreach (var batch in items.Chunk(100))
        {
            var actions = batch.Select(item => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(ServicePartition, item.Code)
            {
                ["Name"] = item.Name,
                ["Area"] = item.Area.ToString(),
                ["Document"] = JsonSerializer.Serialize(item, JsonDefaults.Options),
                ["CatalogVersion"] = version,
            }));
            await table.SubmitTransactionAsync(actions, ct);
        }
        var stale = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ServicePartition}"), select: ["RowKey"], cancellationToken: ct))
            if (!items.Any(i => i.Code == e.RowKey)) stale.Add(e.RowKey);
        foreach (var code in stale) await table.DeleteEntityAsync(ServicePartition, code, ETag.All, ct);

        await table.UpsertEntityAsync(new TableEntity(MetaPartition, "version") { ["Version"] = version, ["Count"] = items.Count }, TableUpdateMode.Replace, ct);
        logger.LogInformation("Catalogue {Version} synchronised: {Count} items, {Removed} removed", version, items.Count, stale.Count);
        return true;
    }
}
