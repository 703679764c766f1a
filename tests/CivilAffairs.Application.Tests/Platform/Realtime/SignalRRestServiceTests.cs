using System.Text;
using System.Text.Json;
using Azure.Core;
using CivilAffairs.Application.Platform.Realtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.Application.Tests.Platform.Realtime;

/// <summary>
/// The REST client against a stub of the service: URLs and api-version, JWT construction (HS256
/// over the key's UTF-8 bytes, audience = request URL without query, nameid for clients), body
/// shape, validation before any request, and errors that carry no token.
/// </summary>
public sealed class SignalRRestServiceTests : IAsyncLifetime
{
    const string AccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq0123=";
    StubSignalRServer server = null!;

    public async Task InitializeAsync() => server = await StubSignalRServer.StartAsync();
    public async Task DisposeAsync() => await server.DisposeAsync();

    string Endpoint => server.BaseAddress.ToString().TrimEnd('/');

    ServiceProvider Services(string? accessKey = AccessKey, TokenCredential? credential = null, string? endpoint = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SignalR:Endpoint"] = endpoint ?? Endpoint,
            ["SignalR:AccessKey"] = accessKey,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        if (credential is not null)
            services.AddSingleton(sp => new SignalRTokens(sp.GetRequiredService<IOptions<RealtimeOptions>>(), TimeProvider.System, () => credential));
        return services.AddRealtime(config).BuildServiceProvider();
    }

    IRealtimeService Service(string? accessKey = AccessKey, TokenCredential? credential = null, string? endpoint = null) =>
        Services(accessKey, credential, endpoint).GetRequiredService<IRealtimeService>();

    static async Task<JsonWebToken> ValidAsync(string token, string audience, string key = AccessKey)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidAudience = audience,
            RequireExpirationTime = true,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    static string Bearer(RecordedRequest r)
    {
        Assert.StartsWith("Bearer ", r.Authorization);
        return r.Authorization![7..];
    }

    [Fact]
    public async Task Send_to_user_posts_target_and_arguments_with_a_token_for_the_request_url()
    {
        await Service().SendToUserAsync("dashboard", "shipai-officer", "incidentReported", [new { id = "01J", level = 3 }, "天河区", null]);

        var r = Assert.Single(server.Requests);
        Assert.Equal("POST", r.Method);
        Assert.Equal("/api/hubs/dashboard/users/shipai-officer/:send", r.Path);
        Assert.Equal("?api-version=2022-06-01", r.Query);
        var jwt = await ValidAsync(Bearer(r), $"{Endpoint}/api/hubs/dashboard/users/shipai-officer/:send");
        Assert.True(jwt.ValidTo > DateTime.UtcNow && jwt.ValidTo <= DateTime.UtcNow.AddMinutes(6));
        Assert.False(jwt.TryGetPayloadValue<string>("nameid", out _));
        using var body = JsonDocument.Parse(r.Body);
        Assert.Equal("incidentReported", body.RootElement.GetProperty("target").GetString());
        var args = body.RootElement.GetProperty("arguments");
        Assert.Equal(3, args.GetArrayLength());
        Assert.Equal("01J", args[0].GetProperty("id").GetString());
        Assert.Equal(3, args[0].GetProperty("level").GetInt32());
        Assert.Equal("天河区", args[1].GetString());
        Assert.Equal(JsonValueKind.Null, args[2].ValueKind);
    }

    [Fact]
    public async Task Every_operation_uses_the_documented_method_and_path()
    {
        var service = Service();
        await service.SendToGroupAsync("dashboard", "jur_440106", "t", []);
        await service.SendToAllAsync("Dashboard", "t", [1]);
        await service.AddUserToGroupAsync("dashboard", "jur_440106", "u-1");
        await service.RemoveUserFromGroupAsync("dashboard", "jur_440106", "u-1");
        await service.RemoveUserFromAllGroupsAsync("dashboard", "u-1");

        Assert.Equal(
        [
            "POST /api/hubs/dashboard/groups/jur_440106/:send",
            "POST /api/hubs/dashboard/:send",
            "PUT /api/hubs/dashboard/users/u-1/groups/jur_440106",
            "DELETE /api/hubs/dashboard/users/u-1/groups/jur_440106",
            "DELETE /api/hubs/dashboard/users/u-1/groups",
        ], server.Requests.Select(r => $"{r.Method} {r.Path}"));
        foreach (var r in server.Requests)
        {
            Assert.Equal("?api-version=2022-06-01", r.Query);
            await ValidAsync(Bearer(r), Endpoint + r.Path);
        }
        Assert.All(server.Requests.Where(r => r.Method != "POST"), r => Assert.Equal("", r.Body));
    }

