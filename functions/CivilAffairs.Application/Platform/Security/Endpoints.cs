using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Security;

/// <summary>The HTTP function requires an authenticated caller whose role grants this permission.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequirePermissionAttribute(Permission permission) : Attribute
{
    public Permission Permission { get; } = permission;
}

/// <summary>The HTTP function is deliberately public (no token). Rate-limited per caller.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
    /// <summary>A login endpoint: a stricter per-caller rate limit.</summary>
    public bool Login { get; init; }
}

/// <summary>An operations endpoint protected by the host's master key (authLevel Admin), not by user tokens.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OperationsEndpointAttribute : Attribute;
