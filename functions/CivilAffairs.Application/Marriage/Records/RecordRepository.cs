using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Records;

/// <summary>
/// The marriage register. <c>MarriageRecords</c>: PK record id, RK <c>record</c> — the record in clear (ids, dates, state,
/// certificate numbers, the parties' blind indexes) with the parties SM4-encrypted and bound to the record (encrypted at rest
/// like the elders), plus its outbox rows. <c>MarriageRegister</c> holds the lookups, by blind index, never by scan:
/// PK <c>p|{index}</c> — RK <c>current</c> (the party's current marriage: an insert-only guard, so two registrations of one
/// person cannot both win; what "currently married" reads), RK <c>r|{record}</c> (the party's records), RK <c>d|{divorce}</c>
/// (their divorce applications); PK <c>c|{number}</c>, RK <c>record</c> (a certificate's record); PK <c>r|{record}</c>, RK
/// <c>divorce</c> (the one open divorce application of a marriage).
/// </summary>
public sealed class RecordRepository(Tables tables, FieldCipher cipher, Outbox outbox)
{
    const string Row = "record";
    public const string Source = "/civilaffairs/marriage/records";
    public const string RegisteredEvent = CivilAffairs.Application.Platform.Events.LifeEventTypes.MarriageRegistered;
    public const string EndedEvent = CivilAffairs.Application.Platform.Events.LifeEventTypes.MarriageEnded;

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && id.All(char.IsAsciiLetterOrDigit);

    public async Task<StoredRecord?> GetAsync(string recordId, CancellationToken ct)
    {
        if (!IsWellFormedId(recordId)) return null;
        var table = await tables.GetAsync(TableNames.MarriageRecords, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(recordId, Row, cancellationToken: ct);
        if (!row.HasValue) return null;
        var e = row.Value!;
        return new StoredRecord(JsonSerializer.Deserialize<MarriageRecord>(e.GetString("Record"), JsonDefaults.Options)!,
            JsonSerializer.Deserialize<List<RecordParty>>(cipher.Decrypt(e.GetString("Parties"), Ad(recordId)), JsonDefaults.Options) ?? [], e.ETag);
    }

    /// <summary>Writes the record: inserted when new (<paramref name="etag"/> default), else replaced if unchanged; with its events through the outbox.</summary>
    public async Task<ETag> SaveAsync(MarriageRecord record, IReadOnlyList<RecordParty> parties, ETag etag, IReadOnlyList<PendingEvent> events, CancellationToken ct)
    {
        var entity = new TableEntity(record.Id, Row)
        {
            ["Record"] = JsonSerializer.Serialize(record, JsonDefaults.Options),
            ["Parties"] = cipher.Encrypt(JsonSerializer.Serialize(parties, JsonDefaults.Options), Ad(record.Id)),
            ["Status"] = record.Status.ToString(),
            ["OfficeId"] = record.OfficeId,
        };
        var action = etag == default ? new TableTransactionAction(TableTransactionActionType.Add, entity) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag);
        var responses = await outbox.CommitAsync(TableNames.MarriageRecords, record.Id, [action], events, ct);
        return responses[0].Headers.ETag ?? default;
    }

    public static PendingEvent Event(string type, MarriageRecord record) =>
        new(Source, type, record.Id, new { recordId = record.Id, officeId = record.OfficeId, status = record.Status, certificates = record.Current.Select(c => c.Number).ToList() });

    static string Ad(string recordId) => $"marriage.record:{recordId}:parties";

    // ---------------------------------------------------------------- the register's lookups

    static string Person(string index) => "p|" + index;

    /// <summary>The record holding the party's current-marriage guard, if any.</summary>
    public async Task<string?> CurrentOfAsync(string index, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Person(index), "current", cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("RecordId") : null;
    }

    /// <summary>Claims the current-marriage guard of every party for the record; on a party held by another record nothing is kept and the holder is answered.</summary>
    public async Task<string?> ClaimCurrentAsync(IReadOnlyList<string> indexes, string recordId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        var claimed = new List<string>();
        foreach (var index in indexes)
        {
            try
            {
                await table.AddEntityAsync(new TableEntity(Person(index), "current") { ["RecordId"] = recordId }, ct);
                claimed.Add(index);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                var holder = await CurrentOfAsync(index, ct);
                if (holder == recordId) continue;
                await ReleaseCurrentAsync(claimed, recordId, ct);
                return holder ?? "unknown";
            }
        }
        return null;
    }

    /// <summary>Releases the parties' guards that this record holds (the marriage ended, or its registration was abandoned).</summary>
    public async Task ReleaseCurrentAsync(IReadOnlyList<string> indexes, string recordId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        foreach (var index in indexes) await GuardRows.ReleaseAsync(table, Person(index), "current", "RecordId", recordId, ct);
    }

    /// <summary>Indexes a finished record: each party's record row and each certificate number (idempotent upserts).</summary>
    public async Task IndexAsync(MarriageRecord record, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        foreach (var index in record.PartyIndexes)
            await table.UpsertEntityAsync(new TableEntity(Person(index), "r|" + record.Id) { ["Status"] = record.Status.ToString() }, TableUpdateMode.Replace, ct);
        foreach (var c in record.Certificates)
            await table.UpsertEntityAsync(new TableEntity("c|" + c.Number, Row) { ["RecordId"] = record.Id }, TableUpdateMode.Replace, ct);
    }

    /// <summary>The records a party appears in (one partition query).</summary>
    public async Task<IReadOnlyList<string>> RecordsOfAsync(string index, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        var ids = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Person(index)} and RowKey ge {"r|"} and RowKey lt {"r}"}"), select: ["RowKey"], cancellationToken: ct))
            ids.Add(e.RowKey[2..]);
        return ids;
    }

    public async Task<string?> RecordOfCertificateAsync(string number, CancellationToken ct)
    {
        if (!RecordRules.IsCertificateNumber(number)) return null;
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>("c|" + number, Row, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("RecordId") : null;
    }

    // ---------------------------------------------------------------- divorce applications of a marriage and of a party

    /// <summary>Claims the marriage's one open divorce application; the holder's id when another holds it.</summary>
    public async Task<string?> ClaimDivorceAsync(string recordId, string divorceId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity("r|" + recordId, "divorce") { ["DivorceId"] = divorceId }, ct);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>("r|" + recordId, "divorce", cancellationToken: ct);
            var holder = row.HasValue ? row.Value!.GetString("DivorceId") : null;
            return holder == divorceId ? null : holder ?? "unknown";
        }
    }

    public async Task ReleaseDivorceAsync(string recordId, string divorceId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        await GuardRows.ReleaseAsync(table, "r|" + recordId, "divorce", "DivorceId", divorceId, ct);
    }

    public async Task IndexDivorceAsync(IReadOnlyList<string> indexes, string divorceId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        foreach (var index in indexes)
            await table.UpsertEntityAsync(new TableEntity(Person(index), "d|" + divorceId), TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<string>> DivorcesOfAsync(string index, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageRegister, ct);
        var ids = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Person(index)} and RowKey ge {"d|"} and RowKey lt {"d}"}"), select: ["RowKey"], cancellationToken: ct))
            ids.Add(e.RowKey[2..]);
        return ids;
    }
}