    [Fact]
    public async Task Negotiate_returns_the_client_url_and_a_token_for_it_naming_the_user()
    {
        var before = DateTimeOffset.UtcNow;
        var info = await Service().NegotiateAsync("Dashboard", "01JCZ8USER0000000000000001");

        Assert.Equal($"{Endpoint}/client/?hub=dashboard", info.Url);
        var jwt = await ValidAsync(info.AccessToken, info.Url);
        Assert.Equal("01JCZ8USER0000000000000001", jwt.GetPayloadValue<string>("nameid"));
        Assert.InRange(info.ExpiresAt, before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.InRange(jwt.ValidTo, before.UtcDateTime.AddMinutes(59), DateTime.UtcNow.AddMinutes(61));
        Assert.Empty(server.Requests); // no groups: no REST call
        Assert.DoesNotContain(info.AccessToken, info.ToString());
    }

    [Fact]
    public async Task Negotiate_with_groups_resets_the_users_memberships_to_exactly_those()
    {
        await Service().NegotiateAsync("dashboard", "u-1", ["jur_440106008"]);

        Assert.Equal(["DELETE /api/hubs/dashboard/users/u-1/groups", "PUT /api/hubs/dashboard/users/u-1/groups/jur_440106008"],
            server.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task An_endpoint_with_a_trailing_slash_or_path_builds_the_same_urls()
    {
        var info = await Service(endpoint: Endpoint + "/").NegotiateAsync("dashboard", "u-1");
        Assert.Equal($"{Endpoint}/client/?hub=dashboard", info.Url);
    }

    [Theory]
    [InlineData("1dashboard", "g", "u")]
    [InlineData("dash-board", "g", "u")]
    [InlineData("dashboard", "g/../x", "u")]
    [InlineData("dashboard", "组", "u")]
    [InlineData("dashboard", "g", "")]
    [InlineData("dashboard", "g", "a/b")]
    [InlineData("dashboard", "g", "44010619800101123X")] // shaped like an ID number
    public async Task Invalid_names_are_refused_before_any_request(string hub, string group, string user)
    {
        var service = Service();
        await Assert.ThrowsAsync<ArgumentException>(() => service.AddUserToGroupAsync(hub, group, user));
        await Assert.ThrowsAsync<ArgumentException>(() => service.NegotiateAsync(hub, user, [group]));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_refusal_is_a_clear_exception_without_the_token()
    {
        server.Respond = _ => (401, """{"code":"Error.Unauthorized","message":"bad"}""");
        var e = await Assert.ThrowsAsync<RealtimeException>(() => Service().SendToAllAsync("dashboard", "t", []));

        Assert.Equal(401, e.Status);
        Assert.Equal("sendToAll", e.Operation);
        Assert.Contains("Error.Unauthorized", e.Message);
        Assert.DoesNotContain(Bearer(Assert.Single(server.Requests)), e.ToString());
    }

    [Fact]
    public async Task An_unreachable_service_is_a_clear_exception()
    {
        var e = await Assert.ThrowsAsync<RealtimeException>(() =>
            Service(endpoint: $"http://127.0.0.1:{StubSignalRServer.FreePort()}").SendToAllAsync("dashboard", "t", []));
        Assert.Null(e.Status);
        Assert.Contains("could not be reached", e.Message);
    }

    [Fact]
    public async Task Missing_endpoint_is_a_clear_exception()
    {
        var e = await Assert.ThrowsAsync<RealtimeException>(() => Service(endpoint: "").NegotiateAsync("dashboard", "u"));
        Assert.Contains("SignalR:Endpoint", e.Message);
    }

    [Fact]
    public async Task Without_an_access_key_REST_calls_carry_an_Entra_token_and_clients_get_a_service_issued_key()
    {
        const string serviceKey = "temporary-key-issued-by-the-service-0123456789";
        server.Respond = r => r.Path == "/api/v1/auth/accessKey" ? (200, $$"""{"KeyId":"kid-7","AccessKey":"{{serviceKey}}"}""") : (202, null);
        var credential = new StubCredential();
        var service = Service(accessKey: null, credential: credential);

        await service.SendToAllAsync("dashboard", "t", []);
        var info = await service.NegotiateAsync("dashboard", "u-1");
        await service.NegotiateAsync("dashboard", "u-2"); // the key is cached

        Assert.Equal(["POST /api/hubs/dashboard/:send", "GET /api/v1/auth/accessKey"], server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(server.Requests, r => Assert.Equal("Bearer entra-token", r.Authorization));
        Assert.Equal([SignalRTokens.EntraScope], credential.Scopes.Distinct());
        var jwt = await ValidAsync(info.AccessToken, info.Url, serviceKey);
        Assert.Equal("kid-7", jwt.Kid);
        Assert.Equal("u-1", jwt.GetPayloadValue<string>("nameid"));
    }

    [Theory]
    [InlineData("440106008001", new[] { "jur_440106008001", "jur_440106008", "jur_440106", "jur_440100" })]
    [InlineData("440106008", new[] { "jur_440106008", "jur_440106", "jur_440100" })]
    [InlineData("440106", new[] { "jur_440106", "jur_440100" })]
    [InlineData("440100", new[] { "jur_440100" })]
    public void An_event_reaches_its_jurisdiction_and_every_enclosing_one(string code, string[] groups)
    {
        Assert.Equal(groups, RealtimeNames.JurisdictionAudience(code));
        Assert.Equal(groups[0], RealtimeNames.JurisdictionGroup(code));
        Assert.All(groups, g => Assert.True(RealtimeNames.IsValidGroup(g)));
    }

    sealed class StubCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("entra-token", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
