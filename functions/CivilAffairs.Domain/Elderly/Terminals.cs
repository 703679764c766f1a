namespace CivilAffairs.Domain.Elderly;

/// <summary>Alarm terminal kinds of the 平安通 service (穗民规字〔2023〕8号).</summary>
public enum TerminalKind
{
    /// <summary>一键呼叫终端（固定或随身按钮）.</summary>
    OneButton,
    /// <summary>手机应用.</summary>
    PhoneApp,
    /// <summary>智能传感器（跌倒、烟感、燃气）.</summary>
    SmartSensor,
}

/// <summary>What a terminal reports.</summary>
public enum TerminalEventKind
{
    /// <summary>一键呼叫.</summary>
    Press,
    /// <summary>跌倒.</summary>
    Fall,
    /// <summary>烟雾报警.</summary>
    Smoke,
    /// <summary>燃气泄漏.</summary>
    Gas,
    /// <summary>低电量.</summary>
    LowBattery,
    /// <summary>心跳（在线信号）.</summary>
    Heartbeat,
}

public static class TerminalNames
{
    public static string ChineseName(this TerminalKind kind) => kind switch
    {
        TerminalKind.OneButton => "一键呼叫终端",
        TerminalKind.PhoneApp => "手机应用",
        TerminalKind.SmartSensor => "智能传感器",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ChineseName(this TerminalEventKind kind) => kind switch
    {
        TerminalEventKind.Press => "一键呼叫",
        TerminalEventKind.Fall => "跌倒",
        TerminalEventKind.Smoke => "烟雾报警",
        TerminalEventKind.Gas => "燃气泄漏",
        TerminalEventKind.LowBattery => "低电量",
        TerminalEventKind.Heartbeat => "心跳",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Urgent events raise an <see cref="Alarm"/> for an operator (press, fall, smoke, gas). Low battery
    /// and heartbeat are maintenance signals: they never raise an alarm.
    /// </summary>
    public static bool IsUrgent(this TerminalEventKind kind) =>
        kind is TerminalEventKind.Press or TerminalEventKind.Fall or TerminalEventKind.Smoke or TerminalEventKind.Gas;
}

/// <summary>One report from a terminal. <paramref name="At"/> is the device's own time of the event (e.g. the press).</summary>
public sealed record TerminalEvent(string TerminalId, TerminalEventKind Kind, DateTimeOffset At);

/// <summary>
/// An alarm terminal installed for an elder. <see cref="HeartbeatInterval"/> is how often it must
/// report that it is alive; <see cref="LastSeenAt"/> is the last event of any kind received from it
/// (every event proves the terminal is alive, not only heartbeats).
/// </summary>
public sealed record AlarmTerminal(string Id, string ElderId, TerminalKind Kind, TimeSpan HeartbeatInterval, DateTimeOffset InstalledAt, DateTimeOffset? LastSeenAt = null)
{
    /// <summary>Demo defaults: one-button terminals and phone apps every 24 h, smart sensors every hour.</summary>
    public static TimeSpan DefaultHeartbeatInterval(TerminalKind kind) => kind == TerminalKind.SmartSensor ? TimeSpan.FromHours(1) : TimeSpan.FromHours(24);

    /// <summary>
    /// Takes an event from this terminal: moves <see cref="LastSeenAt"/> forward (an older, late-delivered event
    /// does not move it back). Rejected: an event of another terminal (TERMINAL_MISMATCH), or one dated more than
    /// <paramref name="clockSkew"/> (default 5 min) in the future (TERMINAL_EVENT_IN_FUTURE).
    /// </summary>
    public Outcome<AlarmTerminal> Receive(TerminalEvent ev, TimeProvider clock, TimeSpan? clockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(clock);
        if (ev.TerminalId != Id) return Outcome<AlarmTerminal>.Reject("TERMINAL_MISMATCH", "事件不属于该终端", "terminalId");
        if (ev.At > clock.GetUtcNow() + (clockSkew ?? TimeSpan.FromMinutes(5)))
            return Outcome<AlarmTerminal>.Reject("TERMINAL_EVENT_IN_FUTURE", "事件时间晚于当前时间，请检查终端时钟", "at");
        return Outcome<AlarmTerminal>.Accept(LastSeenAt is { } last && last >= ev.At ? this : this with { LastSeenAt = ev.At });
    }
}

/// <summary>Whether a terminal has gone quiet.</summary>
/// <param name="SilentSince">The last sign of life (the installation time when it never reported).</param>
/// <param name="DueBy">Last sign of life + interval + grace: silent after this instant.</param>
/// <param name="WelfareCheckNeeded">True when silent beyond its interval and grace: someone should call or visit the elder (上门探视).</param>
public sealed record SilenceAssessment(string TerminalId, DateTimeOffset SilentSince, DateTimeOffset DueBy, bool WelfareCheckNeeded, TimeSpan OverdueBy);

public static class TerminalSilence
{
    /// <summary>Default grace after a missed heartbeat before a welfare check: 30 minutes (demo assumption; network delays).</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Is the terminal silent beyond its heartbeat interval plus <paramref name="grace"/>? Silent strictly after
    /// <c>last sign of life + interval + grace</c>; at exactly that instant it is still on time.
    /// </summary>
    public static SilenceAssessment Assess(AlarmTerminal terminal, TimeProvider clock, TimeSpan? grace = null)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(clock);
        var g = grace ?? DefaultGrace;
        if (g < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(grace), "The grace must not be negative.");
        if (terminal.HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(terminal), "The heartbeat interval must be positive.");
        var since = terminal.LastSeenAt ?? terminal.InstalledAt;
        var due = since + terminal.HeartbeatInterval + g;
        var now = clock.GetUtcNow();
        return new SilenceAssessment(terminal.Id, since, due, now > due, now > due ? now - due : TimeSpan.Zero);
    }
}
