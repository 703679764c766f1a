namespace CivilAffairs.Domain.Disaster;

/// <summary>What affected people need.</summary>
public enum NeedCategory
{
    /// <summary>救援 (people trapped, search and rescue).</summary>
    Rescue,
    /// <summary>医疗.</summary>
    Medical,
    /// <summary>饮用水.</summary>
    Water,
    /// <summary>食品.</summary>
    Food,
    /// <summary>安置 (shelter, bedding).</summary>
    Shelter,
    /// <summary>电力 (power, lighting, charging).</summary>
    Power,
    /// <summary>其他.</summary>
    Other,
}

public enum Urgency
{
    Low,
    Normal,
    High,
    Critical,
}

/// <summary>Who reported a need.</summary>
public enum ReporterKind
{
    /// <summary>群众自报.</summary>
    Citizen,
    /// <summary>网格员.</summary>
    GridWorker,
    /// <summary>现场工作组 / 救援队.</summary>
    FieldTeam,
    /// <summary>设备分析 (drone or camera image analysis).</summary>
    DeviceAnalysis,
}

public enum NeedStatus
{
    /// <summary>待满足.</summary>
    Open,
    /// <summary>已满足.</summary>
    Fulfilled,
    /// <summary>已撤销 (duplicate, false report).</summary>
    Cancelled,
}

