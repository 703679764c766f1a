using CivilAffairs.Application.Disaster;
using CivilAffairs.Application.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Maps <see cref="DisasterResult{T}"/> to HTTP: ETag header on success, problem details otherwise.</summary>
static class DisasterResults
{
    public static IActionResult Map<T>(HttpRequest req, DisasterResult<T> result, Func<T, string> location, ObjectResult notFound)
    {
        if (result.ETag is { } etag && result.Kind is DisasterResultKind.Ok or DisasterResultKind.Created) req.HttpContext.Response.Headers.ETag = etag;
        return result.Kind switch
        {
            DisasterResultKind.Created => new CreatedResult(location(result.Value!), result.Value),
            DisasterResultKind.Ok => new OkObjectResult(result.Value),
            DisasterResultKind.Invalid => Problems.Create(400, result.Code ?? "VALIDATION_FAILED", "请求内容有误", result.Detail ?? "请根据 errors 中的提示修改后重新提交。", result.Errors),
            DisasterResultKind.Conflict => Problems.Create(409, result.Code ?? "CONFLICT", "状态冲突", result.Detail, result.Errors),
            DisasterResultKind.PreconditionFailed => Problems.Create(412, "PRECONDITION_FAILED", "数据已被修改", result.Detail),
            DisasterResultKind.Forbidden => Problems.Create(403, "FORBIDDEN", "无权执行此操作", result.Detail),
            _ => notFound,
        };
    }

    public static ObjectResult IncidentNotFound() => Problems.NotFound("INCIDENT_NOT_FOUND", "灾害事件不存在", "没有找到该灾害事件，或您无权查看。");

    public static ObjectResult NeedNotFound() => Problems.NotFound("NEED_NOT_FOUND", "需求不存在", "没有找到该需求，或您无权查看。");

    /// <summary>The <c>If-Match</c> value, if any (quoted ETag as given by GET).</summary>
    public static string? IfMatch(HttpRequest req) => req.Headers.IfMatch.ToString() is { Length: > 0 } v ? v.Trim() : null;
}
