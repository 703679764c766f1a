using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>
/// Relief dispatch (物资调度) for one need: start (idempotent per need), the orchestration's steps — plan over the
/// warehouses near the need, reserve per warehouse in the stock ledger, assign the street's field team, issue on
/// pick-up, escalate when the delivery clock runs short, release on cancellation or failure — and the people's steps
/// (pick-up, delivery confirmation, cancellation) that raise the orchestration's external events.
/// State is the domain <see cref="Dispatch"/> state machine kept in one row of <see cref="TableNames.DisasterDispatches"/>
/// (PK dispatch id, RK <c>dispatch</c>; the need index PK <c>need-{needId}</c>), changed with the row's ETag.
/// </summary>
public sealed partial class DispatchService(
    Tables tables,
    ReliefWarehouses warehouses,
    StockLedger ledger,
    DashboardFeed feed,
    FieldCipher cipher,
    AuditLog audit,
    IOptions<DispatchOptions> options,
    TimeProvider clock,
    ILogger<DispatchService> logger)
{
    const string RowKey = "dispatch";

    /// <summary>The second check runs just after the deadline (the deadline instant itself still counts as "at risk").</summary>
    static readonly TimeSpan OverdueCheckDelay = TimeSpan.FromSeconds(1);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Za-z0-9-]{4,32}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex UploadPattern();

    // ---- Start ----

    /// <summary>Checks a request from the needs side; empty when it can be dispatched.</summary>
    public static IReadOnlyList<Rejection> Validate(DispatchRequest request)
    {
        var problems = new List<Rejection>();
        if (request.NeedId is null || !KeyPattern().IsMatch(request.NeedId)) problems.Add(new("dispatch.need.invalid", "需求编号无效", "needId"));
        if (request.IncidentId is null || !KeyPattern().IsMatch(request.IncidentId)) problems.Add(new("dispatch.incident.invalid", "灾害事件编号无效", "incidentId"));
        if (!Jurisdiction.IsWellFormed(request.Jurisdiction)) problems.Add(new("dispatch.jurisdiction.invalid", "行政区划代码须为 6、9 或 12 位数字", "jurisdiction"));
        if (!Enum.IsDefined(request.Level)) problems.Add(new("dispatch.level.invalid", "响应级别无效", "level"));
        if (request.Items is not { Count: > 0 }) problems.Add(new("dispatch.items.required", "请至少列出一项所需物资", "items"));
        else
            for (var i = 0; i < request.Items.Count; i++)
            {
                var item = request.Items[i];
                if (item is null || ReliefItemCatalogue.Find(item.ItemCode ?? "") is null)
                    problems.Add(new("dispatch.item.unknown", $"物资编码 {item?.ItemCode} 不在救灾物资目录中", $"items[{i}].itemCode"));
                else if (item.Quantity <= 0)
                    problems.Add(new("dispatch.quantity.not_positive", "数量必须大于 0", $"items[{i}].quantity"));
            }
        return problems;
    }

    /// <summary>
    /// Starts (or finds) the dispatch of a need and its orchestration; returns the dispatch id.
    /// </summary>
    /// <exception cref="DisasterRuleException">The request is not dispatchable (unknown item, quantity ≤ 0…); see <see cref="Validate"/>.</exception>
    public async Task<string> StartAsync(DispatchRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { Count: > 0 } problems) throw new DisasterRuleException(problems);
        var table = await tables.GetAsync(TableNames.DisasterDispatches, ct);
        var index = "need-" + request.NeedId;
        string id;
        try
        {
            id = Ids.New(clock);
            await table.AddEntityAsync(new TableEntity(index, RowKey) { ["DispatchId"] = id }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            id = (await table.GetEntityAsync<TableEntity>(index, RowKey, cancellationToken: ct)).Value.GetString("DispatchId");
        }

        var record = await LoadAsync(id, ct);
        if (record is null)
        {
            var o = options.Value;
            var limit = o.Deadlines().For(request.Level);
            record = new DispatchRecord
            {
                Dispatch = new Dispatch
                {
                    Id = id,
                    IncidentId = request.IncidentId,
                    NeedId = request.NeedId,
                    Level = request.Level,
                    Picks = [],
                    StartedAt = clock.GetUtcNow(),
                    CreatedBy = DispatchFlow.SystemActor,
                },
                Request = request,
                LimitSeconds = (long)limit.TotalSeconds,
                WarningFraction = o.WarningFraction is > 0 and <= 1 ? o.WarningFraction : DeliveryClock.DefaultWarningFraction,
                Trail = [new TrailStep("started", clock.GetUtcNow(), DispatchFlow.SystemActor, null)],
            };
            try { await table.AddEntityAsync(ToEntity(record), ct); }
            catch (RequestFailedException e) when (e.Status == 409) { record = await LoadAsync(id, ct) ?? record; }
        }
        var instanceId = DispatchFlow.InstanceId(id);
        if (await durable.GetInstanceAsync(instanceId, ct) is null)
        {
            try
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(DispatchFlow.Orchestrator,
                    new DispatchInput(id, record.EscalateAt, record.DeadlineAt + OverdueCheckDelay), new StartOrchestrationOptions(InstanceId: instanceId), ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // A concurrent start for the same need scheduled it first: that is the idempotent outcome.
                if (await durable.GetInstanceAsync(instanceId, ct) is null) throw;
            }
        }
        return id;
    }

    // ---- Activities ----

    /// <summary>Plans the dispatch over the warehouses near the need (nearest first, split, FEFO) and records the shortfall.</summary>
    public async Task<PlanResult> PlanAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status != DispatchStatus.Planned) return new PlanResult(0, 0, false, true);
        var destination = record.Request.Destination;
        var maxMetres = options.Value.MaxDistanceKm * 1000;
        // The planner takes the nearest warehouses first (same order as here), so reading stock nearest-first and stopping
        // once a plan is complete gives the plan over all warehouses, without reading the ledger head of every one.
        var request = new AllocationRequest(destination, record.Request.Items.Select(i => new AllocationLine(i.ItemCode, i.Quantity)).ToList());
        var today = ChinaTime.Today(clock);
        var candidates = (await warehouses.AllAsync(ct))
            .Select(w => (Warehouse: w, Distance: w.Position.DistanceTo(destination)))
            .Where(x => x.Distance <= maxMetres)
            .OrderBy(x => Math.Round(x.Distance, MidpointRounding.AwayFromZero))
            .ThenBy(x => x.Warehouse.Id, StringComparer.Ordinal);
        var supplies = new List<WarehouseSupply>();
        var plan = AllocationPlanner.Plan(request, supplies, today);
        foreach (var (w, _) in candidates)
        {
            var head = await ledger.ReadHeadAsync(w.Id, ct);
            if (head.Snapshot.Lots.Count == 0) continue;
            supplies.Add(new WarehouseSupply(w, head.Snapshot.Lots));
            plan = AllocationPlanner.Plan(request, supplies, today);
            if (plan.IsComplete) break;
        }
        var shortfall = plan.Lines.Select(l => new ShortfallLine(l.ItemCode, l.Requested, l.Allocated, l.Shortfall)).ToList();
        var picks = plan.Picks;
        var now = clock.GetUtcNow();
        var step = input.Attempt > 1 ? "replanned" : "planned";
        var note = $"{picks.Count} 个批次，来自 {picks.Select(p => p.WarehouseId).Distinct().Count()} 个仓库"
            + (plan.IsComplete ? "" : "；缺口：" + string.Join("、", plan.Shortfalls.Select(s => $"{s.ItemCode} {s.Shortfall}")));
        var updated = await UpdateAsync(input.DispatchId, r => r.Dispatch.Status != DispatchStatus.Planned ? null : r with
        {
            Dispatch = picks.Count > 0 ? r.Dispatch with { Picks = picks }
                : r.Dispatch with { Picks = [], Status = DispatchStatus.Failed, EndReason = "没有可调拨的库存",
                    History = [.. r.Dispatch.History, new DispatchStep(DispatchStatus.Planned, DispatchStatus.Failed, now, DispatchFlow.SystemActor, "没有可调拨的库存")] },
            Shortfall = shortfall,
            Trail = picks.Count > 0 ? [.. r.Trail, new TrailStep(step, now, DispatchFlow.SystemActor, note)]
                : [.. r.Trail, new TrailStep(step, now, DispatchFlow.SystemActor, note), new TrailStep("failed", now, DispatchFlow.SystemActor, "没有可调拨的库存")],
        }, ct);
        if (updated is null || updated.Dispatch.Status != DispatchStatus.Planned && picks.Count > 0) return new PlanResult(0, 0, false, true);
        await PublishAsync(updated, picks.Count > 0 ? "dispatch.planned" : "dispatch.failed", new
        {
            picks = PicksView(picks),
            shortfall = shortfall.Where(s => s.Shortfall > 0),
            attempt = input.Attempt,
        }, ct);
        return new PlanResult(picks.Count, picks.Select(p => p.WarehouseId).Distinct().Count(), plan.IsComplete, picks.Count == 0);
    }

    /// <summary>
    /// Reserves the planned picks, one ledger transaction per warehouse. Returns <c>reserved</c>; <c>conflict</c> when a
    /// warehouse no longer holds what was planned (everything reserved so far is released); <c>ended</c> when the
    /// dispatch was cancelled meanwhile (released too). Safe to run again: a warehouse already holding reservations for
    /// the dispatch is skipped.
    /// </summary>
    public async Task<string> ReserveAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status != DispatchStatus.Planned) return record.Dispatch.Status == DispatchStatus.Reserved ? "reserved" : "ended";
        var id = record.Dispatch.Id;
        var now = clock.GetUtcNow();
        var today = ChinaTime.Today(clock);
        Rejection? failure = null;
        string? failedAt = null;
        foreach (var group in record.Dispatch.Picks.GroupBy(p => p.WarehouseId))
        {
            var outcome = await ledger.ChangeAsync(group.Key, stock =>
            {
                if (stock.ReservedFor(id).Count > 0) return Outcome<IReadOnlyList<StockMovement>>.Accept([]);
                var list = new List<StockMovement>();
                foreach (var pick in group)
                {
                    var r = stock.ReserveLot(pick.ItemCode, pick.LotNumber, pick.Quantity, id, DispatchFlow.SystemActor, now, today);
                    if (!r.Accepted) return Outcome<IReadOnlyList<StockMovement>>.Reject(r.Rejections);
                    list.Add(r.Value);
                }
                return Outcome<IReadOnlyList<StockMovement>>.Accept(list);
            }, ct);
            if (!outcome.Accepted)
            {
                failure = outcome.Rejection;
                failedAt = group.Key;
                break;
            }
        }
        if (failure is not null)
        {
            await ReleaseAllAsync(record, DispatchFlow.SystemActor, ct);
            await UpdateAsync(id, r => r with { Trail = [.. r.Trail, new TrailStep("reserveFailed", clock.GetUtcNow(), DispatchFlow.SystemActor, $"{failedAt}：{failure.Reason}")] }, ct);
            return "conflict";
        }
        var updated = await UpdateAsync(id, r =>
        {
            var moved = r.Dispatch.MarkReserved(DispatchFlow.SystemActor, clock);
            return moved.Accepted ? r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("reserved", clock.GetUtcNow(), DispatchFlow.SystemActor, null)] } : null;
        }, ct);
        if (updated?.Dispatch.Status != DispatchStatus.Reserved)
        {
            await ReleaseAllAsync(record, DispatchFlow.SystemActor, ct);
            return "ended";
        }
        await PublishAsync(updated, "dispatch.reserved", new { picks = PicksView(updated.Dispatch.Picks) }, ct);
        return "reserved";
    }

    /// <summary>Marks the dispatch failed (no stock after re-planning) and releases whatever is reserved for it.</summary>
    public async Task FailAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var reason = input.Reason ?? "库存预留失败";
        var now = clock.GetUtcNow();
        var updated = await UpdateAsync(input.DispatchId, r =>
        {
            if (r.Dispatch.Status.IsTerminal()) return null;
            var d = r.Dispatch.Status == DispatchStatus.Planned
                ? r.Dispatch with { Status = DispatchStatus.Failed, EndReason = reason, History = [.. r.Dispatch.History, new DispatchStep(DispatchStatus.Planned, DispatchStatus.Failed, now, DispatchFlow.SystemActor, reason)] }
                : r.Dispatch.Fail(reason, DispatchFlow.SystemActor, clock) is { Accepted: true } f ? f.Value.Dispatch : null;
            return d is null ? null : r with { Dispatch = d, Trail = [.. r.Trail, new TrailStep("failed", now, DispatchFlow.SystemActor, reason)] };
        }, ct);
        var record = updated ?? await LoadAsync(input.DispatchId, ct);
        if (record is null) return;
        await ReleaseAllAsync(record, DispatchFlow.SystemActor, ct);
        if (updated is not null) await PublishAsync(updated, "dispatch.failed", new { reason }, ct);
    }

    /// <summary>Assigns the field team of the need's street; returns the team id, or null when the dispatch has ended.</summary>
    public async Task<string?> AssignAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status == DispatchStatus.TeamAssigned) return record.Dispatch.TeamId;
        var j = record.Request.Jurisdiction;
        var street = j.Length >= 9 ? j[..9] : j;
        options.Value.Teams.TryGetValue(street, out var assignee);
        var team = assignee ?? "street-" + street;
        var updated = await UpdateAsync(input.DispatchId, r =>
        {
            var moved = r.Dispatch.AssignTeam(team, DispatchFlow.SystemActor, clock);
            return moved.Accepted && r.Dispatch.Status == DispatchStatus.Reserved
                ? r with { Dispatch = moved.Value.Dispatch, Assignee = assignee, Team = team, Trail = [.. r.Trail, new TrailStep("teamAssigned", clock.GetUtcNow(), DispatchFlow.SystemActor, team)] }
                : null;
        }, ct);
        if (updated is null) return null;
        await PublishAsync(updated, "dispatch.teamAssigned", new { team, assignee }, ct);
        return team;
    }

    /// <summary>After pick-up: issues (出库) everything reserved for the dispatch, booked to the person who picked up.</summary>
    public async Task PickedUpAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        var issued = await IssueAllAsync(record, input.Actor ?? DispatchFlow.SystemActor, ct);
        await PublishAsync(record, "dispatch.pickedUp", new { by = input.Actor, issued }, ct);
    }

    /// <summary>After the delivery confirmation: issues anything still reserved (normally nothing: issued at pick-up) and reports.</summary>
    public async Task DeliveredAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        await IssueAllAsync(record, input.Actor ?? DispatchFlow.SystemActor, ct);
        var assessment = Assess(record);
        await PublishAsync(record, "dispatch.delivered", new { by = input.Actor, deadline = assessment }, ct);
    }

    /// <summary>
    /// The delivery clock's check: when the dispatch is not delivered and the warning share (or the whole) of the limit
    /// has passed, flag it escalated, store the escalation and tell the supervisors on the dashboard. True when escalated.
    /// </summary>
    public async Task<bool> EscalateAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status.IsTerminal()) return false;
        var now = clock.GetUtcNow();
        if (input.CheckAt is { } due && due > now) now = due;
        var assessment = record.Dispatch.AssessDeadline(now, record.Deadlines(), record.WarningFraction);
        if (!assessment.NeedsAttention) return false;
        var reason = assessment.State == DeadlineState.Overdue
            ? $"已超过配送时限（{FormatLimit(record.LimitSeconds)}），尚未送达"
            : $"配送时限（{FormatLimit(record.LimitSeconds)}）已用去 {Math.Round(assessment.FractionUsed * 100):0}%，尚未送达";
        var state = char.ToLowerInvariant(assessment.State.ToString()[0]) + assessment.State.ToString()[1..];
        var updated = await UpdateAsync(input.DispatchId, r =>
        {
            if (r.Escalations.Any(e => e.State == state)) return null;
            var moved = r.Dispatch.Escalate(reason, DispatchFlow.SystemActor, clock);
            return moved.Accepted
                ? r with
                {
                    Dispatch = moved.Value.Dispatch,
                    Escalations = [.. r.Escalations, new EscalationRecord(clock.GetUtcNow(), reason, state, assessment.FractionUsed)],
                    Trail = [.. r.Trail, new TrailStep("escalated", clock.GetUtcNow(), DispatchFlow.SystemActor, reason)],
                }
                : null;
        }, ct);
        if (updated is null) return false;
        await PublishAsync(updated, "dispatch.escalated", new { reason, state, assessment.FractionUsed, deadline = assessment.Deadline, team = updated.Team, assignee = updated.Assignee }, ct);
        return true;
    }

    /// <summary>The dispatch ended without delivery (cancelled or failed): release what is still reserved and report.</summary>
    public async Task SettleAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        var released = await ReleaseAllAsync(record, input.Actor ?? DispatchFlow.SystemActor, ct);
        if (record.Dispatch.Status == DispatchStatus.Cancelled)
            await PublishAsync(record, "dispatch.cancelled", new { reason = record.Dispatch.EndReason, released }, ct);
    }

    // ---- People's steps ----

    public async Task<ReliefOutcome> GetAsync(Caller caller, string id, CancellationToken ct)
    {
        var record = await FindForAsync(caller, id, ct);
        return record is null ? Missing() : new ReliefOutcome.Done(View(record));
    }

    /// <summary>The assigned team (or staff in scope) confirms the pick-up; the orchestration issues the stock.</summary>
    public async Task<ReliefOutcome> PickUpAsync(Caller caller, string id, DurableTaskClient durable, CancellationToken ct)
    {
        var found = await FindForAsync(caller, id, ct);
        if (found is null) return Missing();
        Rejection? refused = null;
        var updated = await UpdateAsync(id, r =>
        {
            var moved = r.Dispatch.PickUp(caller.Subject, clock);
            if (!moved.Accepted) { refused = moved.Rejection; return null; }
            refused = null;
            return r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("pickedUp", clock.GetUtcNow(), caller.Subject, null)] };
        }, ct);
        if (updated is null) return StepRefused(refused);
        await RaiseAsync(durable, id, DispatchFlow.PickupEvent, new DispatchNotice(caller.Subject), ct);
        return new ReliefOutcome.Done(View(updated));
    }

    /// <summary>The assigned team confirms delivery with the recipient's confirmation and a photo. A second confirmation is refused.</summary>
    public async Task<ReliefOutcome> DeliverAsync(Caller caller, string id, DeliveryRequest request, DurableTaskClient durable, string requestId, CancellationToken ct)
    {
        var found = await FindForAsync(caller, id, ct);
        if (found is null) return Missing();
        var errors = new List<ReliefError>();
        var code = request.RecipientCode?.Trim();
        var name = request.RecipientName?.Trim();
        if (string.IsNullOrEmpty(code) && string.IsNullOrEmpty(name))
            errors.Add(new("RECIPIENT_CONFIRMATION_REQUIRED", "缺少受助方签收确认", "recipientCode", "请填写受助方的签收码（recipientCode），或由受助方本人输入姓名签收（recipientName）。"));
        else if (!string.IsNullOrEmpty(code) && !CodePattern().IsMatch(code))
            errors.Add(new("VALIDATION_FAILED", "请求内容有误", "recipientCode", "签收码须为 4 到 32 位字母、数字或连字符。"));
        else if (string.IsNullOrEmpty(code) && name is not { Length: <= 40 })
            errors.Add(new("VALIDATION_FAILED", "请求内容有误", "recipientName", "签收姓名不能超过 40 个字。"));
        var photo = request.PhotoUploadId?.Trim();
        if (string.IsNullOrEmpty(photo))
            errors.Add(new("DELIVERY_PHOTO_REQUIRED", "缺少送达现场照片", "photoUploadId", "请先上传送达现场照片，并填写其上传编号（photoUploadId）。"));
        else if (!UploadPattern().IsMatch(photo))
            errors.Add(new("VALIDATION_FAILED", "请求内容有误", "photoUploadId", "上传编号格式不正确。"));
        if (errors.Count > 0) return new ReliefOutcome.Invalid(errors);

        var useCode = !string.IsNullOrEmpty(code);
        var nameCipher = useCode ? null : cipher.Encrypt(name!, $"disaster/dispatch/{id}/recipient");
        Rejection? refused = null;
        var updated = await UpdateAsync(id, r =>
        {
            var moved = r.Dispatch.ConfirmDelivery(useCode ? "code" : "signedName", photo!, caller.Subject, clock);
            if (!moved.Accepted) { refused = moved.Rejection; return null; }
            refused = null;
            return r with
            {
                Dispatch = moved.Value.Dispatch,
                RecipientCode = useCode ? code : null,
                RecipientNameCipher = nameCipher,
                PhotoUploadId = photo,
                Trail = [.. r.Trail, new TrailStep("delivered", clock.GetUtcNow(), caller.Subject, null)],
            };
        }, ct);
        if (updated is null) return StepRefused(refused);
        if (!useCode)
            await audit.AppendAsync(caller, new AuditEvent("disaster.deliverySigned", AuditOutcome.Success, Detail: $"dispatch {id}: recipient name stored encrypted"), requestId, ct);
        await RaiseAsync(durable, id, DispatchFlow.DeliveredEvent, new DispatchNotice(caller.Subject), ct);
        return new ReliefOutcome.Done(View(updated));
    }

    /// <summary>Staff in scope cancel a dispatch before pick-up; the orchestration releases the reservations.</summary>
    public async Task<ReliefOutcome> CancelAsync(Caller caller, string id, CancelDispatchRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        var found = await FindForAsync(caller, id, ct);
        if (found is null || !AccessPolicy.InScope(caller, new ResourceScope(found.Request.Jurisdiction))) return Missing();
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 2 and <= 200 })
            return ReliefOutcome.One("VALIDATION_FAILED", "请求内容有误", "reason", "请说明取消原因（2 到 200 字）。");
        Rejection? refused = null;
        var updated = await UpdateAsync(id, r =>
        {
            var moved = r.Dispatch.Cancel(reason, caller.Subject, clock);
            if (!moved.Accepted) { refused = moved.Rejection; return null; }
            refused = null;
            return r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("cancelled", clock.GetUtcNow(), caller.Subject, reason)] };
        }, ct);
        if (updated is null) return StepRefused(refused);
        await RaiseAsync(durable, id, DispatchFlow.CancelEvent, new DispatchNotice(caller.Subject), ct);
        return new ReliefOutcome.Done(View(updated));
    }

    // ---- Helpers ----

    static ReliefOutcome.NotFound Missing() => new("DISPATCH_NOT_FOUND", "调度单不存在", "没有找到该调度单，或它不属于您或您的管辖范围。");

    static ReliefOutcome StepRefused(Rejection? r) => r?.Code switch
    {
        null => Missing(),
        "dispatch.already_delivered" => new ReliefOutcome.Conflict("DISPATCH_ALREADY_DELIVERED", "已确认送达", r.Reason),
        "dispatch.transition.illegal" => new ReliefOutcome.Conflict("DISPATCH_STEP_NOT_ALLOWED", "调度单当前环节不能办理", r.Reason),
        _ => ReliefOutcome.One(ReliefWarehouses.Code(r.Code), "请求内容有误", r.Field ?? "request", r.Reason),
    };

    /// <summary>The dispatch if the caller may see and act on it: its assignee, or staff whose jurisdiction contains the need.</summary>
    async Task<DispatchRecord?> FindForAsync(Caller caller, string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var record = await LoadAsync(id, ct);
        if (record is null) return null;
        var mine = record.Assignee is { } a && a == caller.Subject;
        return mine || caller.IsStaff && AccessPolicy.InScope(caller, new ResourceScope(record.Request.Jurisdiction)) ? record : null;
    }

    async Task RaiseAsync(DurableTaskClient durable, string id, string name, object payload, CancellationToken ct)
    {
        try { await durable.RaiseEventAsync(DispatchFlow.InstanceId(id), name, payload, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Event {Event} for dispatch {Id} not raised: {Error}", name, id, e.Message);
        }
    }

    async Task<IReadOnlyList<MovementView>> IssueAllAsync(DispatchRecord record, string actor, CancellationToken ct)
    {
        var done = new List<MovementView>();
        var now = clock.GetUtcNow();
        foreach (var warehouseId in record.Dispatch.Picks.Select(p => p.WarehouseId).Distinct())
        {
            var outcome = await ledger.ChangeAsync(warehouseId, stock => stock.IssueAll(record.Dispatch.Id, actor, now), ct);
            if (outcome.Accepted) done.AddRange(outcome.Value.Select(ReliefWarehouses.MovementOf));
            else logger.LogError("Issue for dispatch {Id} in {Warehouse} refused: {Reason}", record.Dispatch.Id, warehouseId, outcome.Rejection);
        }
        return done;
    }

    async Task<IReadOnlyList<MovementView>> ReleaseAllAsync(DispatchRecord record, string actor, CancellationToken ct)
    {
        var done = new List<MovementView>();
        var now = clock.GetUtcNow();
        foreach (var warehouseId in record.Dispatch.Picks.Select(p => p.WarehouseId).Distinct())
        {
            var outcome = await ledger.ChangeAsync(warehouseId, stock => stock.ReleaseAll(record.Dispatch.Id, actor, now), ct);
            if (outcome.Accepted) done.AddRange(outcome.Value.Select(ReliefWarehouses.MovementOf));
            else logger.LogError("Release for dispatch {Id} in {Warehouse} refused: {Reason}", record.Dispatch.Id, warehouseId, outcome.Rejection);
        }
        return done;
    }

    Task PublishAsync(DispatchRecord record, string kind, object details, CancellationToken ct) =>
        feed.PublishAsync(record.Request.Jurisdiction, kind, new
        {
            dispatchId = record.Dispatch.Id,
            needId = record.Dispatch.NeedId,
            incidentId = record.Dispatch.IncidentId,
            status = Camel(record.Dispatch.Status.ToString()),
            details,
        }, ct);

    public async Task<DispatchRecord?> LoadAsync(string id, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDispatches, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, RowKey, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    /// <summary>Read-modify-write with the row's ETag, retried on 412; <paramref name="change"/> returns null for "no change".</summary>
    async Task<DispatchRecord?> UpdateAsync(string id, Func<DispatchRecord, DispatchRecord?> change, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterDispatches, ct);
        for (var attempt = 1; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(id, RowKey, cancellationToken: ct);
            if (!found.HasValue) return null;
            var next = change(FromEntity(found.Value!));
            if (next is null) return null;
            try
            {
                await table.UpdateEntityAsync(ToEntity(next), found.Value!.ETag, TableUpdateMode.Replace, ct);
                return next;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(5, 50), ct);
            }
        }
    }

    static TableEntity ToEntity(DispatchRecord r) => new(r.Dispatch.Id, RowKey)
    {
        ["Data"] = JsonSerializer.Serialize(r, DispatchJson.Options),
        ["Status"] = r.Dispatch.Status.ToString(),
        ["NeedId"] = r.Dispatch.NeedId,
        ["Jurisdiction"] = r.Request.Jurisdiction,
    };

    static DispatchRecord FromEntity(TableEntity e) =>
        JsonSerializer.Deserialize<DispatchRecord>(e.GetString("Data"), DispatchJson.Options) ?? throw new InvalidOperationException("Empty dispatch row.");

    DeadlineView Assess(DispatchRecord r)
    {
        var a = r.Dispatch.AssessDeadline(clock.GetUtcNow(), r.Deadlines(), r.WarningFraction);
        return new DeadlineView(r.Dispatch.StartedAt, r.EscalateAt, a.Deadline, r.LimitSeconds, a.FractionUsed, Camel(a.State.ToString()));
    }

    DispatchView View(DispatchRecord r) => new(
        r.Dispatch.Id, r.Dispatch.NeedId, r.Dispatch.IncidentId, r.Request.Jurisdiction, Camel(r.Dispatch.Status.ToString()), r.Dispatch.Status.ChineseName(), r.Dispatch.Level,
        r.Request.Items, PicksView(r.Dispatch.Picks), r.Shortfall, r.Team, r.Assignee, r.Dispatch.Escalated, r.Escalations, Assess(r),
        r.Dispatch.Delivery is { } d ? new DeliveryView(d.ConfirmedAt, d.ConfirmedBy, d.RecipientConfirmation, d.PhotoRef) : null,
        r.Dispatch.EndReason, r.Trail);

    static IReadOnlyList<WarehousePicksView> PicksView(IReadOnlyList<AllocationPick> picks) =>
        picks.GroupBy(p => p.WarehouseId).Select(g => new WarehousePicksView(g.Key, g.First().WarehouseName, g.First().DistanceMetres,
            g.Select(p => new PickLotView(p.ItemCode, p.LotNumber, p.Expiry, p.Quantity)).ToList())).ToList();

    static string Camel(string s) => char.ToLowerInvariant(s[0]) + s[1..];

    static string FormatLimit(long seconds) => seconds >= 3600 && seconds % 3600 == 0 ? $"{seconds / 3600} 小时" : seconds >= 60 ? $"{seconds / 60} 分钟" : $"{seconds} 秒";
}

/// <summary>The <see cref="IDispatchStarter"/> the needs side calls.</summary>
public sealed class DispatchStarter(DispatchService dispatches) : IDispatchStarter
{
    public Task<string> StartAsync(DispatchRequest request, DurableTaskClient durable, CancellationToken ct) => dispatches.StartAsync(request, durable, ct);
}
