namespace CivilAffairs.Domain.Funeral.Memorials;

/// <summary>Services a proxy grave sweeping (代祭扫) may include.</summary>
public enum SweepingTask
{
    /// <summary>清扫墓碑.</summary>
    CleanTombstone,
    /// <summary>敬献鲜花.</summary>
    PresentFlowers,
    /// <summary>描红碑文.</summary>
    RepaintInscription,
    /// <summary>代为鞠躬致敬.</summary>
    BowOnBehalf,
    /// <summary>宣读家属寄语.</summary>
    ReadMessage,
}

public enum SweepingStatus
{
    Ordered,
    Completed,
}

/// <summary>A proxy grave-sweeping order: a family orders it at a cemetery for a date; the cemetery's staff complete it with photos.</summary>
public sealed record SweepingOrder
{
    public required string Id { get; init; }
    public required string MemorialId { get; init; }
    public required string Site { get; init; }
    public required DateOnly Date { get; init; }
    public required IReadOnlyList<SweepingTask> Services { get; init; }
    /// <summary>Where the grave is (区、排、号), as the family wrote it.</summary>
    public required string Plot { get; init; }
    public string? Note { get; init; }
    public required string OrderedBy { get; init; }
    public required DateTimeOffset OrderedAt { get; init; }
    public SweepingStatus Status { get; init; }
    public string? CompletedBy { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The photo proof's blob names.</summary>
    public IReadOnlyList<string> Photos { get; init; } = [];
}

public static class SweepingRules
{
    public const int MaxDaysAhead = 90;
    public const int MaxPhotos = 6;

    public static string ChineseName(this SweepingTask s) => s switch
    {
        SweepingTask.CleanTombstone => "清扫墓碑",
        SweepingTask.PresentFlowers => "敬献鲜花",
        SweepingTask.RepaintInscription => "描红碑文",
        SweepingTask.BowOnBehalf => "代为鞠躬致敬",
        SweepingTask.ReadMessage => "宣读家属寄语",
        _ => s.ToString(),
    };

    public static string ChineseName(this SweepingStatus s) => s == SweepingStatus.Completed ? "已完成" : "待祭扫";

    /// <summary>An order: a known cemetery, a date from tomorrow to <see cref="MaxDaysAhead"/> days ahead, at least one service, the plot.</summary>
    public static IReadOnlyList<MemorialRejection> CheckOrder(bool knownSite, DateOnly? date, IReadOnlyList<SweepingTask>? services, string? plot, string? note, DateOnly today)
    {
        var errors = new List<MemorialRejection>();
        if (!knownSite) errors.Add(new("SWEEPING_SITE_UNKNOWN", "没有该公墓，请选择提供代祭扫服务的公墓。", Field: "site"));
        if (date is not { } d || d <= today || d > today.AddDays(MaxDaysAhead))
            errors.Add(new("SWEEPING_DATE_INVALID", $"祭扫日期须在明天至 {MaxDaysAhead} 天内。", Field: "date"));
        if (services is not { Count: > 0 }) errors.Add(new("SWEEPING_SERVICES_REQUIRED", "请至少选择一项祭扫服务。", Field: "services"));
        if (string.IsNullOrWhiteSpace(plot) || plot.Length > 60 || Platform.TextRules.Check(plot) is not null)
            errors.Add(new("SWEEPING_PLOT_REQUIRED", "请填写墓位（如 福寿园 3 区 12 排 8 号，不超过 60 字）。", Field: "plot"));
        if (note is { } n && (n.Length > 200 || Platform.TextRules.Check(n) is not null))
            errors.Add(new("SWEEPING_NOTE_INVALID", "附言不超过 200 字。", Field: "note"));
        return errors;
    }

    /// <summary>Completing needs an open order and at least one photo (at most <see cref="MaxPhotos"/>); a completed order is not completed again.</summary>
    public static MemorialRejection? CheckCompletion(SweepingOrder order, int photos)
    {
        if (order.Status == SweepingStatus.Completed)
            return new("SWEEPING_ALREADY_COMPLETED", "该代祭扫订单已完成，不能重复提交。", MemorialRejectionKind.State);
        if (photos is < 1 or > MaxPhotos)
            return new("SWEEPING_PHOTO_REQUIRED", $"请上传 1 至 {MaxPhotos} 张祭扫照片作为凭证（字段 photo）。", Field: "photo");
        return null;
    }
}
