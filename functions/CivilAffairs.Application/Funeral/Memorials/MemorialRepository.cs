using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Memorials;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Funeral.Memorials;

public sealed record StoredMemorial(Memorial Memorial, ETag ETag);

public sealed record StoredMessage(string Id, string MemorialId, string AuthorSubject, string Author, string Text, MessageStatus Status, ScreenVerdict Verdict,
    DateTimeOffset CreatedAt, string? DecidedBy, DateTimeOffset? DecidedAt, ETag ETag);

/// <summary>The rendered page as stored: the view, its ETag (hash of its JSON) and its privacy (blob metadata).</summary>
public sealed record RenderedPage(MemorialPageView View, string ETag, MemorialPrivacy Privacy);

/// <summary>
/// Storage of memorials. <c>FuneralMemorials</c>, PK memorial id: RK <c>memorial</c> — the page with its consent and family,
/// SM4-encrypted and bound to the memorial (names of the deceased's relatives are personal data); RK <c>m|{ulid}</c> — a visitor's
/// message (status in clear for the queries); RK <c>o|{00..15}</c> — the offering counter shards. <c>FuneralMemorialIndex</c>
/// holds the lookups. The rendered page (the read model every reader gets) is one blob per memorial in
/// <see cref="ViewContainer"/>, with its ETag and privacy as metadata, so a read at the Qingming peak is one blob download.
/// <para>
/// Offerings are counted without contention on <see cref="OfferingShards"/> counter rows: each offering increments one shard
/// chosen at random (an ETag read-modify-write through <see cref="Optimistic"/>, which only conflicts with another offering on
/// the same shard, 1 in 16), and rendering sums the shards (one partition query). No roll-up job is needed, a count is never
/// lost, and the hot row a single counter would be is spread 16 ways.
/// </para>
/// </summary>
public sealed class MemorialRepository(Tables tables, BlobServiceClient blobs, FieldCipher cipher)
{
    const string Row = "memorial";
    public const string ViewContainer = "memorial-views";
    public const string PhotoContainer = "memorial-photos";
    public const string ProofContainer = "sweeping-proofs";
    public const int OfferingShards = 16;
    public const int MaxPublishedMessages = 100;

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && Ids.TryParse(id, out _);

    static string Ad(string id) => $"funeral.memorial:{id}:page";

