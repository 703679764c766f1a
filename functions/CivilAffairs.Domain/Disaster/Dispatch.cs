namespace CivilAffairs.Domain.Disaster;

/// <summary>
/// Dispatch states. Normal path: Planned → Reserved → TeamAssigned → PickedUp → Delivered.
/// Cancelled and Failed end a dispatch early. Escalation is a flag (<see cref="Dispatch.Escalated"/>),
/// not a state, so an escalated dispatch carries on along the same path.
/// </summary>
public enum DispatchStatus
{
    /// <summary>已计划: allocation chosen, nothing reserved yet.</summary>
    Planned,
    /// <summary>已预留: stock reserved in the warehouses.</summary>
    Reserved,
    /// <summary>已派队: a delivery team is assigned.</summary>
    TeamAssigned,
    /// <summary>已取货: goods issued from the warehouses and on the way.</summary>
    PickedUp,
    /// <summary>已送达: delivered and confirmed by the recipient (terminal).</summary>
    Delivered,
    /// <summary>已取消 (terminal).</summary>
    Cancelled,
    /// <summary>配送失败 (terminal).</summary>
    Failed,
}

/// <summary>What the stock ledger must do because of a transition; the application carries it out.</summary>
public enum StockEffect
{
    None,
    /// <summary>Release everything reserved for the dispatch (<see cref="WarehouseStock.ReleaseAll"/>).</summary>
    ReleaseReservations,
    /// <summary>Issue everything reserved for the dispatch (<see cref="WarehouseStock.IssueAll"/>).</summary>
    IssueReservations,
    /// <summary>Goods were already issued: book them back in when they return (a Receive), or write them off.</summary>
    ReturnIssued,
}

/// <summary>
/// Proof of delivery. <paramref name="RecipientConfirmation"/> is a reference to the recipient's
/// confirmation (a signature image, a one-time code the recipient read out, or the
/// residents'-committee stamp) — a reference, never the recipient's name or ID number.
/// </summary>
public sealed record DeliveryConfirmation(string RecipientConfirmation, string PhotoRef, DateTimeOffset ConfirmedAt, string ConfirmedBy);

/// <summary>One step in a dispatch's history.</summary>
public sealed record DispatchStep(DispatchStatus From, DispatchStatus To, DateTimeOffset At, string Actor, string? Note);

/// <summary>The new dispatch version and what it asks of the stock.</summary>
public sealed record DispatchTransition(Dispatch Dispatch, StockEffect StockEffect);

