using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// A domain event recorded together with the state change it describes, with the CloudEvents 1.0 context attributes
/// (<c>id</c>, <c>source</c>, <c>type</c>, <c>subject</c>, <c>time</c>) and JSON <c>data</c> (ids and facts, never personal data).
/// </summary>
public sealed record OutboxEvent(string Id, string Source, string Type, string Subject, DateTimeOffset Time, JsonElement Data)
{
    public T DataAs<T>() => Data.Deserialize<T>(JsonDefaults.Options) ?? throw new JsonException($"Event {Id} of type {Type} has no data.");
}

/// <summary>An event to record with a change: its type, subject (the object's id) and data.</summary>
public sealed record PendingEvent(string Source, string Type, string Subject, object Data);

/// <summary>
/// Reacts to one event type. Handlers run at least once per event (inline after the commit, again from the relay queue if
/// anything failed), so they must be idempotent: raising an event a workflow already consumed, upserting a row again.
/// </summary>
public interface IOutboxHandler
{
    /// <summary>The CloudEvents <c>type</c>s handled, e.g. <c>disaster.dispatch.pickedUp</c>.</summary>
    IReadOnlyCollection<string> EventTypes { get; }
    Task HandleAsync(OutboxEvent e, CancellationToken ct);
}

/// <summary>A relay job on <see cref="QueueNames.OutboxRelay"/>: which partition of which table holds events to deliver.</summary>
public sealed record OutboxRelayJob(string Table, string PartitionKey);

