using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Platform.Results;

/// <summary>One input problem with its own stable <see cref="Code"/> and Chinese <see cref="Title"/> (e.g. <c>LOT_EXPIRED</c>).</summary>
public sealed record FieldIssue(string Code, string Title, string Field, string Message)
{
    public static FieldIssue Invalid(string field, string message) => new(Problem.ValidationFailed, "请求内容有误", field, message);
}

/// <summary>
/// Why an operation did not succeed: an HTTP-like <see cref="Status"/>, a stable upper-snake-case <see cref="Code"/> for
/// programs, a Simplified Chinese <see cref="Title"/> and <see cref="Detail"/> for people, field errors for validation,
/// and optional extension members (e.g. <c>missingBlocks</c>). The function app renders it as RFC 9457 problem details;
/// nothing else in the application knows about HTTP.
/// </summary>
public sealed record Problem(int Status, string Code, string Title, string? Detail = null, IReadOnlyList<FieldError>? Errors = null)
{
    /// <summary>Extension members written next to the standard ones (camelCase names, JSON-serialisable values).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public Problem With(string name, object? value) =>
        this with { Extensions = new Dictionary<string, object?>(Extensions ?? new Dictionary<string, object?>()) { [name] = value } };

    public const string ValidationFailed = "VALIDATION_FAILED";

    /// <summary>400 with field errors: <c>VALIDATION_FAILED</c> unless a more specific code is given.</summary>
    public static Problem Invalid(IReadOnlyList<FieldError> errors, string? detail = null, string code = ValidationFailed, string title = "请求内容有误") =>
        new(400, code, title, detail ?? "请根据 errors 中的提示修改后重新提交。", errors);

    public static Problem Invalid(string field, string message, string code = ValidationFailed, string title = "请求内容有误") =>
        new(400, code, title, code == ValidationFailed ? "请根据 errors 中的提示修改后重新提交。" : message, [new FieldError(field, message)]);

    /// <summary>
    /// 400 from coded field issues: one kind of mistake keeps its own code and title (<c>LOT_EXPIRED</c>, 批次已过期); a mix
    /// is <c>VALIDATION_FAILED</c>. Every issue is listed as a field error.
    /// </summary>
    public static Problem Invalid(IReadOnlyList<FieldIssue> issues)
    {
        var errors = issues.Select(i => new FieldError(i.Field, i.Message)).ToList();
        var codes = issues.Select(i => i.Code).Distinct().ToList();
        return codes.Count == 1 && codes[0] != ValidationFailed
            ? new Problem(400, codes[0], issues[0].Title, issues.Count == 1 ? issues[0].Message : "请根据 errors 中的提示修改后重新提交。", errors)
            : Invalid(errors);
    }

    /// <summary>A query parameter with a bad value.</summary>
    public static Problem InvalidQuery(string name, string detail, string fieldMessage) =>
        new(400, "INVALID_QUERY", "查询参数有误", detail, [new FieldError(name, fieldMessage)]);

    /// <summary>Missing, or outside the caller's reach: the same answer, so that callers cannot probe.</summary>
    public static Problem NotFound(string code, string title, string detail) => new(404, code, title, detail);

    public static Problem Conflict(string code, string title, string detail, IReadOnlyList<FieldError>? errors = null) => new(409, code, title, detail, errors);

    public static Problem Forbidden(string detail, string code = "FORBIDDEN", string title = "无权执行此操作") => new(403, code, title, detail);

    public static Problem OutOfJurisdiction(string detail) => new(403, "OUT_OF_JURISDICTION", "超出管辖范围", detail);

    /// <summary>The <c>If-Match</c> (or a concurrent writer) no longer matches the stored version.</summary>
    public static Problem Stale(string detail = "数据已被他人修改，请刷新后重试（If-Match 与当前版本不一致）。") =>
        new(412, "PRECONDITION_FAILED", "数据已被修改", detail);

    public static Problem Unauthenticated(string code = "UNAUTHENTICATED", string title = "未登录或登录已失效", string detail = "请登录后重试（Authorization: Bearer <token>）。") =>
        new(401, code, title, detail);

    public static Problem MalformedJson(string detail) => new(400, "MALFORMED_JSON", "请求体不是有效的 JSON", detail);

    public static Problem MalformedForm(string detail) => new(400, "MALFORMED_FORM", "表单格式不正确", detail);