public static class DispatchNames
{
    public static string ChineseName(this DispatchStatus status) => status switch
    {
        DispatchStatus.Planned => "已计划",
        DispatchStatus.Reserved => "已预留",
        DispatchStatus.TeamAssigned => "已派队",
        DispatchStatus.PickedUp => "已取货",
        DispatchStatus.Delivered => "已送达",
        DispatchStatus.Cancelled => "已取消",
        DispatchStatus.Failed => "配送失败",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool IsTerminal(this DispatchStatus status) => status is DispatchStatus.Delivered or DispatchStatus.Cancelled or DispatchStatus.Failed;
}

/// <summary>
/// A relief dispatch (物资调度单) for one need: the state machine from plan to delivery. Immutable;
/// each transition returns a <see cref="DispatchTransition"/> or a rejection with a Chinese reason.
/// </summary>
public sealed record Dispatch
{
    public required string Id { get; init; }
    public required string IncidentId { get; init; }
    public required string NeedId { get; init; }
    /// <summary>Response level when the dispatch started; it fixes the delivery limit.</summary>
    public required ResponseLevel Level { get; init; }
    public required IReadOnlyList<AllocationPick> Picks { get; init; }
    /// <summary>Dispatch start: the delivery clock runs from here.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    public required string CreatedBy { get; init; }
    public DispatchStatus Status { get; init; } = DispatchStatus.Planned;
    public string? TeamId { get; init; }
    public bool Escalated { get; init; }
    public string? EscalationReason { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public DeliveryConfirmation? Delivery { get; init; }
    /// <summary>Why it was cancelled or failed.</summary>
    public string? EndReason { get; init; }
    public IReadOnlyList<DispatchStep> History { get; init; } = [];

    /// <summary>
    /// Starts a dispatch for an open need of an active incident: Planned, with the incident's response level (it fixes the
    /// delivery limit) and no picks yet; <see cref="Plan"/> chooses the stock.
    /// </summary>
    public static Outcome<Dispatch> Start(string id, Incident incident, Need need, string actor, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(need);
        ArgumentNullException.ThrowIfNull(clock);
        var problems = new List<Rejection>();
        if (incident.CheckAcceptsNeeds() is not null) problems.Add(new("dispatch.incident.closed", "灾害事件已结束，不能再调度物资", "incidentId"));
        if (need.IncidentId != incident.Id) problems.Add(new("dispatch.need.mismatch", "需求不属于该灾害事件", "needId"));
        if (!need.IsOpen) problems.Add(new("dispatch.need.not_open", $"需求当前状态为{need.Status.ChineseName()}，不能调度", "needId"));
        if (string.IsNullOrWhiteSpace(actor)) problems.Add(new("dispatch.actor.required", "缺少操作人", "actor"));
        if (problems.Count > 0) return Outcome<Dispatch>.Reject(problems);
        return Outcome<Dispatch>.Accept(new Dispatch
        {
            Id = id,
            IncidentId = incident.Id,
            NeedId = need.Id,
            Level = incident.Level,
            Picks = [],
            StartedAt = clock.GetUtcNow(),
            CreatedBy = actor,
        });
    }

    /// <summary>
    /// Planned: takes the allocation plan's picks (nearest warehouses, FEFO; a partial plan is allowed, the shortfall stays
    /// on the need). An empty plan is refused: nothing can be dispatched.
    /// </summary>
    public Outcome<DispatchTransition> Plan(AllocationPlan plan, string actor, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(clock);
        if (Status != DispatchStatus.Planned)
            return Outcome<DispatchTransition>.Reject("dispatch.transition.illegal", $"调度单当前状态为{Status.ChineseName()}，不能重新计划", null);
        if (plan.Picks.Count == 0) return Outcome<DispatchTransition>.Reject("dispatch.plan.empty", "没有可调拨的库存，无法生成调度单", "plan");
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<DispatchTransition>.Reject("dispatch.actor.required", "缺少操作人", "actor");
        return Outcome<DispatchTransition>.Accept(new DispatchTransition(this with
        {
            Picks = plan.Picks,
            History = [.. History, new DispatchStep(Status, Status, clock.GetUtcNow(), actor, $"计划 {plan.Picks.Count} 个批次")],
        }, StockEffect.None));
    }

    /// <summary>Planned → Reserved, after the picks were reserved in the stock ledger.</summary>
    public Outcome<DispatchTransition> MarkReserved(string actor, TimeProvider clock) =>
        Move("预留库存", [DispatchStatus.Planned], DispatchStatus.Reserved, actor, clock, null, StockEffect.None);

    /// <summary>Reserved → TeamAssigned; also re-assigns a team while TeamAssigned.</summary>
    public Outcome<DispatchTransition> AssignTeam(string teamId, string actor, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(teamId)) return Outcome<DispatchTransition>.Reject("dispatch.team.required", "请指定配送队伍", "teamId");
        var moved = Move("派队", [DispatchStatus.Reserved, DispatchStatus.TeamAssigned], DispatchStatus.TeamAssigned, actor, clock, teamId, StockEffect.None);
        return moved.Accepted ? Outcome<DispatchTransition>.Accept(moved.Value with { Dispatch = moved.Value.Dispatch with { TeamId = teamId } }) : moved;
    }

    /// <summary>TeamAssigned → PickedUp; the reservations are issued.</summary>
    public Outcome<DispatchTransition> PickUp(string actor, TimeProvider clock) =>
        Move("取货", [DispatchStatus.TeamAssigned], DispatchStatus.PickedUp, actor, clock, null, StockEffect.IssueReservations);

