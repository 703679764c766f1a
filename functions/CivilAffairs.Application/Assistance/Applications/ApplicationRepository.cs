using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Assistance.Applications;

/// <summary>
/// An assistance application as stored: one typed record for the whole case (submission, acceptance, verification,
/// publicity, decision, grant). Personal data stays encrypted in the record (<see cref="MembersCipher"/>,
/// <see cref="BankAccountCipher"/>, <see cref="ReportCipher"/>); the application layer decrypts it with the field cipher.
/// </summary>
public sealed record ApplicationRecord
{
    public required string Id { get; init; }
    public required AssistanceProgram Program { get; init; }
    public required ApplicationStatus Status { get; init; }
    /// <summary>The residence (street or community code): who may see and handle the case.</summary>
    public required string Jurisdiction { get; init; }
    /// <summary>The applicant's blind index (the audit subject).</summary>
    public required string ApplicantIndex { get; init; }
    public string? ApplicantPersonId { get; init; }
    public IReadOnlyList<string> MemberPersonIds { get; init; } = [];
    public required int MemberCount { get; init; }
    /// <summary>The members (<see cref="StoredMember"/> list), SM4-GCM encrypted and bound to the application id.</summary>
    public required string MembersCipher { get; init; }
    public required string ApplicantNameMasked { get; init; }
    public string? BankAccountCipher { get; init; }
    /// <summary>
    /// Members (refs) whose place in an active household could not be claimed when a citizen applied online: the citizen is
    /// not told (it would reveal another household's assistance); the office checks again at acceptance.
    /// </summary>
    public IReadOnlyList<string> UnclaimedMembers { get; init; } = [];

    public required DateTimeOffset SubmittedAt { get; init; }
    public required string SubmittedBy { get; init; }
    /// <summary><c>online</c> (a citizen) or <c>counter</c> (staff at any office).</summary>
    public required string SubmittedVia { get; init; }
    /// <summary>Since when the case waits on its current step (the legal time limit runs from here).</summary>
    public DateTimeOffset? StepSince { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }
    public string? AcceptedBy { get; init; }
    public bool? MaterialsCheckedAtCounter { get; init; }

    public string? VerificationInstance { get; init; }
    public int? VerificationRoundStarted { get; init; }
    public int? VerificationRound { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? ReportCipher { get; init; }
    public EligibilityDecision? Decision { get; init; }
    public decimal? IncomePerCapita { get; init; }

    public DateTimeOffset? PublicityStartedAt { get; init; }
    public DateTimeOffset? PublicityEndsAt { get; init; }
    public DateTimeOffset? PublicityEndedAt { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }
    public string? DecidedBy { get; init; }
    public string? DecisionReason { get; init; }
    /// <summary>Yuan per month while granted.</summary>
    public decimal? MonthlyAllowance { get; init; }
    /// <summary>The payment month (<c>yyyyMM</c>) from which <see cref="MonthlyAllowance"/> applies after a re-calculation (a member
    /// died); months before it are paid <see cref="PreviousMonthlyAllowance"/>.</summary>
    public string? AllowanceChangedFrom { get; init; }
    public decimal? PreviousMonthlyAllowance { get; init; }

    /// <summary>The allowance a payment batch of <paramref name="month"/> (<c>yyyyMM</c>) pays.</summary>
    public decimal AllowanceFor(string month) =>
        AllowanceChangedFrom is { } from && string.CompareOrdinal(month, from) < 0 && PreviousMonthlyAllowance is { } before ? before : MonthlyAllowance ?? 0m;

    public ETag ETag { get; init; }

    /// <summary>The verification round that produced the current report (1 for the first, then yearly).</summary>
    public int Round => VerificationRound ?? 1;

    /// <summary>Who may see it: staff of the residence jurisdiction, the applicant and the household's members.</summary>
    public ResourceScope Scope => new(Jurisdiction, OwnerPersonId: ApplicantPersonId, HouseholdPersonIds: MemberPersonIds);
}

/// <summary>One row of the staff worklist index: what a worklist shows, without personal data.</summary>
public sealed record WorklistRow(string Id, string Jurisdiction, AssistanceProgram Program, ApplicationStatus Status, string? ApplicantNameMasked,
    int MemberCount, DateTimeOffset SubmittedAt, DateTimeOffset? StepSince);

/// <summary>
/// The one place assistance applications are read and written: table <see cref="TableNames.AssistanceApplications"/>
/// (PartitionKey = application id, RowKey <c>application</c>; the case's outbox rows share the partition), the column layout
/// below, optimistic concurrency through <see cref="Optimistic"/>, events through the <see cref="Outbox"/>, and the staff
/// worklist index (<see cref="TableNames.AssistanceWorklist"/>: PartitionKey = jurisdiction, RowKey = id) kept after every write.
/// </summary>
public sealed class ApplicationRepository(Tables tables, Outbox outbox)
{
    const string RowKey = "application";

