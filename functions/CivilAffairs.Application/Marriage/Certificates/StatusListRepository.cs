using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Certificates.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>A certificate's place in a status list.</summary>
public readonly record struct StatusEntry(string ListId, int Index);

/// <summary>
/// The status lists (table <see cref="CertificateStorage.StatusListsTable"/>): one row per list (PK list id, RK <c>list</c>)
/// holding the published, signed document, the private allocation bitmap and the number of certificates placed; one
/// pointer row (PK/RK <c>current</c>) naming the list being filled. Every change goes through <see cref="Optimistic"/>; a
/// state change re-signs the list as a new version and republishes it to the blob <c>marriage-status-lists/{listId}.json</c>.
/// </summary>
public sealed class StatusListRepository(Tables tables, BlobServiceClient blobs, CertificateSigningKeys signing, IOptions<CertificateOptions> options,
    TimeProvider clock, ILogger<StatusListRepository> logger)
{
    const string ListRow = "list";
    const string Current = "current";
    readonly Lazy<Task<BlobContainerClient>> container = new(async () =>
    {
        var c = blobs.GetBlobContainerClient(CertificateStorage.StatusListContainer);
        await c.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        return c;
    });

    Task<TableClient> TableAsync(CancellationToken ct) => tables.GetAsync(CertificateStorage.StatusListsTable, ct);

    /// <summary>The published document of a list, or null.</summary>
    public async Task<StatusListDocument?> FindAsync(string listId, CancellationToken ct)
    {
        if (!StatusListDocument.IsValidListId(listId)) return null;
        var table = await TableAsync(ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(listId, ListRow, ["Document"], ct);
        return row.HasValue ? StatusListDocument.Parse(row.Value!.GetString("Document")) : null;
    }

    /// <summary>
    /// Places a new certificate: an unused index drawn at random in the list being filled (a new list is opened and signed
    /// when it holds <see cref="CertificateOptions.CertificatesPerList"/>). The entry starts valid (0), so the published list
    /// does not change.
    /// </summary>
    public async Task<StatusEntry> AllocateAsync(CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var perList = Math.Clamp(options.Value.CertificatesPerList, 1, StatusBitstring.DefaultSize / 2);
        return await Optimistic.RetryAsync("marriage status list", async () =>
        {
            var pointer = await table.GetEntityIfExistsAsync<TableEntity>(Current, Current, cancellationToken: ct);
            TableEntity list;
            if (!pointer.HasValue)
            {
                list = await OpenListAsync(table, ct);
                await Optimistic.InsertAsync(table, new TableEntity(Current, Current) { ["ListId"] = list.PartitionKey }, ct);
            }
            else
            {
                list = (await table.GetEntityAsync<TableEntity>(pointer.Value!.GetString("ListId"), ListRow, cancellationToken: ct)).Value;
                if ((list.GetInt32("Count") ?? 0) >= perList)
                {
                    list = await OpenListAsync(table, ct);
                    pointer.Value["ListId"] = list.PartitionKey;
                    await table.UpdateEntityAsync(pointer.Value, pointer.Value.ETag, TableUpdateMode.Replace, ct);
                }
            }

            var allocated = list.GetBinary("Allocated");
            var size = allocated.Length * 8;
            var index = RandomNumberGenerator.GetInt32(size);
            while ((allocated[index >> 3] & (1 << (index & 7))) != 0) index = (index + 1) % size;
            allocated[index >> 3] |= (byte)(1 << (index & 7));
            var update = new TableEntity(list.PartitionKey, ListRow) { ["Allocated"] = allocated, ["Count"] = (list.GetInt32("Count") ?? 0) + 1 };
            await table.UpdateEntityAsync(update, list.ETag, TableUpdateMode.Merge, ct);
            return new StatusEntry(list.PartitionKey, index);
        }, ct);
    }

    /// <summary>
    /// Sets an entry's status; when that changes the list, signs it as the next version and republishes it. Answers the
    /// document as now published.
    /// </summary>
    public async Task<StatusListDocument> SetAsync(StatusEntry entry, CertificateStatus status, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        var (document, changed) = await Optimistic.RetryAsync("marriage status list", async () =>
        {
            var row = (await table.GetEntityAsync<TableEntity>(entry.ListId, ListRow, ["Document"], ct)).Value;
            var current = StatusListDocument.Parse(row.GetString("Document"))
                ?? throw new InvalidDataException($"Status list {entry.ListId} holds no readable document.");
            var bits = StatusBitstring.TryDecode(current.EncodedList, current.Size)
                ?? throw new InvalidDataException($"Status list {entry.ListId} holds an undecodable bitstring.");
            if (bits[entry.Index] == status) return (current, false);
            bits[entry.Index] = status;
            var next = await SignAsync(entry.ListId, current.Version + 1, bits, ct);
            await table.UpdateEntityAsync(new TableEntity(entry.ListId, ListRow) { ["Document"] = next.ToJson() }, row.ETag, TableUpdateMode.Merge, ct);
            return (next, true);
        }, ct);
        if (changed) await PublishAsync(document, ct);
        return document;
    }

    /// <summary>Writes the document to its blob unless a newer version is already there (writers may finish out of order).</summary>
    public async Task PublishAsync(StatusListDocument document, CancellationToken ct)
    {
        try
        {
            var blob = (await container.Value).GetBlobClient($"{document.ListId}.json");
            // Conditional on what was read (412 / a concurrent first upload's 409 are conflicts): the platform's one retry helper.
            await Optimistic.RetryAsync($"status list {document.ListId} blob", async () =>
            {
                ETag? etag = null;
                try
                {
                    var properties = await blob.GetPropertiesAsync(cancellationToken: ct);
                    if (properties.Value.Metadata.TryGetValue("version", out var v) && long.TryParse(v, out var published) && published >= document.Version) return;
                    etag = properties.Value.ETag;
                }
                catch (RequestFailedException e) when (e.Status == 404) { }
                try
                {
                    await blob.UploadAsync(BinaryData.FromString(document.ToJson()), new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", CacheControl = $"public, max-age={options.Value.StatusListCacheSeconds}" },
                        Metadata = new Dictionary<string, string> { ["version"] = document.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        Conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All },
                    }, ct);
                }
                catch (RequestFailedException e) when (e.Status == 409) { throw new InsertCollisionException(e); }
            }, ct);
        }
        catch (ConcurrencyConflictException)
        {
            logger.LogWarning("Status list {ListId} version {Version} not mirrored to blob storage: concurrent writers", document.ListId, document.Version);
        }
        catch (RequestFailedException e)
        {
            // The table row is the system of record and the endpoint serves it; the blob is a mirror the next change rewrites.
            logger.LogWarning("Status list {ListId} version {Version} not mirrored to blob storage: {Status}", document.ListId, document.Version, e.Status);
        }
    }

    async Task<TableEntity> OpenListAsync(TableClient table, CancellationToken ct)
    {
        var listId = Ulid.NewUlid().ToString();
        var document = await SignAsync(listId, 1, new StatusBitstring(), ct);
        var row = new TableEntity(listId, ListRow)
        {
            ["Document"] = document.ToJson(),
            ["Allocated"] = new byte[StatusBitstring.DefaultSize / 8],
            ["Count"] = 0,
        };
        var added = await table.AddEntityAsync(row, ct);
        row.ETag = added.Headers.ETag ?? default;
        await PublishAsync(document, ct);
        logger.LogInformation("Opened status list {ListId}", listId);
        return row;
    }

    async Task<StatusListDocument> SignAsync(string listId, long version, StatusBitstring bits, CancellationToken ct) =>
        StatusListDocument.Sign(listId, version, clock.GetUtcNow(), bits, (await signing.GetAsync(ct)).RequireCurrent());
}