    /// <summary>PickedUp → Delivered with the recipient's confirmation and a photo. A second confirmation is rejected.</summary>
    public Outcome<DispatchTransition> ConfirmDelivery(string recipientConfirmation, string photoRef, string actor, TimeProvider clock)
    {
        if (Status == DispatchStatus.Delivered)
            return Outcome<DispatchTransition>.Reject("dispatch.already_delivered", "该调度单已确认送达，不能重复确认", null);
        var problems = new List<Rejection>();
        if (string.IsNullOrWhiteSpace(recipientConfirmation)) problems.Add(new("dispatch.delivery.confirmation_required", "缺少受助方签收确认", "recipientConfirmation"));
        if (string.IsNullOrWhiteSpace(photoRef)) problems.Add(new("dispatch.delivery.photo_required", "缺少送达现场照片", "photoRef"));
        if (problems.Count > 0 && Status == DispatchStatus.PickedUp) return Outcome<DispatchTransition>.Reject(problems);
        var moved = Move("确认送达", [DispatchStatus.PickedUp], DispatchStatus.Delivered, actor, clock, null, StockEffect.None);
        if (!moved.Accepted) return moved;
        var d = moved.Value.Dispatch;
        return Outcome<DispatchTransition>.Accept(moved.Value with { Dispatch = d with { Delivery = new DeliveryConfirmation(recipientConfirmation, photoRef, d.History[^1].At, actor) } });
    }

    /// <summary>Raises the escalation flag (e.g. the deadline is near, the road is blocked). Not a state: the dispatch carries on. Escalating again updates the reason.</summary>
    public Outcome<DispatchTransition> Escalate(string reason, string actor, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (Status.IsTerminal()) return Outcome<DispatchTransition>.Reject("dispatch.transition.illegal", $"调度单当前状态为{Status.ChineseName()}，不能升级处理", null);
        if (string.IsNullOrWhiteSpace(reason)) return Outcome<DispatchTransition>.Reject("dispatch.escalation.reason_required", "请说明升级处理的原因", "reason");
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<DispatchTransition>.Reject("dispatch.actor.required", "缺少操作人", "actor");
        var now = clock.GetUtcNow();
        return Outcome<DispatchTransition>.Accept(new DispatchTransition(this with
        {
            Escalated = true,
            EscalationReason = reason,
            EscalatedAt = now,
            History = [.. History, new DispatchStep(Status, Status, now, actor, "升级处理：" + reason)],
        }, StockEffect.None));
    }

    /// <summary>Cancels before pick-up. Reservations are released when there are any.</summary>
    public Outcome<DispatchTransition> Cancel(string reason, string actor, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(reason) && !Status.IsTerminal()) return Outcome<DispatchTransition>.Reject("dispatch.reason_required", "请说明取消原因", "reason");
        var effect = Status is DispatchStatus.Reserved or DispatchStatus.TeamAssigned ? StockEffect.ReleaseReservations : StockEffect.None;
        var moved = Move("取消", [DispatchStatus.Planned, DispatchStatus.Reserved, DispatchStatus.TeamAssigned], DispatchStatus.Cancelled, actor, clock, reason, effect);
        return moved.Accepted ? Outcome<DispatchTransition>.Accept(moved.Value with { Dispatch = moved.Value.Dispatch with { EndReason = reason } }) : moved;
    }

    /// <summary>
    /// Records a failure (no stock to plan from, road cut, team cannot reach). Before pick-up the reservations are released;
    /// after pick-up the goods are out of the warehouse and must be returned (<see cref="StockEffect.ReturnIssued"/>).
    /// </summary>
    public Outcome<DispatchTransition> Fail(string reason, string actor, TimeProvider clock)
    {
        if (string.IsNullOrWhiteSpace(reason) && !Status.IsTerminal()) return Outcome<DispatchTransition>.Reject("dispatch.reason_required", "请说明配送失败原因", "reason");
        var effect = Status switch
        {
            DispatchStatus.Reserved or DispatchStatus.TeamAssigned => StockEffect.ReleaseReservations,
            DispatchStatus.PickedUp => StockEffect.ReturnIssued,
            _ => StockEffect.None,
        };
        var moved = Move("登记配送失败", [DispatchStatus.Planned, DispatchStatus.Reserved, DispatchStatus.TeamAssigned, DispatchStatus.PickedUp], DispatchStatus.Failed, actor, clock, reason, effect);
        return moved.Accepted ? Outcome<DispatchTransition>.Accept(moved.Value with { Dispatch = moved.Value.Dispatch with { EndReason = reason } }) : moved;
    }

