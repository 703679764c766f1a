using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Application.Platform.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>
/// <see cref="IRealtimeService"/> over the Azure SignalR Service data-plane REST API (serverless
/// mode, version <see cref="RealtimeOptions.ApiVersion"/>):
/// <list type="bullet">
/// <item><c>POST /api/hubs/{hub}/:send</c>, <c>/users/{user}/:send</c>, <c>/groups/{group}/:send</c> with <c>{"target","arguments"}</c></item>
/// <item><c>PUT|DELETE /api/hubs/{hub}/users/{user}/groups/{group}</c>, <c>DELETE /api/hubs/{hub}/users/{user}/groups</c></item>
/// <item>clients connect to <c>{endpoint}/client/?hub={hub}</c> with a token from <see cref="NegotiateAsync"/></item>
/// </list>
/// </summary>
/// <remarks>Logs carry the operation, hub and status only: never a token, a user id or a payload.</remarks>
public sealed partial class SignalRRestService(HttpClient http, SignalRTokens tokens, IOptions<RealtimeOptions> options, ILogger<SignalRRestService> logger) : IRealtimeService
{
    readonly RealtimeOptions _options = options.Value;

    public async Task<RealtimeConnectionInfo> NegotiateAsync(string hub, string userId, IReadOnlyCollection<string>? groups = null, CancellationToken ct = default)
    {
        var h = RealtimeNames.Hub(hub);
        RealtimeNames.User(userId);
        foreach (var g in groups ?? []) RealtimeNames.Group(g);
        var url = $"{_options.BaseUrl()}/client/?hub={h}";
        var (token, expiresAt) = await tokens.ClientTokenAsync(url, userId, http, ct);
        if (groups is not null)
        {
            await RemoveUserFromAllGroupsAsync(hub, userId, ct);
            foreach (var group in groups.Distinct(StringComparer.Ordinal))
                await AddUserToGroupAsync(hub, group, userId, ct);
        }
        return new RealtimeConnectionInfo(url, token, expiresAt);
    }

    public Task SendToUserAsync(string hub, string userId, string target, object?[] args, CancellationToken ct = default) =>
        CallAsync("sendToUser", HttpMethod.Post, hub, $"/users/{Escape(RealtimeNames.User(userId))}/:send", Message(target, args), ct);

    public Task SendToGroupAsync(string hub, string group, string target, object?[] args, CancellationToken ct = default) =>
        CallAsync("sendToGroup", HttpMethod.Post, hub, $"/groups/{RealtimeNames.Group(group)}/:send", Message(target, args), ct);

    public Task SendToAllAsync(string hub, string target, object?[] args, CancellationToken ct = default) =>
        CallAsync("sendToAll", HttpMethod.Post, hub, "/:send", Message(target, args), ct);

    public Task AddUserToGroupAsync(string hub, string group, string userId, CancellationToken ct = default) =>
        CallAsync("addUserToGroup", HttpMethod.Put, hub, $"/users/{Escape(RealtimeNames.User(userId))}/groups/{RealtimeNames.Group(group)}", null, ct);

    public Task RemoveUserFromGroupAsync(string hub, string group, string userId, CancellationToken ct = default) =>
        CallAsync("removeUserFromGroup", HttpMethod.Delete, hub, $"/users/{Escape(RealtimeNames.User(userId))}/groups/{RealtimeNames.Group(group)}", null, ct);

    public Task RemoveUserFromAllGroupsAsync(string hub, string userId, CancellationToken ct = default) =>
        CallAsync("removeUserFromAllGroups", HttpMethod.Delete, hub, $"/users/{Escape(RealtimeNames.User(userId))}/groups", null, ct);

    static string Escape(string segment) => Uri.EscapeDataString(segment);

    static PayloadMessage Message(string target, object?[] args)
    {
        if (string.IsNullOrWhiteSpace(target) || target.Length > 128)
            throw new ArgumentException("The target (client method name) must be 1-128 characters.", nameof(target));
        ArgumentNullException.ThrowIfNull(args);
        return new PayloadMessage(target, args);
    }

    /// <summary>The REST body: <c>{"target": "...", "arguments": [...]}</c>.</summary>
    sealed record PayloadMessage(string Target, object?[] Arguments);

    async Task CallAsync(string operation, HttpMethod method, string hub, string pathAfterHub, PayloadMessage? body, CancellationToken ct)
    {
        var h = RealtimeNames.Hub(hub);
        var url = $"{_options.BaseUrl()}/api/hubs/{h}{pathAfterHub}?api-version={Uri.EscapeDataString(_options.ApiVersion)}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        using var request = new HttpRequestMessage(method, url);
        try
        {
            request.Headers.Authorization = await tokens.RestAuthorizationAsync(url, ct);
        }
        catch (Exception e) when (e is not (RealtimeException or OperationCanceledException))
        {
            LogFailed(logger, operation, h, 0);
            throw new RealtimeException(operation, null, $"No credential for SignalR {operation}: {e.GetType().Name}.", e);
        }
        if (body is not null) request.Content = JsonContent.Create(body, options: JsonDefaults.Options);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            LogFailed(logger, operation, h, 0);
            throw new RealtimeException(operation, null, $"SignalR did not answer {operation} within {_options.Timeout.TotalSeconds:0} s.", e);
        }
        catch (HttpRequestException e)
        {
            LogFailed(logger, operation, h, 0);
            throw new RealtimeException(operation, null, $"SignalR could not be reached for {operation}: {e.HttpRequestError}.", e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                LogDone(logger, operation, h, (int)response.StatusCode);
                return;
            }
            var status = (int)response.StatusCode;
            var code = await ErrorCodeAsync(response, ct);
            LogFailed(logger, operation, h, status);
            throw new RealtimeException(operation, status, status switch
            {
                401 or 403 => $"SignalR refused the credentials for {operation} (HTTP {status}{code}); check SignalR:AccessKey or the identity's role.",
                400 => $"SignalR rejected {operation} as invalid (HTTP 400{code}).",
                _ => $"SignalR failed {operation} (HTTP {status}{code}).",
            });
        }
    }

    /// <summary>The service's error code (ErrorDetail.code), if any; never the whole body.</summary>
    static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (text.Length is 0 or > 16384) return "";
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("code", out var c) && c.GetString() is { Length: > 0 and <= 64 } code
                ? ", " + code : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    [LoggerMessage(EventId = 7301, Level = LogLevel.Debug, Message = "SignalR {Operation} on hub {Hub}: HTTP {Status}")]
    static partial void LogDone(ILogger logger, string operation, string hub, int status);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "SignalR {Operation} on hub {Hub} failed: HTTP {Status} (0 = not reached)")]
    static partial void LogFailed(ILogger logger, string operation, string hub, int status);
}
