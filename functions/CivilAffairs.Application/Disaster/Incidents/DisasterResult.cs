using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster;

public enum DisasterResultKind { Ok, Created, Invalid, NotFound, Conflict, PreconditionFailed, Forbidden }

/// <summary>
/// What an incident or need operation came to, for the HTTP layer to map: a value with its ETag, field errors
/// (with the domain rule's stable code), not found (also for objects outside the caller's scope), a state conflict,
/// a stale <c>If-Match</c>, or a refusal.
/// </summary>
public sealed record DisasterResult<T>(DisasterResultKind Kind, T? Value = default, string? ETag = null,
    IReadOnlyList<FieldError>? Errors = null, string? Code = null, string? Detail = null)
{
    public static DisasterResult<T> Ok(T value, string? etag = null) => new(DisasterResultKind.Ok, value, etag);
    public static DisasterResult<T> Created(T value, string? etag = null) => new(DisasterResultKind.Created, value, etag);
    public static DisasterResult<T> NotFound() => new(DisasterResultKind.NotFound);
    public static DisasterResult<T> Stale() => new(DisasterResultKind.PreconditionFailed, Code: "PRECONDITION_FAILED", Detail: "数据已被他人修改，请刷新后重试（If-Match 与当前版本不一致）。");
    public static DisasterResult<T> Invalid(IReadOnlyList<FieldError> errors, string code = "VALIDATION_FAILED") => new(DisasterResultKind.Invalid, Errors: errors, Code: code);
    public static DisasterResult<T> Forbidden(string detail) => new(DisasterResultKind.Forbidden, Code: "FORBIDDEN", Detail: detail);

    /// <summary>
    /// Domain rejections: a closed incident (or a need no longer open) is a 409 conflict, everything else a 400 with
    /// the rules' codes in upper snake case ("need.quantity.not_positive" → <c>NEED_QUANTITY_NOT_POSITIVE</c>).
    /// </summary>
    public static DisasterResult<T> Rejected(IReadOnlyList<Rejection> rejections)
    {
        var errors = rejections.Select(r => new FieldError(r.Field ?? "", r.Reason)).ToList();
        var conflict = rejections.FirstOrDefault(r => r.Code is "incident.closed" or "incident.already_closed" or "need.not_open");
        if (conflict is not null) return new(DisasterResultKind.Conflict, Errors: errors, Code: CodeOf(conflict.Code), Detail: conflict.Reason);
        return new(DisasterResultKind.Invalid, Errors: errors, Code: rejections.Count == 1 ? CodeOf(rejections[0].Code) : "VALIDATION_FAILED",
            Detail: rejections.Count == 1 ? rejections[0].Reason : null);
    }

    public static string CodeOf(string ruleCode) => ruleCode.Replace('.', '_').ToUpperInvariant();
}
