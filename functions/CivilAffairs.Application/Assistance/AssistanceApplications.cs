using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Assistance;

public sealed record MemberRequest(string? Name, string? IdNumber, Relationship? Relationship, bool? ConsentSigned, decimal? DeclaredMonthlyIncome, decimal? DeclaredFinancialAssets = null);

/// <summary>Body of <c>POST /api/assistance/applications</c>.</summary>
public sealed record ApplicationRequest(AssistanceProgram? Program, string? Jurisdiction, IReadOnlyList<MemberRequest>? Members, string? BankAccount = null);

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

/// <summary>A stored member, decrypted in memory only.</summary>
public sealed record StoredMember(string MemberRef, string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, decimal DeclaredMonthlyIncome, string IdIndex, string? PersonId, decimal DeclaredFinancialAssets = 0m);

/// <summary>One row of the staff worklist (no identifiers; the applicant's name masked).</summary>
public sealed record WorklistItem(string Id, AssistanceProgram Program, string ProgramName, ApplicationStatus Status, string StatusName,
    string Jurisdiction, string JurisdictionName, string? Applicant, int Members, DateTimeOffset SubmittedAt, StepDeadline? Deadline);

public sealed record WorklistPage(IReadOnlyList<WorklistItem> Items, string? ContinuationToken, bool Forbidden = false);

/// <summary>Assistance configuration (section <c>Assistance</c>).</summary>
public sealed class AssistanceOptions
{
    /// <summary>The city's minimum living standard, yuan per person per month.</summary>
    public decimal MinimumLivingStandard { get; set; } = ProgramCatalogue.GuangzhouMinimumLivingStandard;
    public CaseTimeLimits TimeLimits { get; set; } = CaseTimeLimits.Default;
}

public abstract record ApplicationOutcome
{
    public sealed record Invalid(IReadOnlyList<FieldError> Errors, string Code = "VALIDATION_FAILED") : ApplicationOutcome;
    public sealed record Conflict(string Code, string Detail) : ApplicationOutcome;
    public sealed record NotFound : ApplicationOutcome;
    public sealed record Forbidden(string Detail) : ApplicationOutcome;
    public sealed record Ok(ApplicationView View) : ApplicationOutcome;
}

