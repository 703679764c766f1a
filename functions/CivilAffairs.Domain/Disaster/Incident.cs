using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Disaster;

/// <summary>Kinds of natural disaster the bureau responds to.</summary>
public enum IncidentType
{
    /// <summary>台风.</summary>
    Typhoon,
    /// <summary>洪涝.</summary>
    Flood,
    /// <summary>暴雨.</summary>
    Rainstorm,
    /// <summary>滑坡、泥石流 (geological).</summary>
    Landslide,
    /// <summary>地震.</summary>
    Earthquake,
    /// <summary>火灾 (forest and grassland fire as a natural disaster, or a fire the plan is applied to).</summary>
    Fire,
    /// <summary>干旱.</summary>
    Drought,
    /// <summary>其他.</summary>
    Other,
}

/// <summary>
/// Emergency response level of the natural-disaster relief plan (自然灾害救助应急响应):
/// <see cref="I"/> (Ⅰ级, 一级响应) is the highest, <see cref="IV"/> (Ⅳ级) the lowest.
/// The numeric value is the level number, so a smaller value is a higher level.
/// </summary>
public enum ResponseLevel
{
    I = 1,
    II = 2,
    III = 3,
    IV = 4,
}

public enum IncidentStatus
{
    /// <summary>进行中: accepts needs and dispatches.</summary>
    Active,
    /// <summary>已结束: response terminated (响应终止); rejects new needs.</summary>
    Closed,
}

