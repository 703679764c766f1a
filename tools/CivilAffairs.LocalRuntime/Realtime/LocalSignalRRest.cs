using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Realtime;

/// <summary>The SignalR data-plane REST API (2022-06-01 and v1 paths) over <see cref="IHubContext{THub}"/>.</summary>
static class LocalSignalRRest
{
    const long MaxBody = 1024 * 1024; // the service's limit

    public static void Map(IEndpointRouteBuilder app, LocalSignalR signalR)
    {
        // ---- 2022-06-01 ----
        app.MapMethods("/api/health", ["HEAD"], Authenticated(signalR, _ => Task.FromResult(Results.Ok())));
        app.MapPost("/api/hubs/{hub}/:send", Authenticated(signalR, http => SendAsync(http, (c, h) => c.Group(LocalSignalR.AllOf(h)))));
        app.MapPost("/api/hubs/{hub}/users/{user}/:send", Authenticated(signalR, http => SendAsync(http, (c, h) => c.User(LocalSignalR.UserOf(h, Route(http, "user"))))));
        app.MapPost("/api/hubs/{hub}/groups/{group}/:send", Authenticated(signalR, http => SendAsync(http, (c, h) => c.Group(LocalSignalR.GroupOf(h, Route(http, "group"))))));
        app.MapPut("/api/hubs/{hub}/users/{user}/groups/{group}", Authenticated(signalR, http => AddAsync(http, StatusCodes.Status200OK)));
        app.MapDelete("/api/hubs/{hub}/users/{user}/groups/{group}", Authenticated(signalR, http => RemoveAsync(http, Route(http, "group"), StatusCodes.Status204NoContent)));
        app.MapDelete("/api/hubs/{hub}/users/{user}/groups", Authenticated(signalR, http => RemoveAsync(http, null, StatusCodes.Status204NoContent)));

        // ---- v1 ----
        app.MapMethods("/api/v1/health", ["GET", "HEAD"], Authenticated(signalR, _ => Task.FromResult(Results.Ok())));
        app.MapPost("/api/v1/hubs/{hub}", Authenticated(signalR, http => SendAsync(http, (c, h) => c.Group(LocalSignalR.AllOf(h)))));
        app.MapPost("/api/v1/hubs/{hub}/users/{user}", Authenticated(signalR, http => SendAsync(http, (c, h) => c.User(LocalSignalR.UserOf(h, Route(http, "user"))))));
        app.MapPost("/api/v1/hubs/{hub}/groups/{group}", Authenticated(signalR, http => SendAsync(http, (c, h) => c.Group(LocalSignalR.GroupOf(h, Route(http, "group"))))));
        app.MapPut("/api/v1/hubs/{hub}/groups/{group}/users/{user}", Authenticated(signalR, http => AddAsync(http, StatusCodes.Status202Accepted)));
        app.MapDelete("/api/v1/hubs/{hub}/groups/{group}/users/{user}", Authenticated(signalR, http => RemoveAsync(http, Route(http, "group"), StatusCodes.Status202Accepted)));
        app.MapDelete("/api/v1/hubs/{hub}/users/{user}/groups", Authenticated(signalR, http => RemoveAsync(http, null, StatusCodes.Status200OK)));
    }

    /// <summary>Every REST call needs a token for its own URL; hub, user and group are checked as the service checks them.</summary>
    static RequestDelegate Authenticated(LocalSignalR signalR, Func<HttpContext, Task<IResult>> handler) => async http =>
    {
        IResult result;
        if (!await signalR.AuthenticateRestAsync(http.Request))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            result = Results.Unauthorized();
        }
        else if (http.Request.RouteValues.ContainsKey("hub") && !LocalSignalR.IsHubName(Route(http, "hub")))
            result = Error("Invalid hub name: it must start with a letter and contain only letters, digits or underscores.");
        else if (http.Request.RouteValues.ContainsKey("group") && Route(http, "group") is not { Length: > 0 and < 1025 })
            result = Error("Invalid group name: its length must be between 1 and 1024.");
        else if (http.Request.RouteValues.ContainsKey("user") && Route(http, "user").Length == 0)
            result = Error("Invalid user id.");
        else
            result = await handler(http);
        await result.ExecuteAsync(http);
    };

    static string Route(HttpContext http, string name) => http.Request.RouteValues[name]?.ToString() ?? "";

    static string Hub(HttpContext http) => Route(http, "hub").ToLowerInvariant();

    /// <summary>The service's error shape (ErrorDetail).</summary>
    static IResult Error(string message) => Results.Json(new { code = "Error.InvalidRequest", message }, statusCode: StatusCodes.Status400BadRequest);

    static async Task<IResult> SendAsync(HttpContext http, Func<IHubClients, string, IClientProxy> clients)
    {
        if (http.Request.ContentLength > MaxBody) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return Error("The body is not a JSON payload message.");
        }
        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object) return Error("The body is not a JSON payload message.");
            string? target = null;
            object?[] arguments = [];
            foreach (var property in body.RootElement.EnumerateObject())
            {
                if (property.NameEquals("target") || property.NameEquals("Target"))
                    target = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                else if ((property.NameEquals("arguments") || property.NameEquals("Arguments")) && property.Value.ValueKind == JsonValueKind.Array)
                    arguments = property.Value.EnumerateArray().Select(a => (object?)a.Clone()).ToArray();
            }
            if (string.IsNullOrEmpty(target)) return Error("The payload message needs a target.");
            var hubContext = http.RequestServices.GetRequiredService<IHubContext<LocalRealtimeHub>>();
            await clients(hubContext.Clients, Hub(http)).SendCoreAsync(target, arguments, http.RequestAborted);
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }
    }

    static async Task<IResult> AddAsync(HttpContext http, int status)
    {
        string hub = Hub(http), user = Route(http, "user"), group = Route(http, "group");
        var groups = http.RequestServices.GetRequiredService<IHubContext<LocalRealtimeHub>>().Groups;
        foreach (var connection in http.RequestServices.GetRequiredService<LocalRealtimeState>().Add(hub, user, group))
            await groups.AddToGroupAsync(connection, LocalSignalR.GroupOf(hub, group), http.RequestAborted);
        return Results.StatusCode(status);
    }

    static async Task<IResult> RemoveAsync(HttpContext http, string? group, int status)
    {
        string hub = Hub(http), user = Route(http, "user");
        var groups = http.RequestServices.GetRequiredService<IHubContext<LocalRealtimeHub>>().Groups;
        var (removed, connections) = http.RequestServices.GetRequiredService<LocalRealtimeState>().Remove(hub, user, group);
        foreach (var g in removed)
            foreach (var connection in connections)
                await groups.RemoveFromGroupAsync(connection, LocalSignalR.GroupOf(hub, g), http.RequestAborted);
        return Results.StatusCode(status);
    }
}
