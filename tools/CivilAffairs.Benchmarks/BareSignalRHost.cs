using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// The baseline of the <c>alarms</c> mode: a bare ASP.NET Core SignalR hub in this process and one HTTP endpoint that
/// broadcasts each posted press to the operators' group — the press-to-console path with nothing of the platform in it
/// (no authentication, storage, audit or workflow).
/// </summary>
sealed class BareSignalRHost : IAsyncDisposable
{
    public const string Group = "operators";
    readonly WebApplication app;

    BareSignalRHost(WebApplication app, Uri baseAddress) { this.app = app; BaseAddress = baseAddress; }

    public Uri BaseAddress { get; }
    public Uri HubUrl => new(BaseAddress, "hub");

    public sealed class OperatorsHub : Hub
    {
        public Task Join() => Groups.AddToGroupAsync(Context.ConnectionId, Group);
    }

    sealed record Press(string Id);

    public static async Task<BareSignalRHost> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapHub<OperatorsHub>("/hub");
        app.MapPost("/press", async (HttpContext http, IHubContext<OperatorsHub> hub) =>
        {
            var id = Guid.NewGuid().ToString("N");
            await hub.Clients.Group(Group).SendAsync("alarm", new { kind = "raised", alarmId = id }, http.RequestAborted);
            return Results.Json(new Press(id), statusCode: 202);
        });
        await app.StartAsync(ct);
        var address = app.Urls.Select(u => new Uri(u)).First();
        return new BareSignalRHost(app, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
