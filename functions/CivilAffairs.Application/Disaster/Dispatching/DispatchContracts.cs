using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Disaster;

// "Dispatching", not "Dispatch": the folder and namespace must not shadow the domain's Dispatch type.
namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>Input of the dispatch orchestration: ids and instants only (no personal data).</summary>
/// <param name="EscalateAt">Start + limit × warning fraction: the first escalation check.</param>
/// <param name="DeadlineAt">Just after start + limit: the second check (overdue).</param>
public sealed record DispatchInput(string DispatchId, DateTimeOffset EscalateAt, DateTimeOffset DeadlineAt);

/// <param name="CheckAt">For the escalation check: the instant it was scheduled for. A durable timer on Azure Storage may
/// fire a little early (queue visibility is set in whole seconds); the check assesses the clock as of this instant at least.</param>
public sealed record DispatchActivityInput(string DispatchId, int Attempt, string? Actor = null, string? Reason = null, DateTimeOffset? CheckAt = null);

/// <summary>What the plan activity found: how many picks, whether the need is fully covered, whether the dispatch has ended.</summary>
public sealed record PlanResult(int Picks, int Warehouses, bool Complete, bool Ended);

/// <summary>What the reserve activity came to.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<ReserveResult>))]
public enum ReserveResult
{
    /// <summary>Every pick is reserved.</summary>
    Reserved,
    /// <summary>A warehouse no longer holds what was planned; everything reserved so far was released (re-plan).</summary>
    Conflict,
    /// <summary>The dispatch ended meanwhile (cancelled); released.</summary>
    Ended,
}

/// <summary>What the assign activity came to.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<AssignResult>))]
public enum AssignResult
{
    /// <summary>A field team has the task.</summary>
    Assigned,
    /// <summary>No team covers the incident's jurisdiction: the supervisors are told, staff assign by hand.</summary>
    Unassigned,
    /// <summary>The dispatch ended meanwhile.</summary>
    Ended,
}

/// <summary>Steps of the dispatch orchestration (its custom status).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DispatchStage>))]
public enum DispatchStage { Planning, Replanning, Reserving, Assigning, AwaitingPickup, AwaitingDelivery, Delivered, Cancelled, Failed, Ended }

/// <summary>How a dispatch orchestration ended (its output).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DispatchEnd>))]
public enum DispatchEnd { Delivered, Cancelled, Failed, Ended }

/// <summary>Payload of the external events the dispatch orchestration waits for.</summary>
public sealed record DispatchNotice(string Actor);

/// <summary>Custom status of the dispatch orchestration.</summary>
public sealed record DispatchProgress(DispatchStage Step, bool Escalated, bool TeamAssigned);

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

/// <summary>Body of <c>POST /api/disaster/dispatches/{id}/assign</c>: another team for the dispatch, and why.</summary>
public sealed record AssignTeamRequest(string? TeamId, string? Reason);

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
    /// <summary>The field team's id, its name, and why it was chosen (or reassigned).</summary>
    public string? Team { get; init; }
    public string? TeamName { get; init; }
    public string? AssignmentReason { get; init; }
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
/// <summary>What to pick up at one warehouse, and where the warehouse is.</summary>
public sealed record WarehousePicksView(string WarehouseId, string WarehouseName, double DistanceMetres, IReadOnlyList<PickLotView> Lots, Supplies.PositionBody? Position);
public sealed record DeadlineView(DateTimeOffset StartedAt, DateTimeOffset EscalateAt, DateTimeOffset Deadline, long LimitSeconds, decimal FractionUsed, string State);
public sealed record DeliveryView(DateTimeOffset ConfirmedAt, string ConfirmedBy, string RecipientConfirmation, string PhotoUploadId);

public sealed record DestinationView(double Latitude, double Longitude, NeedCategory Category, string CategoryName, Urgency Urgency);

/// <summary>
/// A dispatch as staff and the team see it: where to deliver, what, from which warehouses and lots (with their positions),
/// the team and why it was chosen, the deadline, and the trail of steps.
/// </summary>
public sealed record DispatchView(
    string Id, string NeedId, string IncidentId, string Jurisdiction, string Status, string StatusName, ResponseLevel Level,
    DestinationView Destination, IReadOnlyList<DispatchItem> Items, IReadOnlyList<WarehousePicksView> Picks, IReadOnlyList<ShortfallLine> Shortfall,
    string? Team, string? TeamName, string? AssignmentReason, bool Escalated, IReadOnlyList<EscalationRecord> Escalations, DeadlineView Deadline,
    DeliveryView? Delivery, string? EndReason, IReadOnlyList<TrailStep> Trail);

/// <summary>A page of dispatches.</summary>
public sealed record DispatchList(int Count, IReadOnlyList<DispatchView> Items, string? ContinuationToken);

/// <summary>The query of <c>GET /api/disaster/dispatches</c>: one of <paramref name="AssignedToMe"/>, <paramref name="IncidentId"/> or <paramref name="TeamId"/>.</summary>
public sealed record DispatchListQuery(bool AssignedToMe, string? IncidentId, string? TeamId, DispatchStatus? Status, int PageSize, string? ContinuationToken);
