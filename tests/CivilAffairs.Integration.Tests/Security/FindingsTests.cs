using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Security;

/// <summary>
/// Issue 11, findings 1–9: the outside tester's exact requests, replayed. Each must now get a 4xx problem with a code (or
/// succeed harmlessly, for the public feeds), and nothing the request aimed at may change. Every test builds its own 天河
/// objects through the API (a new incident, a new household, new people), so it does not depend on what other tests did.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class FindingsTests(RuntimeFixture fx)
{
    static readonly DemoData.DemoPerson LiNa = DemoData.People.Single(p => p.Name == "李娜");
    static readonly DemoData.DemoPerson LiuFang = DemoData.People.Single(p => p.Name == "刘芳");
    static readonly double[][] TianheArea = [[113.30, 23.10], [113.36, 23.10], [113.36, 23.16], [113.30, 23.16], [113.30, 23.10]];
    const string Ghost = "01JCZ8ZZZZZZZZZZZZZZZZZZZZ";

    // ---- requests ------------------------------------------------------------------------------------------------------

    async Task<HttpResponseMessage> Send(string? token, HttpMethod method, string url, HttpContent? content = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (forwardedFor is not null) request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return await fx.Http.SendAsync(request);
    }

    async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) =>
        await fx.Http.As(await fx.TokenAsync(account), method, url, body);

    /// <summary>A JSON body sent exactly as written (escapes and all).</summary>
    static HttpContent RawJson(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    static HttpContent RawBytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    static string Today() => DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd");

    // ---- objects of 天河, built through the API ---------------------------------------------------------------------

    async Task<(string Id, string Name)> IncidentAsync()
    {
        var name = "天河区暴雨（复测" + Random.Shared.Next(1000, 9999) + "）";
        var response = await As("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name, type = "rainstorm", level = "III", area = TianheArea, startedAt = DateTimeOffset.UtcNow.AddHours(-2), jurisdiction = "440106",
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return ((await response.JsonAsync()).GetProperty("id").GetString()!, name);
    }

    static object NeedBody(string incidentId, decimal quantity = 20, string? description = null, string? reportedAt = null) => new
    {
        incidentId, position = new { latitude = 23.1300, longitude = 113.3300 }, category = "water", quantity, unit = "箱", urgency = "high",
        description, clientReportId = Guid.NewGuid().ToString("N"), reportedAt,
    };

    async Task<string> NeedAsync(string incidentId, string? description = null)
    {
        var response = await As("huashi-worker", HttpMethod.Post, "api/disaster/needs", NeedBody(incidentId, description: description));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("needId").GetString()!;
    }

    /// <summary>What a write into the need would change (the age points of its priority grow by themselves, so they are left out).</summary>
    async Task<string> NeedStateAsync(string needId)
    {
        var view = await (await As("tianhe-approver", HttpMethod.Get, $"api/disaster/needs/{needId}")).JsonAsync();
        var p = view.GetProperty("priority");
        return string.Join(" | ", view.GetProperty("reportCount"), view.GetProperty("quantity"), view.GetProperty("urgency"),
            view.GetProperty("reporters"), view.GetProperty("lastReportedAt"), view.GetProperty("reports").GetArrayLength(),
            p.GetProperty("urgency"), p.GetProperty("category"), p.GetProperty("reports"), p.GetProperty("analysis"));
    }

    /// <summary>A registered device of <paramref name="jurisdiction"/>: its id, secret and platform token.</summary>
    async Task<(string Id, string Secret, string Token)> DeviceAsync(string staff, string jurisdiction)
    {
        var created = await As(staff, HttpMethod.Post, "api/disaster/devices", new { name = "复测无人机", kind = "drone", jurisdiction, quotaBytes = 50_000_000 });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = await created.JsonAsync();
        var id = body.GetProperty("device").GetProperty("id").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;
        var token = await Send(null, HttpMethod.Post, "api/disaster/devices/token", JsonContent.Create(new { deviceId = id, secret }), NewAddress());
        Assert.True(token.StatusCode == HttpStatusCode.OK, await token.Content.ReadAsStringAsync());
        return (id, secret, (await token.JsonAsync()).GetProperty("accessToken").GetString()!);
    }

    static string NewAddress() => $"203.0.113.{Random.Shared.Next(1, 255)}";

    static string NewIdNumber(int fromYear = 1950) =>
        RuntimeFixture.NewIdNumber("440106", new DateOnly(fromYear, 1, 1).AddDays(Random.Shared.Next(12_000)));

    sealed record Member(string Name, string IdNumber, string Relationship);

    static object ApplicationBody(params Member[] members) => new
    {
        program = "minimumLivingAllowance", jurisdiction = "440106008001", bankAccount = "6222020200112233445",
        members = members.Select(m => new { name = m.Name, idNumber = m.IdNumber, relationship = m.Relationship, consentSigned = true }),
    };

    /// <summary>A new 天河 household (people new to the platform) filed at 华师社区 by its community worker: the application and its members.</summary>
    async Task<(string ApplicationId, Member Applicant, Member Spouse)> TianheHouseholdAsync()
    {
        var applicant = new Member("周大明", NewIdNumber(), "applicant");
        var spouse = new Member("吴小红", NewIdNumber(), "spouse");
        var response = await As("huashi-worker", HttpMethod.Post, "api/assistance/applications", ApplicationBody(applicant, spouse));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return ((await response.JsonAsync()).GetProperty("id").GetString()!, applicant, spouse);
    }

    /// <summary>A WeChat user bound (with the code sent to their phone on file) to a person new to the platform: the bound token and the person.</summary>
    async Task<(string Token, Member Person)> BoundCitizenAsync()
    {
        var person = new Member("郑实名", NewIdNumber(1960), "applicant");
        var mobile = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var registered = await As("shipai-officer", HttpMethod.Post, "api/persons",
            new { name = person.Name, idNumber = person.IdNumber, phone = mobile, address = "广州市天河区石牌街道华师社区", jurisdiction = "440106008001" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var citizen = await fx.NewWeChatCitizenAsync();
        var challenge = await fx.Http.As(citizen, HttpMethod.Post, "api/auth/realname", new { name = person.Name, idNumber = person.IdNumber });
        Assert.True(challenge.StatusCode == HttpStatusCode.OK, await challenge.Content.ReadAsStringAsync());
        var confirmed = await fx.Http.As(citizen, HttpMethod.Post, "api/auth/realname/confirm",
            new { challengeId = (await challenge.JsonAsync()).GetProperty("challengeId").GetString(), code = await fx.LastSmsCodeAsync(mobile) });
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync());
        return ((await confirmed.JsonAsync()).GetProperty("session").GetProperty("accessToken").GetString()!, person);
    }

    /// <summary>The death row recorded for an ID number (the Deaths table is keyed by the number's blind index), if any.</summary>
    async Task<TableEntity?> DeathRowAsync(string idNumber)
    {
        var index = fx.Runtime.Services.GetRequiredService<PersonIndex>().IndexOf(idNumber);
        var table = fx.Table(TableNames.Deaths);
        await table.CreateIfNotExistsAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(index[..2], index);
        return row.HasValue ? row.Value : null;
    }

    // ---- 1 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding1_realname_with_a_bound_persons_name_and_ID_number_gives_the_caller_no_token()
    {
        // The tester: citizen-wang signs in through the simulator and binds 李娜, who is bound to citizen-li.
        var wang = await fx.WeChatLoginAsync("citizen-wang");
        HttpResponseMessage started;
        for (var attempt = 0; ; attempt++)
        {
            started = await fx.Http.As(wang, HttpMethod.Post, "api/auth/realname", new { name = LiNa.Name, idNumber = LiNa.IdNumber });
            if (started.StatusCode != HttpStatusCode.TooManyRequests || attempt >= 10) break;
            await Task.Delay(started.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)); // another test just asked for a code for 李娜
        }
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.OK, text);
        // A challenge only: the code went to 李娜's phone. No token, no person, nothing of hers but the masked number.
        var challenge = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["challengeId", "expiresAt", "maskedPhone"], challenge.EnumerateObject().Select(p => p.Name).Order());
        Assert.DoesNotContain(LiNa.Phone!, text);
        Assert.DoesNotContain(DevelopmentIdentityProvider.DemoPersons.LiNa, text);

        // The caller is still nobody: /api/me and her household's reports stay closed to them.
        await (await fx.Http.As(wang, HttpMethod.Get, "api/me")).AssertProblemAsync(404, "REALNAME_REQUIRED");
        // Even with the code from her phone, a person bound to another account is not re-bound.
        var confirm = await fx.Http.As(wang, HttpMethod.Post, "api/auth/realname/confirm",
            new { challengeId = challenge.GetProperty("challengeId").GetString(), code = await fx.LastSmsCodeAsync(LiNa.Phone!) });
        var refused = await confirm.AssertProblemAsync(409, "REALNAME_ALREADY_BOUND");
        Assert.False(refused.TryGetProperty("session", out _));
        await (await fx.Http.As(wang, HttpMethod.Get, "api/me")).AssertProblemAsync(404, "REALNAME_REQUIRED");

        // 李娜's own account still is 李娜.
        var li = await fx.WeChatLoginAsync("citizen-li");
        Assert.Equal(DevelopmentIdentityProvider.DemoPersons.LiNa, (await (await fx.Http.As(li, HttpMethod.Get, "api/me")).JsonAsync()).GetProperty("id").GetString());
    }

    // ---- 2 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding2_another_district_cannot_record_a_death_for_a_tianhe_applicants_member()
    {
        var (_, _, spouse) = await TianheHouseholdAsync();
        var dateOfDeath = DateTime.UtcNow.AddHours(8).AddDays(-30).ToString("yyyy-MM-dd");

        foreach (var account in new[] { "beijing-officer", "yuexiu-approver" })
        {
            var response = await As(account, HttpMethod.Post, "api/funeral/deaths", new { idNumber = spouse.IdNumber, dateOfDeath, certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
            await response.AssertProblemAsync(404, "PERSON_NOT_FOUND");
            Assert.Null(await DeathRowAsync(spouse.IdNumber));
        }

        // The person's own district can (so the check above looks at the right place).
        var own = await As("tianhe-approver", HttpMethod.Post, "api/funeral/deaths", new { idNumber = spouse.IdNumber, dateOfDeath, certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(dateOfDeath, (await DeathRowAsync(spouse.IdNumber))?.GetString("DateOfDeath"));

        // A number the index does not know is refused (a certificate is checked against the person index), and nothing is written.
        var unknown = NewIdNumber();
        await (await As("beijing-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber = unknown, dateOfDeath, certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } }))
            .AssertProblemAsync(422, "PERSON_NOT_IN_INDEX");
        Assert.Null(await DeathRowAsync(unknown));
    }

    // ---- 3 ---------------------------------------------------------------------------------------------------------------

    /// <summary>Texts the XML feed could not carry, as JSON string literals exactly as the tester sent them.</summary>
    static readonly (string What, string Json)[] UnstorableText =
    [
        ("control character", "\"ADV\\u0001洪水\""),
        ("NUL", "\"\\u0000\""),
        ("noncharacter", "\"\\ufffe\""),
        ("lone surrogate", "\"ADV\\ud800X\""),
    ];

    [Fact]
    public async Task Finding3_incident_names_and_levels_the_feed_cannot_carry_are_refused_and_the_CAP_feeds_stay_valid()
    {
        var (incident, name) = await IncidentAsync();
        var token = await fx.TokenAsync("tianhe-approver");
        var create = "{\"name\":__,\"type\":\"rainstorm\",\"level\":\"III\",\"area\":[[113.30,23.10],[113.36,23.10],[113.36,23.16],[113.30,23.16],[113.30,23.10]],"
                     + $"\"startedAt\":\"{DateTimeOffset.UtcNow.AddHours(-1):O}\",\"jurisdiction\":\"440106\"}}";

        foreach (var (what, json) in UnstorableText)
        {
            var renamed = await Send(token, HttpMethod.Post, $"api/disaster/incidents/{incident}/update", RawJson($"{{\"name\":{json}}}"));
            Assert.True(renamed.StatusCode == HttpStatusCode.BadRequest, $"rename with {what}: {(int)renamed.StatusCode} {await renamed.Content.ReadAsStringAsync()}");
            await renamed.AssertProblemAsync(400, "INVALID_TEXT");
            var relevel = await Send(token, HttpMethod.Post, $"api/disaster/incidents/{incident}/update", RawJson($"{{\"level\":{json},\"reason\":\"复测\"}}"));
            await relevel.AssertProblemAsync(400, "INVALID_TEXT");
            await (await Send(token, HttpMethod.Post, "api/disaster/incidents", RawJson(create.Replace("__", json)))).AssertProblemAsync(400, "INVALID_TEXT");
        }
        // Raw bytes that are not UTF-8 at all ("\xff\xfeADV"), as a name and as a level, on update and on create.
        byte[] Bytes(string field, string rest) => [.. Encoding.UTF8.GetBytes($"{{\"{field}\":\""), 0xFF, 0xFE, .. "ADV\""u8, .. Encoding.UTF8.GetBytes(rest + "}")];
        var common = "\"type\":\"rainstorm\",\"area\":[[113.30,23.10],[113.36,23.10],[113.36,23.16],[113.30,23.16],[113.30,23.10]],"
                     + $"\"startedAt\":\"{DateTimeOffset.UtcNow.AddHours(-1):O}\",\"jurisdiction\":\"440106\"";
        foreach (var (field, other) in new[] { ("name", "\"level\":\"III\""), ("level", "\"name\":\"复测\"") })
        {
            await (await Send(token, HttpMethod.Post, $"api/disaster/incidents/{incident}/update", RawBytes(Bytes(field, ",\"reason\":\"复测\""), "application/json")))
                .AssertProblemAsync(400, "INVALID_TEXT");
            await (await Send(token, HttpMethod.Post, "api/disaster/incidents", RawBytes(Bytes(field, $",{other},{common}"), "application/json")))
                .AssertProblemAsync(400, "INVALID_TEXT");
        }

        // The incident is as it was, and the public feeds answer everyone with well-formed XML that carries it.
        var view = await (await Send(token, HttpMethod.Get, $"api/disaster/incidents/{incident}")).JsonAsync();
        Assert.Equal((name, "III"), (view.GetProperty("name").GetString(), view.GetProperty("level").GetString()));
        foreach (var url in new[] { "api/public/disaster/alerts.cap", $"api/public/disaster/incidents/{incident}/alert.cap" })
        {
            var feed = await Send(null, HttpMethod.Get, url);
            var xml = await feed.Content.ReadAsStringAsync();
            Assert.True(feed.StatusCode == HttpStatusCode.OK, $"{url}: {(int)feed.StatusCode} {xml}");
            var document = XDocument.Parse(xml);
            Assert.Contains(document.Descendants(), e => !e.HasElements && e.Value.Contains(name));
        }
    }

    // ---- 4 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding4_a_new_forwarded_address_on_every_try_does_not_escape_the_device_secret_limit()
    {
        var device = await DeviceAsync("shipai-officer", "440106008");
        var statuses = new List<(int Status, string? Code)>();
        for (var i = 1; i <= 6; i++)
        {
            var response = await Send(null, HttpMethod.Post, "api/disaster/devices/token",
                JsonContent.Create(new { deviceId = device.Id, secret = "wrong-secret-" + i }), $"203.0.113.{i}");
            statuses.Add(((int)response.StatusCode, (await response.JsonAsync()).GetProperty("code").GetString()));
        }
        // Four refusals, then the device is locked whatever address the guesses claim to come from.
        Assert.Equal([.. Enumerable.Repeat((401, (string?)"DEVICE_CREDENTIALS_INVALID"), 4), (429, "TOO_MANY_FAILURES"), (429, "TOO_MANY_FAILURES")], statuses);
        // While locked, even the right secret from yet another address gets no token.
        var right = await Send(null, HttpMethod.Post, "api/disaster/devices/token", JsonContent.Create(new { deviceId = device.Id, secret = device.Secret }), "198.51.100.200");
        var locked = await right.AssertProblemAsync(429, "TOO_MANY_FAILURES");
        Assert.Contains("分钟", locked.GetProperty("detail").GetString());
    }

    // ---- 5 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding5_yuexiu_staff_and_devices_cannot_write_into_a_tianhe_incident_or_need_and_learn_nothing()
    {
        var (incident, _) = await IncidentAsync();
        var need = await NeedAsync(incident);
        var before = await NeedStateAsync(need);

        foreach (var account in new[] { "yanyunxi-worker", "beijing-officer", "yuexiu-approver" })
        {
            // The same place, category and unit as the 天河 need, so a merge is what the tester got.
            var into = await As(account, HttpMethod.Post, "api/disaster/needs", NeedBody(incident, quantity: 500));
            var text = await into.Content.ReadAsStringAsync();
            await into.AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
            Assert.DoesNotContain(need, text);
            Assert.DoesNotContain("merged", text);
            // Exactly as for an incident that does not exist.
            await (await As(account, HttpMethod.Post, "api/disaster/needs", NeedBody(Ghost, quantity: 500))).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        }
        Assert.Equal(before, await NeedStateAsync(need));

        // A 越秀 device cannot name the 天河 incident or need in an upload (whose analysis would move the need's priority).
        var yuexiu = await DeviceAsync("beijing-officer", "440104002");
        object Upload(string? incidentId, string? needId) => new { fileName = "flood.jpg", contentType = "image/jpeg", size = 1000, incidentId, needId };
        await (await fx.Http.As(yuexiu.Token, HttpMethod.Post, "api/disaster/uploads", Upload(incident, null))).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        await (await fx.Http.As(yuexiu.Token, HttpMethod.Post, "api/disaster/uploads", Upload(Ghost, null))).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        await (await fx.Http.As(yuexiu.Token, HttpMethod.Post, "api/disaster/uploads", Upload(incident, need))).AssertProblemAsync(404, "NEED_NOT_FOUND");
        await (await fx.Http.As(yuexiu.Token, HttpMethod.Post, "api/disaster/uploads", Upload(null, need))).AssertProblemAsync(404, "NEED_NOT_FOUND");
        await (await fx.Http.As(yuexiu.Token, HttpMethod.Post, "api/disaster/uploads", Upload(null, Ghost))).AssertProblemAsync(404, "NEED_NOT_FOUND");
        // A 天河 device may (the refusal above is about the district, not the request).
        var tianhe = await DeviceAsync("shipai-officer", "440106008");
        var own = await fx.Http.As(tianhe.Token, HttpMethod.Post, "api/disaster/uploads", Upload(incident, need));
        Assert.True(own.StatusCode == HttpStatusCode.Created, await own.Content.ReadAsStringAsync());
        Assert.Equal(before, await NeedStateAsync(need));
    }

    // ---- 6 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding6_input_that_answered_500_now_gets_a_4xx_problem_with_its_own_code()
    {
        // A need reportedAt of year 1 or year 9999.
        var (incident, _) = await IncidentAsync();
        await (await As("huashi-worker", HttpMethod.Post, "api/disaster/needs", NeedBody(incident, reportedAt: "0001-01-01T00:00:00+00:00")))
            .AssertProblemAsync(400, "NEED_TIME_BEFORE_INCIDENT");
        await (await As("huashi-worker", HttpMethod.Post, "api/disaster/needs", NeedBody(incident, reportedAt: "9999-12-31T23:59:59.9999999+00:00")))
            .AssertProblemAsync(400, "NEED_TIME_FUTURE");
        var needs = await (await As("tianhe-approver", HttpMethod.Get, $"api/disaster/needs?incident={incident}")).JsonAsync();
        Assert.Equal(0, needs.GetProperty("count").GetInt32());

        // An unterminated multipart body on materials: a form problem, not "malformed JSON".
        var (application, _, _) = await TianheHouseholdAsync();
        var unterminated = "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 partial"u8.ToArray();
        var form = await Send(await fx.TokenAsync("huashi-worker"), HttpMethod.Post, $"api/assistance/applications/{application}/materials",
            RawBytes(unterminated, "multipart/form-data; boundary=abc"));
        await form.AssertProblemAsync(400, "MALFORMED_FORM");
        var materials = await (await As("huashi-worker", HttpMethod.Get, $"api/assistance/applications/{application}/materials")).JsonAsync();
        Assert.DoesNotContain("a.pdf", materials.ToString());

        // Real-name binding with a development-issued citizen token (no WeChat account behind it).
        await (await As("citizen-zhang", HttpMethod.Post, "api/auth/realname", new { name = LiNa.Name, idNumber = LiNa.IdNumber }))
            .AssertProblemAsync(409, "REALNAME_NOT_AVAILABLE");
    }

    // ---- 7 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding7_a_citizen_filing_with_a_strangers_ID_number_is_not_told_the_stranger_receives_assistance()
    {
        // The stranger sits in an active 天河 household (filed by staff).
        var (_, _, stranger) = await TianheHouseholdAsync();
        // Staff may know: the same member again at the counter is refused (so the stranger really is taken).
        var counter = await As("huashi-worker", HttpMethod.Post, "api/assistance/applications", ApplicationBody(new Member("钱多多", NewIdNumber(), "applicant"), stranger));
        await counter.AssertProblemAsync(409, "MEMBER_IN_ACTIVE_HOUSEHOLD");

        // Two citizens file online, one naming the stranger, the other someone nobody has filed for: the answers look alike.
        var (citizen, me) = await BoundCitizenAsync();
        var withStranger = await fx.Http.As(citizen, HttpMethod.Post, "api/assistance/applications", ApplicationBody(me, stranger));
        var (other, otherMe) = await BoundCitizenAsync();
        var withNobody = await fx.Http.As(other, HttpMethod.Post, "api/assistance/applications", ApplicationBody(otherMe, new Member(stranger.Name, NewIdNumber(), "spouse")));
        var (strangerText, nobodyText) = (await withStranger.Content.ReadAsStringAsync(), await withNobody.Content.ReadAsStringAsync());
        Assert.True(withNobody.StatusCode == HttpStatusCode.Created, nobodyText);
        Assert.True(withStranger.StatusCode == withNobody.StatusCode, strangerText);
        Assert.DoesNotContain("MEMBER_IN_ACTIVE_HOUSEHOLD", strangerText);
        Assert.DoesNotContain("在办", strangerText);
        static IEnumerable<string> Shape(JsonElement e) => e.EnumerateObject().Select(p => p.Name + ":" + p.Value.ValueKind).Order();
        var (a, b) = (JsonDocument.Parse(strangerText).RootElement, JsonDocument.Parse(nobodyText).RootElement);
        Assert.Equal(Shape(b), Shape(a));
        Assert.Equal(b.GetProperty("status").GetString(), a.GetProperty("status").GetString());
        // Reading it back tells them nothing more.
        var id = a.GetProperty("id").GetString()!;
        var readBack = await (await fx.Http.As(citizen, HttpMethod.Get, $"api/assistance/applications/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("MEMBER_IN_ACTIVE_HOUSEHOLD", readBack);
        Assert.DoesNotContain("在办", readBack);
        // The office meets the conflict when it accepts the application.
        await (await As("shipai-officer", HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true }))
            .AssertProblemAsync(409, "MEMBER_IN_ACTIVE_HOUSEHOLD");
    }

    [Fact]
    public async Task A_citizen_filing_online_does_not_register_the_people_they_declare_until_the_office_accepts()
    {
        // A bound citizen names someone the index does not know, in a household they declare in 越秀.
        var (citizen, me) = await BoundCitizenAsync();
        var planted = new Member("假冒者", RuntimeFixture.NewIdNumber("440104", new DateOnly(1970, 1, 1).AddDays(Random.Shared.Next(9_000))), "spouse");
        var body = new
        {
            program = "minimumLivingAllowance", jurisdiction = "440104002001", bankAccount = "6222020200112233445",
            members = new[] { me, planted }.Select(m => new { name = m.Name, idNumber = m.IdNumber, relationship = m.Relationship, consentSigned = true }),
        };
        var filed = await fx.Http.As(citizen, HttpMethod.Post, "api/assistance/applications", body);
        Assert.True(filed.StatusCode == HttpStatusCode.Created, await filed.Content.ReadAsStringAsync());
        var id = (await filed.JsonAsync()).GetProperty("id").GetString()!;

        // Nothing was registered: the person's own district registers them under their real name and records what it must.
        var real = await As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name = "真实姓名", idNumber = planted.IdNumber, address = "广州市越秀区北京街道", jurisdiction = "440104002001" });
        Assert.True(real.StatusCode == HttpStatusCode.Created, await real.Content.ReadAsStringAsync());
        var personId = (await real.JsonAsync()).GetProperty("id").GetString()!;
        var view = await (await As("beijing-officer", HttpMethod.Get, $"api/persons/{personId}")).JsonAsync();
        Assert.StartsWith("真", view.GetProperty("name").GetString());

        // Accepted by the residence street's officer, the application links the member to that person, not to a planted one.
        var accepted = await As("beijing-officer", HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true });
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync());
        var again = await As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name = "真实姓名", idNumber = planted.IdNumber, address = "广州市越秀区北京街道", jurisdiction = "440104002001" });
        await again.AssertProblemAsync(409, "PERSON_ALREADY_REGISTERED");
    }

    [Fact]
    public async Task Finding7_a_community_worker_is_not_told_in_which_district_a_resident_is_registered()
    {
        // 李娜 lives in 越秀, 刘芳 in another 天河 community: neither is the 华师社区 worker's, and the two answers are the same.
        async Task<JsonElement> Register(DemoData.DemoPerson p)
        {
            var response = await As("huashi-worker", HttpMethod.Post, "api/persons",
                new { name = p.Name, idNumber = p.IdNumber, address = "广州市天河区石牌街道华师社区", jurisdiction = "440106008001" });
            return await response.AssertProblemAsync(409, "PERSON_ALREADY_REGISTERED");
        }
        var yuexiu = await Register(LiNa);
        var otherCommunity = await Register(LiuFang);
        Assert.Equal(otherCommunity.GetProperty("detail").GetString(), yuexiu.GetProperty("detail").GetString());
        foreach (var answer in new[] { yuexiu.ToString(), otherCommunity.ToString() })
        {
            foreach (var revealing in new[] { "其他辖区", "越秀", "天河", "440104", "440106005", LiNa.Id, LiuFang.Id })
                Assert.DoesNotContain(revealing, answer);
        }
        // Someone in the worker's own community is shown to them (so the answers above are a choice, not an accident).
        var own = await Register(DemoData.People.Single(p => p.Name == "张伟"));
        Assert.Contains(DevelopmentIdentityProvider.DemoPersons.ZhangWei, own.GetProperty("detail").GetString());
    }

    // ---- 8 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding8_ID_and_mobile_numbers_typed_into_a_need_description_come_back_masked_to_staff()
    {
        var (incident, _) = await IncidentAsync();
        var idNumber = NewIdNumber();
        const string mobile = "13912345678";
        var need = await NeedAsync(incident, $"3楼王阿姨行动不便，身份证{idNumber}，电话{mobile}，需要饮用水");

        foreach (var account in new[] { "huashi-worker", "shipai-officer", "tianhe-approver", "city-admin", "auditor" })
        {
            var response = await As(account, HttpMethod.Get, $"api/disaster/needs/{need}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{account}: {text}");
            var description = JsonDocument.Parse(text).RootElement.GetProperty("reports")[0].GetProperty("description").GetString()!;
            Assert.DoesNotContain(idNumber, text);
            Assert.DoesNotContain(mobile, text);
            Assert.Equal($"3楼王阿姨行动不便，身份证{idNumber[..6]}********{idNumber[^4..]}，电话139****5678，需要饮用水", description);
        }
        // A role that may see identifiers for a stated purpose sees them as typed (and the read is audited with the purpose).
        var handling = await (await As("shipai-officer", HttpMethod.Get, $"api/disaster/needs/{need}?purpose=caseHandling")).JsonAsync();
        Assert.Contains(idNumber, handling.GetProperty("reports")[0].GetProperty("description").GetString());
    }

    // ---- 9 ---------------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Finding9_dates_months_quantities_and_ranges_out_of_bounds_are_refused()
    {
        // Death date in year 1.
        var (_, applicant, _) = await TianheHouseholdAsync();
        var death = await As("shipai-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber = applicant.IdNumber, dateOfDeath = "0001-01-01", certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
        var problem = await death.AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "dateOfDeath");
        Assert.Null(await DeathRowAsync(applicant.IdNumber));

        // Payment months 000101 and 209901: no batch is made.
        foreach (var month in new[] { "000101", "209901" })
        {
            var run = await As("tianhe-approver", HttpMethod.Post, "api/assistance/payments/runs", new { month, district = "440106" });
            var runProblem = await run.AssertProblemAsync(400, "VALIDATION_FAILED");
            Assert.Contains(runProblem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "month");
            await (await As("tianhe-approver", HttpMethod.Get, $"api/assistance/payments/{month}/440106")).AssertProblemAsync(404, "BATCH_NOT_FOUND");
        }

        // Need quantity decimal.MaxValue, sent as the number the tester typed.
        var (incident, _) = await IncidentAsync();
        var body = JsonSerializer.Serialize(NeedBody(incident)).Replace("\"quantity\":20", "\"quantity\":79228162514264337593543950335");
        Assert.Contains("79228162514264337593543950335", body);
        await (await Send(await fx.TokenAsync("huashi-worker"), HttpMethod.Post, "api/disaster/needs", RawJson(body))).AssertProblemAsync(400, "NEED_QUANTITY_OUT_OF_RANGE");
        Assert.Equal(0, (await (await As("tianhe-approver", HttpMethod.Get, $"api/disaster/needs?incident={incident}")).JsonAsync()).GetProperty("count").GetInt32());

        // Incident start in year 1.
        var declared = await As("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name = "远古暴雨", type = "rainstorm", level = "III", area = TianheArea, startedAt = "0001-01-01T00:00:00+00:00", jurisdiction = "440106",
        });
        await declared.AssertProblemAsync(400, "INCIDENT_START_TOO_OLD");

        // Audit verification from past the end of the log is not "intact, 0 checked".
        var auditor = await fx.TokenAsync("auditor");
        var verify = await fx.Http.As(auditor, HttpMethod.Post, "api/audit/verify", new { from = 999_999_999 });
        var verifyText = await verify.Content.ReadAsStringAsync();
        var verifyProblem = await verify.AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains(verifyProblem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "from");
        Assert.DoesNotContain("intact", verifyText);
    }

    /// <summary>
    /// Finding 4 where no trusted proxy is configured (one machine): forwarded headers are ignored altogether, so a new
    /// <c>X-Forwarded-For</c> on every try does not escape the per-address login limit.
    /// </summary>
    public sealed class WithoutTrustedProxy : IClassFixture<WithoutTrustedProxy.Runtime>
    {
        public sealed class Runtime : IAsyncLifetime
        {
            public Azurite Azurite { get; private set; } = null!;
            public FunctionsRuntime Functions { get; private set; } = null!;
            public HttpClient Http { get; private set; } = null!;
            readonly string data = Path.Combine(Path.GetTempPath(), "ca-noproxy-" + Guid.NewGuid().ToString("N"));

            public async Task InitializeAsync()
            {
                Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
                Functions = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, data, s =>
                {
                    s["Security:TrustedProxy:Header"] = "";
                    s["Security:RateLimit:LoginPerMinute"] = "6";
                }));
                Http = new HttpClient { BaseAddress = Functions.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            }

            public async Task DisposeAsync()
            {
                Http?.Dispose();
                if (Functions is not null) await Functions.DisposeAsync();
                if (Azurite is not null) await Azurite.DisposeAsync();
                try { Directory.Delete(data, recursive: true); } catch (IOException) { }
            }
        }

        readonly Runtime runtime;
        public WithoutTrustedProxy(Runtime runtime) => this.runtime = runtime;

        [Fact]
        public async Task Finding4_forged_forwarded_addresses_are_ignored_and_device_token_guesses_are_limited_per_address()
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 1; i <= 12; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/disaster/devices/token")
                {
                    Content = JsonContent.Create(new { deviceId = "01JCZ8NOPE0000000000000000", secret = "guess-" + i }),
                };
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"203.0.113.{i}");
                var response = await runtime.Http.SendAsync(request);
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    await response.AssertProblemAsync(429, "RATE_LIMITED");
                    Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                    break;
                }
                await response.AssertProblemAsync(401, "DEVICE_CREDENTIALS_INVALID");
            }
            // Six a minute from this address (a slow machine may see one more refill), whichever address each request claimed.
            Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
            Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 6, 8);
        }
    }
}
