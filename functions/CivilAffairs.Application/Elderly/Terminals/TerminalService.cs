using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;


namespace CivilAffairs.Application.Elderly.Terminals;

/// <summary>Settings (section <c>Elderly:Terminals</c>).</summary>
public sealed class TerminalOptions
{
    public const string SectionName = "Elderly:Terminals";

    /// <summary>Grace after a missed heartbeat before a welfare check (default 30 min, <see cref="TerminalSilence.DefaultGrace"/>).</summary>
    public TimeSpan SilenceGrace { get; set; } = TerminalSilence.DefaultGrace;

    /// <summary>How far in the future a terminal's clock may be (default 5 min).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Body of <c>POST /api/elderly/elders/{elderId}/terminals</c>.</summary>
/// <param name="HeartbeatSeconds">How often the terminal reports that it is alive; default 24 h for buttons and apps, 1 h for sensors.</param>
public sealed record TerminalRegistration(TerminalKind? Kind, string? Name, int? HeartbeatSeconds);

/// <summary>An elder's terminal as staff see it.</summary>
public sealed record TerminalView(string Id, string ElderId, string Name, TerminalKind Kind, DeviceStatus Status, int HeartbeatSeconds,
    DateTimeOffset RegisteredAt, DateTimeOffset? LastSeenAt, DateTimeOffset? RevokedAt, int? Battery, string? MaintenanceNote);

/// <summary>Answer of a terminal registration: the secret is shown this once.</summary>
public sealed record TerminalCredentials(TerminalView Terminal, string Secret, string TokenEndpoint, string Note);

/// <summary>
/// 平安通 terminals of an elder, kept in the platform's device registry (area <c>elderly</c>, bound to the elder, with a heartbeat
/// interval). Staff with <c>ManageElders</c> whose jurisdiction holds the elder register (id + one-time secret), list and revoke
/// them. Table <c>ElderlyTerminals</c>: PK = elder id, RK = terminal id (the elder's list, with the maintenance note), and the
/// heartbeat due index (PK <c>due</c>, RK <c>{due yyyyMMddHHmmss UTC}|{terminal id}</c>) the welfare-check timer reads up to now.
/// </summary>
public sealed class TerminalService(Tables tables, DeviceService devices, ElderService elderService, AuditLog audit, IOptions<TerminalOptions> options, TimeProvider clock)
{
    public const string DuePartition = "due";

    public static Problem NotFound() => Problem.NotFound("TERMINAL_NOT_FOUND", "终端不存在", "没有找到该终端，或不在您的管辖范围内。");

