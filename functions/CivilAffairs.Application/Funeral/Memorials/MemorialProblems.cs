using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Funeral.Memorials;
using FieldError = CivilAffairs.Domain.Catalog.FieldError;

namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>The memorial area's problems.</summary>
public static class MemorialProblems
{
    public static Problem Rejected(IReadOnlyList<MemorialRejection> rejections)
    {
        var errors = rejections.Select(r => new FieldError(r.Field ?? "", r.Reason)).ToList();
        if (rejections.FirstOrDefault(r => r.Kind == MemorialRejectionKind.State) is { } state)
            return Problem.Conflict(state.Code, "当前状态不允许该操作", state.Reason, errors);
        var codes = rejections.Select(r => r.Code).Distinct().ToList();
        return codes.Count == 1
            ? new Problem(400, codes[0], "请求内容有误", rejections.Count == 1 ? rejections[0].Reason : "请根据 errors 中的提示修改后重新提交。", errors)
            : Problem.Invalid(errors);
    }

    public static Problem Rejected(MemorialRejection rejection) => Rejected([rejection]);

    public static Problem MemorialNotFound() => Problem.NotFound("MEMORIAL_NOT_FOUND", "纪念页不存在", "没有找到该纪念页，或您无权查看。");

    public static Problem MessageNotFound() => Problem.NotFound("MEMORIAL_MESSAGE_NOT_FOUND", "留言不存在", "没有找到该留言，或您无权处理。");

    public static Problem SweepingNotFound() => Problem.NotFound("SWEEPING_NOT_FOUND", "代祭扫订单不存在", "没有找到该代祭扫订单，或不属于您的公墓。");

    public static Problem RealNameRequired() => Problem.Forbidden("请先完成实名认证（绑定本人身份）后再管理纪念页。", "REAL_NAME_REQUIRED", "需要实名认证");

    /// <summary>A clearly offensive message: refused, without echoing the words that were found.</summary>
    public static Problem OffensiveMessage() =>
        new(422, "OFFENSIVE_MESSAGE", "留言含有不当内容", "您的留言含有辱骂或冒犯性的内容，未能发表。请文明留言，修改后再提交。");

    public static Problem MessagesClosed() =>
        Problem.Conflict("MEMORIAL_MESSAGES_CLOSED", "纪念页未开放留言", "家属未同意开放留言，不能在此纪念页留言。");
}
