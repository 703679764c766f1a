using System.Security.Claims;
using CivilAffairs.Domain.Platform;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.Application.Platform.Security;

/// <summary>The key the platform signs its own (citizen) tokens with, derived from the master keys.</summary>
public sealed class PlatformSigningKey(Func<CancellationToken, Task<byte[]>> source)
{
    readonly SemaphoreSlim gate = new(1, 1);
    SymmetricSecurityKey? key;

    public async Task<SymmetricSecurityKey> GetAsync(CancellationToken ct)
    {
        if (key is not null) return key;
        await gate.WaitAsync(ct);
        try { return key ??= new SymmetricSecurityKey(await source(ct)) { KeyId = "platform-1" }; }
        finally { gate.Release(); }
    }
}

/// <summary>
/// Issues and validates the platform's own tokens: citizens signed in through WeChat and registered
/// disaster field devices get one of these (staff tokens come from Entra ID). HMAC-SHA256 with a key derived from the platform's
/// master key material; short-lived.
/// </summary>
public sealed class PlatformTokenIssuer(PlatformSigningKey signingKey, TimeProvider clock) : ITrustedIssuer
{
    public const string IssuerName = "urn:civilaffairs:platform";
    public const string Audience = "urn:civilaffairs:api";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    public string Issuer => IssuerName;

    public async Task<TokenValidationParameters> GetValidationParametersAsync(CancellationToken ct) => new()
    {
        ValidIssuer = IssuerName,
        ValidAudience = Audience,
        IssuerSigningKey = await signingKey.GetAsync(ct),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueCitizenTokenAsync(string accountId, string displayName, string? personId, CancellationToken ct)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = accountId,
            [ClaimNames.Name] = displayName,
            [ClaimNames.Role] = ClaimNames.RoleValue(Role.Citizen),
        };
        if (personId is not null) claims[ClaimNames.PersonId] = personId;
        return await IssueAsync(claims, ct);
    }

    /// <summary>
    /// A token for a registered field device (disaster relief): role <c>device</c>, subject and channel = the device id,
    /// plus the device's jurisdiction. Whether the device is still registered is checked again on every call that uses it.
    /// </summary>
    public Task<(string Token, DateTimeOffset ExpiresAt)> IssueDeviceTokenAsync(string deviceId, string displayName, string? jurisdiction, CancellationToken ct)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = deviceId,
            [ClaimNames.Name] = displayName,
            [ClaimNames.Role] = ClaimNames.RoleValue(Role.Device),
            [ClaimNames.Channel] = deviceId,
        };
        if (jurisdiction is not null) claims[ClaimNames.Jurisdiction] = jurisdiction;
        return IssueAsync(claims, ct);
    }

    async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(Dictionary<string, object> claims, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IssuerName,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + Lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(await signingKey.GetAsync(ct), SecurityAlgorithms.HmacSha256),
        });
        return (token, now + Lifetime);
    }
}
