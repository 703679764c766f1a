using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.WelfareChecks;

[System.Text.Json.Serialization.JsonConverter(typeof(Platform.Json.CamelCaseEnumConverter<WelfareCheckStatus>))]
public enum WelfareCheckStatus { Open, Closed }

/// <summary>Why someone should call on the elder.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Platform.Json.CamelCaseEnumConverter<WelfareCheckReason>))]
public enum WelfareCheckReason
{
    /// <summary>An alarm terminal has been silent beyond its heartbeat interval and grace (终端长时间无信号).</summary>
    TerminalSilence,
    /// <summary>An elder living alone who usually eats at the meal points has stopped coming (助餐缺勤).</summary>
    MealAbsence,
}

/// <summary>
/// A welfare check (上门探视) for the community worker. Terminal silence fills <c>TerminalId</c> … <c>DueBy</c>; a meal
/// absence fills <c>LastMealOn</c>, <c>DaysAbsent</c> and <c>MealDaysBefore</c>.
/// </summary>
public sealed record WelfareCheckView(string Id, WelfareCheckReason Reason, string ElderId, string? ElderName, string Jurisdiction, string JurisdictionName,
    DateTimeOffset RaisedAt, WelfareCheckStatus Status, DateTimeOffset? ClosedAt, string? ClosedBy, string? Note,
    string? TerminalId = null, TerminalKind? TerminalKind = null, DateTimeOffset? SilentSince = null, DateTimeOffset? DueBy = null,
    DateOnly? LastMealOn = null, int? DaysAbsent = null, int? MealDaysBefore = null);

public sealed record WelfareCheckList(int Count, IReadOnlyList<WelfareCheckView> Items);

/// <summary>Body of <c>POST /api/elderly/welfare-checks/{id}/close</c>.</summary>
public sealed record WelfareCheckClose(string? Note);

