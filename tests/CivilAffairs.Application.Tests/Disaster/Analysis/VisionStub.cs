using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

/// <summary>A request the stub received.</summary>
public sealed record StubRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>A stand-in for the Azure AI Vision endpoint: Kestrel on 127.0.0.1, a free port, records every request and answers with <see cref="Respond"/>.</summary>
public sealed class VisionStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();

    private VisionStub(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<StubRequest> Requests => _requests.ToArray();

    /// <summary>Status, JSON body and extra headers of the next answers.</summary>
    public Func<StubRequest, (int Status, string Body, IReadOnlyDictionary<string, string>? Headers)> Respond { get; set; } = _ => (200, "{}", null);

    public static async Task<VisionStub> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        VisionStub? stub = null;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var request = new StubRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray());
            stub!._requests.Enqueue(request);
            var (status, json, headers) = stub.Respond(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            await context.Response.WriteAsync(json);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new VisionStub(app, new Uri($"http://127.0.0.1:{new Uri(address).Port}/"));
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
