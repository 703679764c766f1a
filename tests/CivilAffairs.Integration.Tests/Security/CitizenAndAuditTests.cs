using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Security;

[Collection(RuntimeCollection.Name)]
public class CitizenAndAuditTests(RuntimeFixture fx)
{
    async Task<string> WeChatCodeAsync(string user)
    {
        var response = await fx.Http.PostAsJsonAsync(new Uri(fx.WeChat, "__sim/login"), new { user });
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("code").GetString()!;
    }

    static HttpRequestMessage Bearer(HttpMethod method, string url, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Citizen_signs_in_with_WeChat_and_binds_real_name_against_the_person_index()
    {
        // A demo citizen already bound to 张伟.
        var zhang = await (await fx.Http.PostAsJsonAsync("api/auth/wechat/login", new { code = await WeChatCodeAsync("citizen-zhang") })).JsonAsync();
        Assert.True(zhang.GetProperty("realNameBound").GetBoolean());
        var me = await (await fx.Http.SendAsync(Bearer(HttpMethod.Get, "api/me", zhang.GetProperty("accessToken").GetString()!))).JsonAsync();
        Assert.Equal(DevelopmentIdentityProvider.DemoPersons.ZhangWei, me.GetProperty("id").GetString());

        // A WeChat user new to the platform: not bound; binding needs the right name for the ID number, then the code
        // sent to the phone on file (陈秀英: 138****8006).
        var token = await fx.NewWeChatCitizenAsync("陈秀英");
        await (await fx.Http.SendAsync(Bearer(HttpMethod.Get, "api/me", token))).AssertProblemAsync(404, "REALNAME_REQUIRED");
        await (await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/auth/realname", token, new { name = "张三", idNumber = "440105197001016786" })))
            .AssertProblemAsync(422, "REALNAME_MISMATCH");
        var sent = await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/auth/realname", token, new { name = "陈秀英", idNumber = "440105197001016786" }));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var challenge = await sent.JsonAsync();
        Assert.Equal("138****8006", challenge.GetProperty("maskedPhone").GetString());
        var bound = await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/auth/realname/confirm", token,
            new { challengeId = challenge.GetProperty("challengeId").GetString(), code = await fx.LastSmsCodeAsync("13800138006") }));
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        var result = await bound.JsonAsync();
        Assert.Equal(DevelopmentIdentityProvider.DemoPersons.ChenXiuying, result.GetProperty("person").GetProperty("id").GetString());
        var newToken = result.GetProperty("session").GetProperty("accessToken").GetString()!;
        var myself = await (await fx.Http.SendAsync(Bearer(HttpMethod.Get, "api/me", newToken))).JsonAsync();
        Assert.Equal("陈**", myself.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Used_or_unknown_WeChat_codes_are_refused()
    {
        var code = await WeChatCodeAsync("citizen-li");
        Assert.Equal(HttpStatusCode.OK, (await fx.Http.PostAsJsonAsync("api/auth/wechat/login", new { code })).StatusCode);
        await (await fx.Http.PostAsJsonAsync("api/auth/wechat/login", new { code })).AssertProblemAsync(401, "WECHAT_CODE_INVALID");
        await (await fx.Http.PostAsJsonAsync("api/auth/wechat/login", new { code = "no-such-code" })).AssertProblemAsync(401, "WECHAT_CODE_INVALID");
        await (await fx.Http.PostAsJsonAsync("api/auth/wechat/login", new { })).AssertProblemAsync(400, "VALIDATION_FAILED");
    }

    [Fact]
    public async Task Login_is_rate_limited_per_caller_with_retry_after_and_a_forged_forwarded_address_does_not_escape_it()
    {
        HttpResponseMessage? last = null;
        for (var i = 0; i < 40; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "api/auth/wechat/login") { Content = JsonContent.Create(new { code = "x" }) };
            // The caller forges a new address on every try; the front end appends the real one, which alone counts.
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i}, 203.0.113.77");
            last = await fx.Http.SendAsync(request);
            if (last.StatusCode == HttpStatusCode.TooManyRequests) break;
        }
        Assert.NotNull(last);
        await last.AssertProblemAsync(429, "RATE_LIMITED");
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        // Another caller is not affected.
        var other = new HttpRequestMessage(HttpMethod.Post, "api/auth/wechat/login") { Content = JsonContent.Create(new { code = "x" }) };
        other.Headers.Add("X-Forwarded-For", "203.0.113.78");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await fx.Http.SendAsync(other)).StatusCode);
    }

    [Fact]
    public async Task Authorization_denials_are_audited()
    {
        var denied = Bearer(HttpMethod.Get, $"api/persons/{DevelopmentIdentityProvider.DemoPersons.ZhangWei}", await fx.TokenAsync("yuexiu-approver"));
        await fx.Http.SendAsync(denied);
        var entries = await (await fx.Http.SendAsync(Bearer(HttpMethod.Get, "api/audit/entries?actor=yuexiu-approver&outcome=denied&pageSize=200", await fx.TokenAsync("auditor")))).JsonAsync();
        Assert.Contains(entries.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "person.read" && e.GetProperty("role").GetString() == "districtApprover");
    }

    [Fact]
    public async Task Audit_verify_passes_on_the_intact_chain_and_pinpoints_an_edited_entry()
    {
        var auditor = await fx.TokenAsync("auditor");
        // Make sure there is something to verify.
        await fx.Http.SendAsync(Bearer(HttpMethod.Get, $"api/persons/{DevelopmentIdentityProvider.DemoPersons.ZhangWei}", await fx.TokenAsync("tianhe-approver")));
        var intact = await (await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/audit/verify", auditor, new { }))).JsonAsync();
        Assert.True(intact.GetProperty("intact").GetBoolean(), intact.ToString());
        Assert.True(intact.GetProperty("checked").GetInt64() > 0);

        // Tamper with one entry directly in storage (as an attacker with table access would).
        var table = fx.Table("AuditLog");
        var victim = await table.GetEntityAsync<TableEntity>("chain", "0000000000000000002");
        var original = new TableEntity(victim.Value.Keys.Where(k => !k.StartsWith("odata", StringComparison.Ordinal) && k != "Timestamp").ToDictionary(k => k, k => victim.Value[k]));
        victim.Value["Outcome"] = "success";
        victim.Value["Actor"] = "someone-else";
        await table.UpdateEntityAsync(victim.Value, victim.Value.ETag);
        try
        {
            var broken = await (await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/audit/verify", auditor, new { from = 1 }))).JsonAsync();
            Assert.False(broken.GetProperty("intact").GetBoolean());
            Assert.Equal(2, broken.GetProperty("firstBrokenSequence").GetInt64());
            Assert.Equal("hashMismatch", broken.GetProperty("problem").GetString());
            // A range after the edit is still intact.
            var later = await (await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/audit/verify", auditor, new { from = 3, to = 3 }))).JsonAsync();
            Assert.True(later.GetProperty("intact").GetBoolean());
        }
        finally
        {
            // Restore so other tests see an intact chain.
            await table.UpdateEntityAsync(original, Azure.ETag.All, TableUpdateMode.Replace);
        }
    }

    [Fact]
    public async Task A_burst_of_audited_actions_on_two_hosts_is_all_recorded_in_one_unbroken_chain()
    {
        // Two hosts appending at once: the runtime's own log and a second instance over the same storage (as a scaled-out app).
        var services = fx.Runtime.Services;
        var first = (AuditLog)services.GetService(typeof(AuditLog))!;
        var second = new AuditLog((CivilAffairs.Application.Platform.Storage.Tables)services.GetService(typeof(CivilAffairs.Application.Platform.Storage.Tables))!,
            (Azure.Storage.Blobs.BlobServiceClient)services.GetService(typeof(Azure.Storage.Blobs.BlobServiceClient))!,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditLog>.Instance);
        var caller = new CivilAffairs.Domain.Platform.Caller("burst-test", "突发测试", CivilAffairs.Domain.Platform.Role.StreetOfficer, "440106008", null, null, "test");
        var appended = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).AppendAsync(caller, new AuditEvent("test.burst", AuditOutcome.Success, Detail: $"burst {i}"), $"burst-{i}"))));

        // Every action got its own place in the chain, and the chain verifies.
        Assert.Equal(400, appended.Select(e => e.Sequence).Distinct().Count());
        var table = fx.Table("AuditLog");
        foreach (var entry in appended.Where((_, i) => i % 40 == 0))
            Assert.Equal(entry.Detail, (await table.GetEntityAsync<TableEntity>("chain", AuditLog.RowKey(entry.Sequence))).Value.GetString("Detail"));
        var verified = await (await fx.Http.SendAsync(Bearer(HttpMethod.Post, "api/audit/verify", await fx.TokenAsync("auditor"),
            new { from = appended.Min(e => e.Sequence), to = appended.Max(e => e.Sequence) }))).JsonAsync();
        Assert.True(verified.GetProperty("intact").GetBoolean(), verified.ToString());
    }

    [Fact]
    public async Task No_api_edits_or_deletes_audit_entries()
    {
        var auditor = await fx.TokenAsync("auditor");
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
            Assert.True((await fx.Http.SendAsync(Bearer(method, "api/audit/entries", auditor))).StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound);
    }
}

