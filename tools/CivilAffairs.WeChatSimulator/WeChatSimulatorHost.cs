using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CivilAffairs.WeChatSimulator;

/// <summary>
/// An in-memory simulator of the WeChat server APIs the platform calls (mini-program login
/// <c>/sns/jscode2session</c>, access tokens <c>/cgi-bin/token</c> and <c>/cgi-bin/stable_token</c>,
/// subscribe messages <c>/cgi-bin/message/subscribe/send</c>), served by Kestrel on 127.0.0.1 with
/// the official request and response shapes, plus <c>/__sim/*</c> endpoints for development and
/// tests (<c>POST /__sim/login</c> plays <c>wx.login</c>).
/// </summary>
/// <remarks>
/// The host reads no configuration files or environment variables, so it can run inside another
/// ASP.NET Core process (the local runtime, a test) without picking up that process's settings.
/// </remarks>
public sealed class WeChatSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorState _state;
    private int _disposed;

    private WeChatSimulatorHost(WebApplication app, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        _state = state;
        BaseAddress = baseAddress;
    }

    /// <summary>The simulator's root, e.g. <c>http://127.0.0.1:7072/</c>; use it as the WeChat base URL.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app id the simulator accepts.</summary>
    public string AppId => _state.Options.AppId;

    /// <summary>The app secret the simulator accepts.</summary>
    public string AppSecret => _state.Options.AppSecret;

    /// <summary>The simulated users.</summary>
    public IReadOnlyList<SimulatedUser> Users => _state.Users;

    /// <summary>The key the simulated SMS gateway accepts.</summary>
    public string SmsApiKey => SmsGatewaySimulator.ApiKey;

    /// <summary>Starts the simulator; it listens until disposed.</summary>
    public static async Task<WeChatSimulatorHost> StartAsync(WeChatSimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0..65535.");
        if (string.IsNullOrEmpty(options.AppId) || string.IsNullOrEmpty(options.AppSecret))
            throw new ArgumentException("AppId and AppSecret are required.", nameof(options));

        var state = new SimulatorState(options);
        // An empty builder: no appsettings, environment variables (ASPNETCORE_URLS...) or logging
        // providers from the hosting process leak in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WeChatSimulatorHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        // The owner (Program.cs, the local runtime, a test) decides when to stop: no Ctrl-C/SIGTERM hooks.
        builder.Services.AddSingleton<IHostLifetime, OwnerControlledLifetime>();

        var app = builder.Build();
        app.UseRouting();
        SimulatorEndpoints.Map(app, state);
        var sms = new System.Collections.Concurrent.ConcurrentQueue<SimulatedSms>();
        SmsGatewaySimulator.Map(app, sms);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        var port = new Uri(address).Port;
        return new WeChatSimulatorHost(app, state, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>What <c>wx.login</c> returns for the user: a one-time code, valid for the code lifetime.</summary>
    /// <exception cref="ArgumentException">The user key is unknown.</exception>
    public string CreateLoginCode(string userKey) =>
        _state.IssueCode(userKey) ?? throw new ArgumentException($"Unknown simulated user '{userKey}'.", nameof(userKey));

    /// <summary>Delivered subscribe messages, oldest first, optionally for one openid.</summary>
    public IReadOnlyList<SimulatedSubscribeMessage> GetMessages(string? toUser = null) => _state.Messages(toUser);

    /// <summary>Request counters.</summary>
    public SimulatorStats GetStats() => _state.Stats();

    /// <summary>Expires every issued access token (callers then get 42001).</summary>
    public int ExpireTokens() => _state.ExpireTokens();

    /// <summary>
    /// Makes the next <paramref name="times"/> calls of an API (<see cref="SimulatedApi"/>) fail
    /// (after any faults already queued for it),
    /// with an errcode body (default -1, system error) or, when <paramref name="httpStatus"/> is
    /// given, with that HTTP status.
    /// </summary>
    public void InjectFault(string api, int times = 1, int errCode = -1, int? httpStatus = null)
    {
        if (!SimulatedApi.IsKnown(api)) throw new ArgumentException($"Unknown simulated API '{api}'.", nameof(api));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        _state.InjectFault(api, new InjectedFault(httpStatus is null ? errCode : null, httpStatus), times);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _app.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private sealed class OwnerControlledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