    public async Task<ApplicationRecord?> GetAsync(string id, CancellationToken ct)
    {
        if (!Platform.Ids.TryParse(id, out _)) return null;
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, RowKey, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task AddAsync(ApplicationRecord record, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceApplications, ct);
        await table.AddEntityAsync(ToEntity(record), ct);
        await IndexAsync(record, ct);
    }

    /// <summary>
    /// Read-modify-write: <paramref name="change"/> returns the new record, or null for "no change" (then the current one is
    /// returned, and null only when the application does not exist). <paramref name="events"/> of the new record are written
    /// in the same transaction and relayed. Retried on concurrent changes.
    /// </summary>
    public async Task<(ApplicationRecord? Record, bool Changed)> UpdateAsync(string id, Func<ApplicationRecord, ApplicationRecord?> change,
        Func<ApplicationRecord, IReadOnlyList<PendingEvent>>? events, CancellationToken ct)
    {
        var result = await Optimistic.RetryAsync<(ApplicationRecord? Record, bool Changed)>($"application {id}", async () =>
        {
            var current = await GetAsync(id, ct);
            if (current is null) return (null, false);
            var next = change(current);
            if (next is null) return (current, false);
            var written = await outbox.CommitAsync(TableNames.AssistanceApplications, id,
                [new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(next), current.ETag)], events?.Invoke(next) ?? [], ct);
            return (next with { ETag = written[0].Headers.ETag ?? default }, true);
        }, ct);
        if (result.Changed) await IndexAsync(result.Record!, ct);
        return result;
    }

