using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CivilAffairs.Functions.Platform.Http;

/// <summary>RFC 9457 problem details as written on the wire: stable <c>code</c>, Chinese <c>title</c>/<c>detail</c>, field errors, extensions.</summary>
public sealed record ProblemDetailsBody
{
    public string Type { get; init; } = "about:blank";
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public required string Code { get; init; }
    public IReadOnlyList<FieldError>? Errors { get; init; }

    /// <summary>Extension members (e.g. <c>missingBlocks</c>), written beside the standard ones.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; init; }
}

/// <summary>
/// The one place where application results become HTTP: a <see cref="Result{T}"/> value becomes 200/201/202 (with
/// <c>Location</c>, <c>ETag</c>, <c>Cache-Control</c>; 304 to a GET whose <c>If-None-Match</c> names the ETag), a file or a
/// text document; a <see cref="Problem"/> becomes
/// <c>application/problem+json</c>.
/// </summary>
public static class ResultMapping
{
    public const string ProblemContentType = "application/problem+json";

    public static IActionResult ToActionResult<T>(this Result<T> result, HttpRequest request)
    {
        var headers = request.HttpContext.Response.Headers;
        if (result.Problem is { } problem)
        {
            if (problem.Extensions?.GetValueOrDefault("retryAfterSeconds") is int retryAfter) headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problem.ToActionResult();
        }
        if (result.ETag is { } etag) headers.ETag = etag;
        if (result.CacheSeconds is { } seconds) headers.CacheControl = $"public, max-age={seconds}";
        if (result.ETag is { } current && result.Success == Success.Ok && NotModified(request, current)) return new StatusCodeResult(StatusCodes.Status304NotModified);
        return result.Value switch
        {
            FileBody file => new FileContentResult(file.Content, file.ContentType) { FileDownloadName = file.FileName },
            TextBody text => new ContentResult { Content = text.Content, ContentType = text.ContentType, StatusCode = StatusOf(result.Success) },
            _ => result.Success switch
            {
                Success.Created when result.Location is { } location => new CreatedResult(location, result.Value),
                Success.Created => new ObjectResult(result.Value) { StatusCode = StatusCodes.Status201Created },
                Success.Accepted => new AcceptedResult(result.Location, result.Value),
                _ => new OkObjectResult(result.Value),
            },
        };
    }

    public static ObjectResult ToActionResult(this Problem problem)
    {
        var body = new ProblemDetailsBody
        {
            Type = $"https://civilaffairs.example.gov.cn/problems/{problem.Code.ToLowerInvariant().Replace('_', '-')}",
            Title = problem.Title,
            Status = problem.Status,
            Detail = problem.Detail,
            Code = problem.Code,
            Errors = problem.Errors is { Count: > 0 } errors ? errors : null,
            Extensions = problem.Extensions is { Count: > 0 } ext ? new Dictionary<string, object?>(ext) : null,
        };
        var result = new ObjectResult(body) { StatusCode = problem.Status, DeclaredType = typeof(ProblemDetailsBody) };
        result.ContentTypes.Add(ProblemContentType);
        return result;
    }

    /// <summary>A GET or HEAD whose <c>If-None-Match</c> names the current ETag (or <c>*</c>): the client's copy is current (RFC 9110 §13.1.2).</summary>
    static bool NotModified(HttpRequest request, string etag) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.IfNoneMatch.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim())
            .Any(v => v == "*" || v == etag || (v.StartsWith("W/", StringComparison.Ordinal) && v[2..] == etag));

    static int StatusOf(Success success) => success switch
    {
        Success.Created => StatusCodes.Status201Created,
        Success.Accepted => StatusCodes.Status202Accepted,
        _ => StatusCodes.Status200OK,
    };
}
