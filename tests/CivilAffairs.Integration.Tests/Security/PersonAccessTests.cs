using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Security;

[Collection(RuntimeCollection.Name)]
public class PersonAccessTests(RuntimeFixture fx)
{
    static readonly string ZhangWei = DevelopmentIdentityProvider.DemoPersons.ZhangWei;     // 天河区石牌街道华师社区
    static readonly string LiuFang = DevelopmentIdentityProvider.DemoPersons.LiuFang;       // 天河区五山街道华工社区
    static readonly string LiJianguo = DevelopmentIdentityProvider.DemoPersons.LiJianguo;   // 越秀区北京街道盐运西社区

    async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync(account));
        if (body is not null) request.Content = JsonContent.Create(body);
        return await fx.Http.SendAsync(request);
    }

    [Theory]
    [InlineData("city-admin", "ZhangWei", HttpStatusCode.OK)]
    [InlineData("tianhe-approver", "ZhangWei", HttpStatusCode.OK)]
    [InlineData("shipai-officer", "ZhangWei", HttpStatusCode.OK)]
    [InlineData("huashi-worker", "ZhangWei", HttpStatusCode.OK)]
    [InlineData("yuexiu-approver", "ZhangWei", HttpStatusCode.NotFound)]   // district A cannot see district B
    [InlineData("beijing-officer", "ZhangWei", HttpStatusCode.NotFound)]
    [InlineData("huashi-worker", "LiuFang", HttpStatusCode.NotFound)]      // other community, same district
    [InlineData("wushan-officer", "ZhangWei", HttpStatusCode.NotFound)]    // other street, same district
    [InlineData("tianhe-approver", "LiJianguo", HttpStatusCode.NotFound)]
    [InlineData("yuexiu-approver", "LiJianguo", HttpStatusCode.OK)]
    public async Task Staff_see_only_people_inside_their_jurisdiction(string account, string person, HttpStatusCode expected)
    {
        var id = person switch { "ZhangWei" => ZhangWei, "LiuFang" => LiuFang, _ => LiJianguo };
        var response = await As(account, HttpMethod.Get, $"api/persons/{id}");
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.NotFound)
        {
            var problem = await response.AssertProblemAsync(404, "PERSON_NOT_FOUND");
            // Indistinguishable from a person that does not exist.
            var missing = await (await As(account, HttpMethod.Get, "api/persons/01JCZ8DEM00000000000000098")).JsonAsync();
            Assert.Equal(missing.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Staff_of_one_district_cannot_register_people_in_another()
    {
        var response = await As("yuexiu-approver", HttpMethod.Post, "api/persons",
            new { name = "测试", idNumber = RuntimeFixture.NewIdNumber("440106", new DateOnly(1990, 1, 1)), jurisdiction = "440106008001" });
        await response.AssertProblemAsync(403, "OUT_OF_JURISDICTION");
    }

    [Fact]
    public async Task Identifiers_are_masked_unless_the_role_needs_them_for_the_stated_purpose_and_unmasked_reads_are_audited()
    {
        var masked = await (await As("shipai-officer", HttpMethod.Get, $"api/persons/{ZhangWei}")).JsonAsync();
        Assert.Equal("440106********1235", masked.GetProperty("idNumber").GetString());
        Assert.Equal("138****8001", masked.GetProperty("phone").GetString());
        Assert.Equal("张*", masked.GetProperty("name").GetString());
        Assert.True(masked.GetProperty("masked").GetBoolean());
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var expectedAge = today.Year - 1958 - (today < new DateOnly(today.Year, 3, 12) ? 1 : 0);
        Assert.Equal(expectedAge, masked.GetProperty("age").GetInt32());
        Assert.Equal("male", masked.GetProperty("sex").GetString());

        // A community worker may not see the ID number for case handling…
        var worker = await (await As("huashi-worker", HttpMethod.Get, $"api/persons/{ZhangWei}?purpose=caseHandling")).JsonAsync();
        Assert.True(worker.GetProperty("masked").GetBoolean());
        // …a street officer handling the case may.
        var response = await As("shipai-officer", HttpMethod.Get, $"api/persons/{ZhangWei}?purpose=caseHandling");
        var clear = await response.JsonAsync();
        Assert.False(clear.GetProperty("masked").GetBoolean());
        Assert.Equal("440106195803121235", clear.GetProperty("idNumber").GetString());
        Assert.Equal("张伟", clear.GetProperty("name").GetString());

        var entries = await (await As("auditor", HttpMethod.Get, "api/audit/entries?action=person.readUnmasked&actor=shipai-officer&pageSize=200")).JsonAsync();
        Assert.Contains(entries.GetProperty("entries").EnumerateArray(), e => e.GetProperty("purpose").GetString() == "caseHandling" && e.GetProperty("outcome").GetString() == "success");
        Assert.DoesNotContain("440106195803121235", entries.ToString());
    }

    [Fact]
    public async Task Unknown_purpose_and_invalid_id_numbers_are_refused_naming_the_failed_check()
    {
        await (await As("shipai-officer", HttpMethod.Get, $"api/persons/{ZhangWei}?purpose=curiosity")).AssertProblemAsync(400, "INVALID_QUERY");

        var badCheckDigit = await (await As("shipai-officer", HttpMethod.Post, "api/persons",
            new { name = "王五", idNumber = "440106195803121234", jurisdiction = "440106008001" })).AssertProblemAsync(400, "VALIDATION_FAILED");
        var error = badCheckDigit.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal("idNumber", error.GetProperty("field").GetString());
        Assert.Contains("校验码", error.GetProperty("message").GetString());

        var badDate = await (await As("shipai-officer", HttpMethod.Post, "api/persons/lookup", new { idNumber = RuntimeFixture.NewIdNumber("440106", null, "19581332") })).AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains("出生日期", badDate.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Registration_encrypts_identifiers_and_lookup_finds_by_id_number_within_jurisdiction()
    {
        var idNumber = RuntimeFixture.NewIdNumber("440106", new DateOnly(1961, 5, 20));
        var created = await As("huashi-worker", HttpMethod.Post, "api/persons",
            new { name = "赵敏", idNumber, phone = "13912345678", address = "广州市天河区石牌街道华师社区某路 8 号", jurisdiction = "440106008001" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.JsonAsync();
        Assert.Equal((idNumber[16] - '0') % 2 == 1 ? "male" : "female", view.GetProperty("sex").GetString());
        Assert.Equal(new DateOnly(1961, 5, 20), DateOnly.Parse(view.GetProperty("birthDate").GetString()!));

        var stored = await fx.Table("Persons").GetEntityAsync<TableEntity>(view.GetProperty("id").GetString()!, "person");
        Assert.DoesNotContain(stored.Value.Select(kv => kv.Value), v => v is string s && (s.Contains(idNumber) || s.Contains("13912345678") || s.Contains("赵敏")));

        var again = await As("shipai-officer", HttpMethod.Post, "api/persons", new { name = "赵敏", idNumber, jurisdiction = "440106008001" });
        await again.AssertProblemAsync(409, "PERSON_ALREADY_REGISTERED");

        var found = await (await As("tianhe-approver", HttpMethod.Post, "api/persons/lookup", new { idNumber })).JsonAsync();
        Assert.Equal(view.GetProperty("id").GetString(), found.GetProperty("id").GetString());
        await (await As("yuexiu-approver", HttpMethod.Post, "api/persons/lookup", new { idNumber })).AssertProblemAsync(404, "PERSON_NOT_FOUND");
    }

    [Fact]
    public async Task A_citizen_cannot_read_another_citizens_records()
    {
        await (await As("citizen-li", HttpMethod.Get, $"api/persons/{ZhangWei}")).AssertProblemAsync(403, "FORBIDDEN");
        var me = await (await As("citizen-li", HttpMethod.Get, "api/me")).JsonAsync();
        Assert.Equal(DevelopmentIdentityProvider.DemoPersons.LiNa, me.GetProperty("id").GetString());
        Assert.Equal("李*", me.GetProperty("name").GetString());
    }
}
