using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.WelfareChecks;

[System.Text.Json.Serialization.JsonConverter(typeof(Platform.Json.CamelCaseEnumConverter<WelfareCheckStatus>))]
public enum WelfareCheckStatus { Open, Closed }

/// <summary>A welfare check (上门探视) for a silent terminal: the community worker calls or visits the elder.</summary>
public sealed record WelfareCheckView(string Id, string ElderId, string ElderName, string Jurisdiction, string TerminalId, TerminalKind TerminalKind,
    DateTimeOffset SilentSince, DateTimeOffset DueBy, DateTimeOffset RaisedAt, WelfareCheckStatus Status, DateTimeOffset? ClosedAt, string? ClosedBy, string? Note);

/// <summary>Body of <c>POST /api/elderly/welfare-checks/{id}/close</c>.</summary>
public sealed record WelfareCheckClose(string? Note);

/// <summary>
/// Terminals that went silent. The timer (<c>ElderlyWelfareCheckSchedule</c>) reads the heartbeat due index up to now — only the
/// rows that fell due, never the whole registry — and runs <see cref="TerminalSilence.Assess"/> on each terminal; a terminal silent
/// beyond interval + grace raises one welfare check per silence (RK <c>{terminal id}.{silent-since ticks}</c>, so a second run
/// adds nothing) for the elder's community. Table <c>ElderlyWelfareChecks</c>: PK = the elder's community code, so a community
/// worker's list is one partition and a street's a range of partitions.
/// </summary>
public sealed class WelfareCheckService(Tables tables, DeviceService devices, ElderRepository elders, AuditLog audit, IOptions<TerminalOptions> options,
    TimeProvider clock, ILogger<WelfareCheckService> logger)
{
    public static Problem NotFound() => Problem.NotFound("WELFARE_CHECK_NOT_FOUND", "探视任务不存在", "没有找到该探视任务，或不在您的管辖范围内。");

    /// <summary>One run of the timer: returns how many checks were raised.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var checks = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var now = clock.GetUtcNow();
        var upTo = now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "}";
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
            if (!assessment.WelfareCheckNeeded) continue; // heard from meanwhile: its sign of life moved the index row already
            var elder = await elders.GetAsync(terminal.ElderId, ct);
            if (elder is null || elder.Elder.DiedOn is not null) { await TerminalService.DeleteQuietlyAsync(index, due.PartitionKey, due.RowKey, ct); continue; }
            try
            {
                await checks.AddEntityAsync(new TableEntity(elder.Jurisdiction, CheckId(terminal.Id, assessment.SilentSince))
                {
                    ["ElderId"] = elder.Elder.Id,
                    ["ElderName"] = elder.Elder.Name,
                    ["TerminalId"] = terminal.Id,
                    ["TerminalKind"] = terminal.Kind.ToString(),
                    ["SilentSince"] = assessment.SilentSince,
                    ["DueBy"] = assessment.DueBy,
                    ["RaisedAt"] = now,
                    ["Status"] = nameof(WelfareCheckStatus.Open),
                }, ct);
                raised++;
                logger.LogInformation("Welfare check raised for terminal {TerminalId}", terminal.Id);
            }
            catch (RequestFailedException e) when (e.Status == 409) { }
            // One check per silence: the row leaves the index until the terminal is heard from again.
            await TerminalService.DeleteQuietlyAsync(index, due.PartitionKey, due.RowKey, ct);
        }
        return raised;
    }

    public async Task<Result<IReadOnlyList<WelfareCheckView>>> ListAsync(CallContext call, string? status)
    {
        var (caller, requestId, ct) = call;
        if (status is not (null or "open" or "all")) return Problem.InvalidQuery("status", "参数 status 只能是 open 或 all。", "可选值：open、all");
        if (caller.Jurisdiction is not { } j) return Problem.Forbidden("只有有管辖范围的工作人员可以查看探视任务。");
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {j} and PartitionKey lt {j + "~"}");
        var items = new List<WelfareCheckView>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var view = ViewOf(e);
            if (status == "all" || view.Status == WelfareCheckStatus.Open) items.Add(view);
        }
        await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.list", AuditOutcome.Success, Detail: $"{items.Count}"), requestId, ct);
        return Result.Ok<IReadOnlyList<WelfareCheckView>>(items.OrderBy(i => i.RaisedAt).ToList());
    }

    public async Task<Result<WelfareCheckView>> CloseAsync(CallContext call, string id, WelfareCheckClose body)
    {
        var (caller, requestId, ct) = call;
        if (body.Note is { } n && (n.Length > 500 || TextRules.Check(n) is not null)) return Problem.Invalid("note", "备注不超过 500 字，且不能含控制字符。");
        var terminalId = id.Split('.')[0];
        if (id.Length > 100 || await devices.FindAsync(terminalId, ct) is not { } device)
            return NotFound();
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(device.Jurisdiction, id, cancellationToken: ct);
        if (!found.HasValue || caller.Jurisdiction is not { } j || !Jurisdiction.Contains(j, device.Jurisdiction))
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.close", AuditOutcome.Denied, Detail: $"{id}:outOfScope"), requestId, ct);
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
            await audit.AppendAsync(caller, new AuditEvent("elderly.welfareCheck.close", AuditOutcome.Success, e.GetString("ElderId"), Detail: id), requestId, ct);
        }
        return Result.Ok(ViewOf(e));
    }

    static string CheckId(string terminalId, DateTimeOffset silentSince) => $"{terminalId}.{silentSince.UtcTicks.ToString(CultureInfo.InvariantCulture)}";

    static WelfareCheckView ViewOf(TableEntity e) => new(e.RowKey, e.GetString("ElderId"), e.GetString("ElderName"), e.PartitionKey, e.GetString("TerminalId"),
        Enum.Parse<TerminalKind>(e.GetString("TerminalKind")), e.GetDateTimeOffset("SilentSince")!.Value, e.GetDateTimeOffset("DueBy")!.Value,
        e.GetDateTimeOffset("RaisedAt")!.Value, Enum.Parse<WelfareCheckStatus>(e.GetString("Status")), e.GetDateTimeOffset("ClosedAt"), e.GetString("ClosedBy"), e.GetString("Note"));
}
