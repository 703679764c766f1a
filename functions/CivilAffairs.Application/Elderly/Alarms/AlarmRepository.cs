using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Alarms;

/// <summary>
/// Storage of alarms. Table <c>ElderlyAlarms</c>: PK = alarm id, RK <c>alarm</c> holds the <see cref="AlarmRecord"/> as JSON (ids,
/// states and times; the elder's personal data stays with the elder) with its ETag; every change is written with its events
/// through the <see cref="Outbox"/> (rows in the same partition). Read models, rebuilt from the record by
/// <see cref="AlarmReadModelRelay"/> after every event: the desks' queue (<c>ElderlyAlarmQueue</c>, PK company) and the SLA
/// ledger (<c>ElderlyAlarmSla</c>, PK <c>{company}|{yyyy-MM}</c>).
/// </summary>
public sealed class AlarmRepository(Tables tables, Outbox outbox)
{
    const string Row = "alarm";

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && id.All(char.IsAsciiLetterOrDigit);

    public async Task<(AlarmRecord Record, ETag ETag)?> GetAsync(string alarmId, CancellationToken ct)
    {
        if (!IsWellFormedId(alarmId)) return null;
        var table = await tables.GetAsync(TableNames.ElderlyAlarms, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(alarmId, Row, cancellationToken: ct);
        return found.HasValue ? (Parse(found.Value!), found.Value!.ETag) : null;
    }

    /// <summary>Adds a new alarm with its events; the relay runs at once unless <paramref name="relayNow"/> is false. False when it exists.</summary>
    public async Task<bool> AddAsync(AlarmRecord record, IReadOnlyList<PendingEvent> events, CancellationToken ct, bool relayNow = true)
    {
        try
        {
            await outbox.CommitAsync(TableNames.ElderlyAlarms, record.Alarm.Id,
                [new TableTransactionAction(TableTransactionActionType.Add, ToEntity(record))], events, ct, relayNow);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the alarm if it still has <paramref name="etag"/> (412 / a transaction conflict otherwise, for <c>Optimistic.RetryAsync</c>).</summary>
    public Task SaveAsync(AlarmRecord record, ETag etag, IReadOnlyList<PendingEvent> events, CancellationToken ct) =>
        outbox.CommitAsync(TableNames.ElderlyAlarms, record.Alarm.Id,
            [new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(record), etag)], events, ct);

    public Task RelayAsync(string alarmId, CancellationToken ct) => outbox.RelayNowAsync(TableNames.ElderlyAlarms, alarmId, ct);

    /// <summary>Writes the read models of one alarm (idempotent upserts).</summary>
    public async Task ProjectAsync(AlarmRecord record, string elderName, CancellationToken ct)
    {
        var a = record.Alarm;
        var queue = await tables.GetAsync(TableNames.ElderlyAlarmQueue, ct);
        await queue.UpsertEntityAsync(new TableEntity(a.Company, a.Id)
        {
            ["Status"] = a.Status.ToString(),
            ["Open"] = a.Status != AlarmStatus.Closed,
            ["Trigger"] = a.Trigger.ToString(),
            ["ElderName"] = Masking.MaskName(elderName) ?? "", // the queue shows names masked; nothing more is kept here
            ["RaisedAt"] = a.RaisedAt,
            ["OfferedTo"] = a.Status == AlarmStatus.Offered ? a.OfferedTo : null,
            ["AnsweredBy"] = a.AnsweredBy,
            ["Escalated"] = a.Escalated,
            ["OfferedAt"] = a.OfferedAt,
        }, TableUpdateMode.Replace, ct);
        var sla = await tables.GetAsync(TableNames.ElderlyAlarmSla, ct);
        await sla.UpsertEntityAsync(new TableEntity(SlaPartition(a.Company, MonthOf(a.RaisedAt)), a.Id)
        {
            ["Alarm"] = JsonSerializer.Serialize(a, JsonDefaults.Options),
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>The company's queue rows (one partition).</summary>
    public async Task<IReadOnlyList<TableEntity>> QueueAsync(string company, bool openOnly, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyAlarmQueue, ct);
        var filter = openOnly ? TableClient.CreateQueryFilter($"PartitionKey eq {company} and Open eq true") : TableClient.CreateQueryFilter($"PartitionKey eq {company}");
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) rows.Add(e);
        return rows;
    }

    /// <summary>Every alarm of a company received in a (China) month: one partition query.</summary>
    public async Task<IReadOnlyList<Alarm>> MonthAsync(string company, DateOnly month, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyAlarmSla, ct);
        var alarms = new List<Alarm>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SlaPartition(company, month)}"), cancellationToken: ct))
            alarms.Add(JsonSerializer.Deserialize<Alarm>(e.GetString("Alarm"), JsonDefaults.Options)!);
        return alarms;
    }

    public static DateOnly MonthOf(DateTimeOffset instant)
    {
        var d = ChinaTime.DateOf(instant);
        return new DateOnly(d.Year, d.Month, 1);
    }

    static string SlaPartition(string company, DateOnly month) => company + "|" + month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    static TableEntity ToEntity(AlarmRecord record) => new(record.Alarm.Id, Row)
    {
        ["Record"] = JsonSerializer.Serialize(record, JsonDefaults.Options),
        ["Status"] = record.Alarm.Status.ToString(),
        ["Company"] = record.Alarm.Company,
        ["ElderId"] = record.Alarm.ElderId,
    };

    static AlarmRecord Parse(TableEntity e) => JsonSerializer.Deserialize<AlarmRecord>(e.GetString("Record"), JsonDefaults.Options)
        ?? throw new JsonException($"Alarm {e.PartitionKey} has no record.");
}
