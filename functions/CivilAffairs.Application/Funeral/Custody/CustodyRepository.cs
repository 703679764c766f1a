using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Custody;

namespace CivilAffairs.Application.Funeral.Custody;

/// <summary>A handover as proposed and (later) confirmed.</summary>
public sealed record HandoverRecord(string Id, CustodyStep Step, string Location, DateTimeOffset At, string HandedBy, string? ToSiteId, bool FarewellWaived,
    HandoverStatus Status, string? ReceivedBy = null, DateTimeOffset? ConfirmedAt = null, long? Sequence = null);

/// <summary>A body in custody, in clear: ids, state, times and the blind indexes of the deceased and the family contact.</summary>
public sealed record BodyRecord
{
    public required string Id { get; init; }
    public required string Tag { get; init; }
    /// <summary>The site that holds the body now (the cemetery once the ashes are placed).</summary>
    public required string SiteId { get; init; }
    /// <summary>The funeral home that took the body over.</summary>
    public required string HomeSiteId { get; init; }
    public required string Jurisdiction { get; init; }
    public required PickUpPlace PickUpKind { get; init; }
    public string? PickUpPlaceName { get; init; }
    public required DateTimeOffset DiedAt { get; init; }
    public required bool Infectious { get; init; }
    public string? DeathId { get; init; }
    public required string DeceasedIndex { get; init; }
    public required string ContactIndex { get; init; }
    public required CustodyStep Step { get; init; }
    public required long LedgerSequence { get; init; }
    public required string LedgerHead { get; init; }
    public required List<HandoverRecord> Handovers { get; init; }
    public required DateTimeOffset TakenOverAt { get; init; }
    public required string TakenOverBy { get; init; }

    public HandoverRecord? Pending => Handovers.LastOrDefault(h => h.Status == HandoverStatus.Proposed);
}

/// <summary>The personal part of a body's record, stored SM4-encrypted and bound to the body id.</summary>
public sealed record BodyPersons(string DeceasedName, string DeceasedIdNumber, string ContactName, string ContactPhone, string ContactIdNumber, string? PickUpAddress);

public sealed record StoredBody(BodyRecord Body, BodyPersons Persons, ETag ETag);

/// <summary>An open body of a site, as the deadline sweep and the at-risk list read it.</summary>
public sealed record SiteBody(string SiteId, string BodyId, string Tag, CustodyStep Step, DateTimeOffset DiedAt, bool Infectious, string DeceasedName);

/// <summary>
/// Custody storage. <c>FuneralCustody</c>: PK body id — RK <c>body</c> (the record in clear plus the persons SM4-encrypted) and RK
/// <c>e|{sequence:D10}</c> (the ledger entries), so a confirmed handover and its ledger entry are written in one transaction.
/// <c>FuneralCustodyIndex</c>: PK <c>tag|{tag}</c> (→ body), PK <c>d|{deceased blind index}</c> RK <c>open</c> (one open custody per
/// person), PK <c>counter|{site}</c> RK <c>{year}</c> (the tag counter), PK <c>site|{site}</c> RK body id (the site's bodies with
/// step and deadlines' inputs). <c>FuneralCustodyAlerts</c>: PK site, RK <c>{body}|{kind}|{state}</c> (insert-only: one alert per
/// deadline and state).
/// </summary>
public sealed class CustodyRepository(Tables tables, FieldCipher cipher)
{
    const string BodyRow = "body";

    public static string EntryKey(long sequence) => "e|" + sequence.ToString("D10", CultureInfo.InvariantCulture);

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && id.All(char.IsAsciiLetterOrDigit);

    static string Ad(string bodyId) => $"funeral.custody:{bodyId}:persons";

