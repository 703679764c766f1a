using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>
/// Tokens for the SignalR service, as the Azure SignalR SDK makes them: JWT HS256 signed with the
/// UTF-8 bytes of the access key. REST calls carry <c>aud</c> = the request URL without query;
/// client tokens carry <c>aud</c> = the client URL (<c>.../client/?hub=x</c>) and <c>nameid</c> =
/// the user id. Without an access key, REST calls carry a Microsoft Entra token (scope
/// <c>https://signalr.azure.com/.default</c>) and client tokens are signed with a temporary key
/// the service hands out for that Entra identity (<c>GET /api/v1/auth/accessKey</c>, as the SDK
/// does).
/// </summary>
/// <remarks>Singleton: caches the Entra-issued key. Tokens are never logged.</remarks>
public sealed class SignalRTokens(IOptions<RealtimeOptions> options, TimeProvider clock, Func<TokenCredential> credential)
{
    public const string EntraScope = "https://signalr.azure.com/.default";
    public const string UserIdClaim = "nameid";
    static readonly TimeSpan EntraKeyRefresh = TimeSpan.FromMinutes(55);
    static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    readonly RealtimeOptions _options = options.Value;
    readonly SemaphoreSlim _entraKeyLock = new(1, 1);
    TokenCredential? _credential;
    (string KeyId, string Key, DateTimeOffset FetchedAt)? _entraKey;

    bool UsesAccessKey => !string.IsNullOrEmpty(_options.AccessKey);

    /// <summary>The Authorization header value for a REST call to <paramref name="requestUrl"/>.</summary>
    public async Task<AuthenticationHeaderValue> RestAuthorizationAsync(string requestUrl, CancellationToken ct)
    {
        if (UsesAccessKey)
            return new AuthenticationHeaderValue("Bearer", Sign(_options.AccessKey!, null, RestAudience(requestUrl), null, _options.RestTokenLifetime));
        var token = await Credential().GetTokenAsync(new TokenRequestContext([EntraScope]), ct);
        return new AuthenticationHeaderValue("Bearer", token.Token);
    }

    /// <summary>A client access token for <paramref name="clientUrl"/> identifying <paramref name="userId"/>.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> ClientTokenAsync(string clientUrl, string userId, HttpClient http, CancellationToken ct)
    {
        var expires = clock.GetUtcNow() + _options.ClientTokenLifetime;
        if (UsesAccessKey)
            return (Sign(_options.AccessKey!, null, clientUrl, userId, _options.ClientTokenLifetime), expires);
        var (keyId, key) = await EntraSigningKeyAsync(http, ct);
        return (Sign(key, keyId, clientUrl, userId, _options.ClientTokenLifetime), expires);
    }

    /// <summary>The REST audience: the request URL without query and trailing slash.</summary>
    public static string RestAudience(string requestUrl)
    {
        var q = requestUrl.IndexOf('?', StringComparison.Ordinal);
        return (q < 0 ? requestUrl : requestUrl[..q]).TrimEnd('/');
    }

    string Sign(string key, string? keyId, string audience, string? userId, TimeSpan lifetime)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        if (bytes.Length < 32)
            throw new RealtimeException("configuration", null, "SignalR:AccessKey is too short to sign HS256 tokens (at least 32 bytes).");
        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(bytes) { KeyId = keyId }, SecurityAlgorithms.HmacSha256),
        };
        if (userId is not null) descriptor.Claims = new Dictionary<string, object> { [UserIdClaim] = userId };
        return Handler.CreateToken(descriptor);
    }

    TokenCredential Credential() => _credential ??= credential();

    async Task<(string KeyId, string Key)> EntraSigningKeyAsync(HttpClient http, CancellationToken ct)
    {
        if (_entraKey is { } cached && clock.GetUtcNow() - cached.FetchedAt < EntraKeyRefresh) return (cached.KeyId, cached.Key);
        await _entraKeyLock.WaitAsync(ct);
        try
        {
            if (_entraKey is { } again && clock.GetUtcNow() - again.FetchedAt < EntraKeyRefresh) return (again.KeyId, again.Key);
            var url = _options.BaseUrl() + "/api/v1/auth/accessKey";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = await RestAuthorizationAsync(url, ct);
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new RealtimeException("getAccessKey", (int)response.StatusCode, $"SignalR refused to issue a signing key for the managed identity (HTTP {(int)response.StatusCode}).");
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var keyId = body.RootElement.TryGetProperty("KeyId", out var k) ? k.GetString() : null;
            var key = body.RootElement.TryGetProperty("AccessKey", out var a) ? a.GetString() : null;
            if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(key))
                throw new RealtimeException("getAccessKey", (int)response.StatusCode, "SignalR answered the signing-key request without KeyId/AccessKey.");
            _entraKey = (keyId, key, clock.GetUtcNow());
            return (keyId, key);
        }
        finally
        {
            _entraKeyLock.Release();
        }
    }
}
