using System.Net.Http.Headers;
using System.Net.Http.Json;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// A runtime on its own Azurite for the institution tests (one per test class): public endpoints limited to
/// <see cref="PublicPerMinute"/> requests a minute per client address (each test speaks as its own address through the trusted
/// <c>X-Forwarded-For</c>), and the rating timer every 2 seconds.
/// </summary>
public sealed class InstitutionFixture : IAsyncLifetime
{
    public const int PublicPerMinute = 20;

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    readonly string data = Path.Combine(Path.GetTempPath(), "ca-institutions-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, data, s =>
        {
            s["Security:RateLimit:PublicPerMinute"] = PublicPerMinute.ToString();
            s["ElderlyInstitutionRatingSchedule"] = "*/2 * * * * *";
        }));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    readonly Dictionary<string, string> tokens = [];

    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var t)) return t;
        var response = await Http.PostAsJsonAsync("api/dev/token", new { account });
        response.EnsureSuccessStatusCode();
        var token = (await response.JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    /// <summary>A request as <paramref name="account"/> (none: anonymous) from client address <paramref name="client"/>.</summary>
    public async Task<HttpResponseMessage> Send(string? account, HttpMethod method, string url, object? body = null, string? ifMatch = null, string? client = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (account is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(account));
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (client is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        return await Http.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
