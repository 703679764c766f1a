using System.Globalization;
using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Assistance;

/// <summary>Body of <c>POST .../{id}/decision</c>.</summary>
public sealed record DecisionRequest(bool? Approve, string? Reason);

/// <summary>Body of <c>POST .../{id}/objections</c>.</summary>
public sealed record ObjectionRequest(string? Reason);

/// <summary>Body of <c>POST .../{id}/objections/{objectionId}/resolution</c>.</summary>
public sealed record ResolutionRequest(bool? Upheld, string? Note);

public sealed record ObjectionView(string Id, string ApplicationId, DateTimeOffset RaisedAt, bool Open, bool? Upheld);

public abstract record CaseOutcome
{
    public sealed record NotFound : CaseOutcome;
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : CaseOutcome;
    public sealed record Conflict(string Code, string Detail) : CaseOutcome;
    public sealed record Done(object View) : CaseOutcome;
}

/// <summary>
/// The assistance case after acceptance: starts the durable case process, and holds the steps its activities and the
/// staff take — verification rounds, the publicity (公示) with objections, the district decision and the grant — each
/// moving the application through <see cref="CaseWorkflow"/> and notifying the applicant.
/// </summary>
public sealed class AssistanceCases(
    AssistanceApplications applications,
    PartnerCatalogue catalogue,
    Tables tables,
    FieldCipher cipher,
    NotificationService notifications,
    AuditLog audit,
    IOptions<VerificationOptions> verification,
    IOptions<CaseOptions> options,
    TimeProvider clock)
{
    /// <summary>Starts the case process of an accepted application (idempotent by instance id).</summary>
    public async Task StartAsync(DurableTaskClient durable, string applicationId, CancellationToken ct)
    {
        var instanceId = CaseNames.InstanceId(applicationId);
        if (await durable.GetInstanceAsync(instanceId, ct) is not null) return;
        await durable.ScheduleNewOrchestrationInstanceAsync(CaseNames.Orchestrator,
            new CaseInput(applicationId, 1, verification.Value.DeadlineSeconds, options.Value.PublicitySeconds, options.Value.ReverificationSeconds),
            new StartOrchestrationOptions(InstanceId: instanceId), ct);
    }

    // ---- Activities ----

    /// <summary>Opens verification round <paramref name="round"/>; null when the case is no longer active (nothing to verify).</summary>
    public async Task<VerificationInput?> BeginVerificationAsync(string applicationId, int round, int? deadlineSeconds, CancellationToken ct)
    {
        var instanceId = CaseNames.InstanceId(applicationId);
        TableEntity? entity;
        if (round == 1)
            entity = await applications.MoveAsync(applicationId, [ApplicationStatus.Accepted], ApplicationStatus.Verifying, e =>
            {
                e["VerificationInstance"] = instanceId;
                e["VerificationRoundStarted"] = round;
            }, ct);
        else
        {
            entity = await applications.EntityAsync(applicationId, ct);
            if (entity?.GetString("Status") != nameof(ApplicationStatus.Granted)) return null;
            entity = await applications.UpdateAsync(applicationId, e =>
            {
                e["VerificationInstance"] = instanceId;
                e["VerificationRoundStarted"] = round;
            }, ct);
        }
        if (entity is null) return null;
        var program = applications.Program(AssistanceApplications.ProgramOf(entity));
        var members = await applications.MembersAsync(applicationId, ct);
        // Each unit's own deadline from the catalogue, unless configuration overrides all of them (demo, tests).
        var units = program.NeedsEconomicVerification
            ? catalogue.Units.Select(u => new UnitDeadline(u.Code, deadlineSeconds ?? (int)u.ReplyDeadline.TotalSeconds)).ToList()
            : [];
        await audit.AppendAsync(null, new AuditEvent("assistance.verificationRequested", AuditOutcome.Success, entity.GetString("ApplicantIndex"),
            AccessPurpose.EligibilityReview, $"{applicationId} round {round}: {units.Count} units × {members.Count} members"), instanceId, ct);
        if (round == 1)
            await NotifyAsync(entity, "verifying", "申请已受理", $"您的{program.Name}申请已受理，正在进行家庭经济状况核对。", ct);
        return new VerificationInput(applicationId, round, members.Select(m => m.MemberRef).ToList(), units);
    }

    /// <summary>
    /// After a verification round: a first round that found the household eligible enters the publicity ending at
    /// <c>PublicityEndsAt</c>; an ineligible one goes to the district with the per-rule reasons. Later rounds keep
    /// an eligible grant (with the allowance recomputed) or send it back to the district. Returns the next step.
    /// </summary>
    public async Task<string> AfterVerificationAsync(AfterVerificationInput input, CancellationToken ct)
    {
        var entity = await applications.EntityAsync(input.ApplicationId, ct) ?? throw new InvalidOperationException("Application missing.");
        var program = applications.Program(AssistanceApplications.ProgramOf(entity));
        var now = clock.GetUtcNow();
        if (input.Round == 1 && input.Outcome == DecisionOutcome.Eligible)
        {
            var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Verifying], ApplicationStatus.Publicity, e =>
            {
                e["PublicityStartedAt"] = now;
                e["PublicityEndsAt"] = input.PublicityEndsAt;
            }, ct);
            if (moved is null) return "closed";
            await NotifyAsync(moved, "publicity", "核对通过，进入公示", $"您家庭的经济状况核对结果符合{program.Name}条件，现予以公示（公示期 7 天，期间任何人可提出异议）。", ct);
            return "publicity";
        }
        if (input.Round == 1)
        {
            var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Verifying], ApplicationStatus.AwaitingDecision, e => e["StepSince"] = now, ct);
            if (moved is null) return "closed";
            await NotifyAsync(moved, "review", "核对完成，待区民政部门审核", $"家庭经济状况核对已完成，核对结果不符合{program.Name}条件，已报区民政部门审核确认。", ct);
            return "decision";
        }
        if (input.Outcome == DecisionOutcome.Eligible)
        {
            var grant = await ApplyGrantAsync(input.ApplicationId, ct);
            await NotifyAsync(grant, $"reverified-{input.Round}", "复核通过", $"{program.Name}定期复核通过，每月救助金 {Money(grant)} 元。", ct);
            return "continue";
        }
        var review = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Granted], ApplicationStatus.AwaitingDecision, e => e["StepSince"] = now, ct);
        if (review is null) return "closed";
        await SetGrantActiveAsync(review, false, ct);
        await NotifyAsync(review, $"reverify-review-{input.Round}", "复核结果待审核", $"{program.Name}定期复核结果不再符合条件，已报区民政部门审核确认，审核期间暂停发放。", ct);
        return "decision";
    }

    public async Task PausePublicityAsync(PauseInput input, CancellationToken ct)
    {
        var moved = await applications.MoveAsync(input.ApplicationId, [ApplicationStatus.Publicity], ApplicationStatus.PublicityPaused, null, ct);
        if (moved is not null)
            await NotifyAsync(moved, $"paused-{input.ObjectionId}", "公示暂停", "公示期间收到异议，公示暂停，待街道核实后继续。", ct);
    }

    public Task ResumePublicityAsync(PublicityInput input, CancellationToken ct) =>
        applications.MoveAsync(input.ApplicationId, [ApplicationStatus.PublicityPaused], ApplicationStatus.Publicity, e => e["PublicityEndsAt"] = input.EndsAt, ct);

    public async Task EndPublicityAsync(string applicationId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var moved = await applications.MoveAsync(applicationId, [ApplicationStatus.Publicity], ApplicationStatus.AwaitingDecision, e =>
        {
            e["StepSince"] = now;
            e["PublicityEndedAt"] = now;
        }, ct);
        if (moved is not null)
            await NotifyAsync(moved, "publicity-ended", "公示期满", "公示期满，已报区民政部门审核确认。", ct);
    }

    // ---- Staff and public steps ----

    /// <summary>An objection during the publicity: from any resident (the publicity is public) or staff of the area. Pauses the publicity.</summary>
    public async Task<CaseOutcome> RaiseObjectionAsync(Caller caller, string applicationId, ObjectionRequest request, DurableTaskClient durable, string requestId, CancellationToken ct)
    {
        var entity = await applications.EntityAsync(applicationId, ct);
        if (entity is null || caller.IsStaff && !AccessPolicy.InScope(caller, AssistanceApplications.Scope(entity))) return new CaseOutcome.NotFound();
        var status = Enum.Parse<ApplicationStatus>(entity.GetString("Status"));
        if (status is not (ApplicationStatus.Publicity or ApplicationStatus.PublicityPaused))
            // Citizens may only see that an application is in publicity; anything else is not theirs to know.
            return caller.IsStaff ? new CaseOutcome.Conflict("NOT_IN_PUBLICITY", "该申请不在公示期内，不能提出异议。") : new CaseOutcome.NotFound();
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 5 and <= 1000 })
            return new CaseOutcome.Invalid([new FieldError("reason", "请写明异议的事实和理由（5 到 1000 字）。")]);
        var id = Ids.New(clock);
        var table = await tables.GetAsync(TableNames.AssistanceObjections, ct);
        var now = clock.GetUtcNow();
        await table.AddEntityAsync(new TableEntity(applicationId, id)
        {
            ["Reason"] = cipher.Encrypt(reason, $"assistance/{applicationId}/objection/{id}"),
            ["RaisedBy"] = caller.Subject,
            ["RaisedAt"] = now,
            ["Open"] = true,
        }, ct);
        await audit.AppendAsync(caller, new AuditEvent("assistance.objection", AuditOutcome.Success, entity.GetString("ApplicantIndex"), Detail: $"{applicationId}/{id}"), requestId, ct);
        await durable.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.ObjectionEvent, new ObjectionNotice(id), ct);
        return new CaseOutcome.Done(new ObjectionView(id, applicationId, now, true, null));
    }

    /// <summary>The street office records its finding on an objection; the publicity resumes when none is open.</summary>
    public async Task<CaseOutcome> ResolveObjectionAsync(Caller caller, string applicationId, string objectionId, ResolutionRequest request, DurableTaskClient durable, string requestId, CancellationToken ct)
    {
        var entity = await applications.EntityAsync(applicationId, ct);
        if (entity is null || !AccessPolicy.InScope(caller, AssistanceApplications.Scope(entity))) return new CaseOutcome.NotFound();
        var table = await tables.GetAsync(TableNames.AssistanceObjections, ct);
        var found = Ids.TryParse(objectionId, out _) ? await table.GetEntityIfExistsAsync<TableEntity>(applicationId, objectionId, cancellationToken: ct) : null;
        if (found is not { HasValue: true }) return new CaseOutcome.NotFound();
        var row = found.Value!;
        if (row.GetBoolean("Open") != true) return new CaseOutcome.Conflict("OBJECTION_RESOLVED", "该异议已核实办结。");
        var errors = new List<FieldError>();
        if (request.Upheld is null) errors.Add(new FieldError("upheld", "请说明异议是否成立（true/false）。"));
        if (request.Note?.Trim() is not { Length: >= 2 and <= 1000 }) errors.Add(new FieldError("note", "请填写核实情况（2 到 1000 字）。"));
        if (errors.Count > 0) return new CaseOutcome.Invalid(errors);
        row["Open"] = false;
        row["Upheld"] = request.Upheld!.Value;
        row["Note"] = cipher.Encrypt(request.Note!.Trim(), $"assistance/{applicationId}/objection/{objectionId}/note");
        row["ResolvedBy"] = caller.Subject;
        row["ResolvedAt"] = clock.GetUtcNow();
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(caller, new AuditEvent("assistance.objectionResolved", AuditOutcome.Success, entity.GetString("ApplicantIndex"), Detail: $"{applicationId}/{objectionId}"), requestId, ct);
        await durable.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.ResolutionEvent, new ObjectionResolution(objectionId, request.Upheld.Value), ct);
        return new CaseOutcome.Done(new ObjectionView(objectionId, applicationId, row.GetDateTimeOffset("RaisedAt")!.Value, false, request.Upheld));
    }

    /// <summary>
    /// The district civil-affairs bureau decides (审核确认): approve (the grant starts, allowance by the program's rule) or
    /// reject with reasons (the failed eligibility rules are quoted). Only an approver whose district contains the address.
    /// </summary>
    public async Task<CaseOutcome> DecideAsync(Caller caller, string applicationId, DecisionRequest request, DurableTaskClient durable, string requestId, CancellationToken ct)
    {
        var entity = await applications.EntityAsync(applicationId, ct);
        if (entity is null || !AccessPolicy.InScope(caller, AssistanceApplications.Scope(entity)))
        {
            if (entity is not null) await audit.AppendAsync(caller, new AuditEvent("assistance.decide", AuditOutcome.Denied, entity.GetString("ApplicantIndex"), Detail: "outOfScope"), requestId, ct);
            return new CaseOutcome.NotFound();
        }
        var errors = new List<FieldError>();
        if (request.Approve is null) errors.Add(new FieldError("approve", "请选择批准（true）或不予批准（false）。"));
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 2 and <= 1000 }) errors.Add(new FieldError("reason", "请填写审核意见（2 到 1000 字）。"));
        if (errors.Count > 0) return new CaseOutcome.Invalid(errors);
        if (entity.GetString("Status") != nameof(ApplicationStatus.AwaitingDecision))
            return new CaseOutcome.Conflict("NOT_AWAITING_DECISION", "该申请当前不在待审核确认环节。");

        var program = applications.Program(AssistanceApplications.ProgramOf(entity));
        var decision = VerificationService.DecisionOf(entity);
        var reverification = (entity.GetInt32("VerificationRound") ?? 1) > 1;
        var now = clock.GetUtcNow();
        TableEntity? moved;
        if (request.Approve == true)
        {
            moved = await applications.MoveAsync(applicationId, [ApplicationStatus.AwaitingDecision], ApplicationStatus.Granted, e =>
            {
                e["DecidedAt"] = now;
                e["DecidedBy"] = caller.Subject;
                e["DecisionReason"] = reason;
            }, ct);
            if (moved is null) return new CaseOutcome.Conflict("CONCURRENT_UPDATE", "申请已被他人处理，请刷新后重试。");
            moved = await ApplyGrantAsync(applicationId, ct);
            await NotifyAsync(moved, reverification ? $"continued-{entity.GetInt32("VerificationRound")}" : "granted", "申请已批准",
                $"您的{program.Name}申请已批准，每月救助金 {Money(moved)} 元，按月发放至登记的银行账户。", ct);
        }
        else
        {
            var failed = decision?.Rules.Where(r => !r.Passed).Select(r => $"{r.Label}（核对值 {r.Value:0.##}，标准 {r.Operator} {r.Threshold:0.##}）").ToList() ?? [];
            var full = failed.Count > 0 ? $"{reason}。不符合的条件：{string.Join("；", failed)}" : reason!;
            var target = reverification ? ApplicationStatus.Ended : ApplicationStatus.Rejected;
            moved = await applications.MoveAsync(applicationId, [ApplicationStatus.AwaitingDecision], target, e =>
            {
                e["DecidedAt"] = now;
                e["DecidedBy"] = caller.Subject;
                e["DecisionReason"] = full;
            }, ct);
            if (moved is null) return new CaseOutcome.Conflict("CONCURRENT_UPDATE", "申请已被他人处理，请刷新后重试。");
            await SetGrantActiveAsync(moved, false, ct);
            await NotifyAsync(moved, reverification ? $"ended-{entity.GetInt32("VerificationRound")}" : "rejected",
                reverification ? "救助已终止" : "申请未获批准", (reverification ? "经复核，救助终止。" : $"您的{program.Name}申请未获批准。") + full, ct);
        }
        await audit.AppendAsync(caller, new AuditEvent("assistance.decide", AuditOutcome.Success, entity.GetString("ApplicantIndex"), AccessPurpose.EligibilityReview,
            $"{applicationId}: {(request.Approve == true ? "approved" : "rejected")}"), requestId, ct);
        await durable.RaiseEventAsync(CaseNames.InstanceId(applicationId), CaseNames.DecisionEvent, new DecisionNotice(request.Approve == true), ct);
        var members = await applications.MembersAsync(applicationId, ct);
        return new CaseOutcome.Done(applications.View(moved, members));
    }

    /// <summary>Computes the monthly allowance from the latest report and writes the grant row the monthly payments read.</summary>
    async Task<TableEntity> ApplyGrantAsync(string applicationId, CancellationToken ct)
    {
        var entity = await applications.EntityAsync(applicationId, ct) ?? throw new InvalidOperationException("Application missing.");
        var program = applications.Program(AssistanceApplications.ProgramOf(entity));
        var income = decimal.Parse(entity.GetString("IncomePerCapita") ?? "0", CultureInfo.InvariantCulture);
        var members = entity.GetInt32("MemberCount") ?? 1;
        var amount = Allowances.Monthly(program, income, members);
        entity = await applications.UpdateAsync(applicationId, e => e["MonthlyAllowance"] = amount.ToString("0.00", CultureInfo.InvariantCulture), ct);
        await SetGrantActiveAsync(entity, true, ct);
        return entity;
    }

    async Task SetGrantActiveAsync(TableEntity application, bool active, CancellationToken ct)
    {
        var grants = await tables.GetAsync(TableNames.AssistanceGrants, ct);
        var district = application.GetString("Jurisdiction")[..6];
        var row = new TableEntity(district, application.PartitionKey)
        {
            ["Program"] = application.GetString("Program"),
            ["Active"] = active,
            ["MonthlyAllowance"] = application.GetString("MonthlyAllowance"),
            ["UpdatedAt"] = clock.GetUtcNow(),
        };
        if (active && (await grants.GetEntityIfExistsAsync<TableEntity>(district, application.PartitionKey, cancellationToken: ct)) is not { HasValue: true })
            row["GrantedAt"] = clock.GetUtcNow();
        await grants.UpsertEntityAsync(row, TableUpdateMode.Merge, ct);
    }

    Task NotifyAsync(TableEntity application, string step, string title, string body, CancellationToken ct) =>
        notifications.NotifyAsync(application.GetString("ApplicantPersonId"),
            new Notification($"{application.PartitionKey}.{step}", "assistance", title, body, $"/api/assistance/applications/{application.PartitionKey}"), ct);

    static string Money(TableEntity e) => e.GetString("MonthlyAllowance") ?? "0.00";
}
