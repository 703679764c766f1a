using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Marriage;

public enum DivorceStatus
{
    /// <summary>One party applied; the other has not yet applied with their own account.</summary>
    AwaitingPartner,
    /// <summary>Both applied: the registry received the application and the 30-day cooling-off runs (离婚冷静期).</summary>
    CoolingOff,
    /// <summary>The cooling-off ended: both must appear in person within the next 30 days.</summary>
    AwaitingAppearance,
    Registered,
    /// <summary>A party withdrew during the cooling-off.</summary>
    Withdrawn,
    /// <summary>Nobody appeared in time: deemed withdrawn (视为撤回).</summary>
    Lapsed,
}

/// <summary>When an application's periods end.</summary>
public sealed record DivorcePeriods(DateTimeOffset ReceivedAt, DateTimeOffset CoolingOffEndsAt, DateTimeOffset AppearanceEndsAt);

/// <summary>
/// The durations of Civil Code Art. 1077: a cooling-off of 30 days from the day the registry receives the application, in which
/// either party may withdraw, then 30 days in which both must appear to be issued the divorce certificates, otherwise the
/// application is deemed withdrawn. Calendar days, counted from the day after receipt (Art. 201: 开始的当日不计入): a period of
/// whole days ends at the end of its last China day. Shortened durations (tests, the demo) that are not whole days run from the
/// moment of receipt.
/// </summary>
public sealed record DivorceTerms(TimeSpan CoolingOff, TimeSpan AppearanceWindow)
{
    public static readonly DivorceTerms Statutory = new(TimeSpan.FromDays(30), TimeSpan.FromDays(30));

    public DivorcePeriods PeriodsFrom(DateTimeOffset receivedAt)
    {
        var coolingOffEnds = End(receivedAt, CoolingOff);
        return new(receivedAt, coolingOffEnds, End(receivedAt, CoolingOff + AppearanceWindow));
    }

    static DateTimeOffset End(DateTimeOffset start, TimeSpan length)
    {
        if (length.Ticks % TimeSpan.TicksPerDay != 0 || length <= TimeSpan.Zero) return start + length;
        // The period ends with its last day: the first moment of the following China day.
        var lastDay = ChinaTime.DateOf(start).AddDays((int)length.TotalDays);
        return new DateTimeOffset(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
    }
}

/// <summary>The divorce-by-agreement state machine (离婚登记: 申请 → 冷静期 → 到场发证, or 撤回 / 视为撤回).</summary>
public static class DivorceRules
{
    public static bool IsOpen(DivorceStatus status) => status is DivorceStatus.AwaitingPartner or DivorceStatus.CoolingOff or DivorceStatus.AwaitingAppearance;

    /// <summary>Either party may withdraw until the cooling-off ends (Art. 1077 ¶1); not after.</summary>
    public static Rejection? CanWithdraw(DivorceStatus status, DivorcePeriods? periods, DateTimeOffset now)
    {
        if (status == DivorceStatus.AwaitingPartner) return null;
        if (!IsOpen(status)) return NotOpen(status);
        if (periods is null || now >= periods.CoolingOffEndsAt || status == DivorceStatus.AwaitingAppearance)
            return new("DIVORCE_COOLING_OFF_ENDED", $"离婚冷静期已于 {Show(periods?.CoolingOffEndsAt)} 届满，不能再撤回申请；双方如不到场申请发给离婚证，申请将于 {Show(periods?.AppearanceEndsAt)} 视为撤回。", RejectionKind.State);
        return null;
    }

    /// <summary>The registrar may register only after the cooling-off and before the appearance window closes (Art. 1077 ¶2).</summary>
    public static Rejection? CanRegister(DivorceStatus status, DivorcePeriods? periods, DateTimeOffset now)
    {
        if (status == DivorceStatus.AwaitingPartner) return new("DIVORCE_NOT_RECEIVED", "双方尚未都提交离婚登记申请。", RejectionKind.State);
        if (!IsOpen(status)) return NotOpen(status);
        if (now < periods!.CoolingOffEndsAt)
            return new("DIVORCE_COOLING_OFF_NOT_ENDED", $"离婚冷静期至 {Show(periods.CoolingOffEndsAt)} 届满，届满后三十日内双方方可到场申请发给离婚证。", RejectionKind.State);
        if (now >= periods.AppearanceEndsAt)
            return new("DIVORCE_LAPSED", $"冷静期届满后三十日内（至 {Show(periods.AppearanceEndsAt)}）双方未到场，离婚登记申请视为撤回。", RejectionKind.State);
        return null;
    }

    /// <summary>
    /// The workflow's step when the cooling-off timer fires: an application still cooling off moves on to the appearance window —
    /// only once the cooling-off has really ended by the clock (a queue-backed timer may fire a little early).
    /// </summary>
    public static DivorceStatus AfterCoolingOff(DivorceStatus status, DivorcePeriods? periods, DateTimeOffset now) =>
        status == DivorceStatus.CoolingOff && periods is not null && now >= periods.CoolingOffEndsAt ? DivorceStatus.AwaitingAppearance : status;

    /// <summary>The workflow's step when the appearance window closes: an application still open lapses.</summary>
    public static bool ShouldLapse(DivorceStatus status, DivorcePeriods? periods, DateTimeOffset now) =>
        status is DivorceStatus.CoolingOff or DivorceStatus.AwaitingAppearance && periods is not null && now >= periods.AppearanceEndsAt;

    static Rejection NotOpen(DivorceStatus status) => new("DIVORCE_NOT_OPEN", status switch
    {
        DivorceStatus.Registered => "离婚登记已办结。",
        DivorceStatus.Withdrawn => "该离婚登记申请已撤回。",
        _ => "该离婚登记申请已视为撤回。",
    }, RejectionKind.State);

    static string Show(DateTimeOffset? instant) => instant is { } i ? ChinaTime.ToChina(i).ToString("yyyy-MM-dd HH:mm:ss") : "—";
}
