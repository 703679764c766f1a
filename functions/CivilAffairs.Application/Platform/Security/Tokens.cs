using System.Security.Claims;
using CivilAffairs.Domain.Platform;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Configuration;

namespace CivilAffairs.Application.Platform.Security;

/// <summary>Claim names of platform-issued and development tokens.</summary>
public static class ClaimNames
{
    public const string Role = "role";
    public const string Roles = "roles";
    public const string Jurisdiction = "jurisdiction";
    public const string PersonId = "pid";
    public const string Channel = "channel";
    public const string Name = "name";
    public const string ObjectId = "oid";

    public static string RoleValue(Role role) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(role.ToString());

    public static Role? ParseRole(string? value) =>
        Enum.TryParse<Role>(value, ignoreCase: true, out var role) && !int.TryParse(value, out _) ? role : null;
}

/// <summary>An issuer whose tokens the platform accepts.</summary>
public interface ITrustedIssuer
{
    string Issuer { get; }
    Task<TokenValidationParameters> GetValidationParametersAsync(CancellationToken ct);
}

/// <summary>Staff tokens from Microsoft Entra ID (OIDC metadata for signing keys; app roles carry the role).</summary>
public sealed class EntraIssuer : ITrustedIssuer
{
    readonly ConfigurationManager<OpenIdConnectConfiguration> metadata;
    readonly string audience;

    public EntraIssuer(IConfiguration configuration)
    {
        var section = configuration.GetSection("Identity:Entra");
        var authority = $"{section["Instance"]!.TrimEnd('/')}/{section["TenantId"]}/v2.0";
        Issuer = authority;
        audience = section["Audience"]!;
        metadata = new ConfigurationManager<OpenIdConnectConfiguration>($"{authority}/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever());
    }

    public string Issuer { get; }

    public async Task<TokenValidationParameters> GetValidationParametersAsync(CancellationToken ct)
    {
        var config = await metadata.GetConfigurationAsync(ct);
        return new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudiences = [audience, $"api://{audience}"],
            IssuerSigningKeys = config.SigningKeys,
            ClockSkew = TimeSpan.FromMinutes(2),
        };
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Identity:Entra:TenantId"]) && !string.IsNullOrWhiteSpace(configuration["Identity:Entra:Audience"]);
}

/// <summary>
/// Checks a validated caller against current state (a token outlives the facts it was issued on, e.g. a real-name binding
/// released since): returns the caller as it stands now, or null to refuse the token.
/// </summary>
public interface ICallerRevalidation
{
    ValueTask<Caller?> RevalidateAsync(Caller caller, CancellationToken ct);
}

/// <summary>Validates bearer tokens against the trusted issuers and turns them into a <see cref="Caller"/>.</summary>
public sealed class TokenValidator(IEnumerable<ITrustedIssuer> issuers, IEnumerable<ICallerRevalidation> revalidations)
{
    readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    readonly IReadOnlyDictionary<string, ITrustedIssuer> byIssuer = issuers.ToDictionary(i => i.Issuer, StringComparer.Ordinal);

    /// <summary>Null when the token is missing, malformed, expired, forged or from an unknown issuer.</summary>
    public async Task<Caller?> ValidateAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || !handler.CanReadToken(token)) return null;
        string issuer;
        try { issuer = handler.ReadJsonWebToken(token).Issuer; }
        catch (ArgumentException) { return null; }
        if (!byIssuer.TryGetValue(issuer, out var trusted)) return null;

        var result = await handler.ValidateTokenAsync(token, await trusted.GetValidationParametersAsync(ct));
        if (!result.IsValid) return null;
        var caller = ToCaller(result.ClaimsIdentity, issuer);
        foreach (var check in revalidations)
            if (caller is not null) caller = await check.RevalidateAsync(caller, ct);
        return caller;
    }

    static Caller? ToCaller(ClaimsIdentity identity, string issuer)
    {
        string? Claim(string type) => identity.FindFirst(type)?.Value;
        var role = ClaimNames.ParseRole(Claim(ClaimNames.Role))
            ?? identity.FindAll(ClaimNames.Roles).Select(c => ClaimNames.ParseRole(c.Value)).FirstOrDefault(r => r is not null);
        var subject = Claim(ClaimNames.ObjectId) ?? Claim(JwtRegisteredClaimNames.Sub);
        if (role is null || subject is null) return null;
        var jurisdiction = Claim(ClaimNames.Jurisdiction);
        if (jurisdiction is not null && !Domain.Platform.Jurisdiction.IsWellFormed(jurisdiction)) return null;
        // Staff must carry a jurisdiction; citizens a person once real-name bound; partners/devices a channel.
        return new Caller(subject, Claim(ClaimNames.Name) ?? subject, role.Value, jurisdiction, Claim(ClaimNames.PersonId), Claim(ClaimNames.Channel), issuer);
    }
}
