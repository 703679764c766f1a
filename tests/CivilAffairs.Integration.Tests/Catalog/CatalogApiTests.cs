using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Catalog;

[Collection(RuntimeCollection.Name)]
public class CatalogApiTests(RuntimeFixture fx)
{
    static readonly string[] NineAreas = ["assistance", "elderly", "marriage", "funeral", "charity", "organizations", "community", "familyTracing", "disaster"];

    [Fact]
    public async Task Catalogue_lists_at_least_twenty_items_covering_all_nine_areas()
    {
        var body = await (await fx.Http.GetAsync("api/catalog/services")).JsonAsync();
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 20, $"only {items.Count} items");
        Assert.Equal(items.Count, body.GetProperty("count").GetInt32());
        Assert.Equal(NineAreas.Order(), items.Select(i => i.GetProperty("area").GetString()!).Distinct().Order());
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("code").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Catalogue_filters_by_area_and_keyword()
    {
        var elderly = await (await fx.Http.GetAsync("api/catalog/services?area=elderly")).JsonAsync();
        Assert.All(elderly.GetProperty("items").EnumerateArray(), i => Assert.Equal("elderly", i.GetProperty("area").GetString()));
        Assert.True(elderly.GetProperty("count").GetInt32() >= 2);

        var marriage = await (await fx.Http.GetAsync("api/catalog/services?q=" + Uri.EscapeDataString("结婚"))).JsonAsync();
        Assert.Contains(marriage.GetProperty("items").EnumerateArray(), i => i.GetProperty("code").GetString() == "GZ-MA-001");
        Assert.DoesNotContain(marriage.GetProperty("items").EnumerateArray(), i => i.GetProperty("area").GetString() == "disaster");
    }

    [Fact]
    public async Task Service_detail_has_materials_with_acceptance_rules()
    {
        var item = await (await fx.Http.GetAsync("api/catalog/services/GZ-SA-001")).JsonAsync();
        Assert.Equal("最低生活保障申请", item.GetProperty("name").GetString());
        Assert.Equal("street", item.GetProperty("acceptedAt").GetString());
        Assert.True(item.GetProperty("timeLimitWorkingDays").GetInt32() > 0);
        var income = item.GetProperty("materials").EnumerateArray().Single(m => m.GetProperty("code").GetString() == "incomeCertificate");
        Assert.Equal(6, income.GetProperty("maxAgeMonths").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(income.GetProperty("rule").GetString()));
    }

    [Theory]
    [InlineData("api/catalog/services?area=space", 400, "INVALID_QUERY")]
    [InlineData("api/catalog/services?area=3", 400, "INVALID_QUERY")]
    [InlineData("api/catalog/services/NO-SUCH-CODE", 404, "CATALOG_SERVICE_NOT_FOUND")]
    [InlineData("api/catalog/prereviews/not-an-id", 404, "PREREVIEW_NOT_FOUND")]
    [InlineData("api/catalog/prereviews/01KZZZZZZZZZZZZZZZZZZZZZZZ", 404, "PREREVIEW_NOT_FOUND")]
    public async Task Bad_queries_and_unknown_ids_answer_problem_details(string url, int status, string code)
    {
        await (await fx.Http.GetAsync(url)).AssertProblemAsync(status, code);
    }

