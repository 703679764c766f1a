using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.WeChatSimulator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Integration.Tests.WeChat;

/// <summary>
/// A WeChat simulator on a free port with a unique app id (so the adapter's process-wide token
/// cache never mixes tests), plus helpers that drive it over its <c>/__sim</c> HTTP endpoints.
/// </summary>
internal sealed class WeChatHarness : IAsyncDisposable
{
    public const string Zhang = "citizen-zhang";
    public const string Li = "citizen-li";
    public const string Wang = "citizen-wang";
    public const string Blocked = "blocked-user";
    public const string Refuser = "refuse-user";
    public const string TemplateId = "tplCaseStatus_9f3K2mQx";

    private readonly List<HttpClient> _clients = [];

    private WeChatHarness(WeChatSimulatorHost simulator)
    {
        Simulator = simulator;
        Sim = new HttpClient { BaseAddress = simulator.BaseAddress };
    }

    public WeChatSimulatorHost Simulator { get; }

    /// <summary>A plain HTTP client on the simulator (for <c>/__sim</c> and raw API calls).</summary>
    public HttpClient Sim { get; }

    public static async Task<WeChatHarness> StartAsync(Action<WeChatSimulatorOptions>? configure = null)
    {
        var options = new WeChatSimulatorOptions
        {
            Port = 0,
            AppId = "wx" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            AppSecret = RandomNumberGenerator.GetHexString(32, lowercase: true),
        };
        configure?.Invoke(options);
        return new WeChatHarness(await WeChatSimulatorHost.StartAsync(options));
    }

    public string OpenId(string userKey) => Simulator.Users.Single(u => u.Key == userKey).OpenId;

    public WeChatOptions AdapterOptions(Action<WeChatOptions>? configure = null)
    {
        var options = new WeChatOptions
        {
            BaseUrl = Simulator.BaseAddress.ToString(),
            AppId = Simulator.AppId,
            AppSecret = Simulator.AppSecret,
            Timeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An adapter as DI would build it: a fresh typed HttpClient with the simulator as base address.</summary>
    public WeChatClient CreateClient(Action<WeChatOptions>? configure = null, TimeProvider? clock = null, ILogger<WeChatClient>? logger = null)
    {
        var options = AdapterOptions(configure);
        var http = new HttpClient { BaseAddress = new Uri(options.BaseUrl) };
        lock (_clients) _clients.Add(http);
        return new WeChatClient(http, Options.Create(options), clock ?? TimeProvider.System, logger ?? NullLogger<WeChatClient>.Instance);
    }

    /// <summary>What <c>wx.login</c> gives the mini-program, via <c>POST /__sim/login</c>.</summary>
    public async Task<string> LoginAsync(string userKey)
    {
        var response = await Sim.PostAsJsonAsync("__sim/login", new { user = userKey });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("code").GetString()!;
    }

    public async Task<JsonElement> StatsAsync() => await Sim.GetFromJsonAsync<JsonElement>("__sim/stats");

    public async Task<int> TokenRequestsAsync() => (await StatsAsync()).GetProperty("tokenRequests").GetInt32();

    public async Task<List<JsonElement>> MessagesAsync(string openId) =>
        (await Sim.GetFromJsonAsync<JsonElement>($"__sim/messages?touser={Uri.EscapeDataString(openId)}")).EnumerateArray().ToList();

    public async Task ExpireTokensAsync() => (await Sim.PostAsync("__sim/expire-tokens", null)).EnsureSuccessStatusCode();

    public async Task InjectFaultAsync(string api, int times, int? errcode = null, int? httpStatus = null) =>
        (await Sim.PostAsJsonAsync("__sim/faults", new { api, errcode, httpStatus, times })).EnsureSuccessStatusCode();

    /// <summary>Raw GET of a WeChat API path, returning the JSON body after checking WeChat's HTTP 200 convention.</summary>
    public async Task<JsonElement> GetWeChatAsync(string pathAndQuery)
    {
        var response = await Sim.GetAsync(pathAndQuery);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> PostWeChatAsync(string pathAndQuery, object body)
    {
        var response = await Sim.PostAsJsonAsync(pathAndQuery, body);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Sim.Dispose();
        lock (_clients) _clients.ForEach(c => c.Dispose());
        await Simulator.DisposeAsync();
    }
}

/// <summary>A clock tests move by hand (timers still run in real time).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }
}

/// <summary>Keeps every formatted log line and structured value, to check what may not be logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose() { }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Entries.Enqueue($"{category}|{logLevel}|{formatter(state, exception)}|{values}|{exception}");
        }
    }
}
