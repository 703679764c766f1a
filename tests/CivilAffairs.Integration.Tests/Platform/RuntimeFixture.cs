using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Integration.Tests.Platform;

/// <summary>
/// Starts what a client would talk to: Azurite (in memory, free ports) and the one-machine
/// runtime on a free port, with settings that make queues and timers quick for tests.
/// </summary>
public sealed class RuntimeFixture : IAsyncLifetime
{
    public const string MasterKey = "test-master-key";
    public const string FunctionKey = "test-function-key";

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Storage => Azurite.ConnectionString;

    public static RuntimeOptions Options(string storage, string dataDirectory, Action<Dictionary<string, string?>>? tweak = null)
    {
        var options = new RuntimeOptions { Port = 0, DataDirectory = dataDirectory, ConfigureLogging = l => l.SetMinimumLevel(Environment.GetEnvironmentVariable("CA_TEST_LOGS") == "1" ? LogLevel.Information : LogLevel.Warning) };
        options.Settings["AzureWebJobsStorage"] = storage;
        options.Settings["Runtime:Keys:Master"] = MasterKey;
        options.Settings["Runtime:Keys:Function"] = FunctionKey;
        options.Settings["Runtime:HostId"] = "test-" + Guid.NewGuid().ToString("N")[..8];
        options.Settings["CatalogStatisticsSchedule"] = "*/2 * * * * *";
        options.Settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        options.Settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500";
        options.Settings["AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval"] = "00:00:01";
        options.Settings["Crypto:LocalKeyFile"] = Path.Combine(dataDirectory, "master-keys.json");
        options.Settings["Security:RateLimit:PublicPerMinute"] = "100000";
        options.Settings["Security:RateLimit:LoginPerMinute"] = "30";
        // As behind the Azure front end: the last X-Forwarded-For entry is the client's address.
        options.Settings["Security:TrustedProxy:Header"] = "X-Forwarded-For";
        // Tests ask for a second code for one person within seconds, not a minute.
        options.Settings["Security:RealName:ResendAfter"] = "00:00:02";
        options.Settings["Runtime:PartnerSimulator:Enabled"] = "false";
        tweak?.Invoke(options.Settings);
        return options;
    }

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(Options(Storage, Path.Combine(Path.GetTempPath(), "ca-tests-" + Guid.NewGuid().ToString("N"))));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    public Uri WeChat => Runtime.WeChatSimulator!;

    readonly Dictionary<string, string> tokens = [];

    /// <summary>A WeChat user new to the platform (added to the simulator) signed in: their citizen token, not yet bound.</summary>
    public async Task<string> NewWeChatCitizenAsync(string nickname = "新用户")
    {
        var key = "test-" + Guid.NewGuid().ToString("N")[..12];
        (await Http.PostAsJsonAsync(new Uri(WeChat, "__sim/users"), new { user = key, nickname })).EnsureSuccessStatusCode();
        return await WeChatLoginAsync(key);
    }

    /// <summary>Signs a simulator user in through <c>wx.login</c> and the platform: their citizen token.</summary>
    public async Task<string> WeChatLoginAsync(string user)
    {
        var code = (await (await Http.PostAsJsonAsync(new Uri(WeChat, "__sim/login"), new { user })).JsonAsync()).GetProperty("code").GetString();
        var login = await Http.PostAsJsonAsync("api/auth/wechat/login", new { code });
        login.EnsureSuccessStatusCode();
        return (await login.JsonAsync()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>The newest verification code the simulated SMS gateway delivered to a mobile number.</summary>
    public async Task<string> LastSmsCodeAsync(string mobile)
    {
        var inbox = await (await Http.GetAsync(new Uri(WeChat, $"__sim/sms?to={mobile}"))).JsonAsync();
        var text = inbox.EnumerateArray().First().GetProperty("text").GetString()!;
        return System.Text.RegularExpressions.Regex.Match(text, @"\d{6}").Value;
    }

    /// <summary>A token for a demo account from the runtime's development identity provider.</summary>
    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var cached)) return cached;
        var response = await Http.PostAsJsonAsync("api/dev/token", new { account });
        response.EnsureSuccessStatusCode();
        var token = (await response.JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    /// <summary>A well-formed ID number (valid check digit) for a division and birth date; <paramref name="rawBirth"/> overrides the date text.</summary>
    public static string NewIdNumber(string division, DateOnly? birth, string? rawBirth = null)
    {
        var first17 = division + (rawBirth ?? birth!.Value.ToString("yyyyMMdd")) + Random.Shared.Next(100, 999).ToString();
        return first17 + CivilAffairs.Domain.Platform.IdNumber.ComputeCheckCharacter(first17);
    }

    /// <summary>The catalogue is synchronised by a RunOnStartup timer; wait until it is readable.</summary>
    public static async Task WaitForCatalogAsync(HttpClient http)
    {
        for (var i = 0; i < 150; i++)
        {
            var response = await http.GetAsync("api/catalog/services/GZ-SA-001");
            if (response.IsSuccessStatusCode) return;
            await Task.Delay(200);
        }
        throw new TimeoutException("Catalogue was not synchronised.");
    }

    public TableClient Table(string name) => new TableServiceClient(Storage).GetTableClient(name);
    public QueueClient RawQueue(string name) => new QueueServiceClient(Storage).GetQueueClient(name);

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RuntimeCollection : ICollectionFixture<RuntimeFixture>
{
    public const string Name = "runtime";
}

public static class Http
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, object body) =>
        http.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient http, string url, string body, string contentType = "application/json") =>
        http.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, contentType));

    /// <summary>Asserts an RFC 9457 problem response with the given status and code and a Chinese title.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.JsonAsync();
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", body.GetProperty("title").GetString());
        Assert.DoesNotContain("   at ", body.ToString());
        return body;
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }
}
