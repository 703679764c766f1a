using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// Care institutions (养老机构) over HTTP on the one-machine runtime: registry → inspection → staffing → star rating with its
/// explanation; jurisdiction (another district's institution answers 404 like a missing one, audited); a substantiated
/// complaint lowers the stars; the public listing shows no personal data, is cacheable and rate-limited; bad input answers
/// problem details with stable codes and writes nothing; the daily timer recomputes ratings.
/// </summary>
public sealed class InstitutionTests(InstitutionFixture fx) : IClassFixture<InstitutionFixture>
{
    const string Approver = "tianhe-approver"; // district 440106
    const string Street = "440106008";         // 石牌街道 (shipai-officer)

    /// <summary>A client address of its own (the last X-Forwarded-For entry is the one the trusted front end appended).</summary>
    static string NewClient() => $"198.51.100.7, 2001:db8::{Guid.NewGuid().ToString("N")[..4]}";

    async Task<(string Id, string ETag, JsonElement Body)> RegisterAsync(string name, int beds = 100, string jurisdiction = Street)
    {
        var response = await fx.Send(Approver, HttpMethod.Post, "api/elderly/institutions", new
        {
            name, licenceNumber = "粤民养备 TEST-" + Guid.NewGuid().ToString("N")[..6], licenceValidUntil = DateTime.UtcNow.AddYears(2).ToString("yyyy-MM-dd"),
            beds, jurisdiction, address = "广州市天河区测试路 8 号", ownership = "private",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/elderly/institutions/{id}", response.Headers.Location?.ToString());
        return (id, response.Headers.ETag!.ToString(), body);
    }

    static string Today => DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
    static string DaysAgo(int days) => DateTime.UtcNow.AddHours(8).AddDays(-days).ToString("yyyy-MM-dd");

    async Task<JsonElement> InspectAsync(string id, int score, bool serious = false)
    {
        var response = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/inspections",
            new { date = DaysAgo(30), score, seriousViolation = serious, findings = "消防通道畅通，护理记录完整。" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    async Task<JsonElement> StaffAsync(string id, int careStaff, int residents)
    {
        var response = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/staffing", new { asOf = DaysAgo(3), careStaff, residents });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    async Task<JsonElement> RatingAsync(string id, string account = Approver)
    {
        var response = await fx.Send(account, HttpMethod.Get, $"api/elderly/institutions/{id}/rating");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    [Fact]
    public async Task Register_inspect_and_staff_give_a_rating_that_explains_its_inputs_weights_and_caps()
    {
        var (id, etag, registered) = await RegisterAsync("颐和测试养老院");
        Assert.Equal("暂无评级", registered.GetProperty("rating").GetProperty("display").GetString());
        Assert.Equal("440106", registered.GetProperty("district").GetString());

        // Not enough input yet: 暂无评级 with the domain's reasons.
        var none = await RatingAsync(id);
        Assert.False(none.GetProperty("rated").GetBoolean());
        Assert.Equal("暂无评级", none.GetProperty("display").GetString());
        var reasons = none.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ToList();
        Assert.Equal(["RATING_NO_RECENT_INSPECTION", "RATING_NO_STAFFING", "RATING_NO_RESIDENTS"], reasons);

        var inspection = await InspectAsync(id, 85);
        Assert.False(inspection.GetProperty("rating").GetProperty("rated").GetBoolean()); // still no staffing
        var staffing = await StaffAsync(id, 30, 90);
        Assert.Equal(5, staffing.GetProperty("rating").GetProperty("stars").GetInt32());

        // The street officer of 石牌 sees the same explanation.
        var rating = await RatingAsync(id, "shipai-officer");
        Assert.True(rating.GetProperty("rated").GetBoolean());
        Assert.Equal(5, rating.GetProperty("stars").GetInt32());
        Assert.Equal("★★★★★ 5星", rating.GetProperty("display").GetString());
        Assert.Equal(4.5m, rating.GetProperty("weightedPoints").GetDecimal());
        var components = rating.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["监督检查", "护理人员配备", "投诉"], components.Select(c => c.GetProperty("domain").GetString()));
        Assert.Equal([4, 5, 5], components.Select(c => c.GetProperty("domainStars").GetInt32()));
        Assert.Equal([0.5m, 0.3m, 0.2m], components.Select(c => c.GetProperty("weight").GetDecimal()));
        Assert.Contains("得分85分", components[0].GetProperty("input").GetString());
        Assert.Equal(0.5m, rating.GetProperty("weights").GetProperty("inspection").GetDecimal());
        Assert.Equal(2, rating.GetProperty("weights").GetProperty("seriousViolationCap").GetInt32());
        Assert.Empty(rating.GetProperty("capsApplied").EnumerateArray());
        Assert.Equal("最终评定：5星。", rating.GetProperty("explanation").EnumerateArray().Last().GetString());
        Assert.Contains(rating.GetProperty("rules").EnumerateArray(), r => r.GetString()!.Contains("封顶规则"));

        // A later inspection with a serious violation caps the rating at 2 stars, and the rating says so.
        await InspectAsync(id, 92, serious: true);
        var capped = await RatingAsync(id);
        Assert.Equal(2, capped.GetProperty("stars").GetInt32());
        Assert.Contains("重大违规", Assert.Single(capped.GetProperty("capsApplied").EnumerateArray()).GetString());

        // Update with If-Match: a stale version is refused, the current one accepted; the rating's row never moves the ETag.
        var stale = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/update", new { beds = 120 }, ifMatch: "W/\"datetime'2000-01-01T00%3A00%3A00Z'\"");
        await stale.AssertProblemAsync(412, "PRECONDITION_FAILED");
        var updated = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/update", new { beds = 120, name = "颐和测试养老院（新址）" }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(120, (await updated.JsonAsync()).GetProperty("beds").GetInt32());
    }

    [Fact]
    public async Task Another_jurisdictions_institution_answers_404_exactly_like_a_missing_one_and_the_denial_is_audited()
    {
        var (id, _, _) = await RegisterAsync("天河测试护养院");

        var missing = await (await fx.Send("yuexiu-approver", HttpMethod.Get, "api/elderly/institutions/01JZZZZZZZZZZZZZZZZZZZZZZZ")).AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        var foreign = await (await fx.Send("yuexiu-approver", HttpMethod.Get, $"api/elderly/institutions/{id}")).AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        Assert.Equal(missing.GetProperty("title").GetString(), foreign.GetProperty("title").GetString());
        Assert.Equal(missing.GetProperty("detail").GetString(), foreign.GetProperty("detail").GetString());

        // Writes are checked exactly as reads: another street's officer or another district cannot inspect or read the rating.
        await (await fx.Send("wushan-officer", HttpMethod.Post, $"api/elderly/institutions/{id}/inspections", new { date = Today, score = 10 }))
            .AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        await (await fx.Send("yuexiu-approver", HttpMethod.Get, $"api/elderly/institutions/{id}/rating")).AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        var list = await (await fx.Send("yuexiu-approver", HttpMethod.Get, "api/elderly/institutions")).JsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        Assert.Empty(await InspectionRowsAsync(id));

        // Registering into another district is refused.
        var outside = await fx.Send("yuexiu-approver", HttpMethod.Post, "api/elderly/institutions", new
        {
            name = "越界登记", licenceNumber = "X-1", licenceValidUntil = "2030-01-01", beds = 10, jurisdiction = Street, address = "某地", ownership = "public",
        });
        await outside.AssertProblemAsync(403, "OUT_OF_JURISDICTION");

        var table = await StoreAsync(TableNames.AuditLog);
        var denials = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"chain"} and Outcome eq {"denied"}")))
            if (e.GetString("Detail") == $"{id}:outOfScope") denials.Add(e.GetString("Action"));
        Assert.Contains("elderly.institution.read", denials);
        Assert.Contains("elderly.institution.inspection", denials);
        Assert.Contains("elderly.institution.rating.read", denials);
    }

    [Fact]
    public async Task A_substantiated_complaint_lowers_the_stars_and_the_complainant_is_stored_only_encrypted()
    {
        var (id, _, _) = await RegisterAsync("安康测试颐养院");
        await InspectAsync(id, 85);
        await StaffAsync(id, 30, 90);
        Assert.Equal(5, (await RatingAsync(id)).GetProperty("stars").GetInt32());

        const string text = "夜间护理员不在岗，老人呼叫无人应答。";
        var lodged = await fx.Send("citizen-zhang", HttpMethod.Post, $"api/elderly/institutions/{id}/complaints", new { text });
        Assert.Equal(HttpStatusCode.Created, lodged.StatusCode);
        var receipt = await lodged.JsonAsync();
        Assert.Equal("pending", receipt.GetProperty("status").GetString());
        Assert.DoesNotContain("citizen-zhang", receipt.ToString());
        var complaintId = receipt.GetProperty("id").GetString()!;
        Assert.Equal(5, (await RatingAsync(id)).GetProperty("stars").GetInt32()); // pending does not count

        var complaints = await (await fx.Send(Approver, HttpMethod.Get, $"api/elderly/institutions/{id}/complaints")).JsonAsync();
        var item = Assert.Single(complaints.GetProperty("items").EnumerateArray());
        Assert.Equal(text, item.GetProperty("text").GetString());
        Assert.Equal("市民", item.GetProperty("lodgedAs").GetString());
        Assert.DoesNotContain("citizen-zhang", complaints.ToString());

        var decided = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/complaints/{complaintId}/decision", new { substantiated = true, note = "经核实属实" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(4, (await decided.JsonAsync()).GetProperty("rating").GetProperty("stars").GetInt32());
        var again = await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/complaints/{complaintId}/decision", new { substantiated = false });
        await again.AssertProblemAsync(409, "COMPLAINT_ALREADY_DECIDED");

        var rating = await RatingAsync(id);
        Assert.Equal(4, rating.GetProperty("stars").GetInt32());
        Assert.Contains("经查属实投诉1件", rating.GetProperty("components")[2].GetProperty("input").GetString());

        // Stored: neither the text nor the complainant's account in the clear, nothing personal in the keys.
        var row = (await (await StoreAsync(TableNames.ElderlyComplaints)).GetEntityAsync<TableEntity>(id, complaintId)).Value;
        Assert.DoesNotContain("citizen-zhang", string.Join("|", row.Select(kv => kv.Value?.ToString())));
        Assert.DoesNotContain("夜间护理员", row.GetString("Text"));
    }

    [Fact]
    public async Task The_public_listing_shows_stars_without_personal_data_and_may_be_cached()
    {
        var (id, _, _) = await RegisterAsync("公开测试福利院");
        await InspectAsync(id, 95);
        await StaffAsync(id, 40, 100);
        (await fx.Send("citizen-zhang", HttpMethod.Post, $"api/elderly/institutions/{id}/complaints", new { text = "张某某投诉：饭菜太咸。" })).EnsureSuccessStatusCode();
        var client = NewClient();

        var response = await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions?district=440106", client: client);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        var body = await response.JsonAsync();
        var entry = Assert.Single(body.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        Assert.Equal(5, entry.GetProperty("stars").GetInt32());
        Assert.Equal("天河区", entry.GetProperty("districtName").GetString());
        Assert.Contains("综合评定5星", entry.GetProperty("summary").GetString());
        var names = entry.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(["address", "beds", "display", "district", "districtName", "id", "name", "ownership", "ownershipName", "rated", "ratedOn", "stars", "summary"],
            names.Order(StringComparer.Ordinal));
        var text = body.ToString();
        foreach (var personal in new[] { "citizen-zhang", Approver, "张某某", "registeredBy", "licenceNumber", "findings", "消防通道" })
            Assert.DoesNotContain(personal, text);

        var detail = await fx.Send(null, HttpMethod.Get, $"api/public/elderly/institutions/{id}", client: client);
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        var detailBody = await detail.JsonAsync();
        Assert.Equal("最终评定：5星。", detailBody.GetProperty("explanation").EnumerateArray().Last().GetString());
        Assert.DoesNotContain("张某某", detailBody.ToString());
        Assert.DoesNotContain("citizen-zhang", detailBody.ToString());

        await (await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions/01JZZZZZZZZZZZZZZZZZZZZZZZ", client: client)).AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        await (await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions?district=440100", client: client)).AssertProblemAsync(400, "INVALID_QUERY");
    }

    [Fact]
    public async Task Public_endpoints_are_rate_limited_per_client()
    {
        var client = NewClient();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < InstitutionFixture.PublicPerMinute + 5 && limited is null; i++)
        {
            var response = await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions", client: client);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited = response;
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.NotNull(limited);
        await limited.AssertProblemAsync(429, "RATE_LIMITED");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another client is not held up.
        Assert.Equal(HttpStatusCode.OK, (await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions", client: NewClient())).StatusCode);
    }

    [Fact]
    public async Task Bad_input_answers_problem_details_with_stable_codes_and_writes_nothing()
    {
        var bedsZero = await fx.Send(Approver, HttpMethod.Post, "api/elderly/institutions", new
        {
            name = "零床位", licenceNumber = "X-0", licenceValidUntil = "2030-01-01", beds = 0, jurisdiction = Street, address = "某地", ownership = "public",
        });
        var problem = await bedsZero.AssertProblemAsync(400, "INSTITUTION_BEDS_INVALID");
        Assert.Equal("beds", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        var list = await (await fx.Send(Approver, HttpMethod.Get, "api/elderly/institutions?district=440106")).JsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("name").GetString() == "零床位");

        var (id, _, _) = await RegisterAsync("输入校验测试院", beds: 50);
        await (await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/inspections", new { date = Today, score = 101 }))
            .AssertProblemAsync(400, "INSPECTION_SCORE_OUT_OF_RANGE");
        await (await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/inspections", new { date = Today, score = 80, findings = new string('查', 2001) }))
            .AssertProblemAsync(400, "INSPECTION_FINDINGS_TOO_LONG");
        await (await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/staffing", new { careStaff = 5, residents = 51 }))
            .AssertProblemAsync(400, "INSTITUTION_OCCUPANCY_INVALID");
        await (await fx.Send("citizen-zhang", HttpMethod.Post, $"api/elderly/institutions/{id}/complaints", new { text = new string('投', 1001) }))
            .AssertProblemAsync(400, "COMPLAINT_TEXT_TOO_LONG");
        await (await fx.Send("citizen-zhang", HttpMethod.Post, "api/elderly/institutions/01JZZZZZZZZZZZZZZZZZZZZZZZ/complaints", new { text = "投诉" }))
            .AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        await (await fx.Send(Approver, HttpMethod.Post, "api/elderly/institutions/not-an-id/inspections", new { date = Today, score = 80 }))
            .AssertProblemAsync(404, "INSTITUTION_NOT_FOUND");
        await (await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/update", new { jurisdiction = "440104002" }))
            .AssertProblemAsync(400, "INSTITUTION_DISTRICT_FIXED");
        await (await fx.Http.PostRawAsync($"api/elderly/institutions/{id}/complaints", "{\"text\": ")).AssertProblemAsync(401, "UNAUTHENTICATED");
        await (await fx.Send("citizen-zhang", HttpMethod.Post, "api/elderly/institutions", new { name = "市民登记" })).AssertProblemAsync(403, "FORBIDDEN");
        await (await fx.Send(Approver, HttpMethod.Post, $"api/elderly/institutions/{id}/complaints/01JZZZZZZZZZZZZZZZZZZZZZZZ/decision", new { substantiated = true }))
            .AssertProblemAsync(404, "COMPLAINT_NOT_FOUND");

        // Nothing half-written: no inspection, staffing or complaint rows for the institution.
        Assert.Empty(await InspectionRowsAsync(id));
        Assert.Empty(await RowsAsync(TableNames.ElderlyStaffing, id));
        Assert.Empty(await RowsAsync(TableNames.ElderlyComplaints, id));
    }

    [Fact]
    public async Task The_rating_timer_recomputes_from_what_is_stored()
    {
        var (id, _, _) = await RegisterAsync("定时评定测试院");
        await StaffAsync(id, 30, 90);
        Assert.False((await RatingAsync(id)).GetProperty("rated").GetBoolean());

        // An inspection that reaches storage without the service (as after a failed inline recomputation): the timer rates it.
        var table = await StoreAsync(TableNames.ElderlyInspections);
        await table.AddEntityAsync(new TableEntity(id, "01JZ" + Guid.NewGuid().ToString("N")[..22].ToUpperInvariant())
        {
            ["Date"] = DaysAgo(10), ["Score"] = 91, ["SeriousViolation"] = false, ["RecordedAt"] = DateTimeOffset.UtcNow, ["RecordedBy"] = "test",
        });
        var rated = await Http.EventuallyAsync(async () =>
        {
            var rating = await RatingAsync(id);
            return rating.GetProperty("rated").GetBoolean() ? rating.ToString() : null;
        }, TimeSpan.FromSeconds(30), "the timer to rate the institution");
        Assert.Equal(5, JsonDocument.Parse(rated).RootElement.GetProperty("stars").GetInt32());
    }

    [Fact]
    public async Task The_demo_institutions_show_stars_in_the_public_listing()
    {
        await CivilAffairs.LocalRuntime.Hosting.DemoData.SeedInstitutionsAsync(fx.Runtime, TextWriter.Null);
        await CivilAffairs.LocalRuntime.Hosting.DemoData.SeedInstitutionsAsync(fx.Runtime, TextWriter.Null); // a second run adds nothing

        var client = NewClient();
        var tianhe = await (await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions?district=440106", client: client)).JsonAsync();
        var yuexiu = await (await fx.Send(null, HttpMethod.Get, "api/public/elderly/institutions?district=440104", client: client)).JsonAsync();
        int? Stars(JsonElement list, string name) =>
            Assert.Single(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("name").GetString() == name).GetProperty("stars").GetInt32();
        Assert.Equal(5, Stars(tianhe, "天河区社会福利院"));
        Assert.Equal(4, Stars(tianhe, "石牌街颐康护养院"));
        Assert.Equal(2, Stars(yuexiu, "越秀区长者颐养中心"));
    }

    Task<TableClient> StoreAsync(string name) => ((Tables)fx.Runtime.Services.GetService(typeof(Tables))!).GetAsync(name);

    Task<List<TableEntity>> InspectionRowsAsync(string id) => RowsAsync(TableNames.ElderlyInspections, id);

    async Task<List<TableEntity>> RowsAsync(string tableName, string id)
    {
        var table = await StoreAsync(tableName);
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"))) rows.Add(e);
        return rows;
    }
}