[Collection(RuntimeCollection.Name)]
public class AnchorAndCorsTests(RuntimeFixture fx)
{
    [Fact]
    public async Task A_rewritten_chain_is_caught_by_the_daily_anchor()
    {
        var audit = (CivilAffairs.Application.Platform.Audit.AuditLog)fx.Runtime.Services.GetService(typeof(CivilAffairs.Application.Platform.Audit.AuditLog))!;
        var anchored = await audit.AnchorAsync();
        Assert.NotNull(anchored);
        var table = fx.Table("AuditLog");
        var key = CivilAffairs.Application.Platform.Audit.AuditLog.RowKey(anchored.Value.Sequence);
        var entity = (await table.GetEntityAsync<TableEntity>("chain", key)).Value;
        var original = new TableEntity(entity.Keys.Where(k => !k.StartsWith("odata", StringComparison.Ordinal) && k != "Timestamp").ToDictionary(k => k, k => entity[k]));
        try
        {
            // An attacker edits the anchored entry and recomputes its hash so the chain itself looks consistent
            // from here on (it is the last anchored entry; later entries would need rewriting too).
            var forged = new CivilAffairs.Application.Platform.Audit.AuditEntry
            {
                Sequence = anchored.Value.Sequence, Time = entity.GetDateTimeOffset("Time")!.Value, Actor = "nobody", Role = entity.GetString("Role"),
                Jurisdiction = entity.GetString("Jurisdiction"), Action = entity.GetString("Action"), Subject = entity.GetString("Subject"),
                Purpose = entity.GetString("Purpose"), Outcome = entity.GetString("Outcome"), RequestId = entity.GetString("RequestId"),
                Detail = entity.GetString("Detail"), PreviousHash = entity.GetString("PreviousHash"), Hash = "",
            };
            entity["Actor"] = "nobody";
            entity["Hash"] = forged.ComputeHash();
            await table.UpdateEntityAsync(entity, Azure.ETag.All, TableUpdateMode.Replace);
            var result = await audit.VerifyAsync(anchored.Value.Sequence, anchored.Value.Sequence);
            Assert.False(result.Intact);
            Assert.Equal("anchorMismatch", result.Problem);
            Assert.Equal(anchored.Value.Sequence, result.FirstBrokenSequence);
        }
        finally
        {
            await table.UpdateEntityAsync(original, Azure.ETag.All, TableUpdateMode.Replace);
        }
    }

    [Theory]
    [InlineData("http://localhost:5173", true)]
    [InlineData("https://evil.example.com", false)]
    public async Task Cors_allows_only_the_configured_front_ends(string origin, bool allowed)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "api/catalog/services");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        var response = await fx.Http.SendAsync(preflight);
        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Contains(origin));
    }
}
