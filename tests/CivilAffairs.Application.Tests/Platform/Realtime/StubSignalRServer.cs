using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Tests.Platform.Realtime;

/// <summary>One request as the stub SignalR service received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? Authorization, string Body);

/// <summary>
/// A stub of the SignalR service on a free loopback port: records every request and answers with
/// <see cref="Respond"/> (default 202, empty body).
/// </summary>
public sealed class StubSignalRServer : IAsyncDisposable
{
    readonly WebApplication app;

    StubSignalRServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public Func<RecordedRequest, (int Status, string? Json)> Respond { get; set; } = _ => (202, null);

    public static async Task<StubSignalRServer> StartAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new StubSignalRServer(app, new Uri($"http://127.0.0.1:{port}"));
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var request = new RecordedRequest(http.Request.Method, Uri.UnescapeDataString(http.Request.Path.ToUriComponent()),
                http.Request.QueryString.Value ?? "", http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
                await reader.ReadToEndAsync());
            server.Requests.Enqueue(request);
            var (status, json) = server.Respond(request);
            http.Response.StatusCode = status;
            if (json is not null)
            {
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(json);
            }
        });
        await app.StartAsync();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
