using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Devices;

/// <summary>
/// The registry of disaster field devices (drones, grid workers' phones, sensors). Staff register a device in their
/// jurisdiction and get a one-time secret; the device exchanges id + secret for a short-lived platform token (role
/// <c>device</c>, channel = device id). The secret is stored only as HMAC-SM3 under a key derived from the master keys.
/// Every upload call checks the device again (<see cref="CheckAsync"/>), so a revoked device's unexpired token stops
/// working at once.
/// </summary>
/// <remarks>
/// Table <c>DisasterDevices</c>, PartitionKey = device id: RowKey <c>device</c> holds the device and its used bytes;
/// RowKey <c>usage.{uploadId}</c> one row per committed upload, written in the same transaction as the used-bytes
/// update so a retried commit never counts twice.
/// </remarks>
public sealed class DeviceService(Tables tables, KeyRing keys, PlatformTokenIssuer tokens, DivisionDirectory divisions, AuditLog audit, Lockout lockout,
    IOptions<UploadOptions> options, TimeProvider clock)
{
    const string DeviceRow = "device";
    const string SecretPurpose = "civilaffairs/device-secret/v1";

    public static Problem NotFound() => Problem.NotFound("DEVICE_NOT_FOUND", "设备不存在", "没有找到该设备，或不在您的管辖范围内。");

    public async Task<Result<DeviceCredentials>> RegisterAsync(CallContext call, DeviceRegistration request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 60 || name.Any(char.IsControl))
            errors.Add(new FieldError("name", "请填写设备名称（不超过 60 个字符）。"));
        if (request.Kind is null) errors.Add(new FieldError("kind", "请选择设备类型：drone、phone 或 sensor。"));
        else if (request.Kind.Value.AreaOf() != DeviceArea.Disaster)
            errors.Add(new FieldError("kind", "平安通终端请在老人档案下登记（POST /api/elderly/elders/{elderId}/terminals）。"));
        if (!Jurisdiction.IsWellFormed(request.Jurisdiction) || divisions.Find(request.Jurisdiction) is null)
            errors.Add(new FieldError("jurisdiction", "请填写设备所属的行政区划代码（6、9 或 12 位）。"));
        if (request.QuotaBytes is { } q && (q <= 0 || q > 1L << 44))
            errors.Add(new FieldError("quotaBytes", "上传配额须为正数（字节）。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (caller.Jurisdiction is null || !Jurisdiction.Contains(caller.Jurisdiction, request.Jurisdiction!))
            return Problem.OutOfJurisdiction("只能为本人管辖范围内的单位登记设备。");

        var id = Ids.New(clock);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var entity = new TableEntity(id, DeviceRow)
        {
            ["Name"] = name,
            ["Kind"] = request.Kind!.Value.ToString(),
            ["Jurisdiction"] = request.Jurisdiction,
            ["QuotaBytes"] = request.QuotaBytes ?? options.Value.DefaultDeviceQuotaBytes,
            ["UsedBytes"] = 0L,
            ["SecretHash"] = await HashAsync(id, secret, ct),
            ["Status"] = DeviceStatus.Active.ToString(),
            ["RegisteredAt"] = now,
            ["RegisteredBy"] = caller.Subject,
        };
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        await table.AddEntityAsync(entity, ct);
        await audit.AppendAsync(caller, new AuditEvent("disaster.device.register", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Created(new DeviceCredentials(ViewOf(entity), secret,
            "设备密钥只显示这一次，请立即写入设备；遗失后须吊销并重新登记。"), $"/api/disaster/devices/{id}");
    }

    /// <summary>
    /// Registers a device with a fixed id and no secret (it cannot get a platform token itself): the one-machine
    /// runtime's demo device, whose tokens come from the development identity provider. Does nothing when present.
    /// </summary>
    public async Task SeedAsync(string id, string name, DeviceKind kind, string jurisdiction, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        if ((await table.GetEntityIfExistsAsync<TableEntity>(id, DeviceRow, cancellationToken: ct)).HasValue) return;
        await table.UpsertEntityAsync(new TableEntity(id, DeviceRow)
        {
            ["Name"] = name,
            ["Kind"] = kind.ToString(),
            ["Jurisdiction"] = jurisdiction,
            ["QuotaBytes"] = options.Value.DefaultDeviceQuotaBytes,
            ["UsedBytes"] = 0L,
            ["Status"] = DeviceStatus.Active.ToString(),
            ["RegisteredAt"] = clock.GetUtcNow(),
            ["RegisteredBy"] = "seed",
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Registers a 平安通 alarm terminal bound to an elder (area <c>elderly</c>) in the elder's jurisdiction. The caller has
    /// already been checked against the elder (the elderly service reads the elder for them); answers the one-time secret.
    /// </summary>
    public async Task<DeviceCredentials> RegisterTerminalAsync(CallContext call, string elderId, string jurisdiction, DeviceKind kind, string name,
        TimeSpan heartbeat, string? fixedId = null, string? fixedSecret = null)
    {
        if (kind.AreaOf() != DeviceArea.Elderly) throw new ArgumentOutOfRangeException(nameof(kind), "Not an alarm terminal kind.");
        var ct = call.Cancellation;
        var id = fixedId ?? Ids.New(clock);
        var secret = fixedSecret ?? Base64Url(RandomNumberGenerator.GetBytes(32));
        var entity = new TableEntity(id, DeviceRow)
        {
            ["Name"] = name,
            ["Kind"] = kind.ToString(),
            ["Jurisdiction"] = jurisdiction,
            ["QuotaBytes"] = 0L,
            ["UsedBytes"] = 0L,
            ["SecretHash"] = await HashAsync(id, secret, ct),
            ["Status"] = DeviceStatus.Active.ToString(),
            ["RegisteredAt"] = clock.GetUtcNow(),
            ["RegisteredBy"] = call.Principal?.Subject ?? "seed",
            ["Area"] = DeviceArea.Elderly.ToString(),
            ["ElderId"] = elderId,
            ["HeartbeatSeconds"] = (int)heartbeat.TotalSeconds,
        };
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        await table.AddEntityAsync(entity, ct);
        await audit.AppendAsync(call.Principal, new AuditEvent("elderly.terminal.register", AuditOutcome.Success, Detail: $"{id}:{elderId}"), call.RequestId, ct);
        return new DeviceCredentials(ViewOf(entity), secret, "终端密钥只显示这一次，请立即写入终端；遗失后须吊销并重新登记。");
    }

    /// <summary>The device as stored (no scope check: for the platform's own work, e.g. terminal events and welfare checks).</summary>
    public async Task<DeviceView?> FindAsync(string id, CancellationToken ct) => await EntityAsync(id, ct) is { } e ? ViewOf(e) : null;

    /// <summary>Moves a terminal's last sign of life forward (never back) and keeps its latest battery level. Returns the stored view.</summary>
    public async Task<DeviceView?> TouchAsync(string id, DateTimeOffset lastSeenAt, int? battery, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        return await Optimistic.RetryAsync<DeviceView?>($"device {id} touch", async () =>
        {
            var entity = await EntityAsync(id, ct);
            if (entity is null) return null;
            var changed = false;
            if (entity.GetDateTimeOffset("LastSeenAt") is not { } last || last < lastSeenAt) { entity["LastSeenAt"] = lastSeenAt; changed = true; }
            if (battery is { } b) { entity["Battery"] = b; entity["BatteryAt"] = clock.GetUtcNow(); changed = true; }
            if (changed) await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
            return ViewOf(entity);
        }, ct);
    }

    /// <summary>
    /// As <see cref="TouchAsync(string, DateTimeOffset, int?, CancellationToken)"/> for a device just read (<see cref="CheckAsync(Caller, DeviceArea, CancellationToken)"/>):
    /// one conditional merge on the version that was read; only when someone changed the row meanwhile is it read again.
    /// </summary>
    public async Task TouchAsync(DeviceView seen, DateTimeOffset lastSeenAt, int? battery, CancellationToken ct)
    {
        var newer = seen.LastSeenAt is not { } last || last < lastSeenAt;
        if (!newer && battery is null) return;
        if (seen.ETag == default) { await TouchAsync(seen.Id, lastSeenAt, battery, ct); return; }
        var patch = new TableEntity(seen.Id, DeviceRow);
        if (newer) patch["LastSeenAt"] = lastSeenAt;
        if (battery is { } b) { patch["Battery"] = b; patch["BatteryAt"] = clock.GetUtcNow(); }
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        try { await table.UpdateEntityAsync(patch, seen.ETag, TableUpdateMode.Merge, ct); }
        catch (RequestFailedException e) when (e.Status == 412) { await TouchAsync(seen.Id, lastSeenAt, battery, ct); }
    }

    public async Task<Result<DeviceView>> GetAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var entity = await EntityAsync(id, ct);
        if (entity is null) return NotFound();
        if (!InScope(caller, entity))
        {
            await audit.AppendAsync(caller, new AuditEvent("disaster.device.read", AuditOutcome.Denied, Detail: $"{id}:outOfScope"), requestId, ct);
            return NotFound();
        }
        return Result.Ok(ViewOf(entity));
    }

    /// <summary>Revokes the device: its secret stops working and so does every token it already holds. Idempotent.</summary>
    public Task<Result<DeviceView>> RevokeAsync(CallContext call, string id) => RevokeAsync(call.Caller, id, call.RequestId, call.Cancellation);

    /// <summary>Revoked by the platform itself (e.g. the elder a terminal is bound to died): no scope check, audited as the system.</summary>
    public Task<Result<DeviceView>> RevokeBySystemAsync(string id, string requestId, CancellationToken ct) => RevokeAsync(null, id, requestId, ct);

    async Task<Result<DeviceView>> RevokeAsync(Caller? caller, string id, string requestId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        var result = await Optimistic.RetryAsync<Result<(DeviceView View, bool Changed)>>($"device {id}", async () =>
        {
            var entity = await EntityAsync(id, ct);
            if (entity is null) return NotFound();
            if (caller is not null && !InScope(caller, entity))
            {
                await audit.AppendAsync(caller, new AuditEvent("disaster.device.revoke", AuditOutcome.Denied, Detail: $"{id}:outOfScope"), requestId, ct);
                return NotFound();
            }
            if (entity.GetString("Status") == nameof(DeviceStatus.Revoked)) return Result.Ok((ViewOf(entity), false));
            entity["Status"] = DeviceStatus.Revoked.ToString();
            entity["RevokedAt"] = clock.GetUtcNow();
            entity["RevokedBy"] = caller?.Subject ?? "system";
            entity["SecretHash"] = null;
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
            return Result.Ok((ViewOf(entity), true));
        }, ct);
        if (result.Problem is { } problem) return problem;
        if (result.Value.Changed)
            await audit.AppendAsync(caller, new AuditEvent("disaster.device.revoke", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Ok(result.Value.View);
    }

    /// <summary>Exchanges a device's id and secret for a platform token. Unknown, wrong or revoked all answer alike.</summary>
    public async Task<Result<DeviceSession>> IssueTokenAsync(CallContext call, DeviceTokenRequest request)
    {
        var (requestId, ct) = (call.RequestId, call.Cancellation);
        var errors = new List<FieldError>();
        if (request.DeviceId is not { Length: > 0 and <= 64 }) errors.Add(new FieldError("deviceId", "请提供设备编号。"));
        if (request.Secret is not { Length: > 0 and <= 256 }) errors.Add(new FieldError("secret", "请提供设备密钥。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        // Guessing one device's secret is limited per device as well as per address (the address limit alone can be spread);
        // an id that names no device has nothing to guess and is not counted.
        var entity = await EntityAsync(request.DeviceId!, ct);
        var deviceKey = entity?.PartitionKey ?? request.DeviceId!;
        if (entity is not null && await lockout.CheckAsync(Lockout.DeviceSecret, deviceKey, ct) is { } locked) return locked;
        var stored = entity?.GetString("SecretHash");
        var presented = await HashAsync(deviceKey, request.Secret!, ct);
        var matches = stored is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(presented));
        if (!matches || entity!.GetString("Status") != nameof(DeviceStatus.Active))
        {
            await audit.AppendAsync(null, new AuditEvent("disaster.device.token", AuditOutcome.Denied, Detail: entity is null ? "unknown" : deviceKey), requestId, ct);
            if (entity is not null && await lockout.FailAsync(Lockout.DeviceSecret, deviceKey, requestId, ct) is { } nowLocked) return nowLocked;
            // Unknown device, wrong secret or revoked: one answer, so a caller cannot probe for device ids.
            return Problem.Unauthenticated("DEVICE_CREDENTIALS_INVALID", "设备认证失败", "设备编号或密钥不正确，或设备已被吊销。");
        }
        await lockout.ResetAsync(Lockout.DeviceSecret, deviceKey, ct);
        var (token, expiresAt) = await tokens.IssueDeviceTokenAsync(entity.PartitionKey, entity.GetString("Name"), entity.GetString("Jurisdiction"), ct);
        return Result.Ok(new DeviceSession(token, "Bearer", expiresAt, entity.PartitionKey));
    }

    /// <summary>The check every upload call makes for a device caller: registered and not revoked, now.</summary>
    public async Task<DeviceCheck> CheckAsync(Caller caller, CancellationToken ct) => await CheckAsync(caller, DeviceArea.Disaster, ct);

    /// <summary>The check every device call makes: registered, not revoked, now, and a device of <paramref name="area"/>.</summary>
    public async Task<DeviceCheck> CheckAsync(Caller caller, DeviceArea area, CancellationToken ct)
    {
        if (caller.Role != Role.Device || caller.Channel is not { Length: > 0 } id) return new DeviceCheck.NotRegistered();
        var entity = await EntityAsync(id, ct);
        if (entity is null) return new DeviceCheck.NotRegistered();
        if (entity.GetString("Status") != nameof(DeviceStatus.Active)) return new DeviceCheck.Revoked();
        var view = ViewOf(entity);
        return view.Kind.AreaOf() == area ? new DeviceCheck.Active(view) : new DeviceCheck.WrongArea(view);
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> of upload <paramref name="uploadId"/> against the device's quota, once: the used-bytes
    /// update and the usage row go in one transaction; a second call for the same upload finds the row and does nothing.
    /// </summary>
    public async Task<QuotaReservation> ReserveAsync(string deviceId, string uploadId, long bytes, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        // A conflict means someone else changed the device (another commit) or counted this upload meanwhile: look again.
        return await Optimistic.RetryAsync<QuotaReservation>($"device {deviceId} quota", async () =>
        {
            if ((await table.GetEntityIfExistsAsync<TableEntity>(deviceId, UsageRow(uploadId), cancellationToken: ct)).HasValue)
                return new QuotaReservation.Reserved();
            var device = await EntityAsync(deviceId, ct) ?? throw new InvalidOperationException("Device missing.");
            var used = device.GetInt64("UsedBytes") ?? 0;
            var quota = device.GetInt64("QuotaBytes") ?? 0;
            if (used + bytes > quota) return new QuotaReservation.Exceeded(used, quota);
            var update = new TableEntity(deviceId, DeviceRow) { ["UsedBytes"] = used + bytes };
            var usage = new TableEntity(deviceId, UsageRow(uploadId)) { ["Bytes"] = bytes, ["At"] = clock.GetUtcNow() };
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, update, device.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, usage),
            ], ct);
            return new QuotaReservation.Reserved();
        }, ct);
    }

    /// <summary>Gives back the quota of an upload that was refused after its reservation. Idempotent.</summary>
    public async Task ReleaseAsync(string deviceId, string uploadId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        await Optimistic.RetryAsync($"device {deviceId} quota", async () =>
        {
            var usage = await table.GetEntityIfExistsAsync<TableEntity>(deviceId, UsageRow(uploadId), cancellationToken: ct);
            if (!usage.HasValue) return;
            var device = await EntityAsync(deviceId, ct) ?? throw new InvalidOperationException("Device missing.");
            var used = Math.Max(0, (device.GetInt64("UsedBytes") ?? 0) - (usage.Value!.GetInt64("Bytes") ?? 0));
            await table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(deviceId, DeviceRow) { ["UsedBytes"] = used }, device.ETag),
                new TableTransactionAction(TableTransactionActionType.Delete, usage.Value, usage.Value.ETag),
            ], ct);
        }, ct);
    }

    async Task<TableEntity?> EntityAsync(string id, CancellationToken ct)
    {
        if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return null;
        var table = await tables.GetAsync(TableNames.DisasterDevices, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, DeviceRow, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    static bool InScope(Caller caller, TableEntity device) =>
        AccessPolicy.InScope(caller, new ResourceScope(device.GetString("Jurisdiction"), Channel: device.PartitionKey));

    async Task<string> HashAsync(string deviceId, string secret, CancellationToken ct)
    {
        var key = (await keys.GetAsync(ct)).DeriveKey(SecretPurpose, 32);
        return Convert.ToHexStringLower(HmacSm3.Compute(key, Encoding.UTF8.GetBytes(deviceId + "\n" + secret)));
    }

    static string UsageRow(string uploadId) => "usage." + uploadId;

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static DeviceView ViewOf(TableEntity e)
    {
        var kind = Enum.Parse<DeviceKind>(e.GetString("Kind"));
        var binding = kind.AreaOf() == DeviceArea.Elderly ? new DeviceBinding(DeviceArea.Elderly, e.GetString("ElderId"), e.GetInt32("HeartbeatSeconds")) : null;
        return new(e.PartitionKey, e.GetString("Name"), kind,
            e.GetString("Jurisdiction"), e.GetInt64("QuotaBytes") ?? 0, e.GetInt64("UsedBytes") ?? 0, Enum.Parse<DeviceStatus>(e.GetString("Status")),
            e.GetDateTimeOffset("RegisteredAt") ?? default, e.GetDateTimeOffset("RevokedAt"), binding, e.GetDateTimeOffset("LastSeenAt"), e.GetInt32("Battery"))
            { ETag = e.ETag };
    }
}
