using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage;

/// <summary>The marriage area's problems: rejections of its rules as problem details, and the area's not-found answers.</summary>
public static class MarriageProblems
{
    /// <summary>
    /// A rule's rejection: input mistakes are 400, a state or time that does not allow the step 409, a legal refusal 422, another
    /// person's part 403 — each with the rule's own code and Chinese reason.
    /// </summary>
    public static Problem Rejected(Rejection r)
    {
        IReadOnlyList<FieldError> errors = [new FieldError(r.Field ?? "", r.Reason)];
        return r.Kind switch
        {
            RejectionKind.State => Problem.Conflict(r.Code, "当前状态不允许该操作", r.Reason, errors),
            RejectionKind.Refused => new Problem(422, r.Code, "不予办理", r.Reason, errors),
            RejectionKind.NotYours => Problem.Forbidden(r.Reason, r.Code, "只能由本人办理"),
            _ => Problem.Invalid(r.Field ?? "", r.Reason, r.Code),
        };
    }

    public static Problem Rejected(IReadOnlyList<Rejection> rejections) => rejections.Count == 1
        ? Rejected(rejections[0])
        : Problem.Invalid([.. rejections.Select(r => new FieldError(r.Field ?? "", r.Reason))]);

    /// <summary>The legal checks failed: 422 naming every failed check (codes and reasons), the full report as <c>checks</c>.</summary>
    public static Problem ChecksFailed(LegalCheckReport report)
    {
        var failed = report.Failed;
        var code = failed.Select(c => c.Code).Distinct().Count() == 1 ? failed[0].Code : "MARRIAGE_CHECKS_FAILED";
        return new Problem(422, code, "未通过婚姻登记审查", string.Join(" ", failed.Select(c => c.Reason)),
            [.. failed.Select(c => new FieldError(c.Code, c.Reason))])
            .With("checks", report.Checks);
    }

    public static Problem OfficeNotFound() => Problem.NotFound("OFFICE_NOT_FOUND", "婚姻登记处不存在", "没有找到该婚姻登记处。");
    public static Problem BookingNotFound() => Problem.NotFound("BOOKING_NOT_FOUND", "预约不存在", "没有找到该预约，或您无权查看。");
    public static Problem RecordNotFound() => Problem.NotFound("MARRIAGE_RECORD_NOT_FOUND", "婚姻登记记录不存在", "没有找到该婚姻登记记录，或您无权查看。");
    public static Problem DivorceNotFound() => Problem.NotFound("DIVORCE_NOT_FOUND", "离婚登记申请不存在", "没有找到该离婚登记申请，或您无权查看。");

    public static Problem IssuerUnavailable() => Problem.Unavailable("CERTIFICATE_ISSUER_UNAVAILABLE", "证书签发服务暂不可用",
        "婚姻登记证签发暂未完成，登记尚未生效；请稍后重试同一操作（不会重复登记）。");

    public static Problem RealNameRequired() => Problem.Forbidden("请先完成实名认证（POST /api/auth/realname）后再办理婚姻登记业务。", "REALNAME_REQUIRED", "尚未实名认证");
}
