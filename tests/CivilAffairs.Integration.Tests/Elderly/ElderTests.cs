using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>Elders of the elderly-care area over HTTP: enrolment, jurisdiction, contacts and consent, encryption at rest, death.</summary>
public class ElderTests(RuntimeFixture fx) : IClassFixture<RuntimeFixture>
{
    async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) =>
        await fx.Http.As(await fx.TokenAsync(account), method, url, body);

    static string NewIdNumber(int year) => RuntimeFixture.NewIdNumber("440104", new DateOnly(year, 1, 1).AddDays(Random.Shared.Next(300)));

    /// <summary>A resident of 盐运西社区 registered by the 北京街道 officer: person id and ID number.</summary>
    async Task<(string PersonId, string IdNumber)> ResidentAsync(int birthYear = 1940, string name = "赵桂兰")
    {
        var idNumber = NewIdNumber(birthYear);
        var response = await As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name, idNumber, phone = "13812345678", address = "广州市越秀区北京街道盐运西社区盐运西路 30 号", jurisdiction = "440104002001" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.JsonAsync()).GetProperty("id").GetString()!, idNumber);
    }

    static object Enrolment(string personId, string category = "aged80Plus", object[]? contacts = null) => new
    {
        personId, category, livesAlone = true, home = new { latitude = 23.1225, longitude = 113.2710 },
        contacts = contacts ?? [new { name = "赵小明", role = "relative", phone = "13912345678", consented = true }, new { name = "钱二", role = "relative", phone = "13712345678", consented = false }],
        services = new[] { "alarmService", "mealSubsidy" },
    };

    [Fact]
    public async Task A_street_officer_enrols_an_elder_whose_contacts_and_services_are_shown_masked_and_stored_encrypted()
    {
        var (personId, idNumber) = await ResidentAsync();
        var response = await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var elder = await response.JsonAsync();
        var id = elder.GetProperty("id").GetString()!;
        Assert.Equal($"/api/elderly/elders/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("赵**", elder.GetProperty("name").GetString());
        Assert.Equal("80岁以上", elder.GetProperty("categoryName").GetString());
        Assert.Equal("440104", elder.GetProperty("districtCode").GetString());
        var contacts = elder.GetProperty("contacts").EnumerateArray().ToList();
        Assert.Equal("139****5678", contacts[0].GetProperty("phone").GetString());
        Assert.True(contacts[0].GetProperty("consented").GetBoolean());
        Assert.False(contacts[1].GetProperty("consented").GetBoolean());
        Assert.False(contacts[1].TryGetProperty("consentedAt", out var none) && none.ValueKind != JsonValueKind.Null);
        Assert.All(elder.GetProperty("services").EnumerateArray(), s => Assert.True(s.GetProperty("activeToday").GetBoolean()));
        var card = elder.GetProperty("mealCardNumber").GetString()!;
        Assert.Matches("^[0-9]{12}$", card);
        Assert.DoesNotContain(card, idNumber);

        // The same person again: refused, nothing changes.
        await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId))).AssertProblemAsync(409, "ELDER_ALREADY_ENROLLED");

        // At rest: no name, phone, address or ID number in clear; keys are ids only.
        var row = (await new TableClient(fx.Storage, "Elders").GetEntityAsync<TableEntity>(id, "elder")).Value;
        var stored = string.Join("|", row.Select(kv => kv.Value?.ToString()));
        foreach (var secret in new[] { "赵桂兰", "赵小明", "13912345678", "盐运西路", idNumber, card }) Assert.DoesNotContain(secret, stored);

        // Staff of the jurisdiction see it (and the list has it); with purpose=contact the phone is unmasked for a street officer.
        var contact = await (await As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{id}?purpose=contact")).JsonAsync();
        Assert.Equal("13912345678", contact.GetProperty("contacts")[0].GetProperty("phone").GetString());
        var list = await (await As("yanyunxi-worker", HttpMethod.Get, "api/elderly/elders")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Staff_of_another_district_get_404_and_cannot_enrol_or_change_contacts()
    {
        var (personId, _) = await ResidentAsync();
        await (await As("shipai-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId))).AssertProblemAsync(400, "PERSON_NOT_FOUND");
        var id = (await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId))).JsonAsync()).GetProperty("id").GetString()!;
        await (await As("tianhe-approver", HttpMethod.Get, $"api/elderly/elders/{id}")).AssertProblemAsync(404, "ELDER_NOT_FOUND");
        await (await As("shipai-officer", HttpMethod.Put, $"api/elderly/elders/{id}/contacts", new { contacts = Array.Empty<object>() })).AssertProblemAsync(404, "ELDER_NOT_FOUND");
        var list = await (await As("shipai-officer", HttpMethod.Get, "api/elderly/elders")).JsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        await (await As("shipai-officer", HttpMethod.Get, "api/elderly/elders?jurisdiction=440104")).AssertProblemAsync(403, "OUT_OF_JURISDICTION");
    }

    [Fact]
    public async Task Bad_enrolments_get_field_errors_and_store_nothing()
    {
        var (young, _) = await ResidentAsync(birthYear: 1980, name: "孙年轻");
        await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(young, "aged60To79"))).AssertProblemAsync(400, "ELDER_UNDER_60");
        var (old, _) = await ResidentAsync(birthYear: 1960, name: "周六十");
        await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(old, "aged80Plus"))).AssertProblemAsync(400, "ELDER_CATEGORY_AGE_MISMATCH");
        var bad = await As("beijing-officer", HttpMethod.Post, "api/elderly/elders",
            Enrolment(old, "aged60To79", [new { name = "", role = "relative", phone = "12345", consented = true }]));
        await bad.AssertProblemAsync(400, "VALIDATION_FAILED");
        var body = await bad.Content.ReadAsStringAsync();
        Assert.Contains("contacts[0].phone", body);
        Assert.Contains("contacts[0].name", body);
        // Nothing half-written: the person can still be enrolled.
        Assert.Equal(HttpStatusCode.Created, (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(old, "aged60To79"))).StatusCode);
    }

    [Fact]
    public async Task Consent_is_timestamped_when_given_and_kept_on_later_updates()
    {
        var (personId, _) = await ResidentAsync();
        var id = (await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId))).JsonAsync()).GetProperty("id").GetString()!;
        var first = await (await As("yanyunxi-worker", HttpMethod.Put, $"api/elderly/elders/{id}/contacts", new
        {
            contacts = new object[] { new { name = "赵小明", role = "relative", phone = "13912345678", consented = true }, new { name = "钱二", role = "relative", phone = "13712345678", consented = true } },
        })).JsonAsync();
        var kept = first.GetProperty("contacts")[0];
        var given = first.GetProperty("contacts")[1];
        Assert.True(given.GetProperty("consented").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, given.GetProperty("consentedAt").ValueKind);
        var before = await (await As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{id}")).JsonAsync();
        Assert.Equal(kept.GetProperty("consentedAt").GetDateTimeOffset(), before.GetProperty("contacts")[0].GetProperty("consentedAt").GetDateTimeOffset());
        Assert.Equal(kept.GetProperty("id").GetString(), before.GetProperty("contacts")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_demo_elders_relative_sees_him_and_a_recorded_death_ends_his_services_from_the_next_day()
    {
        // 李娜 (citizen-li) is his consenting contact with an account: she may read his record; 张伟 may not.
        var seen = await As("citizen-li", HttpMethod.Get, $"api/elderly/elders/{DemoElders.LiJianguoElderId}");
        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        await (await As("citizen-zhang", HttpMethod.Get, $"api/elderly/elders/{DemoElders.LiJianguoElderId}")).AssertProblemAsync(404, "ELDER_NOT_FOUND");
        var followed = await (await As("citizen-li", HttpMethod.Get, "api/elderly/elders")).JsonAsync();
        Assert.Equal(DemoElders.LiJianguoElderId, Assert.Single(followed.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(0, (await (await As("citizen-zhang", HttpMethod.Get, "api/elderly/elders")).JsonAsync()).GetProperty("count").GetInt32());

        var (personId, idNumber) = await ResidentAsync(name: "吴老伯");
        var id = (await (await As("beijing-officer", HttpMethod.Post, "api/elderly/elders", Enrolment(personId))).JsonAsync()).GetProperty("id").GetString()!;
        var yesterday = DateTime.UtcNow.AddHours(8).AddDays(-1).ToString("yyyy-MM-dd");
        Assert.Equal(HttpStatusCode.Created, (await As("beijing-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber, dateOfDeath = yesterday, certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } })).StatusCode);
        var elder = await (await As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{id}")).JsonAsync();
        Assert.Equal(yesterday, elder.GetProperty("diedOn").GetString());
        Assert.All(elder.GetProperty("services").EnumerateArray(), s =>
        {
            Assert.False(s.GetProperty("activeToday").GetBoolean());
            Assert.Contains("去世", s.GetProperty("reason").GetString());
        });
    }
}