/// <summary>Chinese names for the disaster enums (people-facing text).</summary>
public static class DisasterNames
{
    public static string ChineseName(this IncidentType type) => type switch
    {
        IncidentType.Typhoon => "台风",
        IncidentType.Flood => "洪涝",
        IncidentType.Rainstorm => "暴雨",
        IncidentType.Landslide => "滑坡/泥石流",
        IncidentType.Earthquake => "地震",
        IncidentType.Fire => "火灾",
        IncidentType.Drought => "干旱",
        IncidentType.Other => "其他",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>"Ⅰ级" … "Ⅳ级" (Roman numerals U+2160…).</summary>
    public static string ChineseName(this ResponseLevel level) => level switch
    {
        ResponseLevel.I => "Ⅰ级",
        ResponseLevel.II => "Ⅱ级",
        ResponseLevel.III => "Ⅲ级",
        ResponseLevel.IV => "Ⅳ级",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>"Ⅰ级应急响应" etc.</summary>
    public static string ResponseTitle(this ResponseLevel level) => level.ChineseName() + "应急响应";

    public static string ChineseName(this IncidentStatus status) => status switch
    {
        IncidentStatus.Active => "进行中",
        IncidentStatus.Closed => "已结束",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>True when <paramref name="level"/> is a higher (more severe) response than <paramref name="other"/>.</summary>
    public static bool IsHigherThan(this ResponseLevel level, ResponseLevel other) => (int)level < (int)other;
}

/// <summary>
/// How long after a dispatch starts the affected people must have their basic relief, per response
/// level. Configuration: the bureau may set tighter local targets.
/// <para>
/// Source of the default: the national target that "灾害发生10小时之内受灾群众基本生活得到有效救助"
/// (《"十四五"国家综合防灾减灾规划》, 国减发〔2022〕1号, 2022-06-19; reported e.g. by 重庆市生态环境局
/// https://sthjj.cq.gov.cn/zwgk_249/gndt/202207/t20220722_10947733_wap.html). The earlier 2016–2020
/// plan set 12 hours. The 2024 revision of 《国家自然灾害救助应急预案》 (国办函〔2024〕11号,
/// 2024-01-20) organises the response in four levels (5.1–5.4 一级…四级响应) but, in the text we
/// could consult, sets no per-level hour limit; so the one national 10-hour target is used for every
/// level by default. This is our reading, not a per-level rule of the plan: configure
/// <see cref="DeliveryDeadlines"/> if the city's own plan sets different limits.
/// </para>
/// </summary>
public sealed record DeliveryDeadlines(TimeSpan LevelI, TimeSpan LevelII, TimeSpan LevelIII, TimeSpan LevelIV)
{
    /// <summary>10 hours for every level (see the type's remarks for the source).</summary>
    public static DeliveryDeadlines Default { get; } = new(TimeSpan.FromHours(10), TimeSpan.FromHours(10), TimeSpan.FromHours(10), TimeSpan.FromHours(10));

    public TimeSpan For(ResponseLevel level) => level switch
    {
        ResponseLevel.I => LevelI,
        ResponseLevel.II => LevelII,
        ResponseLevel.III => LevelIII,
        ResponseLevel.IV => LevelIV,
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };
}

/// <summary>What a declaration must supply.</summary>
/// <param name="JurisdictionCode">The division (GB/T 2260 code) responsible for the response.</param>
/// <param name="StartedAt">When the disaster began (may be earlier than the declaration).</param>
public sealed record IncidentDeclaration(
    string Name,
    IncidentType Type,
    ResponseLevel Level,
    GeoPolygon? Area,
    DateTimeOffset StartedAt,
    string JurisdictionCode,
    string DeclaredBy);

/// <summary>A recorded change of response level (启动条件调整 / 响应升级).</summary>
public sealed record LevelChange(ResponseLevel From, ResponseLevel To, DateTimeOffset At, string Actor, string? Reason);

/// <summary>Tunable rules for incidents.</summary>
/// <param name="FutureTolerance">How far in the future a start time may be (clock skew between devices and server).</param>
public sealed record IncidentRules(TimeSpan FutureTolerance, int MaxNameLength = 100)
{
    public static IncidentRules Default { get; } = new(TimeSpan.FromMinutes(5));
}

/// <summary>
/// A disaster incident (灾害事件) under an emergency response. Immutable: every operation returns
/// a new version or a rejection; the application stores the version with its ETag.
/// </summary>
public sealed record Incident
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required IncidentType Type { get; init; }
    public required ResponseLevel Level { get; init; }
    public required GeoPolygon Area { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string JurisdictionCode { get; init; }
    public required DateTimeOffset DeclaredAt { get; init; }
    public required string DeclaredBy { get; init; }
    public IncidentStatus Status { get; init; } = IncidentStatus.Active;
    public IReadOnlyList<LevelChange> LevelChanges { get; init; } = [];
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? ClosingSummary { get; init; }

    public bool IsActive => Status == IncidentStatus.Active;

    /// <summary>
    /// Declares an incident (启动响应). Checks: name present and not too long; type and level
    /// defined; an area polygon; a start time no later than now + tolerance; a well-formed
    /// division code; an actor. Every failing check is reported.
    /// </summary>
    /// <param name="id">A random id from the application (ULID); never sequential.</param>
    public static Outcome<Incident> Declare(string id, IncidentDeclaration declaration, TimeProvider clock, IncidentRules? rules = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(declaration);
        ArgumentNullException.ThrowIfNull(clock);
        rules ??= IncidentRules.Default;
        var now = clock.GetUtcNow();
        var problems = new List<Rejection>();
        var name = declaration.Name?.Trim() ?? "";
        if (name.Length == 0) problems.Add(new("incident.name.required", "请填写灾害事件名称", "name"));
        else if (name.Length > rules.MaxNameLength) problems.Add(new("incident.name.too_long", $"灾害事件名称不能超过 {rules.MaxNameLength} 个字", "name"));
        if (!Enum.IsDefined(declaration.Type)) problems.Add(new("incident.type.invalid", "灾害类型无效", "type"));
        if (!Enum.IsDefined(declaration.Level)) problems.Add(new("incident.level.invalid", "响应级别必须是Ⅰ级至Ⅳ级", "level"));
        if (declaration.Area is null) problems.Add(new("incident.area.required", "请划定受灾区域（多边形）", "area"));
        if (declaration.StartedAt > now + rules.FutureTolerance)
            problems.Add(new("incident.start.future", "灾害发生时间不能晚于当前时间", "startedAt"));
        else if (declaration.StartedAt < now - TimeSpan.FromDays(366))
            problems.Add(new("incident.start.too_old", "灾害发生时间不能早于一年前（历史灾情请走档案登记）", "startedAt"));
        if (!Jurisdiction.IsWellFormed(declaration.JurisdictionCode))
            problems.Add(new("incident.jurisdiction.invalid", "行政区划代码格式不正确（应为 6、9 或 12 位数字）", "jurisdictionCode"));
        if (string.IsNullOrWhiteSpace(declaration.DeclaredBy)) problems.Add(new("incident.actor.required", "缺少启动响应的操作人", "declaredBy"));
        if (problems.Count > 0) return Outcome<Incident>.Reject(problems);

        return Outcome<Incident>.Accept(new Incident
        {
            Id = id,
            Name = name,
            Type = declaration.Type,
            Level = declaration.Level,
            Area = declaration.Area!,
            StartedAt = declaration.StartedAt,
            JurisdictionCode = declaration.JurisdictionCode,
            DeclaredAt = now,
            DeclaredBy = declaration.DeclaredBy,
        });
    }

    /// <summary>
    /// Updates name, area and/or level of an active incident. A level change is appended to
    /// <see cref="LevelChanges"/>; passing the current level is not a change. Nothing to change is rejected.
    /// </summary>
    public Outcome<Incident> Update(string actor, TimeProvider clock, string? name = null, GeoPolygon? area = null, ResponseLevel? level = null, string? reason = null, IncidentRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        rules ??= IncidentRules.Default;
        if (!IsActive) return Outcome<Incident>.Reject("incident.closed", "灾害事件已结束，不能再修改", null);
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<Incident>.Reject("incident.actor.required", "缺少操作人", "actor");
        var problems = new List<Rejection>();
        var newName = name?.Trim();
        if (newName is { Length: 0 }) problems.Add(new("incident.name.required", "请填写灾害事件名称", "name"));
        else if (newName is { } n && n.Length > rules.MaxNameLength) problems.Add(new("incident.name.too_long", $"灾害事件名称不能超过 {rules.MaxNameLength} 个字", "name"));
        if (level is { } l && !Enum.IsDefined(l)) problems.Add(new("incident.level.invalid", "响应级别必须是Ⅰ级至Ⅳ级", "level"));
        if (problems.Count > 0) return Outcome<Incident>.Reject(problems);

        var levelChanged = level is { } nl && nl != Level;
        var nameChanged = newName is not null && newName != Name;
        if (!levelChanged && !nameChanged && area is null)
            return Outcome<Incident>.Reject("incident.update.nothing", "没有需要修改的内容", null);

        var now = clock.GetUtcNow();
        return Outcome<Incident>.Accept(this with
        {
            Name = newName ?? Name,
            Area = area ?? Area,
            Level = level ?? Level,
            LevelChanges = levelChanged ? [.. LevelChanges, new LevelChange(Level, level!.Value, now, actor, reason)] : LevelChanges,
            UpdatedAt = now,
        });
    }

    /// <summary>Terminates the response (响应终止). Only once.</summary>
    public Outcome<Incident> Close(string actor, TimeProvider clock, string? summary = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (!IsActive) return Outcome<Incident>.Reject("incident.already_closed", "灾害事件已结束，不能重复结束", null);
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<Incident>.Reject("incident.actor.required", "缺少操作人", "actor");
        var now = clock.GetUtcNow();
        return Outcome<Incident>.Accept(this with { Status = IncidentStatus.Closed, ClosedAt = now, ClosedBy = actor, ClosingSummary = summary, UpdatedAt = now });
    }

    /// <summary>Null when the incident accepts new needs, otherwise why not.</summary>
    public Rejection? CheckAcceptsNeeds() =>
        IsActive ? null : new Rejection("incident.closed", "灾害事件已结束，不再受理新的需求", "incidentId");

    /// <summary>The basic-relief delivery limit for the current level.</summary>
    public TimeSpan DeliveryLimit(DeliveryDeadlines? deadlines = null) => (deadlines ?? DeliveryDeadlines.Default).For(Level);
}
