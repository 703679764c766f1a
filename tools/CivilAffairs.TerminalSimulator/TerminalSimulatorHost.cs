using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivilAffairs.TerminalSimulator;

/// <summary>
/// Simulates 平安通 alarm terminals (one-button terminals, phone apps, sensors) from the outside: each signs in with its device
/// id and secret (<c>POST /api/devices/token</c>), sends heartbeats at its interval and, across all terminals, urgent events at
/// a configured rate (mostly presses, now and then a fall) to <c>POST /api/elderly/terminal-events</c> — exactly what a terminal
/// gateway sends. Event ids are unique per terminal; a token is renewed before it expires or when refused with 401.
/// It knows nothing of the platform's code (HTTP and JSON only).
/// </summary>
public sealed class TerminalSimulatorHost : IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly TerminalSimulatorOptions options;
    readonly HttpClient http;
    readonly ILogger logger;
    readonly SemaphoreSlim slots;
    readonly CancellationTokenSource stopping = new();
    readonly Session[] sessions;
    readonly List<Task> loops = [];
    readonly Random random;
    long signIns, heartbeats, urgent, alarms, failures, sequence;
    string? lastFailure;

    sealed class Session(SimulatedTerminal terminal)
    {
        public SimulatedTerminal Terminal { get; } = terminal;
        public string? Token;
        public DateTimeOffset ExpiresAt;
        public int Battery = 100;
        public readonly SemaphoreSlim Gate = new(1, 1);
    }

    TerminalSimulatorHost(TerminalSimulatorOptions options)
    {
        this.options = options;
        http = new HttpClient(options.Handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = options.MaxConcurrentRequests }, disposeHandler: options.Handler is null)
        {
            BaseAddress = options.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        logger = options.LoggerFactory?.CreateLogger<TerminalSimulatorHost>() ?? (ILogger)NullLogger.Instance;
        slots = new SemaphoreSlim(options.MaxConcurrentRequests);
        sessions = options.Terminals.Select(t => new Session(t)).ToArray();
        random = new Random(options.Seed);
    }

    /// <summary>The simulated terminals, in the order given.</summary>
    public IReadOnlyList<SimulatedTerminal> Terminals => options.Terminals;

    public TerminalSimulatorStats Stats => new(Interlocked.Read(ref signIns), Interlocked.Read(ref heartbeats), Interlocked.Read(ref urgent),
        Interlocked.Read(ref alarms), Interlocked.Read(ref failures), Volatile.Read(ref lastFailure));

    /// <summary>Signs every terminal in, then starts the heartbeat loops and the urgent-event process.</summary>
    public static async Task<TerminalSimulatorHost> StartAsync(TerminalSimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.UrgentEventsPerHour < 0 || double.IsNaN(options.UrgentEventsPerHour)) throw new ArgumentException("UrgentEventsPerHour must not be negative.", nameof(options));
        if (options.Terminals.Any(t => t.HeartbeatInterval <= TimeSpan.Zero)) throw new ArgumentException("Heartbeat intervals must be positive.", nameof(options));
        var host = new TerminalSimulatorHost(options);
        await Parallel.ForEachAsync(host.sessions, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (s, token) => await host.SignInAsync(s, token));
        if (options.Heartbeats)
            foreach (var s in host.sessions) host.loops.Add(Task.Run(() => host.HeartbeatLoopAsync(s)));
        if (options.UrgentEventsPerHour > 0 && host.sessions.Length > 0) host.loops.Add(Task.Run(host.UrgentLoopAsync));
        host.logger.LogInformation("Terminal simulator started: {Terminals} terminals, {Rate} urgent events per hour", host.sessions.Length, options.UrgentEventsPerHour);
        return host;
    }

    /// <summary>Sends one event from terminal <paramref name="index"/> now (benchmarks and tests script presses with this).</summary>
    public Task<TerminalEventOutcome> SendAsync(int index, string kind, CancellationToken ct = default) =>
        SendAsync(sessions[index], kind, ct);

    async Task<TerminalEventOutcome> SendAsync(Session s, string kind, CancellationToken ct)
    {
        var eventId = $"{s.Terminal.DeviceId}-{Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture)}-{Environment.TickCount64 & 0xFFFFFF:x}";
        var urgentKind = kind is "press" or "fall" or "smoke" or "gas";
        var body = new Dictionary<string, object?> { ["eventId"] = eventId, ["kind"] = kind, ["at"] = DateTimeOffset.UtcNow, ["battery"] = s.Battery };
        if (urgentKind && s.Terminal.Latitude is { } lat && s.Terminal.Longitude is { } lon) body["position"] = new { latitude = lat, longitude = lon };
        await slots.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var token = await TokenAsync(s, ct);
                var started = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Post, Route("elderly/terminal-events")) { Content = JsonContent.Create(body, options: Json) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, ct);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    s.Token = null; // expired or renewed keys: sign in again once
                    continue;
                }
                string? alarmId = null, code = null;
                if (response.Content.Headers.ContentLength != 0)
                {
                    var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    if (json.ValueKind == JsonValueKind.Object)
                    {
                        if (json.TryGetProperty("alarmId", out var a) && a.ValueKind == JsonValueKind.String) alarmId = a.GetString();
                        if (json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                    }
                }
                if (!response.IsSuccessStatusCode) Fail($"{kind} from {s.Terminal.DeviceId}: HTTP {(int)response.StatusCode} {code}");
                else if (kind == "heartbeat") Interlocked.Increment(ref heartbeats);
                if (urgentKind) Interlocked.Increment(ref urgent);
                if (alarmId is not null) Interlocked.Increment(ref alarms);
                return new TerminalEventOutcome(s.Terminal.DeviceId, eventId, kind, (int)response.StatusCode, alarmId, code, elapsed);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    async Task<string> TokenAsync(Session s, CancellationToken ct)
    {
        if (s.Token is { } t && s.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(5)) return t;
        await SignInAsync(s, ct);
        return s.Token!;
    }

    async Task SignInAsync(Session s, CancellationToken ct)
    {
        await s.Gate.WaitAsync(ct);
        try
        {
            if (s.Token is not null && s.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(5)) return;
            var response = await http.PostAsJsonAsync(Route("devices/token"), new { deviceId = s.Terminal.DeviceId, secret = s.Terminal.Secret }, Json, ct);
            // Sign-ins are rate-limited per client address like logins; a gateway behind one address waits as told and tries again.
            for (var attempt = 0; response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 30; attempt++)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(2);
                response.Dispose();
                await Task.Delay(wait, ct);
                response = await http.PostAsJsonAsync(Route("devices/token"), new { deviceId = s.Terminal.DeviceId, secret = s.Terminal.Secret }, Json, ct);
            }
            using var _ = response;
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"Terminal {s.Terminal.DeviceId} could not sign in: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            s.Token = json.GetProperty("accessToken").GetString();
            s.ExpiresAt = json.TryGetProperty("expiresAt", out var e) ? e.GetDateTimeOffset() : DateTimeOffset.UtcNow.AddHours(1);
            Interlocked.Increment(ref signIns);
        }
        finally
        {
            s.Gate.Release();
        }
    }

    async Task HeartbeatLoopAsync(Session s)
    {
        var token = stopping.Token;
        double Next() { lock (random) return random.NextDouble(); }
        try
        {
            await Task.Delay(s.Terminal.HeartbeatInterval * Next(), token);
            while (!token.IsCancellationRequested)
            {
                await SafeSendAsync(s, "heartbeat", token);
                // Batteries drain slowly; a terminal below 20 % says so once, then is "recharged".
                if (--s.Battery < 20) { await SafeSendAsync(s, "lowBattery", token); s.Battery = 100; }
                await Task.Delay(s.Terminal.HeartbeatInterval, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested) { }
    }

    async Task UrgentLoopAsync()
    {
        var token = stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                double u, pick, kind;
                lock (random) { u = random.NextDouble(); pick = random.NextDouble(); kind = random.NextDouble(); }
                // Exponential gaps: a Poisson process at the configured hourly rate.
                await Task.Delay(TimeSpan.FromHours(-Math.Log(1 - u) / options.UrgentEventsPerHour), token);
                var s = sessions[(int)(pick * sessions.Length)];
                _ = SafeSendAsync(s, kind < 0.9 ? "press" : "fall", token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested) { }
    }

    async Task SafeSendAsync(Session s, string kind, CancellationToken ct)
    {
        try { await SendAsync(s, kind, ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
        {
            Fail($"{kind} from {s.Terminal.DeviceId}: {e.GetType().Name}");
        }
    }

    void Fail(string what)
    {
        Interlocked.Increment(ref failures);
        Volatile.Write(ref lastFailure, what);
        logger.LogWarning("Terminal simulator: {What}", what);
    }

    string Route(string path) => (string.IsNullOrEmpty(options.RoutePrefix) ? "" : options.RoutePrefix.Trim('/') + "/") + path;

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        try { await Task.WhenAll(loops); } catch (OperationCanceledException) { }
        http.Dispose();
        stopping.Dispose();
    }
}