/// <summary>
/// Assistance applications. Table <c>AssistanceApplications</c> (PartitionKey = application id);
/// members are stored as one SM4-GCM encrypted document bound to the application id.
/// <c>AssistanceMemberships</c> (PartitionKey = first two hex digits of a member's blind index,
/// RowKey = the blind index) guarantees that a person sits in at most one active household.
/// Submission is possible at any office for any address (无差别受理); reading follows the
/// residence jurisdiction and, for citizens, their own household.
/// </summary>
public sealed class AssistanceApplications(Tables tables, FieldCipher cipher, PersonIndex persons, DivisionDirectory divisions, AuditLog audit,
    IOptions<AssistanceOptions> options, TimeProvider clock)
{
    public IReadOnlyList<ProgramDefinition> Programs { get; } = ProgramCatalogue.Defaults(options.Value.MinimumLivingStandard);
    public ProgramDefinition Program(AssistanceProgram p) => Programs.Single(d => d.Program == p);
    public CaseTimeLimits Limits => options.Value.TimeLimits;

    public async Task<ApplicationOutcome> SubmitAsync(Caller caller, ApplicationRequest request, string requestId, CancellationToken ct)
    {
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
        if (errors.Count > 0) return new ApplicationOutcome.Invalid(errors);

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
            return new ApplicationOutcome.Forbidden("市民只能以本人作为申请人提交申请（请先完成实名认证）。");

        // One active household per person: claim every member, release the claims if any is taken.
        var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
        var claimed = new List<StoredMember>();
        foreach (var m in stored)
        {
            try
            {
                await memberships.AddEntityAsync(new TableEntity(m.IdIndex[..2], m.IdIndex) { ["ApplicationId"] = id, ["Program"] = request.Program!.Value.ToString() }, ct);
                claimed.Add(m);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                foreach (var c in claimed) await memberships.DeleteEntityAsync(c.IdIndex[..2], c.IdIndex, ETag.All, ct);
                await audit.AppendAsync(caller, new AuditEvent("assistance.submit", AuditOutcome.Failed, m.IdIndex, Detail: "memberInActiveHousehold"), requestId, ct);
                return new ApplicationOutcome.Conflict("MEMBER_IN_ACTIVE_HOUSEHOLD", $"家庭成员 {Masking.MaskName(m.Name)} 已在另一个在办的救助申请家庭中，不能重复申请。");
            }
        }

        var now = clock.GetUtcNow();
        var entity = new TableEntity(id, "application")
        {
            ["Program"] = request.Program!.Value.ToString(),
            ["Status"] = nameof(ApplicationStatus.Submitted),
            ["Jurisdiction"] = request.Jurisdiction,
            ["ApplicantIndex"] = applicant.IdIndex,
            ["ApplicantPersonId"] = applicant.PersonId,
            ["MemberPersonIds"] = string.Join(",", stored.Select(m => m.PersonId).OfType<string>()),
            ["MemberCount"] = stored.Count,
            ["Members"] = cipher.Encrypt(JsonSerializer.Serialize(stored, JsonDefaults.Options), Aad(id)),
            ["SubmittedAt"] = now,
            ["SubmittedBy"] = caller.Subject,
            ["SubmittedVia"] = caller.Role == Role.Citizen ? "online" : "counter",
            ["StepSince"] = now,
            ["ApplicantNameMasked"] = Masking.MaskName(applicant.Name),
        };
        if (bankAccount is { Length: > 0 }) entity["BankAccount"] = cipher.Encrypt(bankAccount, BankAad(id));
        var applications = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        try
        {
            await applications.AddEntityAsync(entity, ct);
            await IndexAsync(entity, ct);
        }
        catch
        {
            // Nothing half-written: give the members' places back.
            foreach (var c in claimed) await memberships.DeleteEntityAsync(c.IdIndex[..2], c.IdIndex, ETag.All, CancellationToken.None);
            throw;
        }
        await audit.AppendAsync(caller, new AuditEvent("assistance.submit", AuditOutcome.Success, applicant.IdIndex, Detail: id), requestId, ct);
        return new ApplicationOutcome.Ok(View(entity, stored));
    }

    public async Task<ApplicationOutcome> GetAsync(Caller caller, string id, string requestId, CancellationToken ct)
    {
        var (entity, members) = await LoadAsync(id, ct);
        if (entity is null) return new ApplicationOutcome.NotFound();
        if (!AccessPolicy.InScope(caller, Scope(entity)))
        {
            await audit.AppendAsync(caller, new AuditEvent("assistance.read", AuditOutcome.Denied, entity.GetString("ApplicantIndex"), Detail: "outOfScope"), requestId, ct);
            return new ApplicationOutcome.NotFound();
        }
        await audit.AppendAsync(caller, new AuditEvent("assistance.read", AuditOutcome.Success, entity.GetString("ApplicantIndex"), Detail: id), requestId, ct);
        return new ApplicationOutcome.Ok(View(entity, members!));
    }

    /// <summary>
    /// A street officer of the residence street accepts the application; returns the view to start verification with.
    /// Materials must be complete (checked against the program's catalogue entry) unless the officer has seen the
    /// originals at the counter (<paramref name="materialsCheckedAtCounter"/>).
    /// </summary>
    public async Task<ApplicationOutcome> AcceptAsync(Caller caller, string id, bool materialsCheckedAtCounter, AssistanceMaterials materials, string requestId, CancellationToken ct)
    {
        var (entity, members) = await LoadAsync(id, ct);
        if (entity is null || !AccessPolicy.InScope(caller, Scope(entity)))
        {
            if (entity is not null) await audit.AppendAsync(caller, new AuditEvent("assistance.accept", AuditOutcome.Denied, entity.GetString("ApplicantIndex"), Detail: "outOfScope"), requestId, ct);
            return new ApplicationOutcome.NotFound();
        }
        if (entity.GetString("Status") != nameof(ApplicationStatus.Submitted))
            return new ApplicationOutcome.Conflict("APPLICATION_NOT_SUBMITTED", "只有待受理的申请才能受理。");
        if (!materialsCheckedAtCounter)
        {
            var missing = await materials.FindingsAsync(id, Program(ProgramOf(entity)), ct);
            if (missing.Count > 0)
                return new ApplicationOutcome.Invalid(missing.Select(f => new FieldError($"materials.{f.Item}", f.Reason + f.Remedy)).ToList(), "MATERIALS_INCOMPLETE");
        }
        var now = clock.GetUtcNow();
        var moved = await MoveAsync(id, [ApplicationStatus.Submitted], ApplicationStatus.Accepted, e =>
        {
            e["AcceptedAt"] = now;
            e["AcceptedBy"] = caller.Subject;
            e["StepSince"] = now;
            e["MaterialsCheckedAtCounter"] = materialsCheckedAtCounter;
        }, ct);
        if (moved is null) return new ApplicationOutcome.Conflict("CONCURRENT_UPDATE", "申请已被他人处理，请刷新后重试。");
        await audit.AppendAsync(caller, new AuditEvent("assistance.accept", AuditOutcome.Success, entity.GetString("ApplicantIndex"), Detail: id), requestId, ct);
        return new ApplicationOutcome.Ok(View(moved, members!));
    }

    /// <summary>For verification activities: the decrypted members (never leaves the application layer).</summary>
    public async Task<IReadOnlyList<StoredMember>> MembersAsync(string id, CancellationToken ct) =>
        (await LoadAsync(id, ct)).Members ?? throw new InvalidOperationException($"Application {id} not found.");

    /// <summary>
    /// Moves an application to <paramref name="to"/> if it is in one of <paramref name="from"/> (optimistic concurrency,
    /// retried on conflicts), applies <paramref name="update"/>, keeps the worklist index current and gives the members'
    /// places back when the case ends. Idempotent: an application already in <paramref name="to"/> is returned as is.
    /// Returns null when the application is in another state.
    /// </summary>
    public async Task<TableEntity?> MoveAsync(string id, IReadOnlyCollection<ApplicationStatus> from, ApplicationStatus to, Action<TableEntity>? update, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        for (var attempt = 0; ; attempt++)
        {
            var entity = (await table.GetEntityAsync<TableEntity>(id, "application", cancellationToken: ct)).Value;
            var current = Enum.Parse<ApplicationStatus>(entity.GetString("Status"));
            if (current == to && !from.Contains(to))
            {
                await IndexAsync(entity, ct);
                return entity;
            }
            if (!from.Contains(current) || !CaseWorkflow.CanMove(current, to)) return null;
            entity["Status"] = to.ToString();
            update?.Invoke(entity);
            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 8)
            {
                continue;
            }
            await IndexAsync(entity, ct);
            if (!CaseWorkflow.IsActive(to)) await ReleaseMembersAsync(id, ct);
            return entity;
        }
    }

    /// <summary>Updates fields of an application without changing its state (retried on conflicts).</summary>
    public async Task<TableEntity> UpdateAsync(string id, Action<TableEntity> update, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        for (var attempt = 0; ; attempt++)
        {
            var entity = (await table.GetEntityAsync<TableEntity>(id, "application", cancellationToken: ct)).Value;
            update(entity);
            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                await IndexAsync(entity, ct);
                return entity;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 8) { }
        }
    }

    /// <summary>The staff worklist: applications in the caller's jurisdiction (or a division under it), newest first, paged.</summary>
    public async Task<WorklistPage> WorklistAsync(Caller caller, string? division, ApplicationStatus? status, bool overdueOnly, int pageSize, string? continuation, CancellationToken ct)
    {
        var scope = division ?? caller.Jurisdiction ?? "";
        if (!Jurisdiction.IsWellFormed(scope) || !AccessPolicy.InScope(caller, new ResourceScope(scope))) return new WorklistPage([], null, Forbidden: true);
        var table = await tables.GetAsync(TableNames.AssistanceWorklist, ct);
        // Jurisdiction codes nest by prefix (district 6, street 9, community 12 digits), so a subtree is a key range.
        var prefix = Jurisdiction.Prefix(scope);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
        if (status is { } s) filter += TableClient.CreateQueryFilter($" and Status eq {s.ToString()}");
        var today = ChinaTime.Today(clock);
        var items = new List<WorklistItem>();
        string? next = null;
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: ct).AsPages(continuation, pageSize))
        {
            foreach (var e in page.Values)
            {
                var item = WorklistItemOf(e, today);
                if (!overdueOnly || item.Deadline?.Overdue == true) items.Add(item);
            }
            next = page.ContinuationToken;
            break;
        }
        return new WorklistPage(items, next);
    }

    WorklistItem WorklistItemOf(TableEntity e, DateOnly today)
    {
        var status = Enum.Parse<ApplicationStatus>(e.GetString("Status"));
        var program = Enum.Parse<AssistanceProgram>(e.GetString("Program"));
        return new WorklistItem(e.RowKey, program, Program(program).Name, status, CaseWorkflow.NameOf(status), e.PartitionKey, divisions.FullName(e.PartitionKey),
            e.GetString("ApplicantNameMasked"), e.GetInt32("MemberCount") ?? 0, e.GetDateTimeOffset("SubmittedAt")!.Value,
            DeadlineOf(status, e.GetDateTimeOffset("StepSince"), today));
    }

    StepDeadline? DeadlineOf(ApplicationStatus status, DateTimeOffset? stepSince, DateOnly today) =>
        stepSince is { } since ? CaseWorkflow.Deadline(status, ChinaTime.DateOf(since), today, Limits, HolidayCalendar.Default) : null;

    async Task IndexAsync(TableEntity e, CancellationToken ct)
    {
        var worklist = await tables.GetAsync(TableNames.AssistanceWorklist, ct);
        await worklist.UpsertEntityAsync(new TableEntity(e.GetString("Jurisdiction"), e.PartitionKey)
        {
            ["Program"] = e.GetString("Program"),
            ["Status"] = e.GetString("Status"),
            ["ApplicantNameMasked"] = e.GetString("ApplicantNameMasked"),
            ["MemberCount"] = e.GetInt32("MemberCount"),
            ["SubmittedAt"] = e.GetDateTimeOffset("SubmittedAt"),
            ["StepSince"] = e.GetDateTimeOffset("StepSince"),
        }, TableUpdateMode.Replace, ct);
    }

    async Task ReleaseMembersAsync(string id, CancellationToken ct)
    {
        var members = await MembersAsync(id, ct);
        var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
        foreach (var m in members)
        {
            var claim = await memberships.GetEntityIfExistsAsync<TableEntity>(m.IdIndex[..2], m.IdIndex, cancellationToken: ct);
            if (claim.HasValue && claim.Value!.GetString("ApplicationId") == id)
                await memberships.DeleteEntityAsync(m.IdIndex[..2], m.IdIndex, claim.Value.ETag, ct);
        }
    }

    public static AssistanceProgram ProgramOf(TableEntity e) => Enum.Parse<AssistanceProgram>(e.GetString("Program"));

    /// <summary>The payee account (decrypted; for the bank file only).</summary>
    public string? BankAccountOf(TableEntity e) => e.GetString("BankAccount") is { } token ? cipher.Decrypt(token, BankAad(e.PartitionKey)) : null;

    static bool IsBankAccount(string? s) => s is { Length: >= 12 and <= 30 } && s.All(char.IsAsciiDigit);

    static string BankAad(string applicationId) => $"assistance/{applicationId}/bankAccount";

    public async Task<TableEntity?> EntityAsync(string id, CancellationToken ct) => (await LoadAsync(id, ct)).Entity;

    public static ResourceScope Scope(TableEntity e) => new(
        e.GetString("Jurisdiction"),
        OwnerPersonId: e.GetString("ApplicantPersonId"),
        HouseholdPersonIds: (e.GetString("MemberPersonIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));

    async Task<(TableEntity? Entity, IReadOnlyList<StoredMember>? Members)> LoadAsync(string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return (null, null);
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(id, "application", cancellationToken: ct);
        if (!e.HasValue) return (null, null);
        var members = JsonSerializer.Deserialize<List<StoredMember>>(cipher.Decrypt(e.Value!.GetString("Members"), Aad(id)), JsonDefaults.Options)!;
        return (e.Value, members);
    }

    static string Aad(string applicationId) => $"assistance/{applicationId}/members";

    public ApplicationView View(TableEntity e, IReadOnlyList<StoredMember> members)
    {
        var program = Enum.Parse<AssistanceProgram>(e.GetString("Program"));
        var status = Enum.Parse<ApplicationStatus>(e.GetString("Status"));
        return new ApplicationView
        {
            Id = e.PartitionKey,
            Program = program,
            ProgramName = Program(program).Name,
            Status = status,
            StatusName = CaseWorkflow.NameOf(status),
            Jurisdiction = e.GetString("Jurisdiction"),
            JurisdictionName = divisions.FullName(e.GetString("Jurisdiction")),
            Members = members.Select(m => new MemberView(m.MemberRef, Masking.MaskName(m.Name)!, Masking.MaskIdNumber(m.IdNumber)!, m.Relationship, m.ConsentSigned, m.PersonId)).ToList(),
            SubmittedAt = e.GetDateTimeOffset("SubmittedAt")!.Value,
            AcceptedAt = e.GetDateTimeOffset("AcceptedAt"),
            VerifiedAt = e.GetDateTimeOffset("VerifiedAt"),
            DecidedAt = e.GetDateTimeOffset("DecidedAt"),
            Deadline = DeadlineOf(status, e.GetDateTimeOffset("StepSince"), ChinaTime.Today(clock)),
            BankAccount = Masking.MaskBankAccount(BankAccountOf(e)),
            MonthlyAllowance = e.GetString("MonthlyAllowance") is { } a ? decimal.Parse(a, System.Globalization.CultureInfo.InvariantCulture) : null,
            DecisionReason = e.GetString("DecisionReason"),
        };
    }
}
