using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>One dispatch in a list (the read model): enough to filter and page; the dispatch row is read for the view.</summary>
public sealed record DispatchListEntry(string DispatchId, DispatchStatus Status, DateTimeOffset StartedAt);

/// <summary>
/// Lists of dispatches by incident and by team, for the staff worklist and a team's tasks: table
/// <see cref="TableNames.DisasterDispatchLists"/>, PartitionKey <c>incident|{incident id}</c> or <c>team|{team id}</c>,
/// RowKey = dispatch id, with the dispatch's status. Rewritten after every change of a dispatch (idempotent upserts; the
/// dispatch row stays the record, so a list entry that lags behind is corrected when it is read).
/// </summary>
public sealed class DispatchLists(Tables tables)
{
    public static string IncidentKey(string incidentId) => "incident|" + incidentId;
    public static string TeamKey(string teamId) => "team|" + teamId;

    static readonly string OpenFilter = string.Join(" and ", new[] { DispatchStatus.Delivered, DispatchStatus.Cancelled, DispatchStatus.Failed }
        .Select(s => TableClient.CreateQueryFilter($"Status ne {s.ToString()}")));

    /// <summary>Writes the dispatch into its incident's list and its team's; removes it from <paramref name="previousTeam"/>'s list.</summary>
    public async Task IndexAsync(DispatchRecord record, string? previousTeam, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDispatchLists, ct);
        TableEntity Row(string key) => new(key, record.Dispatch.Id)
        {
            ["Status"] = record.Dispatch.Status.ToString(),
            ["StartedAt"] = record.Dispatch.StartedAt,
            ["NeedId"] = record.Dispatch.NeedId,
        };
        await table.UpsertEntityAsync(Row(IncidentKey(record.Dispatch.IncidentId)), TableUpdateMode.Replace, ct);
        if (record.Team is { } team) await table.UpsertEntityAsync(Row(TeamKey(team)), TableUpdateMode.Replace, ct);
        if (previousTeam is not null && previousTeam != record.Team)
            try { await table.DeleteEntityAsync(TeamKey(previousTeam), record.Dispatch.Id, ETag.All, ct); }
            catch (RequestFailedException e) when (e.Status == 404) { }
    }

    /// <summary>One page of a list, optionally only one status or only the open (not ended) dispatches.</summary>
    public async Task<(IReadOnlyList<DispatchListEntry> Entries, string? Next)> PageAsync(string partition, DispatchStatus? status, bool openOnly,
        int pageSize, string? continuation, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDispatchLists, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        if (status is { } s) filter += TableClient.CreateQueryFilter($" and Status eq {s.ToString()}");
        else if (openOnly) filter += " and " + OpenFilter;
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: ct).AsPages(continuation, pageSize))
            return (page.Values.Select(Entry).ToList(), page.ContinuationToken);
        return ([], null);
    }

    /// <summary>How many dispatches of the team are not yet delivered, cancelled or failed.</summary>
    public async Task<int> OpenTasksAsync(string teamId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDispatchLists, ct);
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TeamKey(teamId)}") + " and " + OpenFilter,
                           select: ["RowKey"], cancellationToken: ct)) n++;
        return n;
    }

    static DispatchListEntry Entry(TableEntity e) =>
        new(e.RowKey, Enum.Parse<DispatchStatus>(e.GetString("Status")), e.GetDateTimeOffset("StartedAt") ?? default);
}
