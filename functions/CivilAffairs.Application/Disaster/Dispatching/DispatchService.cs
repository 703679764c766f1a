using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Disaster.Teams;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Disaster.Dispatching;

/// <summary>
/// Relief dispatch (物资调度) for one need. Three kinds of step, each with one owner:
/// <list type="bullet">
/// <item><b>Start</b> (from the needs side, <see cref="IDispatchStarter"/>): the domain rule <see cref="Dispatch.Start"/>, the row,
/// and the workflow (<see cref="IDispatchWorkflow"/>). Idempotent per need.</item>
/// <item><b>The workflow's steps</b> (activities of the dispatch orchestration): plan over the warehouses near the need, reserve
/// per warehouse in the stock ledger, assign the nearest available field team of the incident's jurisdiction
/// (<see cref="TeamAssignment"/>), issue on pick-up, escalate when the delivery clock runs short, release on cancellation
/// or failure.</item>
/// <item><b>The people's steps</b> — pick-up and delivery by the team, cancellation and reassignment by staff: the domain
/// transition and its event are written together (<see cref="Outbox"/>), so the orchestration always learns of a step that
/// was stored, even when raising the event fails the first time.</item>
/// </list>
/// State is the domain <see cref="Dispatch"/> in one row of <see cref="TableNames.DisasterDispatches"/> (PK dispatch id, RK
/// <c>dispatch</c>; the need index PK <c>need-{needId}</c>), changed with the row's ETag; lists by incident and team in
/// <see cref="DispatchLists"/>.
/// </summary>
public sealed partial class DispatchService(
    Tables tables,
    WarehouseService warehouses,
    StockLedger ledger,
    TeamService teams,
    DispatchLists lists,
    IncidentService incidents,
    IDispatchWorkflow workflow,
    Outbox outbox,
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

    public static Problem NotFound() => Problem.NotFound("DISPATCH_NOT_FOUND", "调度单不存在", "没有找到该调度单，或它不属于您或您的管辖范围。");

    // ---- Start ----

    /// <summary>Checks what the needs side asks to dispatch; empty when it can be dispatched.</summary>
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
    /// Starts the dispatch of an open need of an active incident, or returns the one under way (a cancelled or failed earlier
    /// dispatch makes room for a new one). The row is written before the workflow starts, and starting it again is harmless.
    /// </summary>
    public async Task<Result<string>> StartAsync(Incident incident, Need need, IReadOnlyList<DispatchItem> items, CancellationToken ct)
    {
        var request = new DispatchRequest(need.Id, incident.Id, incident.JurisdictionCode, incident.Level, need.Position, need.Category, need.Urgency, items);
        if (Validate(request) is { Count: > 0 } invalid) return Problem.Rejected(invalid);
        var table = await tables.GetAsync(TableNames.DisasterDispatches, ct);
        var index = "need-" + need.Id;

        var claimed = await Optimistic.RetryAsync<Result<string>>($"dispatch index of need {need.Id}", async () =>
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(index, RowKey, cancellationToken: ct);
            if (existing.HasValue)
            {
                var current = existing.Value!.GetString("DispatchId");
                var record = await LoadAsync(current, ct);
                // Under way (or being created by a concurrent start): that is the need's dispatch.
                if (record is null || !record.Dispatch.Status.IsTerminal()) return Result.Ok(current);
            }
            var started = Dispatch.Start(Ids.New(clock), incident, need, DispatchFlow.SystemActor, clock);
            if (!started.Accepted) return Problem.Rejected(started.Rejections);
            var row = new TableEntity(index, RowKey) { ["DispatchId"] = started.Value.Id };
            if (existing.HasValue) await table.UpdateEntityAsync(row, existing.Value!.ETag, TableUpdateMode.Replace, ct);
            else
                try { await table.AddEntityAsync(row, ct); }
                catch (RequestFailedException e) when (e.Status == 409) { throw new RequestFailedException(412, "Concurrent start."); }
            return Result.Ok(started.Value.Id);
        }, ct);
        if (claimed.Problem is { } refused) return refused;
        var id = claimed.Value!;

        var stored = await LoadAsync(id, ct);
        if (stored is null)
        {
            var o = options.Value;
            var started = Dispatch.Start(id, incident, need, DispatchFlow.SystemActor, clock);
            if (!started.Accepted) return Problem.Rejected(started.Rejections);
            stored = new DispatchRecord
            {
                Dispatch = started.Value,
                Request = request,
                LimitSeconds = (long)o.Deadlines().For(request.Level).TotalSeconds,
                WarningFraction = o.WarningFraction is > 0 and <= 1 ? o.WarningFraction : DeliveryClock.DefaultWarningFraction,
                Trail = [new TrailStep("started", clock.GetUtcNow(), DispatchFlow.SystemActor, null)],
            };
            try { await table.AddEntityAsync(ToEntity(stored), ct); }
            catch (RequestFailedException e) when (e.Status == 409) { stored = await LoadAsync(id, ct) ?? stored; }
            await lists.IndexAsync(stored, null, ct);
        }
        await workflow.StartAsync(new DispatchInput(id, stored.EscalateAt, stored.DeadlineAt + OverdueCheckDelay), ct);
        return Result.Ok(id);
    }

    // ---- The workflow's steps (activities) ----

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
        var now = clock.GetUtcNow();
        var step = input.Attempt > 1 ? "replanned" : "planned";
        var note = $"{plan.Picks.Count} 个批次，来自 {plan.Picks.Select(p => p.WarehouseId).Distinct().Count()} 个仓库"
            + (plan.IsComplete ? "" : "；缺口：" + string.Join("、", plan.Shortfalls.Select(s => $"{s.ItemCode} {s.Shortfall}")));
        const string noStock = "没有可调拨的库存";
        var updated = await UpdateAsync(input.DispatchId, r =>
        {
            if (r.Dispatch.Status != DispatchStatus.Planned) return null;
            var planned = r.Dispatch.Plan(plan, DispatchFlow.SystemActor, clock);
            if (planned.Accepted)
                return r with { Dispatch = planned.Value.Dispatch, Shortfall = shortfall, Trail = [.. r.Trail, new TrailStep(step, now, DispatchFlow.SystemActor, note)] };
            var failed = r.Dispatch.Fail(noStock, DispatchFlow.SystemActor, clock).Value.Dispatch;
            return r with
            {
                Dispatch = failed, Shortfall = shortfall,
                Trail = [.. r.Trail, new TrailStep(step, now, DispatchFlow.SystemActor, note), new TrailStep("failed", now, DispatchFlow.SystemActor, noStock)],
            };
        }, r => r.Dispatch.Status == DispatchStatus.Failed ? [DispatchEvents.Of(DispatchEvents.Failed, r, DispatchFlow.SystemActor)] : [], ct);
        if (updated is null) return new PlanResult(0, 0, false, true);
        var failedNow = updated.Dispatch.Status == DispatchStatus.Failed;
        await PublishAsync(updated, failedNow ? "dispatch.failed" : "dispatch.planned", new
        {
            picks = PicksView(updated.Dispatch.Picks, null),
            shortfall = shortfall.Where(s => s.Shortfall > 0),
            attempt = input.Attempt,
        }, ct);
        return new PlanResult(updated.Dispatch.Picks.Count, updated.Dispatch.Picks.Select(p => p.WarehouseId).Distinct().Count(), plan.IsComplete, failedNow);
    }

    /// <summary>
    /// Reserves the planned picks, one ledger transaction per warehouse. <see cref="ReserveResult.Conflict"/> when a warehouse
    /// no longer holds what was planned (everything reserved so far is released); <see cref="ReserveResult.Ended"/> when the
    /// dispatch was cancelled meanwhile (released too). Safe to run again: a warehouse already holding reservations for the
    /// dispatch is skipped.
    /// </summary>
    public async Task<ReserveResult> ReserveAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status != DispatchStatus.Planned) return record.Dispatch.Status == DispatchStatus.Reserved ? ReserveResult.Reserved : ReserveResult.Ended;
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
            await UpdateAsync(id, r => r with { Trail = [.. r.Trail, new TrailStep("reserveFailed", clock.GetUtcNow(), DispatchFlow.SystemActor, $"{failedAt}：{failure.Reason}")] }, null, ct);
            return ReserveResult.Conflict;
        }
        var updated = await UpdateAsync(id, r =>
        {
            var moved = r.Dispatch.MarkReserved(DispatchFlow.SystemActor, clock);
            return moved.Accepted ? r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("reserved", clock.GetUtcNow(), DispatchFlow.SystemActor, null)] } : null;
        }, null, ct);
        if (updated?.Dispatch.Status != DispatchStatus.Reserved)
        {
            await ReleaseAllAsync(record, DispatchFlow.SystemActor, ct);
            return ReserveResult.Ended;
        }
        await PublishAsync(updated, "dispatch.reserved", new { picks = PicksView(updated.Dispatch.Picks, null) }, ct);
        return ReserveResult.Reserved;
    }

    /// <summary>Marks the dispatch failed (no stock after re-planning) and releases whatever is reserved for it.</summary>
    public async Task FailAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var reason = input.Reason ?? "库存预留失败";
        var updated = await UpdateAsync(input.DispatchId, r => r.Dispatch.Fail(reason, DispatchFlow.SystemActor, clock) is { Accepted: true } f
                ? r with { Dispatch = f.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("failed", clock.GetUtcNow(), DispatchFlow.SystemActor, reason)] }
                : null,
            r => [DispatchEvents.Of(DispatchEvents.Failed, r, DispatchFlow.SystemActor)], ct);
        var record = updated ?? await LoadAsync(input.DispatchId, ct);
        if (record is null) return;
        await ReleaseAllAsync(record, DispatchFlow.SystemActor, ct);
        if (updated is not null) await PublishAsync(updated, "dispatch.failed", new { reason }, ct);
    }

    /// <summary>
    /// Assigns the nearest available field team of the incident's jurisdiction (<see cref="TeamAssignment"/>) and tells its
    /// members. Without a team that covers the incident, the dispatch waits reserved and the supervisors are told.
    /// </summary>
    public async Task<AssignResult> AssignAsync(DispatchActivityInput input, CancellationToken ct)
    {
        var record = await LoadAsync(input.DispatchId, ct) ?? throw new InvalidOperationException($"Dispatch {input.DispatchId} missing.");
        if (record.Dispatch.Status == DispatchStatus.TeamAssigned) return AssignResult.Assigned;
        if (record.Dispatch.Status != DispatchStatus.Reserved) return AssignResult.Ended;
        var all = await teams.AllAsync(ct);
        var covering = all.Where(t => TeamAssignment.Covers(t, record.Request.Jurisdiction)).ToList();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in covering) open[t.Id] = await lists.OpenTasksAsync(t.Id, ct);
        var choice = TeamAssignment.Choose(covering, record.Request.Destination, record.Request.Jurisdiction, open);
        if (!choice.Accepted)
        {
            var reason = choice.Rejection!.Reason;
            var waiting = await UpdateAsync(input.DispatchId, r => r.Trail.Any(s => s.Step == "unassigned") ? null
                : r with { Trail = [.. r.Trail, new TrailStep("unassigned", clock.GetUtcNow(), DispatchFlow.SystemActor, reason)] }, null, ct);
            if (waiting is not null) await PublishAsync(waiting, "dispatch.unassigned", new { reason }, ct);
            return AssignResult.Unassigned;
        }
        return await AssignTeamAsync(input.DispatchId, choice.Value.Team, choice.Value.Reason, DispatchFlow.SystemActor, ct) is null
            ? AssignResult.Ended : AssignResult.Assigned;
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
        await PublishAsync(record, "dispatch.delivered", new { by = input.Actor, deadline = Assess(record) }, ct);
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
        var state = Camel(assessment.State.ToString());
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
        }, null, ct);
        if (updated is null) return false;
        await PublishAsync(updated, "dispatch.escalated", new { reason, state, assessment.FractionUsed, deadline = assessment.Deadline, team = updated.Team, teamName = updated.TeamName }, ct);
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

    // ---- The people's steps ----

    public async Task<Result<DispatchView>> GetAsync(CallContext call, string id) =>
        await FindForAsync(call.Caller, id, call.Cancellation) is { } record ? Result.Ok(await ViewAsync(record, call.Cancellation)) : NotFound();

    /// <summary>
    /// A page of dispatches: the caller's own team tasks (<c>assigned=me</c>, open ones unless a status is asked for), or those
    /// of an incident or a team the caller may see (staff), optionally of one status.
    /// </summary>
    public async Task<Result<DispatchList>> ListAsync(CallContext call, DispatchListQuery query)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        var given = (query.AssignedToMe ? 1 : 0) + (query.IncidentId is null ? 0 : 1) + (query.TeamId is null ? 0 : 1);
        if (given != 1)
            return Problem.InvalidQuery("assigned", "请指定且只指定一项：assigned=me（本人所在队伍的任务）、incident（事件编号）或 team（队伍编号）。", "assigned=me、incident 或 team 三选一");
        List<DispatchListEntry> entries = [];
        string? next = null;
        if (query.AssignedToMe)
        {
            foreach (var team in await teams.OfMemberAsync(caller.Subject, ct))
            {
                string? token = null;
                do
                {
                    var (page, more) = await lists.PageAsync(DispatchLists.TeamKey(team.Id), query.Status, openOnly: true, 100, token, ct);
                    entries.AddRange(page);
                    token = more;
                } while (token is not null && entries.Count < 500);
            }
            entries = entries.OrderBy(e => e.StartedAt).ToList();
        }
        else if (query.IncidentId is { } incidentId)
        {
            var incident = await incidents.LoadAsync(incidentId, ct);
            if (incident is null || !IncidentService.Sees(caller, incident.Incident.JurisdictionCode)) return IncidentService.NotFound();
            (var page, next) = await lists.PageAsync(DispatchLists.IncidentKey(incident.Incident.Id), query.Status, openOnly: false, query.PageSize, query.ContinuationToken, ct);
            entries = [.. page];
        }
        else
        {
            var team = await teams.FindAsync(query.TeamId!, ct);
            if (team is null || !TeamService.Sees(caller, team) && !team.HasMember(caller.Subject)) return TeamService.NotFound();
            (var page, next) = await lists.PageAsync(DispatchLists.TeamKey(team.Id), query.Status, openOnly: false, query.PageSize, query.ContinuationToken, ct);
            entries = [.. page];
        }
        var positions = await WarehousePositionsAsync(ct);
        var views = new List<DispatchView>();
        foreach (var entry in entries)
            if (await LoadAsync(entry.DispatchId, ct) is { } record && (query.Status is null || record.Dispatch.Status == query.Status)
                && (!query.AssignedToMe || query.Status is not null || !record.Dispatch.Status.IsTerminal()))
                views.Add(View(record, positions));
        return Result.Ok(new DispatchList(views.Count, views, next));
    }

    /// <summary>The assigned team (or staff in scope) confirms the pick-up; the orchestration issues the stock.</summary>
    public Task<Result<DispatchView>> PickUpAsync(CallContext call, string id) =>
        StepAsync(call, id, DispatchEvents.PickedUp, (r, actor) =>
        {
            var moved = r.Dispatch.PickUp(actor, clock);
            return moved.Accepted
                ? Result.Ok(r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("pickedUp", clock.GetUtcNow(), actor, null)] })
                : StepRefused(moved.Rejection);
        });

    /// <summary>The assigned team confirms delivery with the recipient's confirmation and a photo. A second confirmation is refused.</summary>
    public async Task<Result<DispatchView>> DeliverAsync(CallContext call, string id, DeliveryRequest request)
    {
        var issues = new List<FieldIssue>();
        var code = request.RecipientCode?.Trim();
        var name = request.RecipientName?.Trim();
        if (string.IsNullOrEmpty(code) && string.IsNullOrEmpty(name))
            issues.Add(new("RECIPIENT_CONFIRMATION_REQUIRED", "缺少受助方签收确认", "recipientCode", "请填写受助方的签收码（recipientCode），或由受助方本人输入姓名签收（recipientName）。"));
        else if (!string.IsNullOrEmpty(code) && !CodePattern().IsMatch(code))
            issues.Add(FieldIssue.Invalid("recipientCode", "签收码须为 4 到 32 位字母、数字或连字符。"));
        else if (string.IsNullOrEmpty(code) && name is not { Length: <= 40 })
            issues.Add(FieldIssue.Invalid("recipientName", "签收姓名不能超过 40 个字。"));
        var photo = request.PhotoUploadId?.Trim();
        if (string.IsNullOrEmpty(photo))
            issues.Add(new("DELIVERY_PHOTO_REQUIRED", "缺少送达现场照片", "photoUploadId", "请先上传送达现场照片，并填写其上传编号（photoUploadId）。"));
        else if (!UploadPattern().IsMatch(photo))
            issues.Add(FieldIssue.Invalid("photoUploadId", "上传编号格式不正确。"));
        if (await FindForAsync(call.Caller, id, call.Cancellation, toAct: true) is null) return NotFound();
        if (issues.Count > 0) return Problem.Invalid(issues);

        var useCode = !string.IsNullOrEmpty(code);
        var nameCipher = useCode ? null : cipher.Encrypt(name!, $"disaster/dispatch/{id}/recipient");
        var result = await StepAsync(call, id, DispatchEvents.Delivered, (r, actor) =>
        {
            var moved = r.Dispatch.ConfirmDelivery(useCode ? "code" : "signedName", photo!, actor, clock);
            return moved.Accepted
                ? Result.Ok(r with
                {
                    Dispatch = moved.Value.Dispatch,
                    RecipientCode = useCode ? code : null,
                    RecipientNameCipher = nameCipher,
                    PhotoUploadId = photo,
                    Trail = [.. r.Trail, new TrailStep("delivered", clock.GetUtcNow(), actor, null)],
                })
                : StepRefused(moved.Rejection);
        });
        if (result.IsSuccess && !useCode)
            await audit.AppendAsync(call.Caller, new AuditEvent("disaster.deliverySigned", AuditOutcome.Success, Detail: $"dispatch {id}: recipient name stored encrypted"), call.RequestId, call.Cancellation);
        return result;
    }

    /// <summary>Staff in scope cancel a dispatch before pick-up; the orchestration releases the reservations and the need is open again.</summary>
    public async Task<Result<DispatchView>> CancelAsync(CallContext call, string id, CancelDispatchRequest request)
    {
        var found = await FindForAsync(call.Caller, id, call.Cancellation);
        if (found is null || !await StaffMayDirectAsync(call.Caller, found, call.Cancellation)) return NotFound();
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 2 and <= 200 }) return Problem.Invalid("reason", "请说明取消原因（2 到 200 字）。");
        return await StepAsync(call, id, DispatchEvents.Cancelled, (r, actor) =>
        {
            var moved = r.Dispatch.Cancel(reason, actor, clock);
            return moved.Accepted
                ? Result.Ok(r with { Dispatch = moved.Value.Dispatch, Trail = [.. r.Trail, new TrailStep("cancelled", clock.GetUtcNow(), actor, reason)] })
                : StepRefused(moved.Rejection);
        });
    }

    /// <summary>Staff give the dispatch to another team (before pick-up), with the reason; the new team's members are told.</summary>
    public async Task<Result<DispatchView>> ReassignAsync(CallContext call, string id, AssignTeamRequest request)
    {
        var (caller, requestId, ct) = call;
        var found = await FindForAsync(caller, id, ct);
        if (found is null || !await StaffMayDirectAsync(caller, found, ct)) return NotFound();
        var errors = new List<Domain.Catalog.FieldError>();
        if (string.IsNullOrWhiteSpace(request.TeamId)) errors.Add(new("teamId", "请指定队伍编号。"));
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 2 and <= 200 }) errors.Add(new("reason", "请说明改派原因（2 到 200 字）。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var team = await teams.FindAsync(request.TeamId!.Trim(), ct);
        if (team is null || !TeamService.Sees(caller, team)) return TeamService.NotFound();
        if (!team.Active || !TeamAssignment.Covers(team, found.Request.Jurisdiction))
            return Problem.Conflict("TEAM_NOT_AVAILABLE", "队伍不能承担该任务", $"{team.Name}已停止接受任务，或不负责该事件所在的行政区划。");
        if (found.Dispatch.Status is not (DispatchStatus.Reserved or DispatchStatus.TeamAssigned))
            return StepRefused(new Rejection("dispatch.transition.illegal", $"调度单当前状态为{found.Dispatch.Status.ChineseName()}，不能改派", null));
        var updated = await AssignTeamAsync(id, team, $"由 {caller.DisplayName} 改派：{reason}", caller.Subject, ct);
        if (updated is null) return StepRefused(new Rejection("dispatch.transition.illegal", "调度单已取货或已结束，不能改派", null));
        await audit.AppendAsync(caller, new AuditEvent("disaster.dispatch.reassign", AuditOutcome.Success, Detail: $"{id} → {team.Id}"), requestId, ct);
        return Result.Ok(await ViewAsync(updated, ct));
    }

    // ---- Helpers ----

    /// <summary>
    /// A person's step: the domain transition and its event written together (the event moves the workflow on and is
    /// relayed again until it lands), then the view. A refused transition changes nothing.
    /// </summary>
    async Task<Result<DispatchView>> StepAsync(CallContext call, string id, string eventType, Func<DispatchRecord, string, Result<DispatchRecord>> step)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        if (await FindForAsync(caller, id, ct, toAct: true) is null) return NotFound();
        Problem? refused = null;
        var updated = await UpdateAsync(id, r =>
        {
            var next = step(r, caller.Subject);
            refused = next.Problem;
            return next.Value;
        }, r => [DispatchEvents.Of(eventType, r, caller.Subject)], ct);
        if (updated is null) return refused ?? NotFound();
        return Result.Ok(await ViewAsync(updated, ct));
    }

    /// <summary>Gives the dispatch to <paramref name="team"/> (Reserved or TeamAssigned) and tells its members; null when no longer possible.</summary>
    async Task<DispatchRecord?> AssignTeamAsync(string id, ReliefTeam team, string reason, string actor, CancellationToken ct)
    {
        string? previous = null;
        var updated = await UpdateAsync(id, r =>
        {
            if (r.Dispatch.Status == DispatchStatus.TeamAssigned && r.Team == team.Id) return null;
            var moved = r.Dispatch.AssignTeam(team.Id, actor, clock);
            if (!moved.Accepted) return null;
            previous = r.Team;
            return r with
            {
                Dispatch = moved.Value.Dispatch, Team = team.Id, TeamName = team.Name, AssignmentReason = reason,
                Trail = [.. r.Trail, new TrailStep(previous is null ? "teamAssigned" : "reassigned", clock.GetUtcNow(), actor, reason)],
            };
        }, null, ct, indexPreviousTeam: () => previous);
        if (updated is null) return (await LoadAsync(id, ct)) is { Dispatch.Status: DispatchStatus.TeamAssigned } same && same.Team == team.Id ? same : null;
        var task = new { dispatchId = updated.Dispatch.Id, needId = updated.Dispatch.NeedId, incidentId = updated.Dispatch.IncidentId, team = team.Id, teamName = team.Name, reason };
        await feed.NotifyMembersAsync(team.Members, "dispatch.assigned", task, ct);
        await PublishAsync(updated, "dispatch.teamAssigned", new { team = team.Id, teamName = team.Name, reason }, ct);
        return updated;
    }

    static Problem StepRefused(Rejection? r) => r?.Code switch
    {
        null => NotFound(),
        "dispatch.already_delivered" => Problem.Conflict("DISPATCH_ALREADY_DELIVERED", "已确认送达", r.Reason),
        "dispatch.transition.illegal" => Problem.Conflict("DISPATCH_STEP_NOT_ALLOWED", "调度单当前环节不能办理", r.Reason),
        _ => Problem.Rejected([r]),
    };

    /// <summary>
    /// The dispatch if the caller may see it: a member of its team, or staff who see the incident's jurisdiction (a street
    /// officer works the district's incident). Confirming pick-up and delivery (<paramref name="toAct"/>) is for the team's
    /// members and for staff over the incident's or the team's jurisdiction.
    /// </summary>
    async Task<DispatchRecord?> FindForAsync(Caller caller, string id, CancellationToken ct, bool toAct = false)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var record = await LoadAsync(id, ct);
        if (record is null) return null;
        var team = record.Team is { } teamId ? await teams.FindAsync(teamId, ct) : null;
        if (team?.HasMember(caller.Subject) == true) return record;
        if (!caller.IsStaff) return null;
        if (!toAct) return IncidentService.Sees(caller, record.Request.Jurisdiction) ? record : null;
        return AccessPolicy.InScope(caller, new ResourceScope(record.Request.Jurisdiction))
            || team is not null && AccessPolicy.InScope(caller, new ResourceScope(team.Jurisdiction)) ? record : null;
    }

    /// <summary>Cancelling and reassigning: staff whose jurisdiction contains the incident's, or the assigned team's.</summary>
    async Task<bool> StaffMayDirectAsync(Caller caller, DispatchRecord record, CancellationToken ct) =>
        caller.IsStaff && (AccessPolicy.InScope(caller, new ResourceScope(record.Request.Jurisdiction))
            || record.Team is { } teamId && await teams.FindAsync(teamId, ct) is { } team && AccessPolicy.InScope(caller, new ResourceScope(team.Jurisdiction)));

    /// <summary>Issues (出库) everything still reserved for the dispatch, warehouse by warehouse.</summary>
    Task<IReadOnlyList<MovementView>> IssueAllAsync(DispatchRecord record, string actor, CancellationToken ct) =>
        ChangeEachWarehouseAsync(record, "Issue", (stock, now) => stock.IssueAll(record.Dispatch.Id, actor, now), ct);

    /// <summary>Releases everything still reserved for the dispatch, warehouse by warehouse.</summary>
    Task<IReadOnlyList<MovementView>> ReleaseAllAsync(DispatchRecord record, string actor, CancellationToken ct) =>
        ChangeEachWarehouseAsync(record, "Release", (stock, now) => stock.ReleaseAll(record.Dispatch.Id, actor, now), ct);

    async Task<IReadOnlyList<MovementView>> ChangeEachWarehouseAsync(DispatchRecord record, string what,
        Func<WarehouseStock, DateTimeOffset, Outcome<IReadOnlyList<StockMovement>>> change, CancellationToken ct)
    {
        var done = new List<MovementView>();
        var now = clock.GetUtcNow();
        foreach (var warehouseId in record.Dispatch.Picks.Select(p => p.WarehouseId).Distinct())
        {
            var outcome = await ledger.ChangeAsync(warehouseId, stock => change(stock, now), ct);
            if (outcome.Accepted) done.AddRange(outcome.Value.Select(WarehouseService.MovementOf));
            else logger.LogError("{What} for dispatch {Id} in {Warehouse} refused: {Reason}", what, record.Dispatch.Id, warehouseId, outcome.Rejection);
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

    /// <summary>
    /// Read-modify-write with the row's ETag (<see cref="Optimistic"/>); <paramref name="change"/> returns null for "no change".
    /// <paramref name="events"/> are written in the same transaction (<see cref="Outbox"/>) and relayed. The lists are kept
    /// current after the write.
    /// </summary>
    async Task<DispatchRecord?> UpdateAsync(string id, Func<DispatchRecord, DispatchRecord?> change, Func<DispatchRecord, IReadOnlyList<PendingEvent>>? events,
        CancellationToken ct, Func<string?>? indexPreviousTeam = null)
    {
        var updated = await Optimistic.RetryAsync<DispatchRecord?>($"dispatch {id}", async () =>
        {
            var table = await tables.GetAsync(TableNames.DisasterDispatches, ct);
            var found = await table.GetEntityIfExistsAsync<TableEntity>(id, RowKey, cancellationToken: ct);
            if (!found.HasValue) return null;
            var next = change(FromEntity(found.Value!));
            if (next is null) return null;
            await outbox.CommitAsync(TableNames.DisasterDispatches, id,
                [new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(next), found.Value!.ETag)], events?.Invoke(next) ?? [], ct);
            return next;
        }, ct);
        if (updated is not null) await lists.IndexAsync(updated, indexPreviousTeam?.Invoke(), ct);
        return updated;
    }

    static TableEntity ToEntity(DispatchRecord r) => new(r.Dispatch.Id, RowKey)
    {
        ["Data"] = JsonSerializer.Serialize(r, DispatchJson.Options),
        ["Status"] = r.Dispatch.Status.ToString(),
        ["NeedId"] = r.Dispatch.NeedId,
        ["IncidentId"] = r.Dispatch.IncidentId,
        ["Team"] = r.Team,
        ["Jurisdiction"] = r.Request.Jurisdiction,
    };

    static DispatchRecord FromEntity(TableEntity e) =>
        JsonSerializer.Deserialize<DispatchRecord>(e.GetString("Data"), DispatchJson.Options) ?? throw new InvalidOperationException("Empty dispatch row.");

    DeadlineView Assess(DispatchRecord r)
    {
        var a = r.Dispatch.AssessDeadline(clock.GetUtcNow(), r.Deadlines(), r.WarningFraction);
        return new DeadlineView(r.Dispatch.StartedAt, r.EscalateAt, a.Deadline, r.LimitSeconds, a.FractionUsed, Camel(a.State.ToString()));
    }

    async Task<IReadOnlyDictionary<string, GeoPoint>> WarehousePositionsAsync(CancellationToken ct) =>
        (await warehouses.AllAsync(ct)).ToDictionary(w => w.Id, w => w.Position, StringComparer.Ordinal);

    async Task<DispatchView> ViewAsync(DispatchRecord r, CancellationToken ct) => View(r, await WarehousePositionsAsync(ct));

    DispatchView View(DispatchRecord r, IReadOnlyDictionary<string, GeoPoint>? positions) => new(
        r.Dispatch.Id, r.Dispatch.NeedId, r.Dispatch.IncidentId, r.Request.Jurisdiction, Camel(r.Dispatch.Status.ToString()), r.Dispatch.Status.ChineseName(), r.Dispatch.Level,
        new DestinationView(r.Request.Destination.Latitude, r.Request.Destination.Longitude, r.Request.Category, r.Request.Category.ChineseName(), r.Request.Urgency),
        r.Request.Items, PicksView(r.Dispatch.Picks, positions), r.Shortfall, r.Team, r.TeamName, r.AssignmentReason, r.Dispatch.Escalated, r.Escalations, Assess(r),
        r.Dispatch.Delivery is { } d ? new DeliveryView(d.ConfirmedAt, d.ConfirmedBy, d.RecipientConfirmation, d.PhotoRef) : null,
        r.Dispatch.EndReason, r.Trail);

    static IReadOnlyList<WarehousePicksView> PicksView(IReadOnlyList<AllocationPick> picks, IReadOnlyDictionary<string, GeoPoint>? positions) =>
        picks.GroupBy(p => p.WarehouseId).Select(g => new WarehousePicksView(g.Key, g.First().WarehouseName, g.First().DistanceMetres,
            g.Select(p => new PickLotView(p.ItemCode, p.LotNumber, p.Expiry, p.Quantity)).ToList(),
            positions?.TryGetValue(g.Key, out var at) == true ? new PositionBody(at.Latitude, at.Longitude) : null)).ToList();

    static string Camel(string s) => char.ToLowerInvariant(s[0]) + s[1..];

    static string FormatLimit(long seconds) => seconds >= 3600 && seconds % 3600 == 0 ? $"{seconds / 3600} 小时" : seconds >= 60 ? $"{seconds / 60} 分钟" : $"{seconds} 秒";
}

/// <summary>The <see cref="IDispatchStarter"/> the needs side calls.</summary>
public sealed class DispatchStarter(DispatchService dispatches) : IDispatchStarter
{
    public Task<Result<string>> StartAsync(Incident incident, Need need, IReadOnlyList<DispatchItem> items, CancellationToken ct) =>
        dispatches.StartAsync(incident, need, items, ct);
}
