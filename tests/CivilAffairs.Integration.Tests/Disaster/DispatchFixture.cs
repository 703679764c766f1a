using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Application.Disaster;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// A runtime on its own Azurite for the dispatch tests: warehouses within 20 km of a need are planned from (so each test
/// works in its own area), the 石牌 street's field team is 华师社区工作者 (<c>huashi-worker</c>), and level-Ⅰ dispatches have
/// a 12-second delivery limit (escalation tests: the at-risk check at 9.6 s has 2.4 s to run before the deadline, enough on a
/// loaded machine with durable polling of up to 1 s); other levels keep the 10-hour default.
/// </summary>
public sealed class DispatchFixture : IAsyncLifetime
{
    public const string Street = "440106008";
    public const string Community = "440106008001";
    public const string Team = "huashi-worker";

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-dispatch-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s =>
        {
            s["Disaster:Dispatch:MaxDistanceKm"] = "20";
            s["Disaster:Dispatch:Teams:" + Street] = Team;
            s["Disaster:Dispatch:LevelSeconds:I"] = "12";
        }));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

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
    public IDispatchStarter Starter => Runtime.Services.GetRequiredService<IDispatchStarter>();

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

    public static DispatchRequest Request(GeoPoint destination, ResponseLevel level, params (string Item, decimal Quantity)[] items) =>
        new("need-" + Guid.NewGuid().ToString("N")[..12], "incident-test", Community, level, destination, NeedCategory.Shelter, Urgency.High,
            items.Select(i => new DispatchItem(i.Item, i.Quantity)).ToList());

    public Task<string> StartAsync(DispatchRequest request) => Starter.StartAsync(request, Durable, CancellationToken.None);

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
