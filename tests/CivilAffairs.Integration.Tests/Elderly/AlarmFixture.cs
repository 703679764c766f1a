using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.AspNetCore.SignalR.Client;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// A runtime on its own Azurite with the demo data (李建国, his contacts, his one-button terminal <c>pat-button-01</c>) for the
/// 平安通 tests. The acknowledgement SLA is <see cref="AcknowledgeSeconds"/>; the silent-terminal sweep runs every 2 s with a 1 s grace.
/// </summary>
public class AlarmFixture : IAsyncLifetime
{
    public const string Elder = DemoElders.LiJianguoElderId;
    public const string Terminal = "device-pat-button-01";

    protected virtual int AcknowledgeSeconds => 30;

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-alarms-" + Guid.NewGuid().ToString("N"));

    public static void Settings(Dictionary<string, string?> s, int acknowledgeSeconds)
    {
        s["Elderly:Alarms:AcknowledgeSeconds"] = acknowledgeSeconds.ToString();
        s["Elderly:Terminals:SilenceGrace"] = "00:00:01";
        s["ElderlyWelfareCheckSchedule"] = "*/2 * * * * *";
        s["Platform:Outbox:RelayDelay"] = "00:00:05";
    }

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s => Settings(s, AcknowledgeSeconds)));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    readonly Dictionary<string, string> tokens = [];

    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var t)) return t;
        var token = (await (await Http.PostAsJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    public async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) =>
        await Http.As(await TokenAsync(account), method, url, body);

    /// <summary>The terminal reports an event now (or at <paramref name="at"/>).</summary>
    public Task<HttpResponseMessage> ReportAsync(string eventId, string kind = "press", DateTimeOffset? at = null, string device = Terminal, int? battery = null) =>
        As(device, HttpMethod.Post, "api/elderly/terminal-events", new { eventId, kind, at = at ?? DateTimeOffset.UtcNow, position = new { latitude = 23.1221, longitude = 113.2716 }, battery });

    /// <summary>A press of the demo terminal: the new alarm's id.</summary>
    public async Task<string> PressAsync()
    {
        var response = await ReportAsync("press-" + Guid.NewGuid().ToString("N"));
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var body = await response.JsonAsync();
        var id = body.GetProperty("alarmId").GetString()!;
        Assert.Equal($"/api/elderly/alarms/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    public async Task<JsonElement> AlarmAsync(string id, string account = "pat-supervisor")
    {
        var response = await As(account, HttpMethod.Get, $"api/elderly/alarms/{id}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    /// <summary>Polls the alarm (as the supervisor) until <paramref name="until"/> holds.</summary>
    public async Task<JsonElement> WaitAsync(string id, Func<JsonElement, bool> until, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await AlarmAsync(id);
            if (until(last)) return last;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Alarm {id}: {what} not reached; last view {last}");
    }

    public static async Task<T?> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : struct
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    /// <summary>A desk connected to hub <c>alarms</c> the way the console connects: negotiate, then the returned url and token.</summary>
    public async Task<DeskListener> ConnectDeskAsync(string account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate?hub=alarms");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(account));
        var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.JsonAsync();
        var listener = new DeskListener(body.GetProperty("url").GetString()!, body.GetProperty("accessToken").GetString()!);
        await listener.Connection.StartAsync().WaitAsync(TimeSpan.FromSeconds(15));
        return listener;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A 60-second desk for the escalation tests would be slow: 3 s.</summary>
public sealed class ShortSlaAlarmFixture : AlarmFixture
{
    protected override int AcknowledgeSeconds => 3;
}

/// <summary>A real SignalR client on hub <c>alarms</c> recording every <c>alarm</c> message.</summary>
public sealed class DeskListener : IAsyncDisposable
{
    readonly List<JsonElement> received = [];
    public HubConnection Connection { get; }

    public DeskListener(string url, string accessToken)
    {
        Connection = new HubConnectionBuilder().WithUrl(url, o => o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken)).Build();
        Connection.On<JsonElement>("alarm", m => { lock (received) received.Add(m.Clone()); });
    }

    public IReadOnlyList<JsonElement> Received { get { lock (received) return [.. received]; } }

    public async Task<JsonElement> NextAsync(string alarmId, string kind, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (Received.FirstOrDefault(m => m.GetProperty("alarmId").GetString() == alarmId && m.GetProperty("kind").GetString() == kind) is { ValueKind: JsonValueKind.Object } hit)
                return hit;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No '{kind}' push for alarm {alarmId}; received: {string.Join(" | ", Received)}");
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
