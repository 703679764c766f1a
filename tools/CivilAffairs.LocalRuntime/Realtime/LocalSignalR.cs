using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.LocalRuntime.Realtime;

/// <summary>
/// The one-machine stand-in for Azure SignalR Service (serverless mode), served by the runtime's
/// own Kestrel from a real ASP.NET Core SignalR hub, with the service's shapes:
/// <list type="bullet">
/// <item>clients: <c>/client/?hub={hub}</c> and <c>/client/negotiate?hub={hub}</c>, access token
/// (Authorization header or <c>access_token</c> query) HS256-signed with the access key,
/// <c>aud</c> = the client URL, <c>nameid</c> = the user id;</item>
/// <item>REST (2022-06-01): <c>POST /api/hubs/{hub}/:send</c>, <c>/users/{user}/:send</c>,
/// <c>/groups/{group}/:send</c>, <c>PUT|DELETE /api/hubs/{hub}/users/{user}/groups/{group}</c>,
/// <c>DELETE /api/hubs/{hub}/users/{user}/groups</c>, <c>HEAD /api/health</c>;</item>
/// <item>REST (v1): <c>POST /api/v1/hubs/{hub}</c>, <c>/users/{user}</c>, <c>/groups/{group}</c>,
/// <c>PUT|DELETE /api/v1/hubs/{hub}/groups/{group}/users/{user}</c>,
/// <c>DELETE /api/v1/hubs/{hub}/users/{user}/groups</c>, <c>GET|HEAD /api/v1/health</c>;</item>
/// </list>
/// every REST call authenticated by a JWT signed with the same key whose <c>aud</c> is the request
/// URL without query. One hub class serves every hub name: the name travels as a claim of the
/// connection, and users, groups and "all" are scoped per hub name.
/// </summary>
public sealed partial class LocalSignalR
{
    const string HubClaim = "urn:civilaffairs:realtime:hub";
    const string KeyFileName = "signalr-key.json";
    readonly SymmetricSecurityKey key;

    LocalSignalR(string baseUrl, string accessKey)
    {
        BaseUrl = baseUrl;
        key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(accessKey));
    }

    /// <summary>The endpoint the app is configured with (<c>http://localhost:{port}</c>).</summary>
    public string BaseUrl { get; }

    /// <summary>
    /// In Development without a configured <c>SignalR:Endpoint</c>: points the app at this runtime
    /// (<c>SignalR:Endpoint</c> = its base URL, <c>SignalR:AccessKey</c> = a key generated once into
    /// the data folder, mode 0600) and registers the hub. Otherwise null: the app talks to the
    /// configured service and nothing is served here.
    /// </summary>
    public static LocalSignalR? Configure(WebApplicationBuilder builder, RuntimeOptions options, int port)
    {
        var config = builder.Configuration;
        if (options.EnvironmentName != Environments.Development || !string.IsNullOrWhiteSpace(config["SignalR:Endpoint"]))
            return null;
        var accessKey = config["SignalR:AccessKey"] is { Length: >= 32 } configured ? configured : LoadOrCreateKey(options.DataDirectory);
        var baseUrl = $"http://localhost:{port}";
        config.AddInMemoryCollection([new("SignalR:Endpoint", baseUrl), new("SignalR:AccessKey", accessKey)]);
        var local = new LocalSignalR(baseUrl, accessKey);
        builder.Services.AddSignalR();
        builder.Services.AddSingleton(local);
        builder.Services.AddSingleton<LocalRealtimeState>();
        builder.Services.AddSingleton<IUserIdProvider, HubScopedUserIds>();
        return local;
    }

    static string LoadOrCreateKey(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, KeyFileName);
        if (File.Exists(file) && JsonSerializer.Deserialize<string>(File.ReadAllText(file)) is { Length: >= 32 } existing)
            return existing;
        Directory.CreateDirectory(dataDirectory);
        var created = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(file, JsonSerializer.Serialize(created));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return created;
    }

    /// <summary>Maps the client endpoint (with its token check) and the REST API.</summary>
    public void Map(WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/client"), client =>
        {
            client.UseWebSockets();
            client.Use(async (http, next) =>
            {
                if (await AuthenticateClientAsync(http) is { } failure)
                {
                    http.Response.StatusCode = failure;
                    return;
                }
                await next(http);
            });
        });
        app.MapHub<LocalRealtimeHub>("/client");
        LocalSignalRRest.Map(app, this);
    }

    /// <summary>Validates the client's access token for the hub in the query; null when accepted, else the status to answer.</summary>
    async Task<int?> AuthenticateClientAsync(HttpContext http)
    {
        var hub = http.Request.Query["hub"].ToString();
        if (!IsHubName(hub)) return StatusCodes.Status400BadRequest;
        hub = hub.ToLowerInvariant();
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : http.Request.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token)) return StatusCodes.Status401Unauthorized;
        var result = await Validate(token, $"{BaseUrl}/client/?hub={hub}");
        if (!result.IsValid) return StatusCodes.Status401Unauthorized;
        var claims = new List<Claim> { new(HubClaim, hub) };
        if (result.Claims.TryGetValue(SignalRTokens.UserIdClaim, out var nameId) && nameId?.ToString() is { Length: > 0 } user)
            claims.Add(new Claim(ClaimTypes.NameIdentifier, user));
        http.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "SignalRAccessKey"));
        return null;
    }

    /// <summary>Validates a REST token: HS256 with the key, <c>aud</c> = the request URL without query (trailing slash ignored).</summary>
    internal async Task<bool> AuthenticateRestAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var result = await Validate(header[7..].Trim(), audience: null);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return false;
        var expected = BaseUrl + Uri.UnescapeDataString((request.PathBase + request.Path).ToUriComponent()).TrimEnd('/');
        return jwt.Audiences.Any(aud => string.Equals(Uri.UnescapeDataString(aud).TrimEnd('/'), expected, StringComparison.OrdinalIgnoreCase));
    }

    Task<TokenValidationResult> Validate(string token, string? audience) => new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
    {
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha512],
        ValidateIssuer = false,
        ValidateAudience = audience is not null,
        ValidAudience = audience,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromMinutes(1),
    });

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex HubPattern();

    internal static bool IsHubName(string? hub) => hub is { Length: > 0 and <= 128 } && HubPattern().IsMatch(hub);

    /// <summary>Group names of the hub lifetime manager, scoped by hub name (names cannot contain ':').</summary>
    internal static string AllOf(string hub) => "all:" + hub;
    internal static string GroupOf(string hub, string group) => "group:" + hub + ":" + group;
    internal static string UserOf(string hub, string user) => hub + ":" + user;
    internal static string? HubOf(ClaimsPrincipal? user) => user?.FindFirst(HubClaim)?.Value;
}