    [Fact]
    public async Task Pre_review_names_every_missing_item_at_once_and_is_stored()
    {
        var response = await fx.Http.PostJsonAsync("api/catalog/services/GZ-EL-001/prereviews", new
        {
            materials = new[] { new { code = "idCard", original = false, validUntil = "2030-01-01" } },
            facts = new { applicantAge = 79 },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await response.JsonAsync();
        Assert.Equal("incomplete", view.GetProperty("outcome").GetString());
        var findings = view.GetProperty("findings").EnumerateArray().Select(f => (f.GetProperty("kind").GetString(), f.GetProperty("item").GetString())).ToList();
        Assert.Equal(
            [("materialNotOriginal", "idCard"), ("materialMissing", "householdRegister"), ("materialMissing", "bankAccount"),
             ("factMissing", "householdInGuangzhou"), ("factNotMet", "applicantAge")],
            findings);
        Assert.All(view.GetProperty("findings").EnumerateArray(), f => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", f.GetProperty("remedy").GetString()));

        var id = view.GetProperty("id").GetString()!;
        Assert.Equal($"/api/catalog/prereviews/{id}", response.Headers.Location?.OriginalString);
        var stored = await (await fx.Http.GetAsync(response.Headers.Location!.OriginalString.TrimStart('/'))).JsonAsync();
        Assert.Equal(view.GetProperty("findings").ToString(), stored.GetProperty("findings").ToString());
        Assert.Equal("completed", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Conforming_pre_review_passes()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var response = await fx.Http.PostJsonAsync("api/catalog/services/GZ-CH-002/prereviews", new
        {
            materials = new object[]
            {
                new { code = "applicationForm" }, new { code = "fundraisingRules" },
                new { code = "auditReport", issuedOn = today.AddMonths(-3).ToString("yyyy-MM-dd") },
            },
            facts = new { registeredYears = 2, annualReportPassed = true },
        });
        var view = await response.JsonAsync();
        Assert.Equal("passed", view.GetProperty("outcome").GetString());
        Assert.Empty(view.GetProperty("findings").EnumerateArray());
    }

    [Theory]
    [InlineData("{\"materials\": [", 400, "MALFORMED_JSON")]
    [InlineData("", 400, "MALFORMED_JSON")]
    [InlineData("{\"materials\": [{\"code\": \"idCard\", \"count\": \"two\"}]}", 400, "VALIDATION_FAILED")]
    [InlineData("{\"materials\": [{\"code\": \"passport\"}]}", 400, "VALIDATION_FAILED")]
    [InlineData("{\"facts\": {\"applicantAge\": \"old\"}}", 400, "VALIDATION_FAILED")]
    [InlineData("{\"facts\": {\"applicantAge\": [1]}}", 400, "VALIDATION_FAILED")]
    public async Task Bad_pre_review_bodies_answer_problem_details_and_store_nothing(string body, int status, string code)
    {
        var before = await CountPreReviewsAsync("GZ-EL-002");
        var problem = await (await fx.Http.PostRawAsync("api/catalog/services/GZ-EL-002/prereviews", body)).AssertProblemAsync(status, code);
        if (code == "VALIDATION_FAILED") Assert.NotEmpty(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(before, await CountPreReviewsAsync("GZ-EL-002"));
    }

    [Fact]
    public async Task Oversized_and_non_json_bodies_are_refused()
    {
        var huge = "{\"materials\": [" + string.Join(",", Enumerable.Repeat("{\"code\":\"idCard\"}", 3000)) + "]}";
        await (await fx.Http.PostRawAsync("api/catalog/services/GZ-EL-002/prereviews", huge)).AssertProblemAsync(413, "PAYLOAD_TOO_LARGE");
        await (await fx.Http.PostRawAsync("api/catalog/services/GZ-EL-002/prereviews", "materials=1", "application/x-www-form-urlencoded")).AssertProblemAsync(415, "UNSUPPORTED_MEDIA_TYPE");
        await (await fx.Http.PostRawAsync("api/catalog/services/NOPE/prereviews", "{}")).AssertProblemAsync(404, "CATALOG_SERVICE_NOT_FOUND");
        await (await fx.Http.PostRawAsync("api/catalog/services/GZ-EL-002/prereviews?async=maybe", "{}")).AssertProblemAsync(400, "INVALID_QUERY");
    }

    [Fact]
    public async Task Async_pre_review_is_queued_and_processed_by_the_queue_function()
    {
        var response = await fx.Http.PostJsonAsync("api/catalog/services/GZ-MA-001/prereviews?async=true", new
        {
            materials = new[] { new { code = "idCardBoth", validUntil = "2035-05-01" } },
            facts = new { maleAge = 21, femaleAge = 23, eitherMarried = false },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.JsonAsync();
        Assert.Equal("pending", queued.GetProperty("status").GetString());
        var location = response.Headers.Location!.OriginalString.TrimStart('/');

        var done = await Http.EventuallyAsync(async () =>
        {
            var view = await (await fx.Http.GetAsync(location)).JsonAsync();
            return view.GetProperty("status").GetString() == "completed" ? (object)view : null;
        }, TimeSpan.FromSeconds(30), "the queued pre-review");
        var findings = ((JsonElement)done).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("item").GetString()).ToList();
        Assert.Equal(["declaration", "photo", "maleAge"], findings);
    }

    [Fact]
    public async Task Timer_recomputes_statistics_per_area()
    {
        var submitted = await (await fx.Http.PostJsonAsync("api/catalog/services/GZ-DR-001/prereviews", new { materials = Array.Empty<object>() })).JsonAsync();
        var createdAt = submitted.GetProperty("createdAt").GetDateTimeOffset();

        // The fixture schedules the statistics timer every two seconds.
        var stats = await Http.EventuallyAsync(async () =>
        {
            var response = await fx.Http.GetAsync("api/catalog/statistics");
            if (!response.IsSuccessStatusCode) return null;
            var body = await response.JsonAsync();
            var disaster = body.GetProperty("areas").EnumerateArray().Single(a => a.GetProperty("area").GetString() == "disaster");
            return body.GetProperty("computedAt").GetDateTimeOffset() > createdAt && disaster.GetProperty("total").GetInt32() >= 1 ? (object)body : null;
        }, TimeSpan.FromSeconds(30), "statistics including the new pre-review");
        var area = ((JsonElement)stats).GetProperty("areas").EnumerateArray().Single(a => a.GetProperty("area").GetString() == "disaster");
        Assert.Contains(area.GetProperty("topProblems").EnumerateArray(), p => p.GetProperty("item").GetString() == "idCard");
        Assert.Equal(9, ((JsonElement)stats).GetProperty("areas").GetArrayLength());
    }

    async Task<int> CountPreReviewsAsync(string serviceCode)
    {
        var table = fx.Table("CatalogPreReviews");
        await table.CreateIfNotExistsAsync();
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ServiceCode eq {serviceCode}"), select: ["RowKey"])) n++;
        return n;
    }
}
