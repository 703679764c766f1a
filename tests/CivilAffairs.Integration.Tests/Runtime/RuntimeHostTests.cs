using System.Net;
using System.Text;
using Azure.Storage.Queues;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Runtime;

[Collection(RuntimeCollection.Name)]
public class RuntimeHostTests(RuntimeFixture fx)
{
    [Fact]
    public async Task Health_reports_storage_and_durable_backend()
    {
        var response = await fx.Http.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        foreach (var component in new[] { "tables", "blobs", "queues", "durable" })
            Assert.Equal("healthy", body.GetProperty("components").GetProperty(component).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_document_describes_every_http_function_under_the_route_prefix()
    {
        var doc = await (await fx.Http.GetAsync("api/openapi.json")).JsonAsync();
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        var operations = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, Id: o.Value.GetProperty("operationId").GetString()))).ToList();
        var http = fx.Runtime.Functions.Where(f => f.Kind == TriggerKind.Http).Select(f => f.Name).Order();
        Assert.Equal(http, operations.Select(o => o.Id!).Distinct().Order());
        Assert.Contains(operations, o => o.Item1 == "/api/catalog/services/{code}/prereviews" && o.Item2 == "post");
        var body = paths.GetProperty("/api/catalog/services/{code}/prereviews").GetProperty("post").GetProperty("requestBody");
        Assert.Contains("PreReviewRequest", body.ToString());
        Assert.True(doc.GetProperty("components").GetProperty("schemas").TryGetProperty("PreReviewRequest", out _));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Unauthorized)]
    [InlineData(RuntimeFixture.FunctionKey, HttpStatusCode.Unauthorized)] // Admin level needs the master key
    [InlineData(RuntimeFixture.MasterKey, HttpStatusCode.OK)]
    public async Task Admin_level_function_requires_the_master_key(string? key, HttpStatusCode expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/catalog/statistics/recompute");
        if (key is not null) request.Headers.Add("x-functions-key", key);
        var response = await fx.Http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized) await response.AssertProblemAsync(401, "FUNCTION_KEY_REQUIRED");
    }

    [Fact]
    public async Task Master_key_is_accepted_in_the_code_query_parameter()
    {
        var response = await fx.Http.PostAsync($"api/catalog/statistics/recompute?code={RuntimeFixture.MasterKey}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_not_served()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await fx.Http.GetAsync("api/nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await fx.Http.DeleteAsync("api/catalog/services")).StatusCode);
    }

    [Fact]
    public async Task A_message_that_always_fails_lands_in_the_poison_queue_intact_after_five_attempts()
    {
        var poison = fx.RawQueue("catalog-prereviews-poison");
        await poison.CreateIfNotExistsAsync();
        var marker = "not-a-pre-review-" + Guid.NewGuid().ToString("N");
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"preReviewId\": \"{marker}\""));  // broken JSON
        var main = fx.RawQueue("catalog-prereviews");
        await main.CreateIfNotExistsAsync();
        await main.SendMessageAsync(payload);

        var found = await Http.EventuallyAsync(async () =>
        {
            var peeked = await poison.PeekMessagesAsync(32);
            return peeked.Value.FirstOrDefault(m => m.MessageText == payload);
        }, TimeSpan.FromSeconds(60), "the poisoned message");
        Assert.Equal(payload, found.MessageText);
        var remaining = await main.PeekMessagesAsync(32);
        Assert.DoesNotContain(remaining.Value, m => m.MessageText == payload);
    }
}
