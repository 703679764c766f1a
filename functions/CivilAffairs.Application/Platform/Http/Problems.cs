using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Platform.Http;

/// <summary>RFC 9457 problem details body: stable <c>code</c>, Chinese <c>title</c>/<c>detail</c>, field errors.</summary>
public sealed record Problem
{
    public string Type { get; init; } = "about:blank";
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public required string Code { get; init; }
    public IReadOnlyList<FieldError>? Errors { get; init; }
}

/// <summary>Builds problem-details responses. Every error the platform returns goes through here.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static ObjectResult Create(int status, string code, string title, string? detail = null, IReadOnlyList<FieldError>? errors = null)
    {
        var body = new Problem
        {
            Type = $"https://civilaffairs.example.gov.cn/problems/{code.ToLowerInvariant().Replace('_', '-')}",
            Title = title,
            Status = status,
            Detail = detail,
            Code = code,
            Errors = errors is { Count: > 0 } ? errors : null,
        };
        var result = new ObjectResult(body) { StatusCode = status, DeclaredType = typeof(Problem) };
        result.ContentTypes.Add(ContentType);
        return result;
    }

    public static ObjectResult Validation(IReadOnlyList<FieldError> errors, string? detail = null) =>
        Create(StatusCodes.Status400BadRequest, "VALIDATION_FAILED", "请求内容有误", detail ?? "请根据 errors 中的提示修改后重新提交。", errors);

    public static ObjectResult NotFound(string code, string title, string? detail = null) =>
        Create(StatusCodes.Status404NotFound, code, title, detail);

    public static ObjectResult MalformedJson(string detail) =>
        Create(StatusCodes.Status400BadRequest, "MALFORMED_JSON", "请求体不是有效的 JSON", detail);

    public static ObjectResult TooLarge(long limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", "请求体过大", $"请求体不能超过 {limit / 1024} KB。");

    public static ObjectResult UnsupportedMediaType() =>
        Create(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型", "请求体须为 application/json。");

    public static ObjectResult Unavailable(string code, string title, string? detail = null) =>
        Create(StatusCodes.Status503ServiceUnavailable, code, title, detail);

    public static ObjectResult Internal() =>
        Create(StatusCodes.Status500InternalServerError, "INTERNAL_ERROR", "服务器内部错误", "请稍后重试；如持续出现请联系客服并提供请求时间。");
}