    public async Task<StoredBody?> GetAsync(string bodyId, CancellationToken ct)
    {
        if (!IsWellFormedId(bodyId)) return null;
        var table = await tables.GetAsync(TableNames.FuneralCustody, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(bodyId, BodyRow, cancellationToken: ct);
        if (!row.HasValue) return null;
        var e = row.Value!;
        return new StoredBody(JsonSerializer.Deserialize<BodyRecord>(e.GetString("Body"), JsonDefaults.Options)!,
            JsonSerializer.Deserialize<BodyPersons>(cipher.Decrypt(e.GetString("Persons"), Ad(bodyId)), JsonDefaults.Options)!, e.ETag);
    }

    TableEntity ToEntity(BodyRecord body, BodyPersons persons) => new(body.Id, BodyRow)
    {
        ["Body"] = JsonSerializer.Serialize(body, JsonDefaults.Options),
        ["Persons"] = cipher.Encrypt(JsonSerializer.Serialize(persons, JsonDefaults.Options), Ad(body.Id)),
        ["SiteId"] = body.SiteId,
        ["Step"] = body.Step.ToString(),
    };

    /// <summary>
    /// Writes the body (inserted when <paramref name="etag"/> is default, else replaced if unchanged) together with new ledger entries,
    /// in one entity-group transaction: a handover is confirmed exactly when its entry is in the ledger.
    /// </summary>
    public async Task<ETag> SaveAsync(BodyRecord body, BodyPersons persons, ETag etag, IReadOnlyList<LedgerEntry> entries, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustody, ct);
        var entity = ToEntity(body, persons);
        var actions = new List<TableTransactionAction>
        {
            etag == default ? new(TableTransactionActionType.Add, entity) : new(TableTransactionActionType.UpdateReplace, entity, etag),
        };
        actions.AddRange(entries.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(e))));
        var responses = await table.SubmitTransactionAsync(actions, ct);
        return responses.Value[0].Headers.ETag ?? default;
    }

    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string bodyId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustody, ct);
        var entries = new List<LedgerEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {bodyId} and RowKey ge {"e|"} and RowKey lt {"e}"}"), cancellationToken: ct))
            entries.Add(FromEntity(e));
        return entries;
    }

    static TableEntity ToEntity(LedgerEntry e) => new(e.BodyId, EntryKey(e.Sequence))
    {
        ["Sequence"] = e.Sequence, ["Step"] = e.Step.ToString(), ["Location"] = e.Location, ["At"] = e.At, ["HandedBy"] = e.HandedBy,
        ["ReceivedBy"] = e.ReceivedBy, ["SiteId"] = e.SiteId, ["HandoverId"] = e.HandoverId, ["FarewellWaived"] = e.FarewellWaived,
        ["ConfirmedAt"] = e.ConfirmedAt, ["PreviousHash"] = e.PreviousHash, ["Hash"] = e.Hash,
    };

    static LedgerEntry FromEntity(TableEntity e) => new()
    {
        BodyId = e.PartitionKey,
        Sequence = e.GetInt64("Sequence") ?? 0,
        Step = Enum.TryParse<CustodyStep>(e.GetString("Step"), out var step) ? step : (CustodyStep)(-1),
        Location = e.GetString("Location") ?? "",
        At = e.GetDateTimeOffset("At") ?? default,
        HandedBy = e.GetString("HandedBy") ?? "",
        ReceivedBy = e.GetString("ReceivedBy") ?? "",
        SiteId = e.GetString("SiteId") ?? "",
        HandoverId = e.GetString("HandoverId"),
        FarewellWaived = e.GetBoolean("FarewellWaived") ?? false,
        ConfirmedAt = e.GetDateTimeOffset("ConfirmedAt") ?? default,
        PreviousHash = e.GetString("PreviousHash") ?? "",
        Hash = e.GetString("Hash") ?? "",
    };

    // ---------------------------------------------------------------- index rows

    /// <summary>Allocates the next tag number of the site and year (a counter row moved with its ETag: concurrent intakes never share a number).</summary>
    public async Task<long> NextTagNumberAsync(string siteId, int year, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        var pk = "counter|" + siteId;
        var rk = year.ToString(CultureInfo.InvariantCulture);
        return await Optimistic.RetryAsync($"tag counter {siteId} {year}", async () =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(pk, rk, cancellationToken: ct);
            if (!row.HasValue)
            {
                await Optimistic.InsertAsync(table, new TableEntity(pk, rk) { ["Value"] = 1L }, ct);
                return 1L;
            }
            var next = (row.Value!.GetInt64("Value") ?? 0) + 1;
            await table.UpdateEntityAsync(new TableEntity(pk, rk) { ["Value"] = next }, row.Value.ETag, TableUpdateMode.Replace, ct);
            return next;
        }, ct);
    }

    /// <summary>Claims the one open custody of the deceased; the holder's body id when another body holds it.</summary>
    public async Task<string?> ClaimDeceasedAsync(string deceasedIndex, string bodyId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity("d|" + deceasedIndex, "open") { ["BodyId"] = bodyId }, ct);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>("d|" + deceasedIndex, "open", cancellationToken: ct);
            var holder = row.HasValue ? row.Value!.GetString("BodyId") : null;
            return holder == bodyId ? null : holder ?? "unknown";
        }
    }

    public async Task ReleaseDeceasedAsync(string deceasedIndex, string bodyId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>("d|" + deceasedIndex, "open", cancellationToken: ct);
        if (row.HasValue && row.Value!.GetString("BodyId") == bodyId)
        {
            try { await table.DeleteEntityAsync(row.Value.PartitionKey, row.Value.RowKey, row.Value.ETag, ct); }
            catch (RequestFailedException e) when (e.Status is 404 or 412) { }
        }
    }

    public async Task IndexTagAsync(string tag, string bodyId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        await table.UpsertEntityAsync(new TableEntity("tag|" + tag, BodyRow) { ["BodyId"] = bodyId }, TableUpdateMode.Replace, ct);
    }

    public async Task<string?> BodyOfTagAsync(string tag, CancellationToken ct)
    {
        if (!BodyTag.IsWellFormed(tag)) return null;
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>("tag|" + tag, BodyRow, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("BodyId") : null;
    }

    /// <summary>Keeps the home site's row of the body (step and the inputs of its deadlines; the name encrypted). Idempotent.</summary>
    public async Task IndexSiteAsync(BodyRecord body, BodyPersons persons, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        await table.UpsertEntityAsync(new TableEntity("site|" + body.HomeSiteId, body.Id)
        {
            ["Tag"] = body.Tag, ["Step"] = body.Step.ToString(), ["DiedAt"] = body.DiedAt, ["Infectious"] = body.Infectious,
            ["Open"] = body.Step is not (CustodyStep.Cremation or CustodyStep.Release or CustodyStep.Placement),
            ["Name"] = cipher.Encrypt(persons.DeceasedName, $"funeral.custody:{body.Id}:name"),
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>The bodies whose deadlines still run (not yet cremated): of one site, or of every site when <paramref name="siteId"/> is null.</summary>
    public async Task<IReadOnlyList<SiteBody>> OpenBodiesAsync(string? siteId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyIndex, ct);
        var filter = siteId is null
            ? TableClient.CreateQueryFilter($"PartitionKey ge {"site|"} and PartitionKey lt {"site}"} and Open eq {true}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {"site|" + siteId} and Open eq {true}");
        var bodies = new List<SiteBody>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            bodies.Add(new SiteBody(e.PartitionKey[5..], e.RowKey, e.GetString("Tag"), Enum.Parse<CustodyStep>(e.GetString("Step")), e.GetDateTimeOffset("DiedAt")!.Value,
                e.GetBoolean("Infectious") ?? false, cipher.Decrypt(e.GetString("Name"), $"funeral.custody:{e.RowKey}:name")));
        return bodies;
    }

    /// <summary>Records an alert once (insert-only); true when it is new.</summary>
    public async Task<bool> RaiseAlertAsync(SiteBody body, CustodyDeadline deadline, DateTimeOffset now, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyAlerts, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(body.SiteId, $"{body.BodyId}|{deadline.Kind}|{deadline.State}")
            {
                ["BodyId"] = body.BodyId, ["Tag"] = body.Tag, ["Kind"] = deadline.Kind.ToString(), ["State"] = deadline.State.ToString(),
                ["Due"] = deadline.Due, ["RaisedAt"] = now,
            }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409) { return false; }
    }

    public async Task<IReadOnlyList<CustodyAlertView>> AlertsAsync(string siteId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralCustodyAlerts, ct);
        var alerts = new List<CustodyAlertView>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {siteId}"), cancellationToken: ct))
            alerts.Add(new CustodyAlertView(e.GetString("BodyId"), e.GetString("Tag"), Enum.Parse<DeadlineKind>(e.GetString("Kind")),
                Enum.Parse<DeadlineState>(e.GetString("State")), e.GetDateTimeOffset("Due")!.Value, e.GetDateTimeOffset("RaisedAt")!.Value));
        return alerts;
    }
}
