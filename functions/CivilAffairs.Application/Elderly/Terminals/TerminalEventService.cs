using CivilAffairs.Application.Disaster.Supplies;
using FieldError = CivilAffairs.Domain.Catalog.FieldError;
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
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;


namespace CivilAffairs.Application.Elderly.Terminals;

/// <summary>
/// Terminal traffic (<c>POST /api/elderly/terminal-events</c>, device token of an alarm terminal). Every event is a sign of life
/// (<see cref="AlarmTerminal.Receive"/>); an urgent one (press, fall, smoke, gas) raises an alarm for the operators — unless the
/// elder died or the alarm service ended (409, no alarm); low battery leaves a maintenance note. Idempotent per terminal and
/// event id: an urgent event's alarm has an id derived from both (<see cref="AlarmIdOf"/>), any other event leaves a row in table
/// <c>ElderlyTerminalEvents</c> (PK terminal id, RK event id); a replay finds either and answers it again.
/// </summary>
public sealed class TerminalEventService(Tables tables, DeviceService devices, TerminalService terminals, ElderRepository elders, AlarmService alarms, AlarmRepository alarmStore,
    AuditLog audit, IOptions<TerminalOptions> options, TimeProvider clock)
{
    public async Task<Result<TerminalEventResult>> ReportAsync(CallContext call, TerminalEventReport body)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (body.EventId is not { Length: > 0 and <= 64 } eventId || !eventId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            errors.Add(new FieldError("eventId", "请提供终端事件编号（1–64 个字母、数字或 -_.:）。"));
        if (body.Kind is null) errors.Add(new FieldError("kind", "请提供事件类型：press、fall、smoke、gas、lowBattery 或 heartbeat。"));
        if (body.At is null) errors.Add(new FieldError("at", "请提供事件发生时间（ISO 8601，含时区）。"));
        GeoPoint? position = null;
        var reported = body.Position;
        if (reported is { } pos)
        {
            if (pos is { Latitude: { } lat, Longitude: { } lon } && GeoPoint.TryCreate(lat, lon, out var p)) position = p;
            else errors.Add(new FieldError("position", "位置须为 {latitude, longitude}（WGS-84）。"));
        }
        if (body.Battery is { } battery && battery is < 0 or > 100) errors.Add(new FieldError("battery", "电量须为 0–100。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var check = await devices.CheckAsync(caller, DeviceArea.Elderly, ct);
        if (check is not DeviceCheck.Active { Device: var device })
            return check switch
            {
                DeviceCheck.Revoked => new Problem(401, "DEVICE_REVOKED", "终端已被吊销", "该终端已被吊销，其令牌不再有效；如需继续使用请由社区工作人员重新登记。"),
                DeviceCheck.WrongArea => new Problem(403, "DEVICE_WRONG_AREA", "设备不能使用该接口", "该设备不是平安通呼叫终端，不能上报终端事件。"),
                _ => new Problem(403, "TERMINAL_NOT_REGISTERED", "终端未登记", "该设备未登记为平安通呼叫终端。"),
            };
        if (TerminalService.TerminalOf(device) is not { } terminal)
            return new Problem(403, "TERMINAL_NOT_REGISTERED", "终端未登记", "该终端未绑定老人。");

        var kind = body.Kind!.Value;
        var ev = new TerminalEvent(terminal.Id, kind, body.At!.Value);
        var received = terminal.Receive(ev, clock, options.Value.ClockSkew);
        if (!received.Accepted) return Problem.Rejected(received.Rejections);
        var alive = received.Value;

        if (kind.IsUrgent())
        {
            // The alarm's id is derived from the terminal and its event id, so a replay (or a retry after a crash) finds the same
            // alarm with one point read, and the press reaches the desks after four storage calls: device, alarm, elder, the alarm's
            // commit. The sign of life is written after the push.
            var alarmId = AlarmIdOf(terminal.Id, body.EventId!);
            if (await alarmStore.GetAsync(alarmId, ct) is { } replayed)
                return Answer(new TerminalEventResult(terminal.Id, body.EventId!, replayed.Record.Alarm.Trigger, alarmId, device.LastSeenAt, null, Replayed: true));
            if (await elders.GetAsync(terminal.ElderId, ct) is not { } elder)
                return Problem.Conflict("ELDER_NOT_FOUND", "老人档案不存在", "终端绑定的老人档案不存在，无法生成告警。");
            var active = ServiceLifecycle.Check(elder.EnrolmentFor(ElderCareService.AlarmService), elder.Elder.DiedOn, ChinaTime.Today(clock), ElderCareService.AlarmService);
            if (!active.Accepted)
            {
                await devices.TouchAsync(device, alive.LastSeenAt ?? ev.At, body.Battery, ct);
                await audit.AppendAsync(caller, new AuditEvent("elderly.terminal.event", AuditOutcome.Denied, elder.Elder.Id, Detail: $"{terminal.Id}:{active.Rejection!.Code}"), requestId, ct);
                return Problem.Rejected(active.Rejections);
            }
            var alarm = await alarms.RaiseAsync(alarmId, alive, ev, elder, reported, body.Battery, ct);
            await devices.TouchAsync(device, alive.LastSeenAt ?? ev.At, body.Battery, ct);
            return Answer(new TerminalEventResult(terminal.Id, body.EventId!, kind, alarm.Id, alive.LastSeenAt, null, Replayed: false));
        }

        // Other events: the event row (PK terminal, RK event id) is the replay guard, added once.
        var note = kind == TerminalEventKind.LowBattery ? $"终端电量低（{body.Battery?.ToString() ?? "未知"}%），请安排更换电池或充电。" : null;
        var events = await tables.GetAsync(TableNames.ElderlyTerminalEvents, ct);
        if (!await TryAddAsync(events, new TableEntity(terminal.Id, body.EventId!) { ["Kind"] = kind.ToString(), ["ReceivedAt"] = clock.GetUtcNow(), ["Note"] = note }, ct))
        {
            var seen = (await events.GetEntityAsync<TableEntity>(terminal.Id, body.EventId!, cancellationToken: ct)).Value;
            return Answer(new TerminalEventResult(terminal.Id, body.EventId!, Enum.Parse<TerminalEventKind>(seen.GetString("Kind")), null,
                device.LastSeenAt, seen.GetString("Note"), Replayed: true));
        }
        // Every event is a sign of life.
        await devices.TouchAsync(device, alive.LastSeenAt ?? ev.At, body.Battery, ct);
        await terminals.RecordSignOfLifeAsync(alive, note, ct);
        return Answer(new TerminalEventResult(terminal.Id, body.EventId!, kind, null, alive.LastSeenAt, note, Replayed: false));
    }

    /// <summary>The alarm an urgent terminal event raises: the same for every delivery of the event.</summary>
    public static string AlarmIdOf(string terminalId, string eventId) => Ids.Derived("elderly.alarm", terminalId, eventId);

    static Result<TerminalEventResult> Answer(TerminalEventResult result) =>
        result.AlarmId is { } id ? Result.Accepted(result, $"/api/elderly/alarms/{id}") : Result.Ok(result);

    static async Task<bool> TryAddAsync(TableClient table, TableEntity entity, CancellationToken ct)
    {
        try { await table.AddEntityAsync(entity, ct); return true; }
        catch (RequestFailedException e) when (e.Status == 409) { return false; }
    }
}
