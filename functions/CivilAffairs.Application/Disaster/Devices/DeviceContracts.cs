using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Disaster.Devices;

/// <summary>What kind of field device it is.</summary>
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
}

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
    DeviceStatus Status, DateTimeOffset RegisteredAt, DateTimeOffset? RevokedAt);

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
}

/// <summary>Result of reserving quota for one upload.</summary>
public abstract record QuotaReservation
{
    public sealed record Reserved : QuotaReservation;
    public sealed record Exceeded(long UsedBytes, long QuotaBytes) : QuotaReservation;
}