    public async Task<StoredMemorial?> GetAsync(string id, CancellationToken ct)
    {
        if (!IsWellFormedId(id)) return null;
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: ct);
        if (!row.HasValue) return null;
        var json = cipher.Decrypt(row.Value!.GetString("Memorial"), Ad(id));
        return new StoredMemorial(JsonSerializer.Deserialize<Memorial>(json, JsonDefaults.Options)!, row.Value.ETag);
    }

    /// <summary>Inserts (<paramref name="etag"/> default) or replaces the memorial if unchanged; keeps the lookups in step.</summary>
    public async Task<ETag> SaveAsync(Memorial m, ETag etag, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var entity = new TableEntity(m.Id, Row)
        {
            ["Memorial"] = cipher.Encrypt(JsonSerializer.Serialize(m, JsonDefaults.Options), Ad(m.Id)),
            ["Privacy"] = m.Privacy.ToString(),
        };
        var response = etag == default ? await table.AddEntityAsync(entity, ct) : await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct);
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        if (MemorialRules.IsListed(m))
            await index.UpsertEntityAsync(new TableEntity("public", ListedKey(m))
            {
                ["MemorialId"] = m.Id,
                ["Name"] = m.Name, ["BornOn"] = m.BornOn?.ToString("O"), ["DiedOn"] = m.DiedOn.ToString("O"),
            }, TableUpdateMode.Replace, ct);
        foreach (var f in m.Family) await index.UpsertEntityAsync(new TableEntity("p|" + f.PersonId, m.Id), TableUpdateMode.Replace, ct);
        return response.Headers.ETag ?? default;
    }

    public async Task<IReadOnlyList<MemorialListItem>> ListPublicAsync(int max, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        var items = new List<MemorialListItem>();
        await foreach (var e in index.QueryAsync<TableEntity>(e => e.PartitionKey == "public", maxPerPage: max, cancellationToken: ct))
        {
            items.Add(new MemorialListItem(e.GetString("MemorialId"), e.GetString("Name"), e.GetString("BornOn") is { } b ? DateOnly.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : null,
                DateOnly.Parse(e.GetString("DiedOn"), System.Globalization.CultureInfo.InvariantCulture)));
            if (items.Count >= max) break;
        }
        return items;
    }

    /// <summary>The listed page's row key: newest first (inverted creation ticks), then the id.</summary>
    static string ListedKey(Memorial m) =>
        (DateTimeOffset.MaxValue.UtcTicks - m.CreatedAt.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "|" + m.Id;

    public async Task<IReadOnlyList<string>> MemorialsOfAsync(string personId, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.FuneralMemorialIndex, ct);
        var ids = new List<string>();
        await foreach (var e in index.QueryAsync<TableEntity>(e => e.PartitionKey == "p|" + personId, select: ["RowKey"], cancellationToken: ct)) ids.Add(e.RowKey);
        return ids;
    }

    // ---------------------------------------------------------------- messages

    public async Task AddMessageAsync(StoredMessage m, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        await table.AddEntityAsync(MessageEntity(m), ct);
    }

    public async Task<StoredMessage?> GetMessageAsync(string memorialId, string messageId, CancellationToken ct)
    {
        if (!IsWellFormedId(memorialId) || !IsWellFormedId(messageId)) return null;
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(memorialId, "m|" + messageId, cancellationToken: ct);
        return row.HasValue ? Message(row.Value!) : null;
    }

    public async Task<ETag> UpdateMessageAsync(StoredMessage m, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        return (await table.UpdateEntityAsync(MessageEntity(m), m.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
    }

    /// <summary>The memorial's messages with one status, oldest first.</summary>
    public async Task<IReadOnlyList<StoredMessage>> MessagesAsync(string memorialId, MessageStatus status, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var list = new List<StoredMessage>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {memorialId} and RowKey ge {"m|"} and RowKey lt {"m}"} and Status eq {status.ToString()}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(Message(e));
        return list;
    }

    static TableEntity MessageEntity(StoredMessage m) => new(m.MemorialId, "m|" + m.Id)
    {
        ["AuthorSubject"] = m.AuthorSubject, ["Author"] = m.Author, ["Text"] = m.Text, ["Status"] = m.Status.ToString(), ["Verdict"] = m.Verdict.ToString(),
        ["CreatedAt"] = m.CreatedAt, ["DecidedBy"] = m.DecidedBy, ["DecidedAt"] = m.DecidedAt,
    };

    static StoredMessage Message(TableEntity e) => new(e.RowKey[2..], e.PartitionKey, e.GetString("AuthorSubject"), e.GetString("Author"), e.GetString("Text"),
        Enum.Parse<MessageStatus>(e.GetString("Status")), Enum.Parse<ScreenVerdict>(e.GetString("Verdict")), e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetString("DecidedBy"), e.GetDateTimeOffset("DecidedAt"), e.ETag);

    // ---------------------------------------------------------------- offerings: sharded counters

    /// <summary>Counts one offering on a random shard (see the class summary).</summary>
    public async Task CountOfferingAsync(string memorialId, OfferingKind kind, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var shard = "o|" + Random.Shared.Next(OfferingShards).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
        await Optimistic.RetryAsync($"offering shard {memorialId}/{shard}", async () =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(memorialId, shard, cancellationToken: ct);
            if (!row.HasValue)
            {
                await Optimistic.InsertAsync(table, new TableEntity(memorialId, shard) { [kind.ToString()] = 1L }, ct);
                return true;
            }
            var e = row.Value!;
            e[kind.ToString()] = (e.GetInt64(kind.ToString()) ?? 0) + 1;
            await table.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Replace, ct);
            return true;
        }, ct);
    }

    public async Task<IReadOnlyDictionary<OfferingKind, long>> OfferingCountsAsync(string memorialId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralMemorials, ct);
        var counts = Offerings.Catalogue.ToDictionary(k => k, _ => 0L);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {memorialId} and RowKey ge {"o|"} and RowKey lt {"o}"}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            foreach (var k in Offerings.Catalogue)
                counts[k] += e.GetInt64(k.ToString()) ?? 0;
        return counts;
    }

    // ---------------------------------------------------------------- the rendered page (read model)

    public async Task<RenderedPage?> ReadPageAsync(string memorialId, CancellationToken ct)
    {
        if (!IsWellFormedId(memorialId)) return null;
        var blob = blobs.GetBlobContainerClient(ViewContainer).GetBlobClient(memorialId + ".json");
        try
        {
            var content = (await blob.DownloadContentAsync(ct)).Value;
            var view = JsonSerializer.Deserialize<MemorialPageView>(content.Content.ToMemory().Span, JsonDefaults.Options)!;
            return new RenderedPage(view, content.Details.Metadata["etag"], Enum.Parse<MemorialPrivacy>(content.Details.Metadata["privacy"]));
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    /// <summary>
    /// Writes the rendered page built by <paramref name="render"/> from fresh state. The write is conditional on the blob version
    /// read before rendering; when another writer got in between, the page is rendered again, so the last write always saw the
    /// last change. With <paramref name="yieldOnConflict"/> (a re-render for offerings, whose counts may lag) a writer that loses
    /// gives way instead (null): in a burst of offerings one render wins and the others do not pile up.
    /// </summary>
    public async Task<RenderedPage?> WritePageAsync(string memorialId, Func<Task<(MemorialPageView View, MemorialPrivacy Privacy)>> render, CancellationToken ct,
        bool yieldOnConflict = false)
    {
        var container = blobs.GetBlobContainerClient(ViewContainer);
        await EnsureAsync(container, ct);
        var blob = container.GetBlobClient(memorialId + ".json");
        for (var attempt = 1; ; attempt++)
        {
            ETag? version = null;
            try { version = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value.ETag; }
            catch (RequestFailedException e) when (e.Status == 404) { }
            var (view, privacy) = await render();
            var json = JsonSerializer.SerializeToUtf8Bytes(view with { UpdatedAt = default }, JsonDefaults.Options);
            var etag = "\"" + Sm3.HashHex(Encoding.UTF8.GetString(json))[..32] + "\"";
            try
            {
                await blob.UploadAsync(new BinaryData(JsonSerializer.SerializeToUtf8Bytes(view, JsonDefaults.Options)), new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json; charset=utf-8" },
                    Metadata = new Dictionary<string, string> { ["etag"] = etag, ["privacy"] = privacy.ToString() },
                    Conditions = version is { } v ? new BlobRequestConditions { IfMatch = v } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, ct);
                return new RenderedPage(view, etag, privacy);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && yieldOnConflict)
            {
                return null;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < Optimistic.MaxAttempts)
            {
                await Task.Delay(Random.Shared.Next(2, 50), ct);
            }
        }
    }

    // ---------------------------------------------------------------- photos

    public async Task PutBlobAsync(string container, string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct)
    {
        var client = blobs.GetBlobContainerClient(container);
        await EnsureAsync(client, ct);
        await client.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, ct);
    }

    public async Task<(byte[] Content, string ContentType)?> GetBlobAsync(string container, string name, CancellationToken ct)
    {
        try
        {
            var content = (await blobs.GetBlobContainerClient(container).GetBlobClient(name).DownloadContentAsync(ct)).Value;
            return (content.Content.ToArray(), content.Details.ContentType ?? "application/octet-stream");
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    public async Task DeleteBlobAsync(string container, string name, CancellationToken ct) =>
        await blobs.GetBlobContainerClient(container).GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: ct);

    static readonly ConcurrentDictionary<string, Task> Ensured = new(StringComparer.Ordinal);

    static async Task EnsureAsync(BlobContainerClient container, CancellationToken ct)
    {
        if (Ensured.ContainsKey(container.Uri.ToString())) return;
        await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct);
        Ensured.TryAdd(container.Uri.ToString(), Task.CompletedTask);
    }
}
