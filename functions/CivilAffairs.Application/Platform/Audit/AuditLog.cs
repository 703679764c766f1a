using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Audit;

public enum AuditOutcome
{
    Success,
    Denied,
    NotFound,
    Failed,
}

/// <summary>What happened, before it is chained.</summary>
public sealed record AuditEvent(string Action, AuditOutcome Outcome, string? Subject = null, AccessPurpose? Purpose = null, string? Detail = null);

/// <summary>One entry of the append-only, SM3 hash-chained audit log.</summary>
public sealed record AuditEntry
{
    public required long Sequence { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Actor { get; init; }
    public required string Role { get; init; }
    public string? Jurisdiction { get; init; }
    public required string Action { get; init; }
    /// <summary>The data subject as a blind index (never the identifier itself).</summary>
    public string? Subject { get; init; }
    public string? Purpose { get; init; }
    public required string Outcome { get; init; }
    public string? RequestId { get; init; }
    public string? Detail { get; init; }
    public required string PreviousHash { get; init; }
    public required string Hash { get; init; }

    /// <summary>The bytes the hash commits to: every field and the previous entry's hash.</summary>
    public string Canonical() => string.Join('\u001f',
        Sequence.ToString(CultureInfo.InvariantCulture), Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), Actor, Role,
        Jurisdiction ?? "", Action, Subject ?? "", Purpose ?? "", Outcome, RequestId ?? "", Detail ?? "", PreviousHash);

    public string ComputeHash() => Sm3.HashHex(Canonical());
}

public sealed record AuditVerification(bool Intact, long From, long To, long Checked, long? FirstBrokenSequence, string? Problem, string? HeadHash);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? ContinuationToken);

/// <summary>Body of <c>POST /api/audit/verify</c>: the sequence range to recompute (both optional).</summary>
public sealed record AuditVerifyRequest(long? From, long? To);

public sealed record AuditQuery(string? Actor = null, string? Action = null, string? Subject = null, AuditOutcome? Outcome = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, int PageSize = 50, string? ContinuationToken = null);

