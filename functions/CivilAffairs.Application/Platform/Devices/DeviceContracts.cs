using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Platform.Devices;

/// <summary>What kind of device it is: disaster field devices, or 平安通 alarm terminals (area <c>elderly</c>).</summary>
public enum DeviceKind
{
    /// <summary>无人机.</summary>
    Drone,
    /// <summary>网格员手机.</summary>
    Phone,
    /// <summary>传感器.</summary>
    Sensor,
    /// <summary>长者饭堂助餐终端 (registered with its meal point, <c>Elderly/Meals</c>).</summary>
    MealTerminal,
    /// <summary>平安通一键呼叫终端.</summary>
    AlarmButton,
    /// <summary>平安通手机应用.</summary>
    AlarmApp,
    /// <summary>平安通智能传感器（跌倒、烟感、燃气）.</summary>
    AlarmSensor,
}

/// <summary>The service area a device works for: its token is accepted only on that area's device endpoints.</summary>
public enum DeviceArea
{
    /// <summary>救灾现场设备: uploads.</summary>
    Disaster,
    /// <summary>平安通终端: terminal events.</summary>
    Elderly,
}

public static class DeviceKinds
{
    /// <summary>The area a kind belongs to.</summary>
    public static DeviceArea AreaOf(this DeviceKind kind) => kind is DeviceKind.AlarmButton or DeviceKind.AlarmApp or DeviceKind.AlarmSensor ? DeviceArea.Elderly : DeviceArea.Disaster;

    /// <summary>The domain's terminal kind of an alarm terminal; null for field devices.</summary>
    public static TerminalKind? TerminalKindOf(this DeviceKind kind) => kind switch
    {
        DeviceKind.AlarmButton => TerminalKind.OneButton,
        DeviceKind.AlarmApp => TerminalKind.PhoneApp,
        DeviceKind.AlarmSensor => TerminalKind.SmartSensor,
        _ => null,
    };

    public static DeviceKind DeviceKindOf(this TerminalKind kind) => kind switch
    {
        TerminalKind.OneButton => DeviceKind.AlarmButton,
        TerminalKind.PhoneApp => DeviceKind.AlarmApp,
        _ => DeviceKind.AlarmSensor,
    };
}

/// <summary>What an alarm terminal is bound to: the elder it serves and how often it must report that it is alive.</summary>
public sealed record DeviceBinding(DeviceArea Area, string? ElderId, int? HeartbeatSeconds);

public enum DeviceStatus
{
    Active,
    Revoked,
}

/// <summary>Body of <c>POST /api/disaster/devices</c>.</summary>
/// <param name="Name">A label for staff (e.g. "天河区应急无人机 3 号"); never used in blob or queue names.</param>
/// <param name="Jurisdiction">The division the device works for (inside the registering officer's jurisdiction).</param>
/// <param name="QuotaBytes">Upload quota (sum of committed uploads); default from <c>Disaster:Uploads:DefaultDeviceQuotaBytes</c>.</param>
public sealed record DeviceRegistration(string? Name, DeviceKind? Kind, string? Jurisdiction, long? QuotaBytes);

/// <summary>A device as staff and the device see it (never the secret or its hash).</summary>
public sealed record DeviceView(string Id, string Name, DeviceKind Kind, string Jurisdiction, long QuotaBytes, long UsedBytes,
    DeviceStatus Status, DateTimeOffset RegisteredAt, DateTimeOffset? RevokedAt, DeviceBinding? Binding = null, DateTimeOffset? LastSeenAt = null,
    int? Battery = null)
{
    /// <summary>The registry row's version when this view was read (for <see cref="DeviceService.TouchAsync(DeviceView, DateTimeOffset, int?, CancellationToken)"/>); not serialised.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Azure.ETag ETag { get; init; }
}

/// <summary>Answer of a registration: the secret is shown this once and stored only as a keyed hash.</summary>
public sealed record DeviceCredentials(DeviceView Device, string Secret, string Note);

/// <summary>Body of <c>POST /api/disaster/devices/token</c>.</summary>
public sealed record DeviceTokenRequest(string? DeviceId, string? Secret);

/// <summary>A platform token for a device (role <c>device</c>, channel = device id).</summary>
public sealed record DeviceSession(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string DeviceId);

/// <summary>Whether a device caller may use the upload endpoints right now.</summary>
public abstract record DeviceCheck
{
    public sealed record Active(DeviceView Device) : DeviceCheck;
    public sealed record NotRegistered : DeviceCheck;
    public sealed record Revoked : DeviceCheck;
    /// <summary>Registered and active, but for another area (a terminal on the upload endpoints, a drone on the terminal endpoints).</summary>
    public sealed record WrongArea(DeviceView Device) : DeviceCheck;
}

/// <summary>Result of reserving quota for one upload.</summary>
public abstract record QuotaReservation
{
    public sealed record Reserved : QuotaReservation;
    public sealed record Exceeded(long UsedBytes, long QuotaBytes) : QuotaReservation;
}