public static class NeedNames
{
    public static string ChineseName(this NeedCategory category) => category switch
    {
        NeedCategory.Rescue => "救援",
        NeedCategory.Medical => "医疗",
        NeedCategory.Water => "饮用水",
        NeedCategory.Food => "食品",
        NeedCategory.Shelter => "安置",
        NeedCategory.Power => "电力",
        NeedCategory.Other => "其他",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string ChineseName(this Urgency urgency) => urgency switch
    {
        Urgency.Low => "低",
        Urgency.Normal => "一般",
        Urgency.High => "高",
        Urgency.Critical => "紧急",
        _ => throw new ArgumentOutOfRangeException(nameof(urgency)),
    };

    public static string ChineseName(this ReporterKind kind) => kind switch
    {
        ReporterKind.Citizen => "群众",
        ReporterKind.GridWorker => "网格员",
        ReporterKind.FieldTeam => "现场工作组",
        ReporterKind.DeviceAnalysis => "设备分析",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ChineseName(this NeedStatus status) => status switch
    {
        NeedStatus.Open => "待满足",
        NeedStatus.Fulfilled => "已满足",
        NeedStatus.Cancelled => "已撤销",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

/// <summary>
/// One report of a need, as received (from the citizen app, a grid worker's phone, a field team or
/// the image-analysis pipeline). <paramref name="ReportId"/> is the message's business id: the same
/// report delivered twice is recognised and not counted twice.
/// </summary>
/// <param name="Unit">Unit of <paramref name="Quantity"/> in Chinese (人, 箱, 顶…); reports merge only when units match.</param>
/// <param name="PhotoRefs">Blob references of photos (never the image bytes, never personal data).</param>
public sealed record NeedReport(
    string ReportId,
    string IncidentId,
    NeedCategory Category,
    decimal Quantity,
    string Unit,
    Urgency Urgency,
    GeoPoint Position,
    ReporterKind Reporter,
    DateTimeOffset ReportedAt,
    IReadOnlyList<string>? PhotoRefs = null);

/// <summary>
/// A need (灾情需求): one or more merged reports of the same category near the same place.
/// Immutable; operations return new versions.
/// </summary>
public sealed record Need
{
    public required string Id { get; init; }
    public required string IncidentId { get; init; }
    public required NeedCategory Category { get; init; }
    public required decimal Quantity { get; init; }
    public required string Unit { get; init; }
    /// <summary>The highest urgency any merged report gave.</summary>
    public required Urgency Urgency { get; init; }
    /// <summary>Position of the first report (the anchor merge distances are measured from).</summary>
    public required GeoPoint Position { get; init; }
    /// <summary>Earliest report time (age counts from here).</summary>
    public required DateTimeOffset FirstReportedAt { get; init; }
    /// <summary>Latest report time (the merge window counts from here).</summary>
    public required DateTimeOffset LastReportedAt { get; init; }
    public int ReportCount { get; init; } = 1;
    public IReadOnlyList<string> ReportIds { get; init; } = [];
    public IReadOnlyList<ReporterKind> Reporters { get; init; } = [];
    public IReadOnlyList<string> PhotoRefs { get; init; } = [];
    /// <summary>True when the anchor position lies outside the incident polygon (accepted, but flagged for review).</summary>
    public bool OutsideIncidentArea { get; init; }
    /// <summary>Adjustment from image analysis, −1 (looks less serious) … +2 (much more serious); 0 when none.</summary>
    public int AnalysisAdjustment { get; init; }
    public NeedStatus Status { get; init; } = NeedStatus.Open;

    public bool IsOpen => Status == NeedStatus.Open;

    /// <summary>Records an image-analysis adjustment in [−1, +2]; the last one wins.</summary>
    public Outcome<Need> WithAnalysisAdjustment(int adjustment) =>
        adjustment is < NeedPriority.MinAnalysisAdjustment or > NeedPriority.MaxAnalysisAdjustment
            ? Outcome<Need>.Reject("need.analysis.range", "图像分析调整值必须在 -1 到 +2 之间", "analysisAdjustment")
            : Outcome<Need>.Accept(this with { AnalysisAdjustment = adjustment });

    public Outcome<Need> MarkFulfilled() =>
        IsOpen ? Outcome<Need>.Accept(this with { Status = NeedStatus.Fulfilled }) : Outcome<Need>.Reject("need.not_open", $"需求当前状态为{Status.ChineseName()}，不能标记为已满足");

    public Outcome<Need> Cancel() =>
        IsOpen ? Outcome<Need>.Accept(this with { Status = NeedStatus.Cancelled }) : Outcome<Need>.Reject("need.not_open", $"需求当前状态为{Status.ChineseName()}，不能撤销");
}

/// <summary>Weights of <see cref="NeedPriority"/>. All integers so the score is exact and reproducible.</summary>
public sealed record PriorityWeights
{
    public static PriorityWeights Default { get; } = new();

    /// <summary>Points per urgency: Low, Normal, High, Critical.</summary>
    public IReadOnlyList<int> UrgencyPoints { get; init; } = [10, 20, 35, 50];

    /// <summary>Points per category, in <see cref="NeedCategory"/> order: life first (rescue, medical), then water, food, shelter, power.</summary>
    public IReadOnlyList<int> CategoryPoints { get; init; } = [25, 20, 15, 10, 10, 5, 0];

    /// <summary>Points for every report beyond the first…</summary>
    public int PointsPerExtraReport { get; init; } = 3;
    /// <summary>…up to this many extra reports (so corroboration adds at most 15).</summary>
    public int MaxExtraReports { get; init; } = 5;

    /// <summary>Points per full hour since the first report…</summary>
    public int PointsPerHourWaiting { get; init; } = 2;
    /// <summary>…capped here, so a stale low need cannot outrank a fresh critical one forever.</summary>
    public int MaxAgePoints { get; init; } = 20;

    /// <summary>Points per unit of analysis adjustment (−1 … +2 → −8 … +16).</summary>
    public int PointsPerAnalysisStep { get; init; } = 8;
}

/// <summary>The score and its parts, so a dispatcher can see why a need ranks where it does.</summary>
public sealed record PriorityScore(int Total, int Urgency, int Category, int Reports, int Age, int Analysis);

/// <summary>
/// Need priority (higher first). Deterministic: the same need and the same <c>now</c> always give
/// the same score.
/// <code>
/// total = max(0, U[urgency] + C[category]
///               + PointsPerExtraReport × min(reportCount − 1, MaxExtraReports)
///               + min(PointsPerHourWaiting × floor(hours since first report), MaxAgePoints)
///               + PointsPerAnalysisStep × analysisAdjustment)
/// </code>
/// With the defaults a fresh critical rescue need with one report scores 75, a fresh low "other"
/// need 10; the range is 2 … 126. Ties are broken by <see cref="Rank"/>.
/// </summary>
public static class NeedPriority
{
    public const int MinAnalysisAdjustment = -1;
    public const int MaxAnalysisAdjustment = 2;

    public static PriorityScore Score(Need need, DateTimeOffset now, PriorityWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(need);
        var w = weights ?? PriorityWeights.Default;
        var urgency = w.UrgencyPoints[(int)need.Urgency];
        var category = w.CategoryPoints[(int)need.Category];
        var reports = w.PointsPerExtraReport * Math.Min(Math.Max(need.ReportCount - 1, 0), w.MaxExtraReports);
        var hours = Math.Max(0L, (long)Math.Floor((now - need.FirstReportedAt).TotalHours));
        var age = (int)Math.Min(w.PointsPerHourWaiting * hours, w.MaxAgePoints);
        var analysis = w.PointsPerAnalysisStep * Math.Clamp(need.AnalysisAdjustment, MinAnalysisAdjustment, MaxAnalysisAdjustment);
        var total = Math.Max(0, urgency + category + reports + age + analysis);
        return new PriorityScore(total, urgency, category, reports, age, analysis);
    }

    /// <summary>Open needs, highest score first; ties by earlier first report, then id (ordinal).</summary>
    public static IReadOnlyList<(Need Need, PriorityScore Score)> Rank(IEnumerable<Need> needs, DateTimeOffset now, PriorityWeights? weights = null) =>
        needs.Where(n => n.IsOpen)
            .Select(n => (Need: n, Score: Score(n, now, weights)))
            .OrderByDescending(x => x.Score.Total)
            .ThenBy(x => x.Need.FirstReportedAt)
            .ThenBy(x => x.Need.Id, StringComparer.Ordinal)
            .ToList();
}

/// <summary>How a merged report's quantity combines with the need's.</summary>
public enum QuantityMerge
{
    /// <summary>Keep the larger (default: two people reporting "30 people need water" are usually the same 30).</summary>
    Max,
    /// <summary>Add them up (for reports known to count different people).</summary>
    Sum,
}

/// <summary>Near-duplicate merge rule of <see cref="NeedIntake"/>.</summary>
/// <param name="Radius">Maximum distance from the need's anchor position, metres.</param>
/// <param name="Window">Maximum time between the report and the need's latest report.</param>
/// <param name="FutureTolerance">How far in the future a report time may be (device clock skew).</param>
public sealed record NeedMergePolicy(double Radius, TimeSpan Window, QuantityMerge Quantity, TimeSpan FutureTolerance, int MaxPhotos = 9)
{
    /// <summary>200 m, 2 h, max quantity, 5 min tolerance, 9 photos per report.</summary>
    public static NeedMergePolicy Default { get; } = new(200, TimeSpan.FromHours(2), QuantityMerge.Max, TimeSpan.FromMinutes(5));
}

/// <summary>What became of a report.</summary>
public enum IntakeKind
{
    /// <summary>A new need was opened.</summary>
    Created,
    /// <summary>Merged into an existing need (report count +1).</summary>
    Merged,
    /// <summary>The same report id was already counted; nothing changed.</summary>
    Duplicate,
}

public sealed record NeedIntakeResult(Need Need, IntakeKind Kind);

/// <summary>Receives need reports: validation, near-duplicate merge and the outside-area flag.</summary>
public static class NeedIntake
{
    /// <summary>
    /// Accepts a report against its incident and the incident's current needs.
    /// <para>
    /// Merge rule: the report merges into an existing <b>open</b> need of the <b>same incident</b>,
    /// <b>same category</b> and <b>same unit</b> whose anchor position is within
    /// <see cref="NeedMergePolicy.Radius"/> and whose latest report is within
    /// <see cref="NeedMergePolicy.Window"/> of this report (either side). The merged need gets
    /// report count +1, quantity per <see cref="NeedMergePolicy.Quantity"/>, the higher urgency,
    /// the earliest first-report time, the union of photos. When several needs qualify the nearest
    /// wins, then the earliest, then the smallest id. Otherwise a new need with id
    /// <paramref name="newNeedId"/> is opened.
    /// </para>
    /// A report whose id is already in a need of the incident returns that need unchanged
    /// (<see cref="IntakeKind.Duplicate"/>), so redelivered messages are harmless.
    /// </summary>
    public static Outcome<NeedIntakeResult> Accept(Incident incident, NeedReport report, IEnumerable<Need> existing, string newNeedId, TimeProvider clock, NeedMergePolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentException.ThrowIfNullOrWhiteSpace(newNeedId);
        ArgumentNullException.ThrowIfNull(clock);
        policy ??= NeedMergePolicy.Default;

        var candidates = existing.Where(n => n.IncidentId == incident.Id).ToList();
        if (!string.IsNullOrEmpty(report.ReportId) && candidates.FirstOrDefault(n => n.ReportIds.Contains(report.ReportId)) is { } seen)
            return Outcome<NeedIntakeResult>.Accept(new NeedIntakeResult(seen, IntakeKind.Duplicate));

        var problems = Validate(incident, report, clock, policy);
        if (problems.Count > 0) return Outcome<NeedIntakeResult>.Reject(problems);

        var photos = (report.PhotoRefs ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        var unit = report.Unit.Trim();
        var target = candidates
            .Where(n => n.IsOpen && n.Category == report.Category && n.Unit == unit)
            .Select(n => (Need: n, Distance: n.Position.DistanceTo(report.Position)))
            .Where(x => x.Distance <= policy.Radius && (report.ReportedAt - x.Need.LastReportedAt).Duration() <= policy.Window)
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Need.FirstReportedAt)
            .ThenBy(x => x.Need.Id, StringComparer.Ordinal)
            .Select(x => x.Need)
            .FirstOrDefault();

        if (target is null)
        {
            return Outcome<NeedIntakeResult>.Accept(new NeedIntakeResult(new Need
            {
                Id = newNeedId,
                IncidentId = incident.Id,
                Category = report.Category,
                Quantity = report.Quantity,
                Unit = unit,
                Urgency = report.Urgency,
                Position = report.Position,
                FirstReportedAt = report.ReportedAt,
                LastReportedAt = report.ReportedAt,
                ReportIds = [report.ReportId],
                Reporters = [report.Reporter],
                PhotoRefs = photos,
                OutsideIncidentArea = !incident.Area.Contains(report.Position),
            }, IntakeKind.Created));
        }

        var merged = target with
        {
            ReportCount = target.ReportCount + 1,
            Quantity = policy.Quantity == QuantityMerge.Sum ? target.Quantity + report.Quantity : Math.Max(target.Quantity, report.Quantity),
            Urgency = (Urgency)Math.Max((int)target.Urgency, (int)report.Urgency),
            FirstReportedAt = report.ReportedAt < target.FirstReportedAt ? report.ReportedAt : target.FirstReportedAt,
            LastReportedAt = report.ReportedAt > target.LastReportedAt ? report.ReportedAt : target.LastReportedAt,
            ReportIds = [.. target.ReportIds, report.ReportId],
            Reporters = target.Reporters.Contains(report.Reporter) ? target.Reporters : [.. target.Reporters, report.Reporter],
            PhotoRefs = [.. target.PhotoRefs, .. photos.Where(p => !target.PhotoRefs.Contains(p))],
        };
        return Outcome<NeedIntakeResult>.Accept(new NeedIntakeResult(merged, IntakeKind.Merged));
    }

    /// <summary>The largest quantity one report may state.</summary>
    public const decimal MaxQuantity = 1_000_000m;

    /// <summary>Every reason a report cannot be taken in for <paramref name="incident"/> (empty when it can).</summary>
    public static IReadOnlyList<Rejection> Check(Incident incident, NeedReport report, TimeProvider clock, NeedMergePolicy? policy = null) =>
        Validate(incident, report, clock, policy ?? NeedMergePolicy.Default);

    static List<Rejection> Validate(Incident incident, NeedReport report, TimeProvider clock, NeedMergePolicy policy)
    {
        var problems = new List<Rejection>();
        if (incident.CheckAcceptsNeeds() is { } closed) problems.Add(closed);
        if (report.IncidentId != incident.Id) problems.Add(new("need.incident.mismatch", "需求所属的灾害事件不一致", "incidentId"));
        if (string.IsNullOrWhiteSpace(report.ReportId)) problems.Add(new("need.report_id.required", "缺少上报编号", "reportId"));
        if (!Enum.IsDefined(report.Category)) problems.Add(new("need.category.invalid", "需求类别无效", "category"));
        if (!Enum.IsDefined(report.Urgency)) problems.Add(new("need.urgency.invalid", "紧急程度无效", "urgency"));
        if (!Enum.IsDefined(report.Reporter)) problems.Add(new("need.reporter.invalid", "上报人类型无效", "reporter"));
        if (report.Quantity <= 0) problems.Add(new("need.quantity.not_positive", "需求数量必须大于 0", "quantity"));
        else if (report.Quantity > MaxQuantity || decimal.Round(report.Quantity, 3) != report.Quantity)
            problems.Add(new("need.quantity.out_of_range", $"需求数量不能超过 {MaxQuantity:0}，最多 3 位小数", "quantity"));
        if (string.IsNullOrWhiteSpace(report.Unit)) problems.Add(new("need.unit.required", "请填写数量单位", "unit"));
        if (report.ReportedAt > clock.GetUtcNow() + policy.FutureTolerance) problems.Add(new("need.time.future", "上报时间不能晚于当前时间", "reportedAt"));
        else if (report.ReportedAt < incident.StartedAt - TimeSpan.FromDays(1)) problems.Add(new("need.time.before_incident", "上报时间不能早于灾害发生时间", "reportedAt"));
        if ((report.PhotoRefs?.Count ?? 0) > policy.MaxPhotos) problems.Add(new("need.photos.too_many", $"每次上报最多 {policy.MaxPhotos} 张照片", "photoRefs"));
        return problems;
    }
}
