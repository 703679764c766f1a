using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// The published life events and what became of them: table <c>LifeEvents</c>, one partition per event id — the event itself
/// (RK <c>event</c>), one row per partner unit's delivery (RK <c>partner|{code}</c>: sent, attempts, acknowledged, the unit's
/// reference, late) and one per in-app subscriber that handled it (RK <c>inbox|{name}</c>: what it did). Events are found by
/// their subject through PK <c>s|{type}|{subject}</c> (RK the event id). Ids and facts only: no personal data.
/// </summary>
public sealed class LifeEventLog(Tables tables)
{
    const string EventRow = "event";
    const string PartnerPrefix = "partner|";
    const string InboxPrefix = "inbox|";

    Task<TableClient> Table(CancellationToken ct) => tables.GetAsync(TableNames.LifeEvents, ct);

    /// <summary>Records a relayed event (again: idempotent).</summary>
    public async Task RecordAsync(OutboxEvent e, CancellationToken ct)
    {
        var table = await Table(ct);
        await table.UpsertEntityAsync(new TableEntity(e.Id, EventRow)
        {
            ["Source"] = e.Source, ["Type"] = e.Type, ["Subject"] = e.Subject, ["Time"] = e.Time, ["Data"] = e.Data.GetRawText(),
        }, TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(new TableEntity(SubjectKey(e.Type, e.Subject), e.Id), TableUpdateMode.Replace, ct);
    }

    public async Task<OutboxEvent?> GetAsync(string eventId, CancellationToken ct)
    {
        var table = await Table(ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(eventId, EventRow, cancellationToken: ct);
        if (!row.HasValue) return null;
        var r = row.Value!;
        return new OutboxEvent(eventId, r.GetString("Source"), r.GetString("Type"), r.GetString("Subject"), r.GetDateTimeOffset("Time")!.Value,
            JsonDocument.Parse(r.GetString("Data")).RootElement.Clone());
    }

    /// <summary>The id of the (first) event of <paramref name="type"/> about <paramref name="subject"/>, once relayed.</summary>
    public async Task<string?> FindAsync(string type, string subject, CancellationToken ct)
    {
        var table = await Table(ct);
        await foreach (var row in table.QueryAsync<TableEntity>(x => x.PartitionKey == SubjectKey(type, subject), maxPerPage: 1, select: ["RowKey"], cancellationToken: ct))
            return row.RowKey;
        return null;
    }

    static string SubjectKey(string type, string subject) => $"s|{type}|{subject}";

    // ---- partner deliveries ----

    public sealed record DeliveryRow(string UnitCode, DateTimeOffset? SentAt, int Attempts, DateTimeOffset? AcknowledgedAt, string? UnitReference, bool Late, ETag ETag);

    public async Task<DeliveryRow?> DeliveryAsync(string eventId, string unitCode, CancellationToken ct)
    {
        var table = await Table(ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(eventId, PartnerPrefix + unitCode, cancellationToken: ct);
        return row.HasValue ? ToDelivery(row.Value!) : null;
    }

    public async Task<IReadOnlyList<DeliveryRow>> DeliveriesAsync(string eventId, CancellationToken ct)
    {
        var table = await Table(ct);
        var list = new List<DeliveryRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {PartnerPrefix} and RowKey lt {"partner}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(ToDelivery(row));
        return list;
    }

    /// <summary>
    /// Writes a delivery row: <paramref name="etag"/> null inserts, else replaces if unchanged. A concurrent writer's change
    /// surfaces as a conflict for <see cref="Optimistic.RetryAsync{T}"/> (412, or the insert's collision).
    /// </summary>
    public async Task SaveDeliveryAsync(string eventId, DeliveryRow d, ETag? etag, CancellationToken ct)
    {
        var table = await Table(ct);
        var entity = new TableEntity(eventId, PartnerPrefix + d.UnitCode)
        {
            ["SentAt"] = d.SentAt, ["Attempts"] = d.Attempts, ["AcknowledgedAt"] = d.AcknowledgedAt, ["UnitReference"] = d.UnitReference, ["Late"] = d.Late,
        };
        if (etag is null) await Optimistic.InsertAsync(table, entity, ct);
        else await table.UpdateEntityAsync(entity, etag.Value, TableUpdateMode.Replace, ct);
    }

    static DeliveryRow ToDelivery(TableEntity r) => new(r.RowKey[PartnerPrefix.Length..], r.GetDateTimeOffset("SentAt"), r.GetInt32("Attempts") ?? 0,
        r.GetDateTimeOffset("AcknowledgedAt"), r.GetString("UnitReference"), r.GetBoolean("Late") == true, r.ETag);

    // ---- in-app outcomes ----

    public async Task<SubscriberOutcome?> OutcomeAsync(string eventId, string subscriber, CancellationToken ct)
    {
        var table = await Table(ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(eventId, InboxPrefix + subscriber, cancellationToken: ct);
        return row.HasValue ? ToOutcome(row.Value!) : null;
    }

    /// <summary>Records what a subscriber did; false when another delivery recorded it first.</summary>
    public async Task<bool> RecordOutcomeAsync(string eventId, SubscriberOutcome outcome, CancellationToken ct)
    {
        var table = await Table(ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(eventId, InboxPrefix + outcome.Subscriber) { ["Summary"] = outcome.Summary, ["HandledAt"] = outcome.HandledAt }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409) { return false; }
    }

    public async Task<IReadOnlyList<SubscriberOutcome>> OutcomesAsync(string eventId, CancellationToken ct)
    {
        var table = await Table(ct);
        var list = new List<SubscriberOutcome>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {eventId} and RowKey ge {InboxPrefix} and RowKey lt {"inbox}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(ToOutcome(row));
        return list;
    }

    static SubscriberOutcome ToOutcome(TableEntity r) => new(r.RowKey[InboxPrefix.Length..], r.GetString("Summary") ?? "", r.GetDateTimeOffset("HandledAt")!.Value);
}
