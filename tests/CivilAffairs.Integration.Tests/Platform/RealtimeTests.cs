using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CivilAffairs.Application.Platform.Realtime;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.Integration.Tests.Platform;

/// <summary>
/// Real-time push end to end on one machine: staff negotiate through the function, a real
/// SignalR client connects to the runtime's stand-in for Azure SignalR Service with what the
/// function returned, and the function app's <see cref="IRealtimeService"/> (REST API) reaches
/// users and jurisdiction groups — and nobody else.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class RealtimeTests(RuntimeFixture fx)
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>What the app itself resolves: its registration, its configuration (pointed at the runtime).</summary>
    IRealtimeService Realtime => fx.Runtime.Services.GetRequiredService<IRealtimeService>();
    IConfiguration Config => fx.Runtime.Services.GetRequiredService<IConfiguration>();

    async Task<(string Url, string AccessToken)> NegotiateAsync(string account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate?hub=dashboard");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync(account));
        var response = await fx.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        return (body.GetProperty("url").GetString()!, body.GetProperty("accessToken").GetString()!);
    }

    /// <summary>A listening client that records every message by target.</summary>
    sealed class Listener : IAsyncDisposable
    {
        readonly Dictionary<string, List<string>> received = [];
        public HubConnection Connection { get; }

        public Listener(string url, Func<Task<string?>> token, params string[] targets)
        {
            Connection = new HubConnectionBuilder().WithUrl(url, o => o.AccessTokenProvider = token).Build();
            foreach (var target in targets)
                Connection.On<string>(target, text => { lock (received) (received.TryGetValue(target, out var l) ? l : received[target] = []).Add(text); });
        }

        public IReadOnlyList<string> Received(string target) { lock (received) return received.TryGetValue(target, out var l) ? [.. l] : []; }

        public async Task<string> NextAsync(string target, Func<string, bool> match)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (DateTime.UtcNow < deadline)
            {
                if (Received(target).FirstOrDefault(match) is { } hit) return hit;
                await Task.Delay(50);
            }
            throw new TimeoutException($"No '{target}' message arrived.");
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    static async Task<Listener> ConnectAsync(string url, string accessToken, params string[] targets)
    {
        var listener = new Listener(url, () => Task.FromResult<string?>(accessToken), targets);
        await listener.Connection.StartAsync().WaitAsync(Wait);
        return listener;
    }

    [Fact]
    public async Task Staff_receive_their_own_and_their_jurisdictions_messages_and_another_area_does_not()
    {
        var shipai = await NegotiateAsync("shipai-officer");      // 石牌街道 440106008 (天河)
        var beijing = await NegotiateAsync("beijing-officer");    // 北京街道 440104002 (越秀)
        var city = await NegotiateAsync("city-admin");            // 440100
        Assert.Equal($"{fx.Runtime.BaseAddress}client/?hub=dashboard", shipai.Url);
        Assert.Equal(shipai.Url, new JsonWebToken(shipai.AccessToken).Audiences.Single());
        Assert.Equal("shipai-officer", new JsonWebToken(shipai.AccessToken).GetPayloadValue<string>("nameid"));

        await using var a = await ConnectAsync(shipai.Url, shipai.AccessToken, "notice", "incident", "ping");
        await using var b = await ConnectAsync(beijing.Url, beijing.AccessToken, "notice", "incident", "ping");
        await using var c = await ConnectAsync(city.Url, city.AccessToken, "notice", "incident", "ping");

        var marker = Guid.NewGuid().ToString("N");
        await Realtime.SendToUserAsync("dashboard", "shipai-officer", "notice", ["to-user " + marker]);
        // An incident in 华师社区 (440106008001, inside 石牌街道) goes to that area and every enclosing one.
        foreach (var group in RealtimeNames.JurisdictionAudience("440106008001"))
            await Realtime.SendToGroupAsync("dashboard", group, "incident", ["flood " + marker]);
        await Realtime.SendToAllAsync("dashboard", "ping", [marker]); // after everything above, on every connection

        await a.NextAsync("notice", m => m == "to-user " + marker);
        await a.NextAsync("incident", m => m == "flood " + marker);
        await c.NextAsync("incident", m => m == "flood " + marker);
        await b.NextAsync("ping", m => m == marker);
        await c.NextAsync("ping", m => m == marker);
        Assert.DoesNotContain(b.Received("incident"), m => m.EndsWith(marker));
        Assert.DoesNotContain(b.Received("notice"), m => m.EndsWith(marker));
        Assert.DoesNotContain(c.Received("notice"), m => m.EndsWith(marker));
        Assert.Single(a.Received("incident"), m => m.EndsWith(marker)); // one group, one copy
    }

    [Fact]
    public async Task The_official_client_can_use_the_function_as_hub_url_and_follow_its_redirect()
    {
        var platformToken = await fx.TokenAsync("tianhe-approver");
        await using var listener = new Listener($"{fx.Runtime.BaseAddress}api/realtime?hub=dashboard", () => Task.FromResult<string?>(platformToken), "notice");
        await listener.Connection.StartAsync().WaitAsync(Wait);

        // The client's start completes with the handshake, a moment before the hub has put the connection in the user's
        // groups (as with the service), so the first message to the group may precede the membership: send until it arrives.
        var marker = Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + Wait;
        while (!listener.Received("notice").Contains(marker))
        {
            Assert.True(DateTime.UtcNow < deadline, "No 'notice' message arrived through the jurisdiction group.");
            await Realtime.SendToGroupAsync("dashboard", RealtimeNames.JurisdictionGroup("440106"), "notice", [marker]);
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Memberships_follow_the_user_to_later_connections_and_can_be_removed_per_hub()
    {
        const string user = "drill-user-01";
        await Realtime.AddUserToGroupAsync("drill", "team_a", user);
        var drill = await Realtime.NegotiateAsync("drill", user);
        var dashboard = await Realtime.NegotiateAsync("dashboard", user);
        await using var inDrill = await ConnectAsync(drill.Url, drill.AccessToken, "m");
        await using var inDashboard = await ConnectAsync(dashboard.Url, dashboard.AccessToken, "m");

        await Realtime.SendToGroupAsync("drill", "team_a", "m", ["group-1"]);
        await Realtime.SendToUserAsync("drill", user, "m", ["user-1"]);
        await inDrill.NextAsync("m", m => m == "group-1");
        await inDrill.NextAsync("m", m => m == "user-1");

        await Realtime.RemoveUserFromGroupAsync("drill", "team_a", user);
        await Realtime.SendToGroupAsync("drill", "team_a", "m", ["group-2"]);
        await Realtime.SendToAllAsync("drill", "m", ["barrier"]);
        await Realtime.SendToAllAsync("dashboard", "m", ["barrier-dashboard"]);
        await inDrill.NextAsync("m", m => m == "barrier");
        await inDashboard.NextAsync("m", m => m == "barrier-dashboard");
        Assert.DoesNotContain("group-2", inDrill.Received("m"));
        // Hubs are separate: the same user on another hub got none of the drill hub's messages.
        Assert.Equal(["barrier-dashboard"], inDashboard.Received("m"));
    }

    [Fact]
    public async Task Bad_client_tokens_are_refused()
    {
        var good = await NegotiateAsync("huashi-worker");
        var wrongKey = Sign("another-key-another-key-another-key-0123", good.Url, "huashi-worker");
        var otherHub = $"{fx.Runtime.BaseAddress}client/?hub=other";
        foreach (var (url, token) in new[]
        {
            (good.Url, wrongKey),                          // not signed with the access key
            (otherHub, good.AccessToken),                 // audience is another hub's URL
            (good.Url, await fx.TokenAsync("huashi-worker")), // a platform token is not a SignalR token
            (good.Url, "not-a-token"),
        })
        {
            await using var listener = new Listener(url, () => Task.FromResult<string?>(token));
            var e = await Assert.ThrowsAsync<HttpRequestException>(() => listener.Connection.StartAsync().WaitAsync(Wait));
            Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        }
        var expired = Sign(Config["SignalR:AccessKey"]!, good.Url, "huashi-worker", DateTime.UtcNow.AddHours(-2));
        await using (var listener = new Listener(good.Url, () => Task.FromResult<string?>(expired)))
            Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HttpRequestException>(() => listener.Connection.StartAsync().WaitAsync(Wait))).StatusCode);
    }

    [Fact]
    public async Task Rest_calls_need_a_token_for_their_own_url()
    {
        var key = Config["SignalR:AccessKey"]!;
        var endpoint = Config["SignalR:Endpoint"]!;
        Assert.Equal(fx.Runtime.BaseAddress.ToString().TrimEnd('/'), endpoint);
        async Task<HttpStatusCode> Post(string path, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent("""{"target":"t","arguments":[1]}""", Encoding.UTF8, "application/json"),
            };
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await fx.Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Post("api/hubs/dashboard/:send?api-version=2022-06-01", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("api/hubs/dashboard/:send?api-version=2022-06-01", Sign(key, $"{endpoint}/api/hubs/other/:send")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("api/hubs/dashboard/:send?api-version=2022-06-01", Sign("another-key-another-key-another-key-0123", $"{endpoint}/api/hubs/dashboard/:send")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("api/hubs/dashboard/:send?api-version=2022-06-01", await fx.TokenAsync("city-admin")));
        Assert.Equal(HttpStatusCode.Accepted, await Post("api/hubs/dashboard/:send?api-version=2022-06-01", Sign(key, $"{endpoint}/api/hubs/dashboard/:send")));
        // The v1 shape is served too.
        Assert.Equal(HttpStatusCode.Accepted, await Post("api/v1/hubs/dashboard", Sign(key, $"{endpoint}/api/v1/hubs/dashboard")));
        Assert.Equal(HttpStatusCode.BadRequest, await Post("api/v1/hubs/1bad", Sign(key, $"{endpoint}/api/v1/hubs/1bad")));
        using var health = new HttpRequestMessage(HttpMethod.Get, "api/v1/health");
        health.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Sign(key, $"{endpoint}/api/v1/health"));
        Assert.Equal(HttpStatusCode.OK, (await fx.Http.SendAsync(health)).StatusCode);
    }

    [Fact]
    public async Task Negotiate_is_for_staff_and_names_a_known_hub()
    {
        async Task<HttpResponseMessage> Call(string account, string query)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate" + query);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync(account));
            return await fx.Http.SendAsync(request);
        }
        await (await Call("citizen-zhang", "?hub=dashboard")).AssertProblemAsync(403, "FORBIDDEN");
        await (await Call("auditor", "?hub=dashboard")).AssertProblemAsync(403, "FORBIDDEN");
        await (await Call("shipai-officer", "")).AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await Call("shipai-officer", "?hub=drill")).AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await fx.Http.PostAsync("api/realtime/negotiate?hub=dashboard", null)).AssertProblemAsync(401, "UNAUTHENTICATED");
    }

    [Fact]
    public void The_local_access_key_is_kept_in_the_data_folder_readable_by_the_owner_only()
    {
        var dataDirectory = Path.GetDirectoryName(Config["Crypto:LocalKeyFile"])!;
        var file = Path.Combine(dataDirectory, "signalr-key.json");
        Assert.True(File.Exists(file));
        Assert.Equal(Config["SignalR:AccessKey"], System.Text.Json.JsonSerializer.Deserialize<string>(File.ReadAllText(file)));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    static string Sign(string key, string audience, string? user = null, DateTime? expires = null)
    {
        var exp = expires ?? DateTime.UtcNow.AddMinutes(5);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Audience = audience,
            IssuedAt = exp.AddMinutes(-10),
            Expires = exp,
            Claims = user is null ? null : new Dictionary<string, object> { ["nameid"] = user },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