/// <summary>
/// The audit log: one chain in table <c>AuditLog</c> (PartitionKey "chain", RowKey = zero-padded
/// sequence). Each append writes the entry and moves the head in one partition transaction with
/// the head's ETag, so concurrent writers serialise and the chain never forks; appends arriving while
/// a transaction is in flight are group-committed in the next one. Nothing updates or
/// deletes entries; a daily timer anchors the head hash in the write-once <c>audit-anchors</c>
/// container so even a rewrite of the whole table is detectable.
/// </summary>
public sealed class AuditLog(Tables tables, BlobServiceClient blobs, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const string Partition = "chain";
    public const string HeadKey = "head";
    public const string AnchorContainer = "audit-anchors";
    public static readonly string Genesis = new('0', 64);

    // Table storage keeps instants to the tick, but truncating keeps the hashed text stable across stores.
    static DateTimeOffset TruncateToMilliseconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public static string RowKey(long sequence) => sequence.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>Entries per transaction: a table transaction holds at most 100 operations, one of which moves the head.</summary>
    public const int MaxBatch = 99;

    sealed record Pending(Caller? Caller, AuditEvent Event, string? RequestId, DateTimeOffset Time, TaskCompletionSource<AuditEntry> Done);

    readonly Lock gate = new();
    readonly Queue<Pending> pending = new();
    bool writing;

    /// <summary>
    /// Appends one entry and returns it once it is stored. Appends are group-committed: while one transaction is in flight,
    /// the entries that arrive meanwhile wait and go together in the next one (up to <see cref="MaxBatch"/>), so a burst of
    /// audited requests costs a few head moves instead of one contended head move each. The entry is written even when
    /// <paramref name="ct"/> is cancelled after the call (the audited action has happened); only the wait is cancelled.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(Caller? caller, AuditEvent e, string? requestId, CancellationToken ct = default)
    {
        var item = new Pending(caller, e, requestId, TruncateToMilliseconds(clock.GetUtcNow()), new TaskCompletionSource<AuditEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (gate)
        {
            pending.Enqueue(item);
            lead = !writing;
            writing = true;
        }
        if (lead) _ = Task.Run(DrainAsync, CancellationToken.None);
        return await item.Done.Task.WaitAsync(ct);
    }

    /// <summary>Writes queued entries batch by batch until the queue is empty; one drain runs at a time per instance.</summary>
    async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Pending>(MaxBatch);
            lock (gate)
            {
                while (batch.Count < MaxBatch && pending.TryDequeue(out var next)) batch.Add(next);
                if (batch.Count == 0)
                {
                    writing = false;
                    return;
                }
            }
            try
            {
                var entries = await WriteBatchAsync(batch);
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(entries[i]);
            }
            catch (Exception ex)
            {
                logger.LogError("Audit append of {Count} entries failed: {Error}", batch.Count, ex.Message);
                foreach (var p in batch) p.Done.TrySetException(ex);
            }
        }
    }

    /// <summary>Chains the batch after the current head and stores entries and head in one transaction (retried when another writer moved the head).</summary>
    async Task<AuditEntry[]> WriteBatchAsync(IReadOnlyList<Pending> batch)
    {
        var table = await tables.GetAsync(TableNames.AuditLog, CancellationToken.None);
        return await Optimistic.RetryAsync("audit chain head", async () =>
        {
            var head = await table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey);
            var sequence = head.HasValue ? head.Value!.GetInt64("Sequence")!.Value : 0;
            var previous = head.HasValue ? head.Value!.GetString("Hash") : Genesis;
            var entries = new AuditEntry[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var (caller, e, requestId, time, _) = batch[i];
                var entry = new AuditEntry
                {
                    Sequence = ++sequence,
                    Time = time,
                    Actor = caller?.Subject ?? "anonymous",
                    Role = caller is null ? "anonymous" : Security.ClaimNames.RoleValue(caller.Role),
                    Jurisdiction = caller?.Jurisdiction,
                    Action = e.Action,
                    Subject = e.Subject,
                    Purpose = e.Purpose is { } p ? JsonNamingPolicy.CamelCase.ConvertName(p.ToString()) : null,
                    Outcome = JsonNamingPolicy.CamelCase.ConvertName(e.Outcome.ToString()),
                    RequestId = requestId,
                    Detail = e.Detail,
                    PreviousHash = previous,
                    Hash = "",
                };
                entries[i] = entry with { Hash = entry.ComputeHash() };
                previous = entries[i].Hash;
            }
            var newHead = new TableEntity(Partition, HeadKey) { ["Sequence"] = sequence, ["Hash"] = previous };
            var actions = entries.Select(x => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(x))).ToList();
            actions.Add(head.HasValue
                ? new(TableTransactionActionType.UpdateReplace, newHead, head.Value!.ETag)
                : new(TableTransactionActionType.Add, newHead));
            await table.SubmitTransactionAsync(actions);
            return entries;
        }, CancellationToken.None);
    }

    /// <summary>An auditor's search; the search itself is audited.</summary>
    public async Task<Result<AuditPage>> SearchAsync(CallContext call, AuditQuery query)
    {
        var page = await QueryAsync(query, call.Cancellation);
        await AppendAsync(call.Caller, new AuditEvent("audit.read", AuditOutcome.Success, Detail: $"entries={page.Entries.Count}"), call.RequestId, call.Cancellation);
        return Result.Ok(page);
    }

    /// <summary>An auditor's verification of the chain over a range; the verification and its verdict are audited.</summary>
    public async Task<Result<AuditVerification>> VerifyAsync(CallContext call, AuditVerifyRequest? range)
    {
        range ??= new AuditVerifyRequest(null, null);
        if (range.From is < 1 || range.To is < 1 || range.From > range.To)
            return Problem.Invalid("from", "序号范围须为正整数且 from ≤ to。");
        var last = await LastSequenceAsync(call.Cancellation);
        if (range.From > last)
            return Problem.Invalid("from", last == 0 ? "审计日志还没有记录。" : $"from 超出日志末尾：目前共有 {last} 条记录（序号 1–{last}）。");
        var result = await VerifyAsync(range.From, range.To, call.Cancellation);
        await AppendAsync(call.Caller, new AuditEvent("audit.verify", result.Intact ? AuditOutcome.Success : AuditOutcome.Failed,
            Detail: result.Intact ? $"{result.From}-{result.To}" : $"broken at {result.FirstBrokenSequence}: {result.Problem}"), call.RequestId, call.Cancellation);
        return Result.Ok(result);
    }

    public async Task<AuditPage> QueryAsync(AuditQuery q, CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.AuditLog, ct);
        var filters = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey lt {HeadKey}") };
        if (q.Actor is { } actor) filters.Add(TableClient.CreateQueryFilter($"Actor eq {actor}"));
        if (q.Action is { } action) filters.Add(TableClient.CreateQueryFilter($"Action eq {action}"));
        if (q.Subject is { } subject) filters.Add(TableClient.CreateQueryFilter($"Subject eq {subject}"));
        if (q.Outcome is { } outcome) filters.Add(TableClient.CreateQueryFilter($"Outcome eq {JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString())}"));
        if (q.From is { } from) filters.Add(TableClient.CreateQueryFilter($"Time ge {from}"));
        if (q.To is { } to) filters.Add(TableClient.CreateQueryFilter($"Time le {to}"));
        var pages = table.QueryAsync<TableEntity>(string.Join(" and ", filters), maxPerPage: Math.Clamp(q.PageSize, 1, 200), cancellationToken: ct)
            .AsPages(q.ContinuationToken, Math.Clamp(q.PageSize, 1, 200));
        await foreach (var page in pages)
            return new AuditPage(page.Values.Select(FromEntity).ToList(), page.ContinuationToken);
        return new AuditPage([], null);
    }

    async Task<long> LastSequenceAsync(CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AuditLog, ct);
        var head = await table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey, cancellationToken: ct);
        return head.HasValue ? head.Value!.GetInt64("Sequence")!.Value : 0;
    }

    /// <summary>Recomputes the chain over [from, to] and reports the first broken link; also checks anchors in range.</summary>
    public async Task<AuditVerification> VerifyAsync(long? from, long? to, CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.AuditLog, ct);
        var head = await table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey, cancellationToken: ct);
        var last = head.HasValue ? head.Value!.GetInt64("Sequence")!.Value : 0;
        var start = Math.Max(1, from ?? 1);
        var end = Math.Min(last, to ?? last);
        if (end < start) return new AuditVerification(true, start, end, 0, null, null, head.HasValue ? head.Value!.GetString("Hash") : null);

        long checkedCount = 0;
        AuditVerification Broken(long seq, string problem) => new(false, start, end, checkedCount, seq, problem, null);
        string expectedPrevious = Genesis;
        if (start > 1)
        {
            var before = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(start - 1), cancellationToken: ct);
            if (!before.HasValue) return Broken(start - 1, "entryMissing");
            expectedPrevious = FromEntity(before.Value!).Hash;
        }
        var anchors = await LoadAnchorsAsync(ct);
        var expected = start;

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {RowKey(start)} and RowKey le {RowKey(end)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            var entry = FromEntity(e);
            if (entry.Sequence != expected) return Broken(expected, "entryMissing");
            if (entry.PreviousHash != expectedPrevious) return Broken(entry.Sequence, "linkBroken");
            if (entry.ComputeHash() != entry.Hash) return Broken(entry.Sequence, "hashMismatch");
            if (anchors.TryGetValue(entry.Sequence, out var anchored) && anchored != entry.Hash) return Broken(entry.Sequence, "anchorMismatch");
            expectedPrevious = entry.Hash;
            expected++;
            checkedCount++;
        }
        if (expected <= end) return Broken(expected, "entryMissing");
        if (end == last && head.Value!.GetString("Hash") != expectedPrevious) return Broken(end, "headMismatch");
        return new AuditVerification(true, start, end, checkedCount, null, null, expectedPrevious);
    }

    /// <summary>Writes the current head to the anchor container (one blob per day, never overwritten).</summary>
    public async Task<(long Sequence, string Hash)?> AnchorAsync(CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.AuditLog, ct);
        var head = await table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadKey, cancellationToken: ct);
        if (!head.HasValue) return null;
        var sequence = head.Value!.GetInt64("Sequence")!.Value;
        var hash = head.Value!.GetString("Hash");
        var container = blobs.GetBlobContainerClient(AnchorContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        var now = clock.GetUtcNow();
        var name = $"anchors/{ChinaTime.DateOf(now):yyyy/MM/dd}/{RowKey(sequence)}.json";
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromObjectAsJson(new { sequence, hash, anchoredAt = now }, JsonDefaults.Options), overwrite: false, ct);
            logger.LogInformation("Audit chain anchored at sequence {Sequence}", sequence);
        }
        catch (RequestFailedException e) when (e.Status == 409) { /* this head is already anchored */ }
        return (sequence, hash);
    }

    async Task<Dictionary<long, string>> LoadAnchorsAsync(CancellationToken ct)
    {
        var result = new Dictionary<long, string>();
        var container = blobs.GetBlobContainerClient(AnchorContainer);
        if (!await container.ExistsAsync(ct)) return result;
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "anchors/", ct))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync(ct);
            using var doc = JsonDocument.Parse(content.Value.Content);
            result[doc.RootElement.GetProperty("sequence").GetInt64()] = doc.RootElement.GetProperty("hash").GetString()!;
        }
        return result;
    }

    static TableEntity ToEntity(AuditEntry e) => new(Partition, RowKey(e.Sequence))
    {
        ["Sequence"] = e.Sequence, ["Time"] = e.Time, ["Actor"] = e.Actor, ["Role"] = e.Role, ["Jurisdiction"] = e.Jurisdiction,
        ["Action"] = e.Action, ["Subject"] = e.Subject, ["Purpose"] = e.Purpose, ["Outcome"] = e.Outcome, ["RequestId"] = e.RequestId,
        ["Detail"] = e.Detail, ["PreviousHash"] = e.PreviousHash, ["Hash"] = e.Hash,
    };

    static AuditEntry FromEntity(TableEntity e) => new()
    {
        Sequence = e.GetInt64("Sequence")!.Value,
        Time = e.GetDateTimeOffset("Time")!.Value,
        Actor = e.GetString("Actor"),
        Role = e.GetString("Role"),
        Jurisdiction = e.GetString("Jurisdiction"),
        Action = e.GetString("Action"),
        Subject = e.GetString("Subject"),
        Purpose = e.GetString("Purpose"),
        Outcome = e.GetString("Outcome"),
        RequestId = e.GetString("RequestId"),
        Detail = e.GetString("Detail"),
        PreviousHash = e.GetString("PreviousHash"),
        Hash = e.GetString("Hash"),
    };
}
