namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>
/// What a client needs to open a real-time connection: the hub URL and the access token to pass
/// to the SignalR client (<c>withUrl(url, { accessTokenFactory: () => accessToken })</c>).
/// </summary>
/// <param name="Url">The client URL, e.g. <c>https://name.service.signalr.net/client/?hub=dashboard</c>.</param>
/// <param name="AccessToken">A JWT for that URL (audience = <paramref name="Url"/>, <c>nameid</c> = the user id).</param>
/// <param name="ExpiresAt">When the access token expires (an open connection stays open; a reconnect needs a new negotiate).</param>
public sealed record RealtimeConnectionInfo(string Url, string AccessToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Never print the token (records print all members by default).</summary>
    public override string ToString() => $"RealtimeConnectionInfo {{ Url = {Url}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// The platform's real-time push (DESIGN §6): clients connect to a SignalR hub; the function app
/// negotiates their connection and sends to users, groups or everyone. One implementation,
/// <see cref="SignalRRestService"/>, speaks the Azure SignalR Service data-plane REST API; on one
/// machine the runtime serves the same API from a real ASP.NET Core SignalR hub.
/// </summary>
/// <remarks>
/// Hub and group names: a letter, then letters, digits or underscores (hub names are used in lower
/// case). User ids: the caller's opaque platform subject, never a personal identifier.
/// Failures of the service throw <see cref="RealtimeException"/>; invalid names throw
/// <see cref="ArgumentException"/>.
/// </remarks>
public interface IRealtimeService
{
    /// <summary>
    /// Connection info for <paramref name="userId"/> on <paramref name="hub"/>. When
    /// <paramref name="groups"/> is given, the user's memberships in this hub become exactly those
    /// groups (removed from all others first, then added), so memberships always follow the
    /// caller's current claims; null leaves memberships untouched.
    /// </summary>
    Task<RealtimeConnectionInfo> NegotiateAsync(string hub, string userId, IReadOnlyCollection<string>? groups = null, CancellationToken ct = default);

    /// <summary>Invokes <paramref name="target"/> with <paramref name="args"/> on every connection of the user.</summary>
    Task SendToUserAsync(string hub, string userId, string target, object?[] args, CancellationToken ct = default);

    /// <summary>Invokes <paramref name="target"/> on every connection in the group.</summary>
    Task SendToGroupAsync(string hub, string group, string target, object?[] args, CancellationToken ct = default);

    /// <summary>Invokes <paramref name="target"/> on every connection of the hub.</summary>
    Task SendToAllAsync(string hub, string target, object?[] args, CancellationToken ct = default);

    /// <summary>Adds the user (current and future connections) to the group.</summary>
    Task AddUserToGroupAsync(string hub, string group, string userId, CancellationToken ct = default);

    /// <summary>Removes the user from the group.</summary>
    Task RemoveUserFromGroupAsync(string hub, string group, string userId, CancellationToken ct = default);

    /// <summary>Removes the user from every group of the hub.</summary>
    Task RemoveUserFromAllGroupsAsync(string hub, string userId, CancellationToken ct = default);
}

/// <summary>The real-time service could not be reached, refused the credentials or rejected the request.</summary>
/// <remarks>The message names the operation and the HTTP status; never a token or a payload.</remarks>
public sealed class RealtimeException(string operation, int? status, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The operation that failed (<c>sendToUser</c>, <c>addUserToGroup</c>...).</summary>
    public string Operation { get; } = operation;

    /// <summary>The HTTP status the service answered with; null when it could not be reached.</summary>
    public int? Status { get; } = status;
}
