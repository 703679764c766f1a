using Azure;
using Azure.Data.Tables;

namespace CivilAffairs.Application.Marriage;

/// <summary>The area's insert-only guard rows (one live booking per party, one current marriage per party, one open divorce per marriage).</summary>
static class GuardRows
{
    /// <summary>Deletes the guard row if <paramref name="field"/> still names <paramref name="holder"/> (someone else's guard, or one already gone, is left alone).</summary>
    public static async Task ReleaseAsync(TableClient table, string partitionKey, string rowKey, string field, string holder, CancellationToken ct)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetString(field) != holder) return;
        try { await table.DeleteEntityAsync(partitionKey, rowKey, row.Value.ETag, ct); }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { }
    }
}
