using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Assistance.Cases;

/// <summary>The events a case records with its state changes (outbox, CloudEvents <c>type</c>s): each one moves the case workflow on.</summary>
public static class CaseEvents
{
    public const string Source = "/civilaffairs/assistance/cases";
    public const string ObjectionRaised = "assistance.objection.raised";
    public const string ObjectionResolved = "assistance.objection.resolved";
    /// <summary>The district decided (granted, rejected, or a re-verified grant ended).</summary>
    public const string Decided = "assistance.case.decided";
}

public sealed record ObjectionEventData(string ApplicationId, string ObjectionId, bool? Upheld);
public sealed record DecisionEventData(string ApplicationId, bool Approved, int Round);

/// <summary>
/// The assistance case after acceptance. The workflow (<see cref="IAssistanceCaseWorkflow"/>) owns the steps that follow
/// time and the partners — verification rounds, the publicity (公示) — through the activities below; the people's steps
/// (objections, their resolution, the district decision) are written with their event (<see cref="Outbox"/>), which the
/// workflow then receives, so a stored step always reaches it. The effects of a decision (the grant row the monthly payments
/// read, the applicant's notice) follow the decision event (<see cref="CaseWorkflowRelay"/>).
/// </summary>
public sealed class CaseService(
    AssistanceApplicationService applications,
    PartnerCatalogue catalogue,
    Tables tables,
    FieldCipher cipher,
    NotificationService notifications,
    AuditLog audit,
    Outbox outbox,
    IAssistanceCaseWorkflow workflow,
    IOptions<VerificationOptions> verification,
    IOptions<CaseOptions> options,
    TimeProvider clock)
{
    /// <summary>Starts the case workflow of an accepted application (idempotent).</summary>
    public Task StartAsync(string applicationId, CancellationToken ct) =>
        workflow.StartAsync(new CaseInput(applicationId, 1, verification.Value.DeadlineSeconds, options.Value.PublicitySeconds, options.Value.ReverificationSeconds), ct);

    // ---- The workflow's steps (activities) ----

    /// <summary>Opens verification round <paramref name="round"/>; null when the case is no longer active (nothing to verify).</summary>
    public async Task<VerificationInput?> BeginVerificationAsync(string applicationId, int round, int? deadlineSeconds, CancellationToken ct)
    {
        var instanceId = CaseNames.InstanceId(applicationId);
        ApplicationRecord? record;
        if (round == 1)
            record = await applications.MoveAsync(applicationId, [ApplicationStatus.Accepted], ApplicationStatus.Verifying,
                r => r with { VerificationInstance = instanceId, VerificationRoundStarted = round }, ct);
        else
        {
            record = await applications.RecordAsync(applicationId, ct);
            if (record?.Status != ApplicationStatus.Granted) return null;
            record = await applications.UpdateAsync(applicationId, r => r with { VerificationInstance = instanceId, VerificationRoundStarted = round }, ct);
        }
        if (record is null) return null;
        var program = applications.Program(record.Program);
        var members = applications.MembersOf(record);
        // Each unit's own deadline from the catalogue, unless configuration overrides all of them (demo, tests).
        var units = program.NeedsEconomicVerification
            ? catalogue.Units.Select(u => new UnitDeadline(u.Code,
                verification.Value.UnitDeadlineSeconds.TryGetValue(u.Code, out var own) && own > 0 ? own : deadlineSeconds ?? (int)u.ReplyDeadline.TotalSeconds)).ToList()
            : [];
        await audit.AppendAsync(null, new AuditEvent("assistance.verificationRequested", AuditOutcome.Success, record.ApplicantIndex,
            AccessPurpose.EligibilityReview, $"{applicationId} round {round}: {units.Count} units × {members.Count} members"), instanceId, ct);
        if (round == 1)
            await NotifyAsync(record, "verifying", "申请已受理", $"您的{program.Name}申请已受理，正在进行家庭经济状况核对。", ct);
        return new VerificationInput(applicationId, round, members.Select(m => m.MemberRef).ToList(), units);
    }

    /// <summary>
    /// After a verification round: a first round that found the household eligible enters the publicity ending at
    /// <c>PublicityEndsAt</c>; an ineligible one goes to the district with the per-rule reasons. Later rounds keep
    /// an eligible grant (with the allowance recomputed) or send it back to the district.
    /// </summary>
    public async Task<CaseStep> AfterVerificationAsync(AfterVerificationInput input, CancellationToken ct)
    {
        var record = await applications.RecordAsync(input.ApplicationId, ct) ?? throw new InvalidOperationException("Application missing.");
        var program = applications.Program(record.Program);
        var now = clock.GetUtcNow();
        if (input.Round == 1 && input.Outcome == DecisionOutcome.Eligible)
        {
            var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Verifying], ApplicationStatus.Publicity,
                r => r with { PublicityStartedAt = now, PublicityEndsAt = input.PublicityEndsAt }, ct);
            if (moved is null) return CaseStep.Closed;
            await NotifyAsync(moved, "publicity", "核对通过，进入公示", $"您家庭的经济状况核对结果符合{program.Name}条件，现予以公示（公示期 7 天，期间任何人可提出异议）。", ct);
            return CaseStep.Publicity;
        }
        if (input.Round == 1)
        {
            var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Verifying], ApplicationStatus.AwaitingDecision, r => r with { StepSince = now }, ct);
            if (moved is null) return CaseStep.Closed;
            await NotifyAsync(moved, "review", "核对完成，待区民政部门审核", $"家庭经济状况核对已完成，核对结果不符合{program.Name}条件，已报区民政部门审核确认。", ct);
            return CaseStep.Decision;
        }
        if (input.Outcome == DecisionOutcome.Eligible)
        {
            var grant = await applications.UpdateAsync(input.ApplicationId, r => r with { MonthlyAllowance = Allowances.Monthly(program, r.IncomePerCapita ?? 0m, r.MemberCount) }, ct);
            await SetGrantActiveAsync(grant, true, ct);
            await NotifyAsync(grant, $"reverified-{input.Round}", "复核通过", $"{program.Name}定期复核通过，每月救助金 {Money(grant)} 元。", ct);
            return CaseStep.Continue;
        }
        var review = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Granted], ApplicationStatus.AwaitingDecision, r => r with { StepSince = now }, ct);
        if (review is null) return CaseStep.Closed;
        await SetGrantActiveAsync(review, false, ct);
        await NotifyAsync(review, $"reverify-review-{input.Round}", "复核结果待审核", $"{program.Name}定期复核结果不再符合条件，已报区民政部门审核确认，审核期间暂停发放。", ct);
        return CaseStep.Decision;
    }

    public async Task PausePublicityAsync(PauseInput input, CancellationToken ct)
    {
        var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Publicity], ApplicationStatus.PublicityPaused, null, ct);
        if (moved is not null)
            await NotifyAsync(moved, $"paused-{input.ObjectionId}", "公示暂停", "公示期间收到异议，公示暂停，待街道核实后继续。", ct);
    }

    public Task ResumePublicityAsync(PublicityInput input, CancellationToken ct) =>
        applications.MoveAsync(input.ApplicationId, [ApplicationStatus.PublicityPaused], ApplicationStatus.Publicity, r => r with { PublicityEndsAt = input.EndsAt }, ct);

    public async Task EndPublicityAsync(string applicationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var moved = await applications.MoveAsync(applicationId, [ApplicationStatus.Publicity], ApplicationStatus.AwaitingDecision,
            r => r with { StepSince = now, PublicityEndedAt = now }, ct);
        if (moved is not null)
            await NotifyAsync(moved, "publicity-ended", "公示期满", "公示期满，已报区民政部门审核确认。", ct);
    }

    // ---- The people's steps ----

    /// <summary>An objection during the publicity: from any resident (the publicity is public) or staff of the area. Pauses the publicity.</summary>
    public async Task<Result<ObjectionView>> RaiseObjectionAsync(CallContext call, string applicationId, ObjectionRequest request)
    {
        var (caller, requestId, ct) = call;
        var record = await applications.RecordAsync(applicationId, ct);
        if (record is null || caller.IsStaff && !AccessPolicy.InScope(caller, record.Scope)) return AssistanceApplicationService.NotFound();
        if (record.Status is not (ApplicationStatus.Publicity or ApplicationStatus.PublicityPaused))
            // Citizens may only see that an application is in publicity; anything else is not theirs to know.
            return caller.IsStaff ? Problem.Conflict("NOT_IN_PUBLICITY", "当前环节不能办理", "该申请不在公示期内，不能提出异议。") : AssistanceApplicationService.NotFound();
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 5 and <= 1000 })
            return Problem.Invalid("reason", "请写明异议的事实和理由（5 到 1000 字）。");
        var id = Ids.New(clock);
        var now = clock.GetUtcNow();
        var row = new TableEntity(applicationId, id)
        {
            ["Reason"] = cipher.Encrypt(reason, $"assistance/{applicationId}/objection/{id}"),
            ["RaisedBy"] = caller.Subject,
            ["RaisedAt"] = now,
            ["Open"] = true,
        };
        await outbox.CommitAsync(TableNames.AssistanceObjections, applicationId, [new TableTransactionAction(TableTransactionActionType.Add, row)],
            [new PendingEvent(CaseEvents.Source, CaseEvents.ObjectionRaised, applicationId, new ObjectionEventData(applicationId, id, null))], ct);
        await audit.AppendAsync(caller, new AuditEvent("assistance.objection", AuditOutcome.Success, record.ApplicantIndex, Detail: $"{applicationId}/{id}"), requestId, ct);
        return Result.Created(new ObjectionView(id, applicationId, now, true, null), $"/api/assistance/applications/{applicationId}");
    }

    /// <summary>The street office records its finding on an objection; the publicity resumes when none is open.</summary>
    public async Task<Result<ObjectionView>> ResolveObjectionAsync(CallContext call, string applicationId, string objectionId, ResolutionRequest request)
    {
        var (caller, requestId, ct) = call;
        var record = await applications.RecordAsync(applicationId, ct);
        if (record is null || !AccessPolicy.InScope(caller, record.Scope)) return AssistanceApplicationService.NotFound();
        var table = await tables.GetAsync(TableNames.AssistanceObjections, ct);
        var found = Ids.TryParse(objectionId, out _) ? await table.GetEntityIfExistsAsync<TableEntity>(applicationId, objectionId, cancellationToken: ct) : null;
        if (found is not { HasValue: true }) return AssistanceApplicationService.NotFound();
        var row = found.Value!;
        if (row.GetBoolean("Open") != true) return Problem.Conflict("OBJECTION_RESOLVED", "当前环节不能办理", "该异议已核实办结。");
        var errors = new List<FieldError>();
        if (request.Upheld is null) errors.Add(new FieldError("upheld", "请说明异议是否成立（true/false）。"));
        if (request.Note?.Trim() is not { Length: >= 2 and <= 1000 }) errors.Add(new FieldError("note", "请填写核实情况（2 到 1000 字）。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        row["Open"] = false;
        row["Upheld"] = request.Upheld!.Value;
        row["Note"] = cipher.Encrypt(request.Note!.Trim(), $"assistance/{applicationId}/objection/{objectionId}/note");
        row["ResolvedBy"] = caller.Subject;
        row["ResolvedAt"] = clock.GetUtcNow();
        try
        {
            await outbox.CommitAsync(TableNames.AssistanceObjections, applicationId, [new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag)],
                [new PendingEvent(CaseEvents.Source, CaseEvents.ObjectionResolved, applicationId, new ObjectionEventData(applicationId, objectionId, request.Upheld))], ct);
        }
        catch (Exception e) when (Optimistic.IsConflict(e))
        {
            return Problem.Conflict("OBJECTION_RESOLVED", "当前环节不能办理", "该异议刚由他人核实办结。");
        }
        await audit.AppendAsync(caller, new AuditEvent("assistance.objectionResolved", AuditOutcome.Success, record.ApplicantIndex, Detail: $"{applicationId}/{objectionId}"), requestId, ct);
        return Result.Ok(new ObjectionView(objectionId, applicationId, row.GetDateTimeOffset("RaisedAt")!.Value, false, request.Upheld));
    }

    /// <summary>
    /// The district civil-affairs bureau decides (审核确认): approve (the grant starts, allowance by the program's rule) or
    /// reject with reasons (the failed eligibility rules are quoted). Only an approver whose district contains the address.
    /// The decision and its event are one write; the grant row, the applicant's notice and the workflow follow the event.
    /// </summary>
    public async Task<Result<ApplicationView>> DecideAsync(CallContext call, string applicationId, DecisionRequest request)
    {
        var (caller, requestId, ct) = call;
        var found = await applications.FindForAsync(call, applicationId, "assistance.decide");
        if (found.Problem is { } problem) return problem;
        var record = found.Value!;
        var errors = new List<FieldError>();
        if (request.Approve is null) errors.Add(new FieldError("approve", "请选择批准（true）或不予批准（false）。"));
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 2 and <= 1000 }) errors.Add(new FieldError("reason", "请填写审核意见（2 到 1000 字）。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (record.Status != ApplicationStatus.AwaitingDecision)
            return Problem.Conflict("NOT_AWAITING_DECISION", "当前环节不能办理", "该申请当前不在待审核确认环节。");

        var program = applications.Program(record.Program);
        var reverification = record.Round > 1;
        var approved = request.Approve == true;
        var now = clock.GetUtcNow();
        var failed = record.Decision?.Rules.Where(r => !r.Passed).Select(r => $"{r.Label}（核对值 {r.Value:0.##}，标准 {r.Operator} {r.Threshold:0.##}）").ToList() ?? [];
        var fullReason = approved || failed.Count == 0 ? reason! : $"{reason}。不符合的条件：{string.Join("；", failed)}";
        var target = approved ? ApplicationStatus.Granted : reverification ? ApplicationStatus.Ended : ApplicationStatus.Rejected;
        var moved = await applications.MoveAsync(applicationId, [ApplicationStatus.AwaitingDecision], target, r => r with
        {
            DecidedAt = now,
            DecidedBy = caller.Subject,
            DecisionReason = fullReason,
            MonthlyAllowance = approved ? Allowances.Monthly(program, r.IncomePerCapita ?? 0m, r.MemberCount) : r.MonthlyAllowance,
        }, ct, r => [new PendingEvent(CaseEvents.Source, CaseEvents.Decided, applicationId, new DecisionEventData(applicationId, approved, r.Round))]);
        if (moved is null || moved.DecidedAt != now) return Problem.Conflict("CONCURRENT_UPDATE", "当前环节不能办理", "申请已被他人处理，请刷新后重试。");
        await audit.AppendAsync(caller, new AuditEvent("assistance.decide", AuditOutcome.Success, record.ApplicantIndex, AccessPurpose.EligibilityReview,
            $"{applicationId}: {(approved ? "approved" : "rejected")}"), requestId, ct);
        return Result.Ok(applications.View(moved, applications.MembersOf(moved)));
    }

    /// <summary>
    /// What follows a decision (run from its event, idempotent): the grant row the monthly payments read, and the applicant's
    /// notice. The workflow is told after this (<see cref="CaseWorkflowRelay"/>).
    /// </summary>
    public async Task ApplyDecisionAsync(DecisionEventData decision, CancellationToken ct)
    {
        var record = await applications.RecordAsync(decision.ApplicationId, ct) ?? throw new InvalidOperationException("Application missing.");
        var program = applications.Program(record.Program);
        var reverification = decision.Round > 1;
        await SetGrantActiveAsync(record, decision.Approved && record.Status == ApplicationStatus.Granted, ct);
        if (decision.Approved)
            await NotifyAsync(record, reverification ? $"continued-{decision.Round}" : "granted", "申请已批准",
                $"您的{program.Name}申请已批准，每月救助金 {Money(record)} 元，按月发放至登记的银行账户。", ct);
        else
            await NotifyAsync(record, reverification ? $"ended-{decision.Round}" : "rejected", reverification ? "救助已终止" : "申请未获批准",
                (reverification ? "经复核，救助终止。" : $"您的{program.Name}申请未获批准。") + record.DecisionReason, ct);
    }

    /// <summary>
    /// Records whether the household's grant is active; a grant that starts publishes <c>assistance.granted</c> and one that stops
    /// <c>assistance.ended</c> (life events: the medical-security and housing bureaus follow 低保 status), written with the change.
    /// </summary>
    async Task SetGrantActiveAsync(ApplicationRecord application, bool active, CancellationToken ct)
    {
        var grants = await tables.GetAsync(TableNames.AssistanceGrants, ct);
        var district = application.Jurisdiction[..6];
        var now = clock.GetUtcNow();
        var row = new TableEntity(district, application.Id)
        {
            ["Program"] = application.Program.ToString(),
            ["Active"] = active,
            ["MonthlyAllowance"] = Money(application),
            ["UpdatedAt"] = now,
        };
        var existing = await grants.GetEntityIfExistsAsync<TableEntity>(district, application.Id, cancellationToken: ct);
        var wasActive = existing.HasValue && existing.Value!.GetBoolean("Active") == true;
        if (active && !existing.HasValue) row["GrantedAt"] = now;
        var change = new TableTransactionAction(TableTransactionActionType.UpsertMerge, row);
        PendingEvent[] events = active == wasActive ? []
            : [new PendingEvent(GrantEvents.Source, active ? LifeEventTypes.AssistanceGranted : LifeEventTypes.AssistanceEnded, application.Id,
                new GrantEventData(application.Id, application.Program, application.Jurisdiction, active ? application.MonthlyAllowance ?? 0m : 0m, ChinaTime.Today(clock), "decided"))];
        await outbox.CommitAsync(TableNames.AssistanceGrants, district, [change], events, ct);
    }

    Task NotifyAsync(ApplicationRecord application, string step, string title, string body, CancellationToken ct) =>
        notifications.NotifyAsync(application.ApplicantPersonId,
            new Notification($"{application.Id}.{step}", "assistance", title, body, $"/api/assistance/applications/{application.Id}"), ct);

    static string Money(ApplicationRecord r) => (r.MonthlyAllowance ?? 0m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Moves the case workflow on from the recorded events: an accepted application starts its case; objections, their
/// resolution and the decision are raised into it (the decision's grant and notice first).
/// </summary>
public sealed class CaseWorkflowRelay(CaseService cases, IAssistanceCaseWorkflow workflow) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
        [ApplicationEvents.Accepted, CaseEvents.ObjectionRaised, CaseEvents.ObjectionResolved, CaseEvents.Decided];

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        switch (e.Type)
        {
            case ApplicationEvents.Accepted:
                await cases.StartAsync(e.DataAs<ApplicationEventData>().ApplicationId, ct);
                break;
            case CaseEvents.ObjectionRaised:
                var raised = e.DataAs<ObjectionEventData>();
                await workflow.ObjectionRaisedAsync(raised.ApplicationId, new ObjectionNotice(raised.ObjectionId), ct);
                break;
            case CaseEvents.ObjectionResolved:
                var resolved = e.DataAs<ObjectionEventData>();
                await workflow.ObjectionResolvedAsync(resolved.ApplicationId, new ObjectionResolution(resolved.ObjectionId, resolved.Upheld == true), ct);
                break;
            case CaseEvents.Decided:
                var decided = e.DataAs<DecisionEventData>();
                await cases.ApplyDecisionAsync(decided, ct);
                await workflow.DecidedAsync(decided.ApplicationId, new DecisionNotice(decided.Approved), ct);
                break;
        }
    }
}

/// <summary>The grant's life events (<c>assistance.granted</c>, <c>assistance.ended</c>): source and data.</summary>
public static class GrantEvents
{
    public const string Source = "/civilaffairs/assistance/grants";
}

/// <summary>
/// <c>data</c> of <c>assistance.granted</c> and <c>assistance.ended</c> (subject: the application id): the program, the household's
/// jurisdiction, the monthly allowance in yuan (0 when ended), the date the change takes effect (China) and why: <c>decided</c>
/// (the district's decision or re-verification) or <c>personDied</c> (the last member died).
/// </summary>
public sealed record GrantEventData(string ApplicationId, AssistanceProgram Program, string Jurisdiction, decimal MonthlyAllowance, DateOnly EffectiveOn, string Reason);
