using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// The Azure AI Vision Image Analysis 4.0 REST API:
/// <c>POST {endpoint}/computervision/imageanalysis:analyze?api-version=2024-02-01&amp;features=people,tags,read</c>
/// with the image as <c>application/octet-stream</c>, authenticated with <c>Ocp-Apim-Subscription-Key</c> or a
/// Microsoft Entra bearer token.
/// </summary>
/// <remarks>
/// <para>Maps <c>metadata.width/height</c>, <c>peopleResult.values[].boundingBox{x,y,w,h}/confidence</c>,
/// <c>tagsResult.values[].name/confidence</c> and <c>readResult.blocks[].lines[].text</c>. The service does not
/// report sharpness or brightness, so <see cref="ImageAnalysisResult.Quality"/> is null.</para>
/// <para>Transient failures are retried by the standard resilience handler of the typed client
/// (<see cref="ImageAnalysisRegistration"/>); what is left becomes an <see cref="ImageAnalysisException"/>.
/// Logs and messages carry status codes and the service's error codes only — never the image, the key or a token.</para>
/// </remarks>
public sealed partial class AzureVisionImageAnalyzer(
    HttpClient http, IOptions<VisionOptions> options, VisionCredential? credential, TimeProvider clock, ILogger<AzureVisionImageAnalyzer> logger)
    : IImageAnalyzer
{
    public const string Features = "people,tags,read";
    private const int MaxServiceMessageLength = 200;

    private readonly VisionOptions _options = options.Value;

    public string Engine => ImageAnalysisEngines.AzureVision;

    public async Task<ImageAnalysisResult> AnalyzeAsync(BinaryData image, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!_options.IsConfigured)
            throw new ImageAnalysisException(ImageAnalysisFailure.EngineUnavailable, "Azure AI Vision is not configured: set Vision__Endpoint.");
        var length = image.ToMemory().Length;
        if (length == 0)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, "The image is empty.");
        if (length > ImageAnalysisLimits.MaxImageBytes)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"The image is larger than {ImageAnalysisLimits.MaxImageBytes} bytes, the Azure AI Vision limit.");

        using var request = new HttpRequestMessage(HttpMethod.Post, RequestUri())
        {
            Content = new ReadOnlyMemoryContent(image.ToMemory()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        await AuthenticateAsync(request, ct);

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(logger, ex.HttpRequestError.ToString());
            throw new ImageAnalysisException(ImageAnalysisFailure.ServiceUnavailable,
                $"Azure AI Vision could not be reached ({ex.HttpRequestError}).", ex, ex.StatusCode);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or BrokenCircuitException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogUnreachable(logger, ex.GetType().Name);
            throw new ImageAnalysisException(ImageAnalysisFailure.ServiceUnavailable,
                ex is BrokenCircuitException
                    ? "Azure AI Vision calls are suspended after repeated failures (circuit open)."
                    : "Azure AI Vision did not answer in time.", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw Failure(response, body);

            var result = Map(body, _options.MinPersonConfidence, clock.GetUtcNow());
            LogAnalyzed(logger, result.Width, result.Height, result.PeopleCount, result.Tags.Count, result.TextLines.Count,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
    }

    /// <summary>The request path and query, relative to the endpoint.</summary>
    internal string RelativeRequestUri() =>
        $"computervision/imageanalysis:analyze?api-version={Uri.EscapeDataString(_options.ApiVersion)}&features={Features}";

    private Uri RequestUri() => http.BaseAddress is null
        ? new Uri(_options.EndpointUri(), RelativeRequestUri())
        : new Uri(RelativeRequestUri(), UriKind.Relative);

    private async Task AuthenticateAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(_options.Key))
        {
            request.Headers.TryAddWithoutValidation("Ocp-Apim-Subscription-Key", _options.Key);
            return;
        }
        if (credential is null)
            throw new ImageAnalysisException(ImageAnalysisFailure.Unauthorized, "Azure AI Vision has no key and no Microsoft Entra credential.");
        try
        {
            var token = await credential.Credential.GetTokenAsync(new TokenRequestContext([_options.TokenScope]), ct);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }
        catch (Exception ex) when (ex is AuthenticationFailedException or CredentialUnavailableException)
        {
            LogTokenFailed(logger, ex.GetType().Name);
            throw new ImageAnalysisException(ImageAnalysisFailure.Unauthorized,
                "Could not get a Microsoft Entra token for Azure AI Vision; set Vision__Key or give the app's managed identity (AZURE_CLIENT_ID) the 'Cognitive Services User' role.", ex);
        }
    }

    private ImageAnalysisException Failure(HttpResponseMessage response, byte[] body)
    {
        var status = response.StatusCode;
        var (code, message) = ServiceError(body);
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - clock.GetUtcNow() is var until && until > TimeSpan.Zero ? until : TimeSpan.Zero,
            _ => (TimeSpan?)null,
        };
        var kind = status switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.RequestEntityTooLarge => ImageAnalysisFailure.InvalidImage,
            HttpStatusCode.Unauthorized => ImageAnalysisFailure.Unauthorized,
            HttpStatusCode.Forbidden => ImageAnalysisFailure.Forbidden,
            HttpStatusCode.TooManyRequests => ImageAnalysisFailure.RateLimited,
            HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError => ImageAnalysisFailure.ServiceUnavailable,
            _ => ImageAnalysisFailure.UnexpectedResponse,
        };
        var what = kind switch
        {
            ImageAnalysisFailure.InvalidImage => "rejected the image",
            ImageAnalysisFailure.Unauthorized => "rejected the credentials (check Vision__Key or the managed identity)",
            ImageAnalysisFailure.Forbidden => "refused access to the resource",
            ImageAnalysisFailure.RateLimited => "is rate limiting the calls",
            ImageAnalysisFailure.ServiceUnavailable => "failed",
            _ when status == HttpStatusCode.NotFound => "has no such operation (check Vision__Endpoint)",
            _ => "answered unexpectedly",
        };
        LogFailed(logger, (int)status, code ?? "-");
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Azure AI Vision {what}: HTTP {(int)status}");
        if (code is not null) text.Append(CultureInfo.InvariantCulture, $", code {code}");
        if (message is not null) text.Append(CultureInfo.InvariantCulture, $": {message}");
        if (retryAfter is { } wait) text.Append(CultureInfo.InvariantCulture, $" (retry after {wait.TotalSeconds:0.#} s)");
        text.Append('.');
        return new ImageAnalysisException(kind, text.ToString(), null, status, code, retryAfter);
    }

    /// <summary>The <c>error.code</c> (with <c>error.innererror.code</c>) and a shortened <c>error.message</c>, if the body has them.</summary>
    private static (string? Code, string? Message) ServiceError(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return (null, null);
            var code = Text(error, "code");
            if (error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object && Text(inner, "code") is { } innerCode)
                code = code is null ? innerCode : $"{code}/{innerCode}";
            var message = Text(error, "message");
            if (message is not null)
            {
                message = new string(message.Where(c => !char.IsControl(c)).ToArray());
                if (message.Length > MaxServiceMessageLength) message = message[..MaxServiceMessageLength] + "…";
            }
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Maps a 4.0 analyze response body to the platform's result.</summary>
    internal static ImageAnalysisResult Map(byte[] body, double minPersonConfidence, DateTimeOffset analyzedAt)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new ImageAnalysisException(ImageAnalysisFailure.UnexpectedResponse, "Azure AI Vision answered HTTP 200 with a body that is not JSON.", ex, HttpStatusCode.OK);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("metadata", out var metadata)
                || Int(metadata, "width") is not { } width
                || Int(metadata, "height") is not { } height)
                throw new ImageAnalysisException(ImageAnalysisFailure.UnexpectedResponse, "Azure AI Vision answered HTTP 200 without metadata.width/height.", null, HttpStatusCode.OK);

            var people = new List<DetectedPerson>();
            foreach (var value in Values(root, "peopleResult"))
            {
                if (Number(value, "confidence") is not { } confidence || confidence < minPersonConfidence) continue;
                if (!value.TryGetProperty("boundingBox", out var box) || box.ValueKind != JsonValueKind.Object) continue;
                people.Add(new DetectedPerson(Int(box, "x") ?? 0, Int(box, "y") ?? 0, Int(box, "w") ?? 0, Int(box, "h") ?? 0, confidence));
            }

            var tags = new List<ImageTag>();
            foreach (var value in Values(root, "tagsResult"))
                if (Text(value, "name") is { Length: > 0 } name && Number(value, "confidence") is { } confidence)
                    tags.Add(new ImageTag(name, confidence));

            var lines = new List<string>();
            if (root.TryGetProperty("readResult", out var read) && read.ValueKind == JsonValueKind.Object
                && read.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array)
                foreach (var block in blocks.EnumerateArray())
                    if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("lines", out var blockLines) && blockLines.ValueKind == JsonValueKind.Array)
                        foreach (var line in blockLines.EnumerateArray())
                            if (Text(line, "text") is { Length: > 0 } text)
                                lines.Add(text);

            return new ImageAnalysisResult(
                ImageAnalysisEngines.AzureVision, width, height,
                people.OrderByDescending(p => p.Confidence).ToArray(),
                tags.OrderByDescending(t => t.Confidence).ToArray(),
                lines, Quality: null, analyzedAt);
        }
    }

    private static IEnumerable<JsonElement> Values(JsonElement root, string result) =>
        root.TryGetProperty(result, out var section) && section.ValueKind == JsonValueKind.Object
        && section.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Object)
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static int? Int(JsonElement element, string name) =>
        Number(element, name) is { } n && n is >= int.MinValue and <= int.MaxValue ? (int)Math.Round(n) : null;

    // ---- logging: sizes, counts, status and error codes only ---------------------------------

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Azure AI Vision analysed a {Width}x{Height} image: {People} people, {Tags} tags, {Lines} text lines in {ElapsedMs} ms")]
    private static partial void LogAnalyzed(ILogger logger, int width, int height, int people, int tags, int lines, long elapsedMs);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "Azure AI Vision answered HTTP {Status} with error code {Code}")]
    private static partial void LogFailed(ILogger logger, int status, string code);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Azure AI Vision could not be reached ({Reason})")]
    private static partial void LogUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Error, Message = "No Microsoft Entra token for Azure AI Vision ({ExceptionType})")]
    private static partial void LogTokenFailed(ILogger logger, string exceptionType);
}
