using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;

namespace CivilAffairs.Application.Marriage.Divorces;

/// <summary>What a divorce event carries (ids only).</summary>
public sealed record DivorceEventData(string DivorceId, string RecordId, string Actor);

/// <summary>
/// Divorce applications: table <c>MarriageDivorces</c>, PK application id, RK <c>divorce</c> — the application in clear with the
/// agreement SM4-encrypted; every person's step is written with its event through the <see cref="Outbox"/> (the workflow learns
/// it from the relay).
/// </summary>
public sealed class DivorceRepository(Tables tables, FieldCipher cipher, Outbox outbox)
{
    const string Row = "divorce";
    public const string Source = "/civilaffairs/marriage/divorces";
    public const string Received = "marriage.divorce.received";
    public const string Withdrawn = "marriage.divorce.withdrawn";
    public const string Registered = "marriage.divorce.registered";

    public async Task<StoredDivorce?> GetAsync(string divorceId, CancellationToken ct)
    {
        if (divorceId is not { Length: 26 } || !divorceId.All(char.IsAsciiLetterOrDigit)) return null;
        var table = await tables.GetAsync(TableNames.MarriageDivorces, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(divorceId, Row, cancellationToken: ct);
        if (!row.HasValue) return null;
        var e = row.Value!;
        return new StoredDivorce(JsonSerializer.Deserialize<DivorceRecord>(e.GetString("Divorce"), JsonDefaults.Options)!,
            JsonSerializer.Deserialize<DivorceAgreement>(cipher.Decrypt(e.GetString("Agreement"), Ad(divorceId)), JsonDefaults.Options)!, e.ETag);
    }

    /// <summary>Inserts (default <paramref name="etag"/>) or replaces the application if unchanged, with its events.</summary>
    public async Task<ETag> SaveAsync(DivorceRecord record, DivorceAgreement agreement, ETag etag, IReadOnlyList<string> eventTypes, string actor, CancellationToken ct)
    {
        var entity = new TableEntity(record.Id, Row)
        {
            ["Divorce"] = JsonSerializer.Serialize(record, JsonDefaults.Options),
            ["Agreement"] = cipher.Encrypt(JsonSerializer.Serialize(agreement, JsonDefaults.Options), Ad(record.Id)),
            ["Status"] = record.Status.ToString(),
        };
        var action = etag == default ? new TableTransactionAction(TableTransactionActionType.Add, entity) : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag);
        var events = eventTypes.Select(t => new PendingEvent(Source, t, record.Id, new DivorceEventData(record.Id, record.RecordId, actor))).ToList();
        var responses = await outbox.CommitAsync(TableNames.MarriageDivorces, record.Id, [action], events, ct);
        return responses[0].Headers.ETag ?? default;
    }

    static string Ad(string divorceId) => $"marriage.divorce:{divorceId}:agreement";
}
