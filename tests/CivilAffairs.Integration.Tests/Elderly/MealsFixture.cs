using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// A runtime on its own Azurite for the meals and home-care tests, with the demo data (李建国, the two demo meal points) and a
/// clock the tests can move forward (<see cref="Shift"/>): the app's <see cref="TimeProvider"/> is replaced, so "tomorrow" comes
/// without waiting. Tokens are validated against real time, so a test takes the tokens it needs before it moves the clock.
/// 60–79-year-olds get a quarter of an hour of subsidised home care a month here (<c>Elderly:HomeCare:MonthlyHours:Aged60To79</c>),
/// so one short visit goes over the budget.
/// </summary>
public sealed class MealsFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public ShiftableClock Clock { get; } = new();
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-meals-" + Guid.NewGuid().ToString("N"));
    public string Storage => Azurite.ConnectionString;

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var options = RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s => s["Elderly:HomeCare:MonthlyHours:Aged60To79"] = "0.25");
        options.ConfigureServices = services => services.AddSingleton<TimeProvider>(Clock);
        Runtime = await FunctionsRuntime.StartAsync(options);
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    /// <summary>Moves the app's clock by <paramref name="by"/> until the returned scope is disposed.</summary>
    public IDisposable Shift(TimeSpan by)
    {
        Clock.Offset = by;
        return new Reset(Clock);
    }

    sealed class Reset(ShiftableClock clock) : IDisposable
    {
        public void Dispose() => clock.Offset = TimeSpan.Zero;
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

    public Task<HttpResponseMessage> WithToken(string token, HttpMethod method, string url, object? body = null) => Http.As(token, method, url, body);

    /// <summary>A new elder of 盐运西社区 (越秀区): id, meal card number, ID number.</summary>
    public async Task<(string Id, string Card, string IdNumber)> ElderAsync(string category, int birthYear, object[]? contacts = null,
        string[]? services = null)
    {
        var idNumber = RuntimeFixture.NewIdNumber("440104", new DateOnly(birthYear, 1, 1).AddDays(Random.Shared.Next(300)));
        var person = await As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name = "测试老人", idNumber, phone = "13812345678", address = "广州市越秀区北京街道盐运西社区盐运西路 30 号", jurisdiction = "440104002001" });
        Assert.Equal(HttpStatusCode.Created, person.StatusCode);
        var personId = (await person.JsonAsync()).GetProperty("id").GetString()!;
        var enrolled = await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", new
        {
            personId, category, livesAlone = true, home = new { latitude = 23.1225, longitude = 113.2710 },
            contacts = contacts ?? [],
            services = services ?? ["mealSubsidy", "homeCareBudget"],
        });
        var text = await enrolled.Content.ReadAsStringAsync();
        Assert.True(enrolled.StatusCode == HttpStatusCode.Created, text);
        var elder = JsonDocument.Parse(text).RootElement;
        return (elder.GetProperty("id").GetString()!, elder.GetProperty("mealCardNumber").GetString()!, idNumber);
    }

    /// <summary>A new meal point registered by <paramref name="officer"/>, and its terminal's platform token (secret exchanged once).</summary>
    public async Task<(string Id, string TerminalToken)> MealPointAsync(string officer, string jurisdiction, double latitude, double longitude, decimal? menuPrice = null)
    {
        var created = await As(officer, HttpMethod.Post, "api/elderly/meal-points", new
        {
            name = "测试长者饭堂", position = new { latitude, longitude }, capacity = 40, jurisdiction, menuPrice,
        });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var body = JsonDocument.Parse(text).RootElement;
        var terminal = body.GetProperty("terminal");
        var session = await Http.PostAsJsonAsync("api/disaster/devices/token", new
        {
            deviceId = terminal.GetProperty("device").GetProperty("id").GetString(), secret = terminal.GetProperty("secret").GetString(),
        });
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        return (body.GetProperty("mealPoint").GetProperty("id").GetString()!, (await session.JsonAsync()).GetProperty("accessToken").GetString()!);
    }

    public Task<HttpResponseMessage> MealAsync(string terminalToken, string receiptId, string card, DateTimeOffset? servedAt = null, decimal? price = null) =>
        WithToken(terminalToken, HttpMethod.Post, "api/elderly/meal-transactions", new { receiptId, cardNumber = card, servedAt, price });

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The system clock plus an offset the test sets.</summary>
public sealed class ShiftableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

/// <summary>The meals and home-care test classes share one runtime and run one after the other (the clock is shared).</summary>
[CollectionDefinition(Name)]
public sealed class MealsCollection : ICollectionFixture<MealsFixture>
{
    public const string Name = "elderly-meals";
}
