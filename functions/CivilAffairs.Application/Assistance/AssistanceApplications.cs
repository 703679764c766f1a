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

namespace CivilAffairs.Application.Assistance;

public sealed record MemberRequest(string? Name, string? IdNumber, Relationship? Relationship, bool? ConsentSigned, decimal? DeclaredMonthlyIncome);

/// <summary>Body of <c>POST /api/assistance/applications</c>.</summary>
public sealed record ApplicationRequest(AssistanceProgram? Program, string? Jurisdiction, IReadOnlyList<MemberRequest>? Members);

/// <summary>A member as shown to callers (identifiers masked; the member reference is opaque).</summary>
public sealed record MemberView(string MemberRef, string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, string? PersonId);

public sealed record ApplicationView
{
    public required string Id { get; init; }
    public required AssistanceProgram Program { get; init; }
    public required string ProgramName { get; init; }
    public required ApplicationStatus Status { get; init; }
    public required string Jurisdiction { get; init; }
    public required string JurisdictionName { get; init; }
    public required IReadOnlyList<MemberView> Members { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
}

/// <summary>A stored member, decrypted in memory only.</summary>
public sealed record StoredMember(string MemberRef, string Name, string IdNumber, Relationship Relationship, bool ConsentSigned, decimal DeclaredMonthlyIncome, string IdIndex, string? PersonId);

public abstract record ApplicationOutcome
{
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : ApplicationOutcome;
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
public sealed class AssistanceApplications(Tables tables, FieldCipher cipher, PersonIndex persons, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    public static readonly IReadOnlyList<ProgramDefinition> Programs = ProgramCatalogue.Defaults();
    public static ProgramDefinition Program(AssistanceProgram p) => Programs.Single(d => d.Program == p);

    public async Task<ApplicationOutcome> SubmitAsync(Caller caller, ApplicationRequest request, string requestId, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        if (request.Program is null) errors.Add(new FieldError("program", $"请选择救助项目：{string.Join("、", Enum.GetNames<AssistanceProgram>().Select(JsonNamingPolicy.CamelCase.ConvertName))}。"));
        if (divisions.Find(request.Jurisdiction) is not { Level: DivisionLevel.Community or DivisionLevel.Street })
            errors.Add(new FieldError("jurisdiction", "请填写居住地所在的街道或社区行政区划代码。"));
        var members = (request.Members ?? []).Select(m => new HouseholdMember(m.Name ?? "", m.IdNumber ?? "", m.Relationship ?? Relationship.Other, m.ConsentSigned ?? false, m.DeclaredMonthlyIncome ?? 0m)).ToList();
        errors.AddRange(HouseholdRules.Validate(members, today));
        if (errors.Count > 0) return new ApplicationOutcome.Invalid(errors);

        var id = Ids.New(clock);
        var stored = new List<StoredMember>();
        for (var i = 0; i < members.Count; i++)
        {
            var normalized = IdNumber.Validate(members[i].IdNumber, today).Normalized;
            var index = persons.IndexOf(normalized);
            stored.Add(new StoredMember($"m{i + 1}", members[i].Name.Trim(), normalized, members[i].Relationship, members[i].ConsentSigned,
                members[i].DeclaredMonthlyIncome, index, await persons.PersonIdOfAsync(index, ct)));
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
        };
        var applications = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        await applications.AddEntityAsync(entity, ct);
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

    /// <summary>A street officer of the residence street accepts the application; returns the view to start verification with.</summary>
    public async Task<ApplicationOutcome> AcceptAsync(Caller caller, string id, string requestId, CancellationToken ct)
    {
        var (entity, members) = await LoadAsync(id, ct);
        if (entity is null || !AccessPolicy.InScope(caller, Scope(entity)))
        {
            if (entity is not null) await audit.AppendAsync(caller, new AuditEvent("assistance.accept", AuditOutcome.Denied, entity.GetString("ApplicantIndex"), Detail: "outOfScope"), requestId, ct);
            return new ApplicationOutcome.NotFound();
        }
        if (entity.GetString("Status") != nameof(ApplicationStatus.Submitted))
            return new ApplicationOutcome.Conflict("APPLICATION_NOT_SUBMITTED", "只有待受理的申请才能受理。");
        entity["Status"] = nameof(ApplicationStatus.Accepted);
        entity["AcceptedAt"] = clock.GetUtcNow();
        entity["AcceptedBy"] = caller.Subject;
        try { await tables.Service.GetTableClient(TableNames.AssistanceApplications).UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct); }
        catch (RequestFailedException e) when (e.Status == 412) { return new ApplicationOutcome.Conflict("CONCURRENT_UPDATE", "申请已被他人处理，请刷新后重试。"); }
        await audit.AppendAsync(caller, new AuditEvent("assistance.accept", AuditOutcome.Success, entity.GetString("ApplicantIndex"), Detail: id), requestId, ct);
        return new ApplicationOutcome.Ok(View(entity, members!));
    }

    /// <summary>For verification activities: the decrypted members (never leaves the application layer).</summary>
    public async Task<IReadOnlyList<StoredMember>> MembersAsync(string id, CancellationToken ct) =>
        (await LoadAsync(id, ct)).Members ?? throw new InvalidOperationException($"Application {id} not found.");

    public async Task SetStatusAsync(string id, ApplicationStatus status, Action<TableEntity>? update, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        for (var attempt = 0; ; attempt++)
        {
            var entity = (await table.GetEntityAsync<TableEntity>(id, "application", cancellationToken: ct)).Value;
            entity["Status"] = status.ToString();
            update?.Invoke(entity);
            try { await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct); return; }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5) { }
        }
    }

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

    ApplicationView View(TableEntity e, IReadOnlyList<StoredMember> members)
    {
        var program = Enum.Parse<AssistanceProgram>(e.GetString("Program"));
        return new ApplicationView
        {
            Id = e.PartitionKey,
            Program = program,
            ProgramName = Program(program).Name,
            Status = Enum.Parse<ApplicationStatus>(e.GetString("Status")),
            Jurisdiction = e.GetString("Jurisdiction"),
            JurisdictionName = divisions.FullName(e.GetString("Jurisdiction")),
            Members = members.Select(m => new MemberView(m.MemberRef, Masking.MaskName(m.Name)!, Masking.MaskIdNumber(m.IdNumber)!, m.Relationship, m.ConsentSigned, m.PersonId)).ToList(),
            SubmittedAt = e.GetDateTimeOffset("SubmittedAt")!.Value,
            AcceptedAt = e.GetDateTimeOffset("AcceptedAt"),
            VerifiedAt = e.GetDateTimeOffset("VerifiedAt"),
        };
    }
}