public sealed class OutboxOptions
{
    /// <summary>How long the safety-net relay job stays invisible after a change (the inline relay normally delivers first).</summary>
    public TimeSpan RelayDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The transactional outbox: <b>one owner per state change</b>. A service that changes an aggregate and must tell someone
/// (a workflow waiting for the step, a partner, a read model) writes the change and its events as outbox rows in <b>one
/// entity-group transaction</b> in the aggregate's partition (<c>RowKey = outbox|{event id}</c>), through
/// <see cref="CommitAsync"/>. The events are then relayed — at once, in the same request, and again from the
/// <c>outbox-relay</c> queue if that did not finish (a failed raise, a crash after the commit) — to the
/// <see cref="IOutboxHandler"/>s of their type, in the order they were recorded; a row is deleted only after every handler
/// succeeded. So a change is never visible without its event eventually being delivered, and an event is never delivered
/// for a change that was not stored. A relay job that keeps failing ends in <c>outbox-relay-poison</c> with its rows kept.
/// </summary>
/// <remarks>Handlers are resolved on first relay, not at construction: they use the services that write through the outbox.</remarks>
public sealed class Outbox(Tables tables, QueueServiceClient queues, IServiceProvider services, IOptions<OutboxOptions> options,
    TimeProvider clock, ILogger<Outbox> logger)
{
    public const string RowPrefix = "outbox|";
    const string RowEnd = "outbox}";

    readonly Lazy<ILookup<string, IOutboxHandler>> byType = new(() => services.GetServices<IOutboxHandler>()
        .SelectMany(h => h.EventTypes.Select(t => (Type: t, Handler: h))).ToLookup(x => x.Type, x => x.Handler, StringComparer.Ordinal));
    readonly Lazy<Task<QueueClient>> relayQueue = new(async () =>
    {
        var queue = queues.GetQueueClient(QueueNames.OutboxRelay);
        await queue.CreateIfNotExistsAsync();
        return queue;
    });

    /// <summary>True for the outbox rows that share an aggregate's partition (so queries over the aggregate can skip them).</summary>
    public static bool IsOutboxRow(string rowKey) => rowKey.StartsWith(RowPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Commits <paramref name="changes"/> (in partition <paramref name="partitionKey"/> of <paramref name="table"/>) together with
    /// <paramref name="events"/>, then relays the events. Conflicts (a stale ETag in <paramref name="changes"/>) surface as the
    /// transaction's exception, before any event is relayed, so the caller's optimistic-concurrency loop can re-read and retry.
    /// Returns the transaction's responses for <paramref name="changes"/> (ETags), in order.
    /// </summary>
    /// <param name="relayNow">False when the caller has something more urgent to do first (e.g. push an alarm to the desks) and
    /// calls <see cref="RelayNowAsync"/> itself right after.</param>
    public async Task<IReadOnlyList<Response>> CommitAsync(string table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<PendingEvent> events, CancellationToken ct, bool relayNow = true)
    {
        var client = await tables.GetAsync(table, ct);
        if (events.Count == 0)
            return changes.Count == 0 ? [] : (await client.SubmitTransactionAsync(changes, ct)).Value;
        // The safety net first: if this process stops right after the commit, the job still delivers the events.
        var job = await ScheduleRelayAsync(table, partitionKey, ct);
        var jobs = pendingJobs.GetOrAdd((table, partitionKey), _ => []);
        lock (jobs) jobs.Add(job);
        var now = clock.GetUtcNow();
        var rows = events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(partitionKey, e, now))).ToList();
        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await client.SubmitTransactionAsync([.. changes, .. rows], ct);
            job.Committed = true;
        }
        catch
        {
            // Nothing was written: the job, when it comes, finds nothing to do.
            Forget(table, partitionKey, [job]);
            throw;
        }
        if (relayNow) await RelayNowAsync(table, partitionKey, ct);
        return response.Value.Take(changes.Count).ToList();
    }

    /// <summary>Relays now; a failure is logged and left to the queued relay job.</summary>
    public async Task RelayNowAsync(string table, string partitionKey, CancellationToken ct)
    {
        // The jobs of commits that landed before this relay reads the partition: a relay that finishes has delivered their rows,
        // so their jobs have nothing left to do and are taken off the queue (one delete now instead of a receive, a partition
        // query and a delete later). A commit still in flight keeps its job; a relay that fails leaves every job in place.
        var settled = Settled(table, partitionKey);
        try
        {
            await RelayAsync(table, partitionKey, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Forget(table, partitionKey, settled);
            logger.LogWarning("Outbox relay of {Table}/{Partition} deferred to the relay queue: {Error}", table, partitionKey, e.Message);
            return;
        }
        catch
        {
            Forget(table, partitionKey, settled);
            throw;
        }
        Forget(table, partitionKey, settled);
        if (settled.Count == 0) return;
        var queue = await relayQueue.Value.WaitAsync(ct);
        foreach (var job in settled)
        {
            try { await queue.DeleteMessageAsync(job.MessageId, job.PopReceipt, ct); }
            catch (RequestFailedException) { } // already running (its receipt changed) or gone: the job finds nothing to do
        }
    }

    /// <summary>A relay job this process scheduled and may take back once a relay has delivered its commit's rows.</summary>
    sealed class ScheduledJob(string messageId, string popReceipt)
    {
        public string MessageId { get; } = messageId;
        public string PopReceipt { get; } = popReceipt;
        public volatile bool Committed;
    }

    readonly ConcurrentDictionary<(string Table, string Partition), List<ScheduledJob>> pendingJobs = new();

    List<ScheduledJob> Settled(string table, string partitionKey)
    {
        if (!pendingJobs.TryGetValue((table, partitionKey), out var jobs)) return [];
        lock (jobs) return jobs.Where(j => j.Committed).ToList();
    }

    void Forget(string table, string partitionKey, IReadOnlyCollection<ScheduledJob> done)
    {
        if (done.Count == 0 || !pendingJobs.TryGetValue((table, partitionKey), out var jobs)) return;
        lock (jobs)
        {
            jobs.RemoveAll(done.Contains);
            if (jobs.Count == 0) pendingJobs.TryRemove(new KeyValuePair<(string, string), List<ScheduledJob>>((table, partitionKey), jobs));
        }
    }

    /// <summary>
    /// Delivers the partition's outbox rows in the order they were recorded; stops at (and throws) the first handler failure,
    /// leaving that row and the later ones for the next attempt. Returns how many were delivered.
    /// </summary>
    public async Task<int> RelayAsync(string table, string partitionKey, CancellationToken ct)
    {
        var client = await tables.GetAsync(table, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {RowPrefix} and RowKey lt {RowEnd}");
        var delivered = 0;
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var e = FromEntity(row);
            foreach (var handler in byType.Value[e.Type]) await handler.HandleAsync(e, ct);
            try { await client.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct); }
            catch (RequestFailedException x) when (x.Status == 404) { } // a concurrent relay delivered it too
            delivered++;
        }
        return delivered;
    }

    async Task<ScheduledJob> ScheduleRelayAsync(string table, string partitionKey, CancellationToken ct)
    {
        var queue = await relayQueue.Value.WaitAsync(ct);
        var sent = await queue.SendMessageAsync(BinaryData.FromObjectAsJson(new OutboxRelayJob(table, partitionKey), JsonDefaults.Options),
            visibilityTimeout: options.Value.RelayDelay, cancellationToken: ct);
        return new ScheduledJob(sent.Value.MessageId, sent.Value.PopReceipt);
    }

    static TableEntity ToEntity(string partitionKey, PendingEvent e, DateTimeOffset now)
    {
        var id = Ulid.NewUlid(now).ToString();
        return new TableEntity(partitionKey, RowPrefix + id)
        {
            ["Source"] = e.Source,
            ["Type"] = e.Type,
            ["Subject"] = e.Subject,
            ["Time"] = now,
            ["Data"] = JsonSerializer.Serialize(e.Data, JsonDefaults.Options),
        };
    }

    static OutboxEvent FromEntity(TableEntity row) => new(row.RowKey[RowPrefix.Length..], row.GetString("Source"), row.GetString("Type"),
        row.GetString("Subject"), row.GetDateTimeOffset("Time")!.Value, JsonDocument.Parse(row.GetString("Data")).RootElement.Clone());
}
