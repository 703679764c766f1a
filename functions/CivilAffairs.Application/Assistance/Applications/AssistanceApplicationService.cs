using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Materials;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Assistance.Applications;

public sealed record MemberRequest(string? Name, string? IdNumber, Relationship? Relationship, bool? ConsentSigned, decimal? DeclaredMonthlyIncome, decimal? DeclaredFinancialAssets = null);

/// <summary>Body of <c>POST /api/assistance/applications</c>.</summary>
public sealed record ApplicationRequest(AssistanceProgram? Program, string? Jurisdiction, IReadOnlyList<MemberRequest>? Members, string? BankAccount = null);

/// <summary>Body of <c>POST .../{id}/accept</c> (optional).</summary>
public sealed record AcceptRequest(bool? MaterialsCheckedAtCounter);

/// <summary>A member as shown to callers (identifiers masked; the member reference is opaque).</summary>
public sealed record MemberView(string MemberRef, string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, string? PersonId);

public sealed record ApplicationView
{
    public required string Id { get; init; }
    public required AssistanceProgram Program { get; init; }
    public required string ProgramName { get; init; }
    public required ApplicationStatus Status { get; init; }
    public required string StatusName { get; init; }
    public required string Jurisdiction { get; init; }
    public required string JurisdictionName { get; init; }
    public required IReadOnlyList<MemberView> Members { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    /// <summary>The step the application waits on, with its legal deadline in working days.</summary>
    public StepDeadline? Deadline { get; init; }
    /// <summary>Payee account, masked.</summary>
    public string? BankAccount { get; init; }
    /// <summary>Monthly allowance once granted (yuan).</summary>
    public decimal? MonthlyAllowance { get; init; }
    public string? DecisionReason { get; init; }
}

/// <summary>A stored member, decrypted in memory only. <paramref name="DiedOn"/>: the member died and their part of the grant has
/// ended (the household's allowance was re-calculated without them; see <c>AssistanceDeathSubscriber</c>).</summary>
public sealed record StoredMember(string MemberRef, string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, decimal DeclaredMonthlyIncome, string IdIndex, string? PersonId, decimal DeclaredFinancialAssets = 0m, DateOnly? DiedOn = null);

/// <summary>One row of the staff worklist (no identifiers; the applicant's name masked).</summary>
public sealed record WorklistItem(string Id, AssistanceProgram Program, string ProgramName, ApplicationStatus Status, string StatusName,
    string Jurisdiction, string JurisdictionName, string? Applicant, int Members, DateTimeOffset SubmittedAt, StepDeadline? Deadline);

public sealed record WorklistPage(IReadOnlyList<WorklistItem> Items, string? ContinuationToken);

/// <summary>The worklist query of <c>GET /api/assistance/applications</c>.</summary>
public sealed record WorklistQuery(string? Division, string? Status, bool OverdueOnly, string? PageSize, string? ContinuationToken);

/// <summary>Assistance configuration (section <c>Assistance</c>).</summary>
public sealed class AssistanceOptions
{
    /// <summary>The city's minimum living standard, yuan per person per month.</summary>
    public decimal MinimumLivingStandard { get; set; } = ProgramCatalogue.GuangzhouMinimumLivingStandard;
    public CaseTimeLimits TimeLimits { get; set; } = CaseTimeLimits.Default;
}

/// <summary>The events an application records with its state changes (outbox, CloudEvents <c>type</c>s).</summary>
public static class ApplicationEvents
{
    public const string Source = "/civilaffairs/assistance/applications";
    /// <summary>A street office accepted the application: the case workflow starts.</summary>
    public const string Accepted = "assistance.application.accepted";
}

public sealed record ApplicationEventData(string ApplicationId);

/// <summary>
/// Assistance applications (<see cref="ApplicationRepository"/>): submission at any office for any address (无差别受理),
/// reading by the residence jurisdiction and, for citizens, their own household, the staff worklist, and acceptance.
/// <c>AssistanceMemberships</c> (PartitionKey = first two hex digits of a member's blind index, RowKey = the blind index)
/// guarantees that a person sits in at most one active household.
/// </summary>
public sealed class AssistanceApplicationService(ApplicationRepository repository, Tables tables, FieldCipher cipher, PersonIndex persons,
    DivisionDirectory divisions, AuditLog audit, IOptions<AssistanceOptions> options, TimeProvider clock)
{
    public IReadOnlyList<ProgramDefinition> Programs { get; } = ProgramCatalogue.Defaults(options.Value.MinimumLivingStandard);
    public ProgramDefinition Program(AssistanceProgram p) => Programs.Single(d => d.Program == p);
    public CaseTimeLimits Limits => options.Value.TimeLimits;

    /// <summary>Missing and out-of-jurisdiction look the same, so a caller cannot probe for applications.</summary>
    public static Problem NotFound() => Problem.NotFound("APPLICATION_NOT_FOUND", "申请不存在", "没有找到该申请，或您无权查看。");

    public async Task<Result<ApplicationView>> SubmitAsync(CallContext call, ApplicationRequest request)
    {
        var (caller, requestId, ct) = call;
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        if (request.Program is null) errors.Add(new FieldError("program", $"请选择救助项目：{string.Join("、", Enum.GetNames<AssistanceProgram>().Select(JsonNamingPolicy.CamelCase.ConvertName))}。"));
        if (divisions.Find(request.Jurisdiction) is not { Level: DivisionLevel.Community or DivisionLevel.Street })
            errors.Add(new FieldError("jurisdiction", "请填写居住地所在的街道或社区行政区划代码。"));
        var members = (request.Members ?? []).Select(m => new HouseholdMember(m.Name ?? "", m.IdNumber ?? "", m.Relationship ?? Relationship.Other, m.ConsentSigned ?? false, m.DeclaredMonthlyIncome ?? 0m, m.DeclaredFinancialAssets ?? 0m)).ToList();
        errors.AddRange(HouseholdRules.Validate(members, today));
        var bankAccount = request.BankAccount?.Replace(" ", "", StringComparison.Ordinal);
        if (request.Program is { } chosen && Program(chosen).Allowance != AllowanceRule.None && !IsBankAccount(bankAccount))
            errors.Add(new FieldError("bankAccount", "请填写用于发放救助金的申请人本人银行账号（12 到 30 位数字）。"));
        else if (bankAccount is { Length: > 0 } && !IsBankAccount(bankAccount))
            errors.Add(new FieldError("bankAccount", "银行账号须为 12 到 30 位数字。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var id = Ids.New(clock);
        var stored = new List<StoredMember>();
        for (var i = 0; i < members.Count; i++)
        {
            var normalized = IdNumber.Validate(members[i].IdNumber, today).Normalized;
            var index = persons.IndexOf(normalized);
            stored.Add(new StoredMember($"m{i + 1}", members[i].Name.Trim(), normalized, members[i].Relationship, members[i].ConsentSigned,
                members[i].DeclaredMonthlyIncome, index, await persons.PersonIdOfAsync(index, ct), members[i].DeclaredFinancialAssets));
        }
        var applicant = stored.Single(m => m.Relationship == Relationship.Applicant);
        if (caller.Role == Role.Citizen && (caller.PersonId is null || applicant.PersonId != caller.PersonId))
            return Problem.Forbidden("市民只能以本人作为申请人提交申请（请先完成实名认证）。");

        // One active household per person: claim every member. Staff learn at once that a member is taken (the claims are given
        // back); a citizen applying online is not told — that would reveal whether a stranger receives assistance — and the
        // office meets the conflict when it accepts the application.
        var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
        var claimed = new List<StoredMember>();
        var unclaimed = new List<string>();
        foreach (var m in stored)
        {
            if (await ClaimAsync(memberships, m, id, request.Program!.Value, ct))
            {
                claimed.Add(m);
                continue;
            }
            await audit.AppendAsync(caller, new AuditEvent("assistance.submit", AuditOutcome.Failed, m.IdIndex, Detail: "memberInActiveHousehold"), requestId, ct);
            if (caller.Role == Role.Citizen)
            {
                unclaimed.Add(m.MemberRef);
                continue;
            }
            foreach (var c in claimed) await memberships.DeleteEntityAsync(c.IdIndex[..2], c.IdIndex, ETag.All, ct);
            return MemberTaken(m);
        }

        // 一数一源: members the person index does not know yet are registered there, at the household's residence, so that
        // every later write about them (a death, another application) is checked against that jurisdiction. Staff register
        // them now, in their own jurisdiction; a citizen has no jurisdiction and chose the residence and the names, so what a
        // citizen declares is registered only when the residence street's officer accepts the application.
        if (caller.Role != Role.Citizen)
            stored = await RegisterUnknownMembersAsync(caller, stored, request.Jurisdiction!, requestId, ct);
        applicant = stored.Single(m => m.Relationship == Relationship.Applicant);

        var now = clock.GetUtcNow();
        var record = new ApplicationRecord
        {
            Id = id,
            Program = request.Program!.Value,
            Status = ApplicationStatus.Submitted,
            Jurisdiction = request.Jurisdiction!,
            ApplicantIndex = applicant.IdIndex,
            ApplicantPersonId = applicant.PersonId,
            MemberPersonIds = stored.Select(m => m.PersonId).OfType<string>().ToList(),
            MemberCount = stored.Count,
            MembersCipher = cipher.Encrypt(JsonSerializer.Serialize(stored, JsonDefaults.Options), MembersAad(id)),
            ApplicantNameMasked = Masking.MaskName(applicant.Name)!,
            BankAccountCipher = bankAccount is { Length: > 0 } ? cipher.Encrypt(bankAccount, BankAad(id)) : null,
            SubmittedAt = now,
            SubmittedBy = caller.Subject,
            SubmittedVia = caller.Role == Role.Citizen ? "online" : "counter",
            StepSince = now,
            UnclaimedMembers = unclaimed,
        };
        try
        {
            await repository.AddAsync(record, ct);
        }
        catch
        {
            // Nothing half-written: give the members' places back.
            foreach (var c in claimed) await memberships.DeleteEntityAsync(c.IdIndex[..2], c.IdIndex, ETag.All, CancellationToken.None);
            throw;
        }
        await audit.AppendAsync(caller, new AuditEvent("assistance.submit", AuditOutcome.Success, applicant.IdIndex, Detail: id), requestId, ct);
        return Result.Created(View(record, stored), $"/api/assistance/applications/{id}");
    }

    public async Task<Result<ApplicationView>> GetAsync(CallContext call, string id) =>
        (await FindForAsync(call, id, "assistance.read")).Map(found => View(found, MembersOf(found)));

    /// <summary>
    /// The application if the caller may see it (audited either way); otherwise <see cref="NotFound"/>. Other services of the
    /// area read through here, so every read of a case is checked and audited alike.
    /// </summary>
    public async Task<Result<ApplicationRecord>> FindForAsync(CallContext call, string id, string action)
    {
        var (caller, requestId, ct) = call;
        var record = await repository.GetAsync(id, ct);
        if (record is null) return NotFound();
        if (!AccessPolicy.InScope(caller, record.Scope))
        {
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, record.ApplicantIndex, Detail: "outOfScope"), requestId, ct);
            return NotFound();
        }
        if (action == "assistance.read")
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Success, record.ApplicantIndex, Detail: id), requestId, ct);
        return Result.Ok(record);
    }

    /// <summary>
    /// A street officer of the residence street accepts the application. Materials must be complete (checked against the
    /// program's catalogue entry) unless the officer has seen the originals at the counter. The acceptance is written with its
    /// event, which starts the case workflow (verification, publicity, decision): 202 with where to follow it.
    /// </summary>
    public async Task<Result<ApplicationView>> AcceptAsync(CallContext call, string id, AcceptRequest? request, MaterialService materials)
    {
        var (caller, requestId, ct) = call;
        var found = await FindForAsync(call, id, "assistance.accept");
        if (found.Problem is { } problem) return problem;
        var record = found.Value!;
        if (record.Status != ApplicationStatus.Submitted)
            return Problem.Conflict("APPLICATION_NOT_SUBMITTED", "申请状态冲突", "只有待受理的申请才能受理。");
        if (record.UnclaimedMembers.Count > 0)
        {
            var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
            foreach (var m in MembersOf(record).Where(m => record.UnclaimedMembers.Contains(m.MemberRef)))
                if (!await ClaimAsync(memberships, m, id, record.Program, ct)) return MemberTaken(m);
        }
        var atCounter = request?.MaterialsCheckedAtCounter == true;
        if (!atCounter)
        {
            var missing = await materials.FindingsAsync(id, Program(record.Program), ct);
            if (missing.Count > 0)
                return Problem.Invalid(missing.Select(f => new FieldError($"materials.{f.Item}", f.Reason + f.Remedy)).ToList(),
                    "以下材料缺少或不符合要求，请补齐后再受理（或当面核验原件后注明 materialsCheckedAtCounter）。", "MATERIALS_INCOMPLETE", "材料不齐全");
        }
        // Members declared online and unknown to the person index are registered now, by the officer, at the residence.
        var members = MembersOf(record);
        var registered = members.Any(m => m.PersonId is null)
            ? await RegisterUnknownMembersAsync(caller, members.ToList(), record.Jurisdiction, requestId, ct)
            : null;
        var now = clock.GetUtcNow();
        var (moved, changed) = await repository.UpdateAsync(id,
            r =>
            {
                if (r.Status != ApplicationStatus.Submitted) return null;
                var accepted = r with { Status = ApplicationStatus.Accepted, AcceptedAt = now, AcceptedBy = caller.Subject, StepSince = now, MaterialsCheckedAtCounter = atCounter, UnclaimedMembers = [] };
                return registered is null ? accepted : accepted with
                {
                    MemberPersonIds = registered.Select(m => m.PersonId).OfType<string>().ToList(),
                    MembersCipher = cipher.Encrypt(JsonSerializer.Serialize(registered, JsonDefaults.Options), MembersAad(id)),
                    ApplicantPersonId = registered.Single(m => m.Relationship == Relationship.Applicant).PersonId,
                };
            },
            _ => [new PendingEvent(ApplicationEvents.Source, ApplicationEvents.Accepted, id, new ApplicationEventData(id))], ct);
        if (!changed) return Problem.Conflict("CONCURRENT_UPDATE", "申请状态冲突", "申请已被他人处理，请刷新后重试。");
        await audit.AppendAsync(caller, new AuditEvent("assistance.accept", AuditOutcome.Success, record.ApplicantIndex, Detail: id), requestId, ct);
        return Result.Accepted(View(moved!, MembersOf(moved!)), $"/api/assistance/applications/{id}/verification");
    }

    /// <summary>
    /// Moves an application to <paramref name="to"/> if it is in one of <paramref name="from"/> and the case workflow allows
    /// it, applying <paramref name="update"/>; gives the members' places back when the case ends. Idempotent: an application
    /// already in <paramref name="to"/> is returned as is. Null when it is in another state.
    /// </summary>
    public async Task<ApplicationRecord?> MoveAsync(string id, IReadOnlyCollection<ApplicationStatus> from, ApplicationStatus to,
        Func<ApplicationRecord, ApplicationRecord>? update, CancellationToken ct, Func<ApplicationRecord, IReadOnlyList<PendingEvent>>? events = null)
    {
        var alreadyThere = false;
        var (record, changed) = await repository.UpdateAsync(id, r =>
        {
            alreadyThere = r.Status == to && !from.Contains(to);
            if (alreadyThere || !from.Contains(r.Status) || !CaseWorkflow.CanMove(r.Status, to)) return null;
            var next = r with { Status = to };
            return update is null ? next : update(next);
        }, events, ct);
        if (record is null || !changed && !alreadyThere) return null;
        if (changed && !CaseWorkflow.IsActive(to)) await ReleaseMembersAsync(record, ct);
        return record;
    }

    /// <summary>Updates an application without changing its state.</summary>
    public async Task<ApplicationRecord> UpdateAsync(string id, Func<ApplicationRecord, ApplicationRecord> update, CancellationToken ct) =>
        (await repository.UpdateAsync(id, update, null, ct)).Record ?? throw new InvalidOperationException($"Application {id} not found.");

    public Task<ApplicationRecord?> RecordAsync(string id, CancellationToken ct) => repository.GetAsync(id, ct);

    /// <summary>For verification and payments: the decrypted members (never leaves the application layer).</summary>
    public async Task<IReadOnlyList<StoredMember>> MembersAsync(string id, CancellationToken ct) =>
        MembersOf(await repository.GetAsync(id, ct) ?? throw new InvalidOperationException($"Application {id} not found."));

    /// <summary>Registers the members the person index does not know, at <paramref name="jurisdiction"/>, by <paramref name="caller"/>.</summary>
    async Task<List<StoredMember>> RegisterUnknownMembersAsync(Caller caller, List<StoredMember> members, string jurisdiction, string requestId, CancellationToken ct)
    {
        for (var i = 0; i < members.Count; i++)
            if (members[i].PersonId is null)
                members[i] = members[i] with
                {
                    PersonId = await persons.ImportAsync(caller, Ids.New(clock),
                        new PersonRegistration { Name = members[i].Name, IdNumber = members[i].IdNumber, Jurisdiction = jurisdiction }, requestId, ct),
                };
        return members;
    }

    /// <summary>The members encrypted for the record (bound to the application id), after a change to them.</summary>
    public string EncryptMembers(string applicationId, IReadOnlyList<StoredMember> members) =>
        cipher.Encrypt(JsonSerializer.Serialize(members, JsonDefaults.Options), MembersAad(applicationId));

    public IReadOnlyList<StoredMember> MembersOf(ApplicationRecord r) =>
        JsonSerializer.Deserialize<List<StoredMember>>(cipher.Decrypt(r.MembersCipher, MembersAad(r.Id)), JsonDefaults.Options)!;

    /// <summary>The staff worklist: applications in the caller's jurisdiction (or a division under it), paged, with deadlines.</summary>
    public async Task<Result<WorklistPage>> WorklistAsync(CallContext call, WorklistQuery query)
    {
        var (caller, _, ct) = call;
        var errors = new List<FieldError>();
        ApplicationStatus? status = null;
        if (query.Status is { Length: > 0 } s)
        {
            if (Enum.TryParse<ApplicationStatus>(s, ignoreCase: true, out var parsed) && !int.TryParse(s, out _)) status = parsed;
            else errors.Add(new FieldError("status", $"状态无效，可选：{string.Join("、", Enum.GetNames<ApplicationStatus>().Select(JsonNamingPolicy.CamelCase.ConvertName))}。"));
        }
        if (query.Division is { } d && (d.Length is not (6 or 9 or 12) || !d.All(char.IsAsciiDigit)))
            errors.Add(new FieldError("division", "行政区划代码须为 6、9 或 12 位数字。"));
        var pageSize = 20;
        if (query.PageSize is { Length: > 0 } ps && (!int.TryParse(ps, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > 100))
            errors.Add(new FieldError("pageSize", "每页条数须为 1 到 100。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var scope = query.Division ?? caller.Jurisdiction ?? "";
        if (!Jurisdiction.IsWellFormed(scope) || !AccessPolicy.InScope(caller, new ResourceScope(scope)))
            return Problem.OutOfJurisdiction("所查询的行政区划不在您的管辖范围内。");
        var today = ChinaTime.Today(clock);
        var (rows, next) = await repository.WorklistPageAsync(scope, status, pageSize, query.ContinuationToken, ct);
        var items = rows.Select(e => WorklistItemOf(e, today)).Where(i => !query.OverdueOnly || i.Deadline?.Overdue == true).ToList();
        return Result.Ok(new WorklistPage(items, next));
    }

    WorklistItem WorklistItemOf(WorklistRow r, DateOnly today) =>
        new(r.Id, r.Program, Program(r.Program).Name, r.Status, CaseWorkflow.NameOf(r.Status), r.Jurisdiction, divisions.FullName(r.Jurisdiction),
            r.ApplicantNameMasked, r.MemberCount, r.SubmittedAt, DeadlineOf(r.Status, r.StepSince, today));

    StepDeadline? DeadlineOf(ApplicationStatus status, DateTimeOffset? stepSince, DateOnly today) =>
        stepSince is { } since ? CaseWorkflow.Deadline(status, ChinaTime.DateOf(since), today, Limits, HolidayCalendar.Default) : null;

    /// <summary>Claims the member's place for this application; false when another active application holds it.</summary>
    static async Task<bool> ClaimAsync(TableClient memberships, StoredMember m, string applicationId, AssistanceProgram program, CancellationToken ct)
    {
        try
        {
            await memberships.AddEntityAsync(new TableEntity(m.IdIndex[..2], m.IdIndex) { ["ApplicationId"] = applicationId, ["Program"] = program.ToString() }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var holder = await memberships.GetEntityIfExistsAsync<TableEntity>(m.IdIndex[..2], m.IdIndex, cancellationToken: ct);
            return holder.HasValue && holder.Value!.GetString("ApplicationId") == applicationId;
        }
    }

    static Problem MemberTaken(StoredMember m) =>
        Problem.Conflict("MEMBER_IN_ACTIVE_HOUSEHOLD", "申请状态冲突", $"家庭成员 {Masking.MaskName(m.Name)} 已在另一个在办的救助申请家庭中，不能重复申请。");

    async Task ReleaseMembersAsync(ApplicationRecord record, CancellationToken ct)
    {
        var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
        foreach (var m in MembersOf(record))
        {
            var claim = await memberships.GetEntityIfExistsAsync<TableEntity>(m.IdIndex[..2], m.IdIndex, cancellationToken: ct);
            if (claim.HasValue && claim.Value!.GetString("ApplicationId") == record.Id)
                await memberships.DeleteEntityAsync(m.IdIndex[..2], m.IdIndex, claim.Value.ETag, ct);
        }
    }

    /// <summary>The payee account (decrypted; for the bank file only).</summary>
    public string? BankAccountOf(ApplicationRecord r) => r.BankAccountCipher is { } token ? cipher.Decrypt(token, BankAad(r.Id)) : null;

    static bool IsBankAccount(string? s) => s is { Length: >= 12 and <= 30 } && s.All(char.IsAsciiDigit);

    static string BankAad(string applicationId) => $"assistance/{applicationId}/bankAccount";

    static string MembersAad(string applicationId) => $"assistance/{applicationId}/members";

    public ApplicationView View(ApplicationRecord r, IReadOnlyList<StoredMember> members) => new()
    {
        Id = r.Id,
        Program = r.Program,
        ProgramName = Program(r.Program).Name,
        Status = r.Status,
        StatusName = CaseWorkflow.NameOf(r.Status),
        Jurisdiction = r.Jurisdiction,
        JurisdictionName = divisions.FullName(r.Jurisdiction),
        Members = members.Select(m => new MemberView(m.MemberRef, Masking.MaskName(m.Name)!, Masking.MaskIdNumber(m.IdNumber)!, m.Relationship, m.ConsentSigned, m.PersonId)).ToList(),
        SubmittedAt = r.SubmittedAt,
        AcceptedAt = r.AcceptedAt,
        VerifiedAt = r.VerifiedAt,
        DecidedAt = r.DecidedAt,
        Deadline = DeadlineOf(r.Status, r.StepSince, ChinaTime.Today(clock)),
        BankAccount = Masking.MaskBankAccount(BankAccountOf(r)),
        MonthlyAllowance = r.MonthlyAllowance,
        DecisionReason = r.DecisionReason,
    };
}