/// <summary>
/// The community worker's welfare checks, whatever raised them. Table <c>ElderlyWelfareChecks</c>: PK = the elder's community
/// code (a community worker's list is one partition, a street's a range of partitions), RK = <c>{reason}.{elder id}.{key}</c>
/// (the key names the occurrence — the terminal and when it fell silent, or the last meal day — so raising the same one twice
/// adds nothing). Rows hold ids, times and counts only; the elder's name is read (decrypted) when listed.
/// Terminal silence: the timer (<c>ElderlyWelfareCheckSchedule</c>) reads the heartbeat due index up to now — only the rows that
/// fell due, never the whole registry — and runs <see cref="TerminalSilence.Assess"/>. Meal absence: raised by the meals area.
/// </summary>
public sealed class WelfareCheckService(Tables tables, DeviceService devices, ElderRepository elders, DivisionDirectory divisions, AuditLog audit,
    IOptions<TerminalOptions> options, TimeProvider clock, ILogger<WelfareCheckService> logger)
{
    public static Problem NotFound() => Problem.NotFound("WELFARE_CHECK_NOT_FOUND", "探视任务不存在", "没有找到该探视任务，或不在您的管辖范围内。");

    /// <summary>Raises one welfare check for <paramref name="elder"/>; false when this occurrence (<paramref name="key"/>) already has one.</summary>
    public async Task<bool> RaiseAsync(StoredElder elder, WelfareCheckReason reason, string key, IReadOnlyDictionary<string, object> details, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var row = new TableEntity(elder.Jurisdiction, $"{ReasonCode(reason)}.{elder.Elder.Id}.{key}")
        {
            ["Reason"] = reason.ToString(),
            ["ElderId"] = elder.Elder.Id,
            ["RaisedAt"] = clock.GetUtcNow(),
            ["Status"] = nameof(WelfareCheckStatus.Open),
        };
        foreach (var (k, v) in details) row[k] = v;
        try
        {
            await table.AddEntityAsync(row, ct);
            logger.LogInformation("Welfare check raised: {Reason} for elder {ElderId}", reason, elder.Elder.Id);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>One run of the silent-terminal timer: returns how many checks were raised.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var upTo = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "}";
        var raised = 0;
        await foreach (var due in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TerminalService.DuePartition} and RowKey lt {upTo}"), cancellationToken: ct))
        {
            var terminalId = due.RowKey[(due.RowKey.IndexOf('|') + 1)..];
            var device = await devices.FindAsync(terminalId, ct);
            if (device is null || device.Status != DeviceStatus.Active || TerminalService.TerminalOf(device) is not { } terminal)
            {
                await TerminalService.DeleteQuietlyAsync(index, due.PartitionKey, due.RowKey, ct);
                continue;
            }
            var assessment = TerminalSilence.Assess(terminal, clock, options.Value.SilenceGrace);
            if (!assessment.WelfareCheckNeeded)
            {
                // Heard from meanwhile (signs of life do not move the index): the row moves to the terminal's new due time.
                await TerminalService.MoveDueAsync(index, terminal, due.RowKey, assessment.DueBy, ct);
                continue;
            }
            var elder = await elders.GetAsync(terminal.ElderId, ct);
            if (elder is null || elder.Elder.DiedOn is not null) { await TerminalService.DeleteQuietlyAsync(index, due.PartitionKey, due.RowKey, ct); continue; }
            if (await RaiseAsync(elder, WelfareCheckReason.TerminalSilence, $"{terminal.Id}.{assessment.SilentSince.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
                    new Dictionary<string, object>
                    {
                        ["TerminalId"] = terminal.Id, ["TerminalKind"] = terminal.Kind.ToString(), ["SilentSince"] = assessment.SilentSince, ["DueBy"] = assessment.DueBy,
                    }, ct))
                raised++;
            // One check per silence (its key holds when the silence began): the row is looked at again one interval later, when a
            // terminal heard from again moves on and one still silent finds its check already raised.
            await TerminalService.MoveDueAsync(index, terminal, due.RowKey, clock.GetUtcNow() + terminal.HeartbeatInterval + options.Value.SilenceGrace, ct);
        }
        return raised;
    }

    /// <summary>The checks of the caller's jurisdiction (open by default), oldest first; citizens have none.</summary>
    public async Task<Result<WelfareCheckList>> ListAsync(CallContext call, string? status, WelfareCheckReason? reason)
    {
        var (caller, requestId, ct) = call;
        if (status is not (null or "open" or "all")) return Problem.InvalidQuery("status", "参数 status 只能是 open 或 all。", "可选值：open、all");
        // The checks are the community worker's tasks: citizens (who may read the elders they follow) have none to see.
        if (!caller.IsStaff || caller.Jurisdiction is not { } j) return Result.Ok(new WelfareCheckList(0, []));
        var prefix = Jurisdiction.Prefix(j);
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var filter = reason is { } r
            ? TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and Reason eq {r.ToString()}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
        var items = new List<WelfareCheckView>();
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (!Jurisdiction.Contains(j, e.PartitionKey)) continue;
            var view = await ViewOfAsync(e, names, ct);
            if (status == "all" || view.Status == WelfareCheckStatus.Open) items.Add(view);
        }
        await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.list", AuditOutcome.Success, Detail: $"{reason?.ToString() ?? "all"}:{items.Count}"), requestId, ct);
        return Result.Ok(new WelfareCheckList(items.Count, items.OrderBy(i => i.RaisedAt).ToList()));
    }

    public async Task<Result<WelfareCheckView>> CloseAsync(CallContext call, string id, WelfareCheckClose body)
    {
        var (caller, requestId, ct) = call;
        if (body.Note is { } n && (n.Length > 500 || TextRules.Check(n) is not null)) return Problem.Invalid("note", "备注不超过 500 字，且不能含控制字符。");
        var parts = id.Split('.');
        if (id.Length > 200 || parts.Length < 3 || await elders.GetAsync(parts[1], ct) is not { } elder) return NotFound();
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(elder.Jurisdiction, id, cancellationToken: ct);
        if (!found.HasValue || !caller.IsStaff || caller.Jurisdiction is not { } j || !Jurisdiction.Contains(j, elder.Jurisdiction))
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.close", AuditOutcome.Denied, elder.IdIndex, Detail: $"{id}:outOfScope"), requestId, ct);
            return NotFound();
        }
        var e = found.Value!;
        if (e.GetString("Status") != nameof(WelfareCheckStatus.Closed))
        {
            e["Status"] = nameof(WelfareCheckStatus.Closed);
            e["ClosedAt"] = clock.GetUtcNow();
            e["ClosedBy"] = caller.Subject;
            e["Note"] = body.Note?.Trim();
            try { await table.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Replace, ct); }
            catch (RequestFailedException x) when (x.Status == 412) { return Problem.Stale(); }
            await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.close", AuditOutcome.Success, elder.IdIndex, Detail: id), requestId, ct);
        }
        return Result.Ok(await ViewOfAsync(e, new Dictionary<string, string?>(), ct));
    }

    /// <summary>The elder died (a life event, run by the platform): their open welfare checks are closed. Returns how many (0 the second time).</summary>
    internal async Task<int> CloseForDeathAsync(StoredElder elder, DateOnly diedOn, string requestId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var closed = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {elder.Jurisdiction} and ElderId eq {elder.Elder.Id} and Status eq {nameof(WelfareCheckStatus.Open)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            e["Status"] = nameof(WelfareCheckStatus.Closed);
            e["ClosedAt"] = clock.GetUtcNow();
            e["ClosedBy"] = "system";
            e["Note"] = $"老人已于{diedOn:yyyy-MM-dd}去世，探视任务终止。";
            try { await table.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Replace, ct); }
            catch (RequestFailedException x) when (x.Status is 412 or 404) { continue; }
            closed++;
            await audit.AppendAsync(null, new AuditEvent("elderly.welfareCheck.close", AuditOutcome.Success, elder.IdIndex, Detail: $"{e.RowKey}:elderDied"), requestId, ct);
        }
        return closed;
    }

    static string ReasonCode(WelfareCheckReason reason) => reason == WelfareCheckReason.TerminalSilence ? "terminalSilence" : "mealAbsence";

    async Task<WelfareCheckView> ViewOfAsync(TableEntity e, Dictionary<string, string?> names, CancellationToken ct)
    {
        var elderId = e.GetString("ElderId");
        if (!names.TryGetValue(elderId, out var name)) names[elderId] = name = (await elders.GetAsync(elderId, ct))?.Elder.Name;
        return new WelfareCheckView(e.RowKey, Enum.Parse<WelfareCheckReason>(e.GetString("Reason")), elderId, name, e.PartitionKey,
            divisions.Find(e.PartitionKey) is null ? e.PartitionKey : divisions.FullName(e.PartitionKey),
            e.GetDateTimeOffset("RaisedAt") ?? default, Enum.Parse<WelfareCheckStatus>(e.GetString("Status")), e.GetDateTimeOffset("ClosedAt"), e.GetString("ClosedBy"), e.GetString("Note"),
            e.GetString("TerminalId"), e.GetString("TerminalKind") is { } k ? Enum.Parse<TerminalKind>(k) : null, e.GetDateTimeOffset("SilentSince"), e.GetDateTimeOffset("DueBy"),
            e.GetString("LastMealOn") is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null, e.GetInt32("DaysAbsent"), e.GetInt32("MealDaysBefore"));
    }
}