/// <summary>The user id SignalR routes by: the hub name and the token's <c>nameid</c>.</summary>
sealed class HubScopedUserIds : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        LocalSignalR.HubOf(connection.User) is { } hub && connection.User.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } user
            ? LocalSignalR.UserOf(hub, user)
            : null;
}

/// <summary>
/// The one hub class behind every hub name. Clients only listen (serverless mode): it has no
/// methods. On connect it joins the hub's "all" group and the groups the user was added to.
/// </summary>
sealed class LocalRealtimeHub(LocalRealtimeState state) : Hub
{
    public override async Task OnConnectedAsync()
    {
        var hub = LocalSignalR.HubOf(Context.User) ?? throw new HubException("No hub.");
        await Groups.AddToGroupAsync(Context.ConnectionId, LocalSignalR.AllOf(hub));
        if (Context.User?.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } user)
            foreach (var group in state.Connected(hub, user, Context.ConnectionId))
                await Groups.AddToGroupAsync(Context.ConnectionId, LocalSignalR.GroupOf(hub, group));
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (LocalSignalR.HubOf(Context.User) is { } hub && Context.User?.FindFirst(ClaimTypes.NameIdentifier)?.Value is { } user)
            state.Disconnected(hub, user, Context.ConnectionId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// User–group memberships (as the service keeps them: they apply to the user's current and future
/// connections) and each user's open connections, per hub. In memory: gone when the runtime stops.
/// </summary>
sealed class LocalRealtimeState
{
    readonly Lock gate = new();
    readonly Dictionary<(string Hub, string User), HashSet<string>> memberships = [];
    readonly Dictionary<(string Hub, string User), HashSet<string>> connections = [];

    /// <summary>Registers the connection; returns the groups it must join.</summary>
    public IReadOnlyList<string> Connected(string hub, string user, string connectionId)
    {
        lock (gate)
        {
            Set(connections, hub, user).Add(connectionId);
            return memberships.TryGetValue((hub, user), out var groups) ? [.. groups] : [];
        }
    }

    public void Disconnected(string hub, string user, string connectionId)
    {
        lock (gate)
        {
            if (connections.TryGetValue((hub, user), out var set) && set.Remove(connectionId) && set.Count == 0)
                connections.Remove((hub, user));
        }
    }

    /// <summary>Adds the membership; returns the user's open connections.</summary>
    public IReadOnlyList<string> Add(string hub, string user, string group)
    {
        lock (gate)
        {
            Set(memberships, hub, user).Add(group);
            return connections.TryGetValue((hub, user), out var set) ? [.. set] : [];
        }
    }

    /// <summary>Removes one membership (or all when <paramref name="group"/> is null); returns the removed groups and the user's open connections.</summary>
    public (IReadOnlyList<string> Groups, IReadOnlyList<string> Connections) Remove(string hub, string user, string? group)
    {
        lock (gate)
        {
            IReadOnlyList<string> removed = [];
            if (memberships.TryGetValue((hub, user), out var groups))
            {
                if (group is null) { removed = [.. groups]; memberships.Remove((hub, user)); }
                else if (groups.Remove(group)) removed = [group];
            }
            return (removed, connections.TryGetValue((hub, user), out var set) ? [.. set] : []);
        }
    }

    static HashSet<string> Set(Dictionary<(string, string), HashSet<string>> map, string hub, string user)
    {
        if (!map.TryGetValue((hub, user), out var set)) map[(hub, user)] = set = new HashSet<string>(StringComparer.Ordinal);
        return set;
    }
}
