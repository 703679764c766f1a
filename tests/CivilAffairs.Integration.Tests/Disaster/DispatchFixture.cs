using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// A runtime on its own Azurite for the dispatch tests, driven as people drive it: a district incident is declared, a
/// need is reported into it and its dispatch starts; warehouses within 20 km of a need are planned from (so each test works
/// in its own area); the 石牌 street's field team <see cref="TeamId"/> (member <see cref="Member"/>, 华师社区工作者) is
/// registered through the API; level-Ⅰ dispatches have a 12-second delivery limit (escalation tests: the at-risk check
/// at 9.6 s has 2.4 s to run before the deadline, enough on a loaded machine with durable polling of up to 1 s); other
/// levels keep the 10-hour default.
/// </summary>
public class DispatchFixture : IAsyncLifetime
{
    public const string Street = "440106008";
    public const string District = "440106";
    public const string TeamId = "TEST-SHIPAI";
    public const string Member = "huashi-worker";

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-dispatch-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var options = RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s =>
        {
            s["Disaster:Dispatch:MaxDistanceKm"] = "20";
            s["Disaster:Dispatch:LevelSeconds:I"] = "12";
        });
        Configure(options);
        Runtime = await FunctionsRuntime.StartAsync(options);
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        // The test areas lie around 30–34° N; the team's base is among them, so it is the nearest team to every test's need
        // (the demo teams in Guangzhou, if a test seeds them, are much farther). Capacity 20: tests leave tasks open.
        var team = await As("city-admin", HttpMethod.Post, "api/disaster/teams", new
        {
            id = TeamId, name = "石牌街道救灾队（测试）", jurisdiction = Street, @base = new { latitude = 32.0, longitude = 113.3 }, members = new[] { Member }, capacity = 20,
        });
        Assert.Equal(201, (int)team.StatusCode);
    }

    /// <summary>Changes to the runtime's options before it starts (a fixture for fault injection overrides this).</summary>
    protected virtual void Configure(RuntimeOptions options) { }

    readonly Dictionary<string, string> tokens = [];

    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var t)) return t;
        var token = (await (await Http.PostAsJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    public Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) =>
        TokenAsync(account).ContinueWith(t => Http.As(t.Result, method, url, body)).Unwrap();

    public DurableTaskClient Durable => Runtime.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Registers a warehouse (as the city administrator) <paramref name="km"/> kilometres north of <paramref name="origin"/>.</summary>
    public async Task<string> WarehouseAsync(string id, GeoPoint origin, double km, params (string Item, string Lot, string? Expiry, decimal Quantity)[] stock)
    {
        var created = await As("city-admin", HttpMethod.Post, "api/disaster/warehouses", new
        {
            id,
            name = $"测试仓库 {id}",
            position = new { latitude = origin.Latitude + km / 111.2, longitude = origin.Longitude },
            jurisdiction = Street,
        });
        Assert.Equal(201, (int)created.StatusCode);
        foreach (var (item, lot, expiry, quantity) in stock)
        {
            var received = await As("city-admin", HttpMethod.Post, $"api/disaster/warehouses/{id}/receipts", new { itemCode = item, lotNumber = lot, expiry, quantity });
            Assert.True(received.IsSuccessStatusCode, await received.Content.ReadAsStringAsync());
        }
        return id;
    }

    /// <summary>The district (天河) declares an incident of <paramref name="level"/> around <paramref name="origin"/>.</summary>
    public async Task<string> IncidentAsync(GeoPoint origin, ResponseLevel level)
    {
        var (lat, lon) = (origin.Latitude, origin.Longitude);
        var response = await As("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name = "测试灾害事件", type = "rainstorm", level = level.ToString(), startedAt = DateTimeOffset.UtcNow.AddHours(-1), jurisdiction = District,
            area = new[] { new[] { lon - 0.2, lat - 0.2 }, new[] { lon + 0.2, lat - 0.2 }, new[] { lon + 0.2, lat + 0.2 }, new[] { lon - 0.2, lat + 0.2 }, new[] { lon - 0.2, lat - 0.2 } },
        });
        Assert.Equal(201, (int)response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>The category and unit of a need whose dispatch asks for <paramref name="itemCode"/> (the catalogue maps them back).</summary>
    public static (string Category, string Unit) NeedFor(string itemCode) => itemCode switch
    {
        "TENT" => ("shelter", "顶"),
        "QUILT" => ("shelter", "床"),
        "COT" => ("shelter", "张"),
        "BLANKET" => ("shelter", "条"),
        "FOOD" => ("food", "箱"),
        "WATER" => ("water", "箱"),
        _ => throw new ArgumentOutOfRangeException(nameof(itemCode)),
    };

    /// <summary>A street officer reports a need at <paramref name="at"/> in <paramref name="incident"/>; returns the need's view (with its dispatch id).</summary>
    public async Task<JsonElement> ReportAsync(string incident, GeoPoint at, string itemCode, decimal quantity, string reporter = "shipai-officer")
    {
        var (category, unit) = NeedFor(itemCode);
        var response = await As(reporter, HttpMethod.Post, "api/disaster/needs", new
        {
            incidentId = incident, position = new { latitude = at.Latitude, longitude = at.Longitude }, category, quantity, unit, urgency = "high",
            clientReportId = Guid.NewGuid().ToString("N"),
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("need").Clone();
    }

    /// <summary>A new incident and one need in it; returns the dispatch id the need started.</summary>
    public async Task<string> DispatchAsync(GeoPoint origin, ResponseLevel level, string itemCode, decimal quantity) =>
        (await ReportAsync(await IncidentAsync(origin, level), origin, itemCode, quantity)).GetProperty("dispatchId").GetString()!;

    public async Task<JsonElement> DispatchAsync(string id, string account = "city-admin") =>
        await (await As(account, HttpMethod.Get, $"api/disaster/dispatches/{id}")).JsonAsync();

    /// <summary>Polls the dispatch until <paramref name="until"/> holds.</summary>
    public async Task<JsonElement> WaitAsync(string id, Func<JsonElement, bool> until, string what, int seconds = 40)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await DispatchAsync(id);
            if (last.TryGetProperty("status", out _) && until(last)) return last;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Dispatch {id}: {what} not reached; last view {last}");
    }

    public Task<JsonElement> WaitForStatusAsync(string id, params string[] statuses) =>
        WaitAsync(id, v => statuses.Contains(v.GetProperty("status").GetString()), string.Join("/", statuses));

    public async Task<JsonElement> StockAsync(string warehouseId) =>
        await (await As("city-admin", HttpMethod.Get, $"api/disaster/warehouses/{warehouseId}/stock")).JsonAsync();

    public async Task<JsonElement> NeedAsync(string needId) =>
        await (await As("tianhe-approver", HttpMethod.Get, $"api/disaster/needs/{needId}")).JsonAsync();

    /// <summary>Waits until the orchestration has finished and returns its output.</summary>
    public async Task<string?> OutcomeAsync(string dispatchId, int seconds = 40)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            var instance = await Durable.GetInstanceAsync("dispatch-" + dispatchId, getInputsAndOutputs: true);
            if (instance?.RuntimeStatus is OrchestrationRuntimeStatus.Completed) return instance.ReadOutputAs<string>();
            if (instance?.RuntimeStatus is OrchestrationRuntimeStatus.Failed) throw new InvalidOperationException($"Dispatch orchestration failed: {instance.FailureDetails}");
            await Task.Delay(250);
        }
        throw new TimeoutException($"Dispatch orchestration {dispatchId} did not finish.");
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
