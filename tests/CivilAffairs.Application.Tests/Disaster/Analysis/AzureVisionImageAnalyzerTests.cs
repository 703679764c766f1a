using System.Net;
using System.Net.Sockets;
using Azure.Core;
using CivilAffairs.Application.Disaster.Analysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

public sealed class AzureVisionImageAnalyzerTests : IAsyncLifetime
{
    const string Key = "vision-test-key-7f3a";
    static readonly byte[] Image = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xD9];

    /// <summary>A 4.0 analyze answer with the documented shape (features=people,tags,read).</summary>
    const string Analysis = """
        {
          "modelVersion": "2023-10-01",
          "metadata": { "width": 1024, "height": 768 },
          "tagsResult": { "values": [
            { "name": "outdoor", "confidence": 0.9921 },
            { "name": "flood", "confidence": 0.8712 },
            { "name": "water", "confidence": 0.9413 }
          ] },
          "peopleResult": { "values": [
            { "boundingBox": { "x": 610, "y": 300, "w": 42, "h": 118 }, "confidence": 0.7231 },
            { "boundingBox": { "x": 120, "y": 286, "w": 55, "h": 160 }, "confidence": 0.9468 },
            { "boundingBox": { "x": 3, "y": 5, "w": 20, "h": 40 }, "confidence": 0.0021 }
          ] },
          "readResult": { "blocks": [ { "lines": [
            { "text": "临时安置点", "boundingPolygon": [ {"x":10,"y":10}, {"x":200,"y":10}, {"x":200,"y":40}, {"x":10,"y":40} ],
              "words": [ { "text": "临时安置点", "boundingPolygon": [ {"x":10,"y":10}, {"x":200,"y":10}, {"x":200,"y":40}, {"x":10,"y":40} ], "confidence": 0.98 } ] },
            { "text": "Exit 3", "boundingPolygon": [ {"x":10,"y":50}, {"x":90,"y":50}, {"x":90,"y":70}, {"x":10,"y":70} ],
              "words": [ { "text": "Exit", "boundingPolygon": [], "confidence": 0.99 }, { "text": "3", "boundingPolygon": [], "confidence": 0.97 } ] }
          ] } ] }
        }
        """;

    VisionStub _stub = null!;

    public async Task InitializeAsync() => _stub = await VisionStub.StartAsync();

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    static IImageAnalyzer Analyzer(Uri endpoint, string? key = Key, TokenCredential? credential = null, int maxRetries = 0)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Vision:Endpoint"] = endpoint.ToString(),
            ["Vision:Key"] = key,
            ["Vision:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vision:RetryDelay"] = "00:00:00.010",
            ["Vision:AttemptTimeout"] = "00:00:05",
        };
        var services = new ServiceCollection().AddLogging();
        // The system clock: the resilience handler takes its delays from the registered TimeProvider, so a fake one would stall retries.
        if (credential is not null) services.AddSingleton(new VisionCredential(credential));
        services.AddImageAnalysis(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider().GetRequiredService<IImageAnalyzer>();
    }

    [Fact]
    public async Task Maps_the_documented_response_shape()
    {
        _stub.Respond = _ => (200, Analysis, null);

        var before = DateTimeOffset.UtcNow;
        var result = await Analyzer(_stub.Endpoint).AnalyzeAsync(new BinaryData(Image), CancellationToken.None);

        Assert.Equal("azure-vision", result.Engine);
        Assert.Equal((1024, 768), (result.Width, result.Height));
        Assert.Equal(2, result.PeopleCount); // 0.0021 is below the 0.5 floor
        Assert.Equal(new DetectedPerson(120, 286, 55, 160, 0.9468), result.People[0]);
        Assert.Equal(new DetectedPerson(610, 300, 42, 118, 0.7231), result.People[1]);
        Assert.Equal(["outdoor", "water", "flood"], result.Tags.Select(t => t.Name));
        Assert.Equal(0.8712, result.Tags.Single(t => t.Name == "flood").Confidence);
        Assert.Equal(["临时安置点", "Exit 3"], result.TextLines);
        Assert.Null(result.Quality);
        Assert.InRange(result.AnalyzedAt, before, DateTimeOffset.UtcNow);

        var effect = AnalysisPriority.Evaluate(result);
        Assert.Equal(2, effect.Delta);
        Assert.Equal(["people:2", "hazard:flood"], effect.Signals);
    }

    [Fact]
    public async Task Sends_the_image_with_the_key_to_the_analyze_operation()
    {
        _stub.Respond = _ => (200, Analysis, null);

        await Analyzer(_stub.Endpoint).AnalyzeAsync(new BinaryData(Image), CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/computervision/imageanalysis:analyze", request.Path);
        Assert.Equal("?api-version=2024-02-01&features=people,tags,read", request.Query);
        Assert.Equal(Key, request.Headers["Ocp-Apim-Subscription-Key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal("application/octet-stream", request.Headers["Content-Type"]);
        Assert.Contains("application/json", request.Headers["Accept"]);
        Assert.Equal(Image, request.Body);
    }

    [Fact]
    public async Task Endpoint_with_a_path_and_no_trailing_slash_keeps_the_path()
    {
        _stub.Respond = _ => (200, Analysis, null);

        await Analyzer(new Uri(_stub.Endpoint, "gateway/vision")).AnalyzeAsync(new BinaryData(Image), CancellationToken.None);

        Assert.Equal("/gateway/vision/computervision/imageanalysis:analyze", Assert.Single(_stub.Requests).Path);
    }

    [Fact]
    public async Task Without_a_key_sends_an_Entra_token_for_cognitive_services()
    {
        _stub.Respond = _ => (200, Analysis, null);
        var credential = new RecordingCredential("entra-token-abc");

        await Analyzer(_stub.Endpoint, key: null, credential: credential).AnalyzeAsync(new BinaryData(Image), CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal("Bearer entra-token-abc", request.Headers["Authorization"]);
        Assert.False(request.Headers.ContainsKey("Ocp-Apim-Subscription-Key"));
        Assert.Equal(["https://cognitiveservices.azure.com/.default"], Assert.Single(credential.Scopes));
    }

    [Fact]
    public async Task Rejected_key_becomes_Unauthorized_without_the_key_or_image_in_the_message()
    {
        _stub.Respond = _ => (401, """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}""", null);

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint, maxRetries: 2).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.Unauthorized, ex.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("401", ex.ServiceErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Contains("HTTP 401", ex.Message);
        Assert.DoesNotContain(Key, ex.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Image), ex.ToString());
        Assert.Single(_stub.Requests); // a 401 is not retried
    }

    [Fact]
    public async Task Rate_limit_is_retried_then_becomes_RateLimited_with_Retry_After()
    {
        _stub.Respond = _ => (429, """{"error":{"code":"429","message":"Rate limit is exceeded. Try again in 1 seconds."}}""",
            new Dictionary<string, string> { ["Retry-After"] = "1" });

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint, maxRetries: 1).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.RateLimited, ex.Kind);
        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.RetryAfter);
        Assert.True(ex.IsTransient);
        Assert.Equal(2, _stub.Requests.Count); // one retry, as configured
        Assert.All(_stub.Requests, r => Assert.Equal(Image, r.Body)); // the body is sent again on the retry
    }

    [Fact]
    public async Task A_transient_failure_followed_by_success_returns_the_analysis()
    {
        var calls = 0;
        _stub.Respond = _ => Interlocked.Increment(ref calls) == 1 ? (503, """{"error":{"code":"ServiceUnavailable","message":"busy"}}""", null) : (200, Analysis, null);

        var result = await Analyzer(_stub.Endpoint, maxRetries: 2).AnalyzeAsync(new BinaryData(Image), CancellationToken.None);

        Assert.Equal(2, result.PeopleCount);
        Assert.Equal(2, _stub.Requests.Count);
    }

    [Fact]
    public async Task Rejected_image_becomes_InvalidImage_with_the_service_codes()
    {
        _stub.Respond = _ => (400, """{"error":{"code":"InvalidRequest","message":"Image format is not valid.","innererror":{"code":"InvalidImageFormat","message":"Input data is not a valid image."}}}""", null);

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.InvalidImage, ex.Kind);
        Assert.Equal("InvalidRequest/InvalidImageFormat", ex.ServiceErrorCode);
        Assert.Contains("Image format is not valid.", ex.Message);
    }

    [Fact]
    public async Task Server_errors_after_retries_become_ServiceUnavailable()
    {
        _stub.Respond = _ => (500, "oops, not json", null);

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint, maxRetries: 1).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.ServiceUnavailable, ex.Kind);
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Null(ex.ServiceErrorCode);
        Assert.Equal(2, _stub.Requests.Count);
    }

    [Fact]
    public async Task Success_without_metadata_becomes_UnexpectedResponse()
    {
        _stub.Respond = _ => (200, """{"modelVersion":"2023-10-01","tagsResult":{"values":[]}}""", null);

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.UnexpectedResponse, ex.Kind);
    }

    [Fact]
    public async Task Unreachable_endpoint_becomes_ServiceUnavailable()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(new Uri($"http://127.0.0.1:{port}/")).AnalyzeAsync(new BinaryData(Image), CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.ServiceUnavailable, ex.Kind);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Empty_image_is_refused_without_calling_the_service()
    {
        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() =>
            Analyzer(_stub.Endpoint).AnalyzeAsync(BinaryData.Empty, CancellationToken.None));

        Assert.Equal(ImageAnalysisFailure.InvalidImage, ex.Kind);
        Assert.Empty(_stub.Requests);
    }

    sealed class RecordingCredential(string token) : TokenCredential
    {
        public List<string[]> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.Add(requestContext.Scopes);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