    public async Task<Result<TerminalCredentials>> RegisterAsync(CallContext call, string elderId, TerminalRegistration body)
    {
        var errors = new List<FieldError>();
        if (body.Kind is null) errors.Add(new FieldError("kind", "请选择终端类型：oneButton、phoneApp 或 smartSensor。"));
        var name = body.Name?.Trim();
        if (name is { Length: > 60 } || (name is not null && TextRules.Check(name) is not null)) errors.Add(new FieldError("name", "终端名称不超过 60 个字符。"));
        if (body.HeartbeatSeconds is { } hb && hb is < 10 or > 7 * 86400) errors.Add(new FieldError("heartbeatSeconds", "心跳间隔须在 10 秒到 7 天之间。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var elder = await elderService.ReadForAsync(call, elderId, "elderly.terminal.register");
        if (elder.Problem is { } p) return p;
        var credentials = await RegisterForAsync(call, elder.Value!, body.Kind!.Value, name, body.HeartbeatSeconds);
        return Result.Created(credentials, $"/api/elderly/elders/{elderId}/terminals/{credentials.Terminal.Id}");
    }

    /// <summary>Registers a terminal for an elder already read for the caller (also the demo seed, with a fixed id and secret).</summary>
    public async Task<TerminalCredentials> RegisterForAsync(CallContext call, StoredElder elder, TerminalKind kind, string? name, int? heartbeatSeconds,
        string? fixedId = null, string? fixedSecret = null)
    {
        var ct = call.Cancellation;
        var heartbeat = heartbeatSeconds is { } s ? TimeSpan.FromSeconds(s) : AlarmTerminal.DefaultHeartbeatInterval(kind);
        var label = string.IsNullOrEmpty(name) ? $"{kind.ChineseName()}（{Masking.MaskName(elder.Elder.Name)}）" : name;
        var credentials = await devices.RegisterTerminalAsync(call, elder.Elder.Id, elder.Jurisdiction, kind.DeviceKindOf(), label, heartbeat, fixedId, fixedSecret);
        var device = credentials.Device;
        var table = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var due = DueKey(device.RegisteredAt + heartbeat + options.Value.SilenceGrace, device.Id);
        await table.UpsertEntityAsync(new TableEntity(DuePartition, due) { ["ElderId"] = elder.Elder.Id }, TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(new TableEntity(elder.Elder.Id, device.Id) { ["DueKey"] = due }, TableUpdateMode.Replace, ct);
        return new TerminalCredentials(ViewOf(device, null), credentials.Secret, "/api/devices/token", credentials.Note);
    }

    public async Task<Result<IReadOnlyList<TerminalView>>> ListAsync(CallContext call, string elderId)
    {
        var elder = await elderService.ReadForAsync(call, elderId, "elderly.terminal.list");
        if (elder.Problem is { } p) return p;
        var ct = call.Cancellation;
        var table = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var views = new List<TerminalView>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {elderId}"), cancellationToken: ct))
            if (await devices.FindAsync(row.RowKey, ct) is { } device) views.Add(ViewOf(device, row));
        return Result.Ok<IReadOnlyList<TerminalView>>(views.OrderBy(v => v.RegisteredAt).ToList());
    }

    public async Task<Result<TerminalView>> RevokeAsync(CallContext call, string elderId, string terminalId)
    {
        var elder = await elderService.ReadForAsync(call, elderId, "elderly.terminal.revoke");
        if (elder.Problem is { } p) return p;
        var ct = call.Cancellation;
        var table = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var row = await RowAsync(table, elderId, terminalId, ct);
        if (row is null) return NotFound();
        var revoked = await devices.RevokeAsync(call, terminalId);
        if (revoked.Problem is { } q) return q;
        if (row.GetString("DueKey") is { } due) await DeleteQuietlyAsync(table, DuePartition, due, ct);
        await audit.AppendAsync(call.Caller, new AuditEvent("elderly.terminal.revoke", AuditOutcome.Success, elderId, Detail: terminalId), call.RequestId, ct);
        return Result.Ok(ViewOf(revoked.Value!, row));
    }

    /// <summary>
    /// The elder died (a life event, run by the platform): every 平安通 terminal bound to them is revoked in the device registry
    /// and leaves the heartbeat due index, so no welfare check is raised for its silence. Returns how many were still active (0
    /// the second time).
    /// </summary>
    internal async Task<int> UnbindForDeathAsync(string elderId, string requestId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        var unbound = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {elderId}"), cancellationToken: ct))
        {
            if (await devices.FindAsync(row.RowKey, ct) is { } device && device.Status != DeviceStatus.Revoked)
            {
                if ((await devices.RevokeBySystemAsync(row.RowKey, requestId, ct)).Problem is not null) continue;
                unbound++;
                await audit.AppendAsync(null, new AuditEvent("elderly.terminal.revoke", AuditOutcome.Success, elderId, Detail: $"{row.RowKey}:elderDied"), requestId, ct);
            }
            if (row.GetString("DueKey") is { } due) await DeleteQuietlyAsync(table, DuePartition, due, ct);
        }
        return unbound;
    }

    /// <summary>The terminal as the domain sees it (null when it is not an alarm terminal bound to an elder).</summary>
    public static AlarmTerminal? TerminalOf(DeviceView device) =>
        device.Kind.TerminalKindOf() is { } kind && device.Binding is { ElderId: { } elderId } binding
            ? new AlarmTerminal(device.Id, elderId, kind, TimeSpan.FromSeconds(binding.HeartbeatSeconds ?? (int)AlarmTerminal.DefaultHeartbeatInterval(kind).TotalSeconds),
                device.RegisteredAt, device.LastSeenAt)
            : null;

    /// <summary>
    /// After a sign of life: keeps a maintenance note (low battery). The heartbeat due index is not moved on every sign of life
    /// (that was three writes per heartbeat): its row stays at the due time it had, and the welfare-check timer, meeting a row whose
    /// terminal was heard from meanwhile, moves it to the new due time (<see cref="MoveDueAsync"/>). The battery level is the
    /// registry's (<see cref="DeviceView.Battery"/>).
    /// </summary>
    public async Task RecordSignOfLifeAsync(AlarmTerminal terminal, string? maintenanceNote, CancellationToken ct)
    {
        if (maintenanceNote is null) return;
        var table = await tables.GetAsync(TableNames.ElderlyTerminals, ct);
        await table.UpsertEntityAsync(new TableEntity(terminal.ElderId, terminal.Id) { ["MaintenanceNote"] = maintenanceNote, ["MaintenanceAt"] = clock.GetUtcNow() },
            TableUpdateMode.Merge, ct);
    }

    /// <summary>Moves a terminal's row in the due index from <paramref name="oldKey"/> to <paramref name="due"/> (new row first, then the old one goes).</summary>
    public static async Task MoveDueAsync(TableClient table, AlarmTerminal terminal, string oldKey, DateTimeOffset due, CancellationToken ct)
    {
        var key = DueKey(due, terminal.Id);
        if (key == oldKey) return;
        await table.UpsertEntityAsync(new TableEntity(DuePartition, key) { ["ElderId"] = terminal.ElderId }, TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(new TableEntity(terminal.ElderId, terminal.Id) { ["DueKey"] = key }, TableUpdateMode.Merge, ct);
        await DeleteQuietlyAsync(table, DuePartition, oldKey, ct);
    }

    public static string DueKey(DateTimeOffset due, string terminalId) =>
        due.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "|" + terminalId;

    static async Task<TableEntity?> RowAsync(TableClient table, string elderId, string terminalId, CancellationToken ct)
    {
        if (terminalId.Length is 0 or > 64 || !terminalId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return null;
        var found = await table.GetEntityIfExistsAsync<TableEntity>(elderId, terminalId, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    public static async Task DeleteQuietlyAsync(TableClient table, string pk, string rk, CancellationToken ct)
    {
        try { await table.DeleteEntityAsync(pk, rk, ETag.All, ct); }
        catch (RequestFailedException e) when (e.Status == 404) { }
    }

    static TerminalView ViewOf(DeviceView d, TableEntity? row) => new(d.Id, d.Binding?.ElderId ?? "", d.Name, d.Kind.TerminalKindOf() ?? TerminalKind.OneButton, d.Status,
        d.Binding?.HeartbeatSeconds ?? 0, d.RegisteredAt, d.LastSeenAt, d.RevokedAt, d.Battery, row?.GetString("MaintenanceNote"));
}
