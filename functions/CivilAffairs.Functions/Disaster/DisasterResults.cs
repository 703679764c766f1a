using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Domain.Catalog;
using Microsoft.AspNetCore.Mvc;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Maps supplies and dispatch outcomes to responses and RFC 9457 problems.</summary>
static class DisasterResults
{
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