    public static Problem TooLarge(long limit) => new(413, "PAYLOAD_TOO_LARGE", "请求体过大", $"请求体不能超过 {limit / 1024} KB。");

    public static Problem UnsupportedMediaType(string expected = "application/json") =>
        new(415, "UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型", $"请求体须为 {expected}。");

    public static Problem RateLimited() => new(429, "RATE_LIMITED", "请求过于频繁", "请稍后再试。");

    public static Problem Unavailable(string code, string title, string detail) => new(503, code, title, detail);

    public static Problem Internal() => new(500, "INTERNAL_ERROR", "服务器内部错误", "请稍后重试；如持续出现请联系客服并提供请求时间。");

    /// <summary>
    /// Domain rejections (<see cref="Rejection"/>): a rule about a closed or ended object is a 409 conflict, everything else a
    /// 400 with the rule's code in upper snake case (<c>need.quantity.not_positive</c> → <c>NEED_QUANTITY_NOT_POSITIVE</c>);
    /// several rejections are one <c>VALIDATION_FAILED</c> with every reason as a field error.
    /// </summary>
    public static Problem Rejected(IReadOnlyList<Rejection> rejections)
    {
        var errors = rejections.Select(r => new FieldError(r.Field ?? "", r.Reason)).ToList();
        if (rejections.FirstOrDefault(r => ConflictRules.Contains(r.Code)) is { } conflict)
            return new Problem(409, CodeOf(conflict.Code), "状态冲突", conflict.Reason, errors);
        return rejections.Count == 1
            ? new Problem(400, CodeOf(rejections[0].Code), "请求内容有误", rejections[0].Reason, errors)
            : Invalid(errors);
    }

    static readonly HashSet<string> ConflictRules = new(StringComparer.Ordinal) { "incident.closed", "incident.already_closed", "need.not_open" };

    /// <summary>
    /// Elderly-care rejections (<see cref="Domain.Elderly.Rejection"/>, codes already upper snake case): an alarm offered to
    /// someone else or another operator's alarm is 403; a state that does not allow the step (a transition out of order,
    /// an ended service, a deceased elder, a receipt reused with other content) is 409; an EVV check outside its rules is
    /// 422; everything else 400. Several rejections are one <c>VALIDATION_FAILED</c> with every reason as a field error.
    /// </summary>
    public static Problem Rejected(IReadOnlyList<Domain.Elderly.Rejection> rejections)
    {
        var errors = rejections.Select(r => new FieldError(r.Field ?? "", r.Reason)).ToList();
        if (rejections.FirstOrDefault(r => ElderlyForbidden.Contains(r.Code)) is { } forbidden)
            return new Problem(403, forbidden.Code, "无权执行该操作", forbidden.Reason, errors);
        if (rejections.FirstOrDefault(r => ElderlyConflicts.Contains(r.Code) || r.Code.EndsWith("_INVALID_TRANSITION", StringComparison.Ordinal)) is { } conflict)
            return new Problem(409, conflict.Code, "状态冲突", conflict.Reason, errors);
        if (rejections.FirstOrDefault(r => r.Code.StartsWith("EVV_", StringComparison.Ordinal)) is { } evv)
            return new Problem(422, evv.Code, "服务核验未通过", evv.Reason, errors);
        return rejections.Count == 1
            ? new Problem(400, rejections[0].Code, "请求内容有误", rejections[0].Reason, errors)
            : Invalid(errors);
    }

    static readonly HashSet<string> ElderlyForbidden = new(StringComparer.Ordinal) { "ALARM_NOT_OFFERED_TO_YOU", "ALARM_NOT_YOUR_ALARM" };
    static readonly HashSet<string> ElderlyConflicts = new(StringComparer.Ordinal)
    {
        "ALARM_ALREADY_ESCALATED", "ALARM_ACK_NOT_DUE", "ALARM_NO_RESPONDER_SENT", "ALARM_RESPONDER_NOT_ON_SITE", "DEATH_ALREADY_RECORDED",
        "ELDER_DECEASED", "SERVICE_ENDED", "SERVICE_NOT_ENROLLED", "MEAL_RECEIPT_CONFLICT", "HOMECARE_NOT_CONFIRMED",
    };

    /// <summary>A domain rule code as a problem code: <c>need.quantity.not_positive</c> → <c>NEED_QUANTITY_NOT_POSITIVE</c>.</summary>
    public static string CodeOf(string ruleCode) => ruleCode.Replace('.', '_').ToUpperInvariant();
}
