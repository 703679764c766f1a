using CivilAffairs.Domain.Disaster;

// Folder Disaster/Dispatch; the namespace is "Dispatching" so it does not shadow the domain's Dispatch type.
namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>Input of the dispatch orchestration: ids and instants only (no personal data).</summary>
/// <param name="EscalateAt">Start + limit × warning fraction: the first escalation check.</param>
/// <param name="DeadlineAt">Just after start + limit: the second check (overdue).</param>
public sealed record DispatchInput(string DispatchId, DateTimeOffset EscalateAt, DateTimeOffset DeadlineAt);

/// <param name="CheckAt">For the escalation check: the instant it was scheduled for. A durable timer on Azure Storage may
/// fire a little early (queue visibility is set in whole seconds); the check assesses the clock as of this instant at least.</param>
public sealed record DispatchActivityInput(string DispatchId, int Attempt, string? Actor = null, string? Reason = null, DateTimeOffset? CheckAt = null);

/// <summary>What the plan activity found: how many picks, whether the need is fully covered.</summary>
public sealed record PlanResult(int Picks, int Warehouses, bool Complete, bool Ended);

/// <summary>Payload of the external events raised by the HTTP functions.</summary>
public sealed record DispatchNotice(string Actor);

/// <summary>Custom status of the dispatch orchestration.</summary>
public sealed record DispatchProgress(string Step, bool Escalated, string? Team);

public static class DispatchFlow
{
    public const string Orchestrator = "DisasterDispatch";
    public const string PlanActivity = "PlanDisasterDispatch";
    public const string ReserveActivity = "ReserveDisasterDispatch";
    public const string AssignActivity = "AssignDisasterDispatch";
    public const string PickedUpActivity = "PickedUpDisasterDispatch";
    public const string DeliveredActivity = "DeliveredDisasterDispatch";
    public const string EscalateActivity = "EscalateDisasterDispatch";
    public const string SettleActivity = "SettleDisasterDispatch";
    public const string FailActivity = "FailDisasterDispatch";

    public const string PickupEvent = "pickup";
    public const string DeliveredEvent = "delivered";
    public const string CancelEvent = "cancel";

    /// <summary>The actor the orchestration's own steps are recorded under.</summary>
    public const string SystemActor = "system:dispatch";

    public static string InstanceId(string dispatchId) => $"dispatch-{dispatchId}";
}

/// <summary>Dispatch settings (section <c>Disaster:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>Multiplies the default delivery limits (<see cref="DeliveryDeadlines.Default"/>, 10 h); 1 in production.</summary>
    public double DeadlineScale { get; set; } = 1.0;
    /// <summary>When set, the delivery limit in seconds for every response level (tests, drills).</summary>
    public int? DeadlineSeconds { get; set; }
    /// <summary>Escalate when this fraction of the limit has passed without delivery.</summary>
    public decimal WarningFraction { get; set; } = DeliveryClock.DefaultWarningFraction;
    /// <summary>Warehouses farther than this from the need are not planned from.</summary>
    public double MaxDistanceKm { get; set; } = 300;
    /// <summary>Field team per street (9-digit code) → the subject of the team account; without one, the street's staff are the team.</summary>
    public Dictionary<string, string> Teams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Explicit limit in seconds per response level (keys <c>I</c>…<c>IV</c>); wins over the other settings for that level.</summary>
    public Dictionary<string, int> LevelSeconds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public DeliveryDeadlines Deadlines()
    {
        var d = DeliveryDeadlines.Default;
        TimeSpan For(ResponseLevel level, TimeSpan standard) =>
            LevelSeconds.TryGetValue(level.ToString(), out var ls) && ls > 0 ? TimeSpan.FromSeconds(ls)
            : DeadlineSeconds is { } s && s > 0 ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, (long)(standard.Ticks * DeadlineScale)));
        return new DeliveryDeadlines(For(ResponseLevel.I, d.LevelI), For(ResponseLevel.II, d.LevelII), For(ResponseLevel.III, d.LevelIII), For(ResponseLevel.IV, d.LevelIV));
    }
}

/// <summary>Body of <c>POST /api/disaster/dispatches/{id}/deliver</c>.</summary>
/// <param name="RecipientCode">The one-time signature code the recipient read out or signed with.</param>
/// <param name="RecipientName">Or the name the recipient typed in as signature (stored SM4-encrypted, never shown).</param>
/// <param name="PhotoUploadId">Upload id of the photo taken at delivery.</param>
public sealed record DeliveryRequest(string? RecipientCode, string? RecipientName, string? PhotoUploadId);

/// <summary>Body of <c>POST /api/disaster/dispatches/{id}/cancel</c>.</summary>
public sealed record CancelDispatchRequest(string? Reason);

public sealed record TrailStep(string Step, DateTimeOffset At, string Actor, string? Note);
public sealed record ShortfallLine(string ItemCode, decimal Requested, decimal Allocated, decimal Shortfall);
public sealed record EscalationRecord(DateTimeOffset At, string Reason, string State, decimal FractionUsed);

/// <summary>The stored dispatch: the domain state machine plus what the application keeps around it (JSON in one row).</summary>
public sealed record DispatchRecord
{
    public required Dispatch Dispatch { get; init; }
    public required DispatchRequest Request { get; init; }
    public required long LimitSeconds { get; init; }
    public required decimal WarningFraction { get; init; }
    public IReadOnlyList<ShortfallLine> Shortfall { get; init; } = [];
    public string? Assignee { get; init; }
    public string? Team { get; init; }
    public IReadOnlyList<TrailStep> Trail { get; init; } = [];
    public IReadOnlyList<EscalationRecord> Escalations { get; init; } = [];
    public string? RecipientCode { get; init; }
    /// <summary>SM4-GCM token (FieldCipher) of the name the recipient typed; bound to the dispatch id.</summary>
    public string? RecipientNameCipher { get; init; }
    public string? PhotoUploadId { get; init; }

    public DeliveryDeadlines Deadlines() { var l = TimeSpan.FromSeconds(LimitSeconds); return new(l, l, l, l); }
    public DateTimeOffset EscalateAt => Dispatch.StartedAt + TimeSpan.FromTicks((long)(TimeSpan.FromSeconds(LimitSeconds).Ticks * WarningFraction));
    public DateTimeOffset DeadlineAt => Dispatch.StartedAt + TimeSpan.FromSeconds(LimitSeconds);
}

public sealed record PickLotView(string ItemCode, string LotNumber, DateOnly? Expiry, decimal Quantity);
public sealed record WarehousePicksView(string WarehouseId, string WarehouseName, double DistanceMetres, IReadOnlyList<PickLotView> Lots);
public sealed record DeadlineView(DateTimeOffset StartedAt, DateTimeOffset EscalateAt, DateTimeOffset Deadline, long LimitSeconds, decimal FractionUsed, string State);
public sealed record DeliveryView(DateTimeOffset ConfirmedAt, string ConfirmedBy, string RecipientConfirmation, string PhotoUploadId);

/// <summary>A dispatch as staff and the team see it: the trail of steps, the picks per warehouse and lot, the deadline.</summary>
public sealed record DispatchView(
    string Id, string NeedId, string IncidentId, string Jurisdiction, string Status, string StatusName, ResponseLevel Level,
    IReadOnlyList<DispatchItem> Items, IReadOnlyList<WarehousePicksView> Picks, IReadOnlyList<ShortfallLine> Shortfall,
    string? Team, string? Assignee, bool Escalated, IReadOnlyList<EscalationRecord> Escalations, DeadlineView Deadline,
    DeliveryView? Delivery, string? EndReason, IReadOnlyList<TrailStep> Trail);
