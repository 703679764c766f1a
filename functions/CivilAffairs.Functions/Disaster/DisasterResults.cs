using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Disaster;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Domain.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CivilAffairs.Functions.Disaster;

/// <summary>
/// Maps the disaster services' outcomes to HTTP: <see cref="DisasterResult{T}"/> (incidents, needs; ETag header on success) and
/// <see cref="ReliefOutcome"/> (supplies, dispatch) — problem details otherwise.
/// </summary>
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

    public static IActionResult Map(ReliefOutcome outcome, int success = 200) => outcome switch
    {
        ReliefOutcome.Done d => new ObjectResult(d.View) { StatusCode = success },
        ReliefOutcome.Invalid i => Invalid(i.Errors),
        ReliefOutcome.Conflict c => Problems.Create(409, c.Code, c.Title, c.Detail),
        ReliefOutcome.Forbidden f => Problems.Create(403, f.Code, f.Title, f.Detail),
        ReliefOutcome.NotFound n => Problems.NotFound(n.Code, n.Title, n.Detail),
        _ => Problems.Internal(),
    };

    /// <summary>One kind of mistake keeps its own code (e.g. <c>LOT_EXPIRED</c>); a mix is <c>VALIDATION_FAILED</c>. Field errors always listed.</summary>
    static IActionResult Invalid(IReadOnlyList<ReliefError> errors)
    {
        var fields = errors.Select(e => new FieldError(e.Field, e.Message)).ToList();
        var codes = errors.Select(e => e.Code).Distinct().ToList();
        return codes.Count == 1 && codes[0] != "VALIDATION_FAILED"
            ? Problems.Create(400, codes[0], errors[0].Title, errors.Count == 1 ? errors[0].Message : "请根据 errors 中的提示修改后重新提交。", fields)
            : Problems.Validation(fields);
    }
}