    /// <summary>One page of the worklist rows in a jurisdiction subtree (a key range: codes nest by prefix), optionally of one status.</summary>
    public async Task<(IReadOnlyList<WorklistRow> Rows, string? Next)> WorklistPageAsync(string jurisdiction, ApplicationStatus? status, int pageSize,
        string? continuation, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceWorklist, ct);
        var prefix = Jurisdiction.Prefix(jurisdiction);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
        if (status is { } s) filter += TableClient.CreateQueryFilter($" and Status eq {s.ToString()}");
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: ct).AsPages(continuation, pageSize))
            return (page.Values.Select(e => new WorklistRow(e.RowKey, e.PartitionKey, Enum.Parse<AssistanceProgram>(e.GetString("Program")),
                Enum.Parse<ApplicationStatus>(e.GetString("Status")), e.GetString("ApplicantNameMasked"), e.GetInt32("MemberCount") ?? 0,
                e.GetDateTimeOffset("SubmittedAt")!.Value, e.GetDateTimeOffset("StepSince"))).ToList(), page.ContinuationToken);
        return ([], null);
    }

    async Task IndexAsync(ApplicationRecord r, CancellationToken ct)
    {
        var worklist = await tables.GetAsync(TableNames.AssistanceWorklist, ct);
        await worklist.UpsertEntityAsync(new TableEntity(r.Jurisdiction, r.Id)
        {
            ["Program"] = r.Program.ToString(),
            ["Status"] = r.Status.ToString(),
            ["ApplicantNameMasked"] = r.ApplicantNameMasked,
            ["MemberCount"] = r.MemberCount,
            ["SubmittedAt"] = r.SubmittedAt,
            ["StepSince"] = r.StepSince,
        }, TableUpdateMode.Replace, ct);
    }

    static string? Money(decimal? d) => d?.ToString("0.00", CultureInfo.InvariantCulture);
    static decimal? Money(string? s) => s is null ? null : decimal.Parse(s, CultureInfo.InvariantCulture);

    static TableEntity ToEntity(ApplicationRecord r) => new(r.Id, RowKey)
    {
        ["Program"] = r.Program.ToString(),
        ["Status"] = r.Status.ToString(),
        ["Jurisdiction"] = r.Jurisdiction,
        ["ApplicantIndex"] = r.ApplicantIndex,
        ["ApplicantPersonId"] = r.ApplicantPersonId,
        ["MemberPersonIds"] = string.Join(",", r.MemberPersonIds),
        ["MemberCount"] = r.MemberCount,
        ["Members"] = r.MembersCipher,
        ["ApplicantNameMasked"] = r.ApplicantNameMasked,
        ["BankAccount"] = r.BankAccountCipher,
        ["UnclaimedMembers"] = r.UnclaimedMembers.Count == 0 ? null : string.Join(",", r.UnclaimedMembers),
        ["SubmittedAt"] = r.SubmittedAt,
        ["SubmittedBy"] = r.SubmittedBy,
        ["SubmittedVia"] = r.SubmittedVia,
        ["StepSince"] = r.StepSince,
        ["AcceptedAt"] = r.AcceptedAt,
        ["AcceptedBy"] = r.AcceptedBy,
        ["MaterialsCheckedAtCounter"] = r.MaterialsCheckedAtCounter,
        ["VerificationInstance"] = r.VerificationInstance,
        ["VerificationRoundStarted"] = r.VerificationRoundStarted,
        ["VerificationRound"] = r.VerificationRound,
        ["VerifiedAt"] = r.VerifiedAt,
        ["Report"] = r.ReportCipher,
        ["Decision"] = r.Decision is null ? null : JsonSerializer.Serialize(r.Decision, JsonDefaults.Options),
        ["DecisionOutcome"] = r.Decision?.Outcome.ToString(),
        ["IncomePerCapita"] = r.IncomePerCapita?.ToString(CultureInfo.InvariantCulture),
        ["PublicityStartedAt"] = r.PublicityStartedAt,
        ["PublicityEndsAt"] = r.PublicityEndsAt,
        ["PublicityEndedAt"] = r.PublicityEndedAt,
        ["DecidedAt"] = r.DecidedAt,
        ["DecidedBy"] = r.DecidedBy,
        ["DecisionReason"] = r.DecisionReason,
        ["MonthlyAllowance"] = Money(r.MonthlyAllowance),
        ["AllowanceChangedFrom"] = r.AllowanceChangedFrom,
        ["PreviousMonthlyAllowance"] = Money(r.PreviousMonthlyAllowance),
    };

    static ApplicationRecord FromEntity(TableEntity e) => new()
    {
        Id = e.PartitionKey,
        Program = Enum.Parse<AssistanceProgram>(e.GetString("Program")),
        Status = Enum.Parse<ApplicationStatus>(e.GetString("Status")),
        Jurisdiction = e.GetString("Jurisdiction"),
        ApplicantIndex = e.GetString("ApplicantIndex"),
        ApplicantPersonId = e.GetString("ApplicantPersonId"),
        MemberPersonIds = (e.GetString("MemberPersonIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        MemberCount = e.GetInt32("MemberCount") ?? 1,
        MembersCipher = e.GetString("Members"),
        ApplicantNameMasked = e.GetString("ApplicantNameMasked") ?? "",
        BankAccountCipher = e.GetString("BankAccount"),
        UnclaimedMembers = (e.GetString("UnclaimedMembers") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        SubmittedAt = e.GetDateTimeOffset("SubmittedAt")!.Value,
        SubmittedBy = e.GetString("SubmittedBy") ?? "",
        SubmittedVia = e.GetString("SubmittedVia") ?? "counter",
        StepSince = e.GetDateTimeOffset("StepSince"),
        AcceptedAt = e.GetDateTimeOffset("AcceptedAt"),
        AcceptedBy = e.GetString("AcceptedBy"),
        MaterialsCheckedAtCounter = e.GetBoolean("MaterialsCheckedAtCounter"),
        VerificationInstance = e.GetString("VerificationInstance"),
        VerificationRoundStarted = e.GetInt32("VerificationRoundStarted"),
        VerificationRound = e.GetInt32("VerificationRound"),
        VerifiedAt = e.GetDateTimeOffset("VerifiedAt"),
        ReportCipher = e.GetString("Report"),
        Decision = e.GetString("Decision") is { } d ? JsonSerializer.Deserialize<EligibilityDecision>(d, JsonDefaults.Options) : null,
        IncomePerCapita = Money(e.GetString("IncomePerCapita")),
        PublicityStartedAt = e.GetDateTimeOffset("PublicityStartedAt"),
        PublicityEndsAt = e.GetDateTimeOffset("PublicityEndsAt"),
        PublicityEndedAt = e.GetDateTimeOffset("PublicityEndedAt"),
        DecidedAt = e.GetDateTimeOffset("DecidedAt"),
        DecidedBy = e.GetString("DecidedBy"),
        DecisionReason = e.GetString("DecisionReason"),
        MonthlyAllowance = Money(e.GetString("MonthlyAllowance")),
        AllowanceChangedFrom = e.GetString("AllowanceChangedFrom"),
        PreviousMonthlyAllowance = Money(e.GetString("PreviousMonthlyAllowance")),
        ETag = e.ETag,
    };
}
