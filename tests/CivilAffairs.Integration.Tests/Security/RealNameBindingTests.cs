using System.Net;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Security;

/// <summary>
/// Real-name binding is a proof, not a claim: knowing someone's name and ID number is not enough to become them.
/// Each test uses WeChat users new to the platform and (except the takeover) people it registers itself.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class RealNameBindingTests(RuntimeFixture fx)
{
    static readonly DemoData.DemoPerson LiNa = DemoData.People.Single(p => p.Name == "李娜");

    Task<HttpResponseMessage> Start(string token, string name, string idNumber) =>
        fx.Http.As(token, HttpMethod.Post, "api/auth/realname", new { name, idNumber });

    Task<HttpResponseMessage> Confirm(string token, string challengeId, string code) =>
        fx.Http.As(token, HttpMethod.Post, "api/auth/realname/confirm", new { challengeId, code });

    /// <summary>Asks for a code, waiting out the (test-short) gap between two codes to one person.</summary>
    async Task<string> ChallengeAsync(string token, string name, string idNumber)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await Start(token, name, idNumber);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 10)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (await response.JsonAsync()).GetProperty("challengeId").GetString()!;
        }
    }

    /// <summary>Every audit entry of one action (following continuation tokens: a filtered page may be short).</summary>
    async Task<List<JsonElement>> AuditEntriesAsync(string action)
    {
        var auditor = await fx.TokenAsync("auditor");
        var result = new List<JsonElement>();
        string? next = null;
        do
        {
            var url = $"api/audit/entries?action={action}&pageSize=200" + (next is null ? "" : "&continuationToken=" + Uri.EscapeDataString(next));
            var page = await (await fx.Http.As(auditor, HttpMethod.Get, url)).JsonAsync();
            result.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.Clone()));
            next = page.TryGetProperty("continuationToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        }
        while (next is not null);
        return result;
    }

    /// <summary>A person registered by a 石牌 street officer, with a mobile number of their own.</summary>
    async Task<(string Id, string Name, string IdNumber, string Mobile)> NewPersonAsync()
    {
        var idNumber = RuntimeFixture.NewIdNumber("440106", new DateOnly(1980, 1, 1).AddDays(Random.Shared.Next(8000)));
        var mobile = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var created = await fx.Http.As(await fx.TokenAsync("shipai-officer"), HttpMethod.Post, "api/persons",
            new { name = "周实名", idNumber, phone = mobile, address = "广州市天河区石牌街道华师社区", jurisdiction = "440106008001" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await created.JsonAsync()).GetProperty("id").GetString()!, "周实名", idNumber, mobile);
    }

    [Fact]
    public async Task Knowing_a_bound_persons_name_and_ID_number_does_not_take_over_their_account()
    {
        // The tester's request: a new WeChat user binds 李娜, already bound to citizen-li.
        var attacker = await fx.NewWeChatCitizenAsync("攻击者");
        var sent = await Start(attacker, LiNa.Name, LiNa.IdNumber);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var challenge = await sent.JsonAsync();
        // No token, no person: the code went to 李娜's phone, which the attacker does not have.
        Assert.False(challenge.TryGetProperty("session", out _));
        Assert.Equal("138****8004", challenge.GetProperty("maskedPhone").GetString());
        var challengeId = challenge.GetProperty("challengeId").GetString()!;
        await (await Confirm(attacker, challengeId, "000000")).AssertProblemAsync(422, "REALNAME_CODE_WRONG");
        // Even with the code (a phone stolen too), a person bound to another account stays bound to it.
        await (await Confirm(attacker, await ChallengeAsync(attacker, LiNa.Name, LiNa.IdNumber), await fx.LastSmsCodeAsync(LiNa.Phone!)))
            .AssertProblemAsync(409, "REALNAME_ALREADY_BOUND");
        await (await fx.Http.As(attacker, HttpMethod.Get, "api/me")).AssertProblemAsync(404, "REALNAME_REQUIRED");
        // 李娜's own account is untouched.
        var li = await fx.WeChatLoginAsync("citizen-li");
        Assert.Equal(DevelopmentIdentityProvider.DemoPersons.LiNa, (await (await fx.Http.As(li, HttpMethod.Get, "api/me")).JsonAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Repeated_failures_lock_binding_for_the_person_whichever_accounts_they_come_from()
    {
        var person = await NewPersonAsync();
        var accounts = new[] { await fx.NewWeChatCitizenAsync(), await fx.NewWeChatCitizenAsync() };
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
            last = await Start(accounts[i % 2], "错名字", person.IdNumber);
        var locked = await last.AssertProblemAsync(429, "TOO_MANY_FAILURES");
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("分钟", locked.GetProperty("detail").GetString());
        // The right name does not help while locked, from a third account either.
        await (await Start(await fx.NewWeChatCitizenAsync(), person.Name, person.IdNumber)).AssertProblemAsync(429, "TOO_MANY_FAILURES");

        // The lock is audited (by the person's blind index, never the ID number).
        var entries = await AuditEntriesAsync("security.lockout");
        Assert.Contains(entries, e => e.GetProperty("detail").GetString()!.StartsWith("realNameBinding"));
        Assert.DoesNotContain(entries, e => e.ToString().Contains(person.IdNumber));
    }

    [Fact]
    public async Task Wrong_codes_count_against_the_person_and_a_code_is_good_once()
    {
        var person = await NewPersonAsync();
        var citizen = await fx.NewWeChatCitizenAsync();
        var challengeId = await ChallengeAsync(citizen, person.Name, person.IdNumber);
        var code = await fx.LastSmsCodeAsync(person.Mobile);
        var wrong = code == "123456" ? "654321" : "123456";
        await (await Confirm(citizen, challengeId, wrong)).AssertProblemAsync(422, "REALNAME_CODE_WRONG");
        await (await Confirm(citizen, challengeId, "12x456")).AssertProblemAsync(400, "VALIDATION_FAILED");
        // Asking again at once is refused (one code per person per interval), with when to retry.
        var again = await Start(citizen, person.Name, person.IdNumber);
        await again.AssertProblemAsync(429, "REALNAME_CODE_TOO_SOON");
        Assert.NotNull(again.Headers.RetryAfter);

        var bound = await Confirm(citizen, challengeId, code);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        await (await Confirm(citizen, challengeId, code)).AssertProblemAsync(422, "REALNAME_CODE_EXPIRED");
        // Another account cannot use this challenge (challenges belong to the account that asked).
        await (await Confirm(await fx.NewWeChatCitizenAsync(), challengeId, code)).AssertProblemAsync(422, "REALNAME_CODE_EXPIRED");
    }

    [Fact]
    public async Task A_binding_is_released_by_its_owner_or_by_staff_with_a_reason_and_old_tokens_lose_the_person()
    {
        var person = await NewPersonAsync();
        var first = await fx.NewWeChatCitizenAsync();
        var bound = await (await Confirm(first, await ChallengeAsync(first, person.Name, person.IdNumber), await fx.LastSmsCodeAsync(person.Mobile))).JsonAsync();
        var firstToken = bound.GetProperty("session").GetProperty("accessToken").GetString()!;
        Assert.Equal(person.Id, (await (await fx.Http.As(firstToken, HttpMethod.Get, "api/me")).JsonAsync()).GetProperty("id").GetString());
        await (await Start(firstToken, person.Name, person.IdNumber)).AssertProblemAsync(409, "REALNAME_ALREADY_DONE");

        // The owner unbinds: the token issued before stops carrying the person at once.
        var unbound = await fx.Http.As(firstToken, HttpMethod.Post, "api/auth/realname/unbind");
        Assert.Equal(HttpStatusCode.OK, unbound.StatusCode);
        Assert.False((await unbound.JsonAsync()).GetProperty("realNameBound").GetBoolean());
        await (await fx.Http.As(firstToken, HttpMethod.Get, "api/me")).AssertProblemAsync(404, "REALNAME_REQUIRED");

        // Now a second account can bind the person (with the code); the first cannot get back in without one.
        var second = await fx.NewWeChatCitizenAsync();
        var secondBound = await (await Confirm(second, await ChallengeAsync(second, person.Name, person.IdNumber), await fx.LastSmsCodeAsync(person.Mobile))).JsonAsync();
        var secondToken = secondBound.GetProperty("session").GetProperty("accessToken").GetString()!;
        Assert.Equal(person.Id, (await (await fx.Http.As(secondToken, HttpMethod.Get, "api/me")).JsonAsync()).GetProperty("id").GetString());

        // Staff release it at the window: only within their jurisdiction, only with a reason, and audited with it.
        var url = $"api/persons/{person.Id}/unbind";
        await (await fx.Http.As(await fx.TokenAsync("yuexiu-approver"), HttpMethod.Post, url, new { reason = "本人到窗口申请解除绑定" })).AssertProblemAsync(404, "PERSON_NOT_FOUND");
        await (await fx.Http.As(await fx.TokenAsync("huashi-worker"), HttpMethod.Post, url, new { reason = "本人到窗口申请解除绑定" })).AssertProblemAsync(403, "FORBIDDEN");
        await (await fx.Http.As(await fx.TokenAsync("shipai-officer"), HttpMethod.Post, url, new { })).AssertProblemAsync(400, "VALIDATION_FAILED");
        var released = await fx.Http.As(await fx.TokenAsync("shipai-officer"), HttpMethod.Post, url, new { reason = "本人持身份证到窗口申请，原微信号已无法登录" });
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.True((await released.JsonAsync()).GetProperty("wasBound").GetBoolean());
        await (await fx.Http.As(secondToken, HttpMethod.Get, "api/me")).AssertProblemAsync(404, "REALNAME_REQUIRED");
        Assert.Contains(await AuditEntriesAsync("person.unbindAccount"), e =>
            e.GetProperty("outcome").GetString() == "success" && e.GetProperty("detail").GetString()!.Contains("原微信号已无法登录"));
    }

    [Fact]
    public async Task A_token_not_issued_to_a_WeChat_account_cannot_bind_and_gets_a_clear_answer()
    {
        // The tester's request: a development-issued citizen token (no account behind it) answered 500.
        var dev = await fx.TokenAsync("citizen-zhang");
        await (await Start(dev, LiNa.Name, LiNa.IdNumber)).AssertProblemAsync(409, "REALNAME_NOT_AVAILABLE");
        await (await Confirm(dev, "01JCZ8DEM00000000000000001", "123456")).AssertProblemAsync(409, "REALNAME_NOT_AVAILABLE");
        await (await fx.Http.As(await fx.TokenAsync("shipai-officer"), HttpMethod.Post, "api/auth/realname", new { name = LiNa.Name, idNumber = LiNa.IdNumber }))
            .AssertProblemAsync(403, "FORBIDDEN");
    }
}
