using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.PartnerSimulator.Registry;

namespace CivilAffairs.Integration.Tests.Assistance;

/// <summary>
/// A runtime with the partner simulator answering for all 60 units (quick latencies), a short per-unit deadline and a
/// short publicity, on its own Azurite. Demo residents and citizens are seeded.
/// </summary>
public sealed class AssistanceFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-assist-" + Guid.NewGuid().ToString("N"));

    public static void Settings(Dictionary<string, string?> s)
    {
        s["Runtime:PartnerSimulator:Enabled"] = "true";
        s["Runtime:PartnerSimulator:MinLatencyMs"] = "20";
        s["Runtime:PartnerSimulator:MaxLatencyMs"] = "300";
        s["Runtime:PartnerSimulator:MaxPollIntervalMs"] = "250";
        // Generous for the units that answer (replies take well under a second, but a full test run shares 2 cores); the
        // unit that stays silent about one household gets a shorter deadline, which only the silent-unit test waits out.
        s["Assistance:Verification:DeadlineSeconds"] = "300";
        s["Assistance:Verification:UnitDeadlineSeconds:" + DemoHouseholds.SilentUnit] = "60";
        s["Assistance:Case:PublicitySeconds"] = "5";
        s["Assistance:Case:ReverificationSeconds"] = "10";
    }

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, Settings));
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

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>HTTP helpers shared by the assistance tests.</summary>
public static class AssistanceApi
{
    public static async Task<HttpResponseMessage> As(this HttpClient http, string token, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    /// <summary>A 低保 application body for a demo household (members as the simulator knows them).</summary>
    public static object Application(DemoHousehold household, string? bankAccount = "6222020200112233445") => new
    {
        program = "minimumLivingAllowance",
        jurisdiction = household.Jurisdiction,
        bankAccount,
        members = household.Members.Select(m => new
        {
            name = m.Name,
            idNumber = m.IdNumber,
            relationship = JsonNamingPolicy.CamelCase.ConvertName(m.Relationship.ToString()),
            consentSigned = true,
        }),
    };

    /// <summary>Polls the application until its status is one of <paramref name="statuses"/>.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient http, string token, string id, TimeSpan timeout, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var view = await (await http.As(token, HttpMethod.Get, $"api/assistance/applications/{id}")).JsonAsync();
            last = view.TryGetProperty("status", out var s) ? s.GetString() : view.ToString();
            if (statuses.Contains(last)) return view;
            await Task.Delay(300);
        }
        throw new TimeoutException($"Application {id} did not reach {string.Join("/", statuses)} (last: {last}).");
    }
}