    /// <summary>The delivery limit for this dispatch's level.</summary>
    public DateTimeOffset DeadlineAt(DeliveryDeadlines? deadlines = null) => StartedAt + (deadlines ?? DeliveryDeadlines.Default).For(Level);

    /// <summary>Where this dispatch stands against its delivery limit at <paramref name="now"/>.</summary>
    public DeadlineAssessment AssessDeadline(DateTimeOffset now, DeliveryDeadlines? deadlines = null, decimal warningFraction = DeliveryClock.DefaultWarningFraction) =>
        DeliveryClock.Assess(StartedAt, (deadlines ?? DeliveryDeadlines.Default).For(Level), now, warningFraction, Delivery?.ConfirmedAt);

    Outcome<DispatchTransition> Move(string action, DispatchStatus[] from, DispatchStatus to, string actor, TimeProvider clock, string? note, StockEffect effect)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (!from.Contains(Status))
            return Outcome<DispatchTransition>.Reject("dispatch.transition.illegal", $"调度单当前状态为{Status.ChineseName()}，不能{action}", null);
        if (string.IsNullOrWhiteSpace(actor)) return Outcome<DispatchTransition>.Reject("dispatch.actor.required", "缺少操作人", "actor");
        var now = clock.GetUtcNow();
        return Outcome<DispatchTransition>.Accept(new DispatchTransition(this with
        {
            Status = to,
            History = [.. History, new DispatchStep(Status, to, now, actor, note)],
        }, effect));
    }
}

public enum DeadlineState
{
    /// <summary>正常: less than the warning fraction of the limit used.</summary>
    OnTrack,
    /// <summary>临近时限: the warning fraction used, the deadline not yet passed.</summary>
    AtRisk,
    /// <summary>已超时: past the deadline and not delivered.</summary>
    Overdue,
    /// <summary>按时送达.</summary>
    DeliveredInTime,
    /// <summary>超时送达.</summary>
    DeliveredLate,
}

/// <param name="FractionUsed">Elapsed ÷ limit (may exceed 1).</param>
public sealed record DeadlineAssessment(DateTimeOffset Deadline, TimeSpan Limit, TimeSpan Elapsed, decimal FractionUsed, DeadlineState State)
{
    /// <summary>True when someone should act now (about to pass or passed, not delivered).</summary>
    public bool NeedsAttention => State is DeadlineState.AtRisk or DeadlineState.Overdue;
}

/// <summary>The delivery clock: how much of the limit is used and whether to warn.</summary>
public static class DeliveryClock
{
    /// <summary>Warn when 80 % of the limit has passed.</summary>
    public const decimal DefaultWarningFraction = 0.8m;

    /// <summary>
    /// Assesses a delivery started at <paramref name="start"/> with <paramref name="limit"/> at
    /// <paramref name="now"/>: AtRisk from <c>start + limit × warningFraction</c> (inclusive) until
    /// the deadline, Overdue after it (the deadline instant itself is still AtRisk). Once delivered,
    /// the state says whether the delivery was in time, whatever <paramref name="now"/> is.
    /// Exact: computed on ticks with decimal arithmetic.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is not positive or the fraction is not in (0, 1].</exception>
    public static DeadlineAssessment Assess(DateTimeOffset start, TimeSpan limit, DateTimeOffset now, decimal warningFraction = DefaultWarningFraction, DateTimeOffset? deliveredAt = null)
    {
        if (limit <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(limit), "The limit must be positive.");
        if (warningFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(warningFraction), "The warning fraction must be in (0, 1].");
        var deadline = start + limit;
        var end = deliveredAt ?? now;
        var elapsed = end - start;
        var fraction = (decimal)elapsed.Ticks / limit.Ticks;
        DeadlineState state;
        if (deliveredAt is not null) state = deliveredAt <= deadline ? DeadlineState.DeliveredInTime : DeadlineState.DeliveredLate;
        else if (now > deadline) state = DeadlineState.Overdue;
        else if (elapsed.Ticks >= limit.Ticks * warningFraction) state = DeadlineState.AtRisk;
        else state = DeadlineState.OnTrack;
        return new DeadlineAssessment(deadline, limit, elapsed, Math.Round(fraction, 4), state);
    }
}
