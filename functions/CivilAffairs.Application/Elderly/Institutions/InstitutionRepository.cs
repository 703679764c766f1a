using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>An institution's registry entry as stored, with its ETag.</summary>
public sealed record InstitutionRecord(string Id, string District, string Jurisdiction, string Name, string LicenceNumber, DateOnly LicenceValidUntil, int Beds,
    string Address, InstitutionOwnership Ownership, DateTimeOffset RegisteredAt, string RegisteredBy, DateTimeOffset? UpdatedAt = null, string? UpdatedBy = null)
{
    public ETag ETag { get; init; }
}

public sealed record InspectionRecord(string Id, string InstitutionId, DateOnly Date, int Score, bool SeriousViolation, string? Findings, DateTimeOffset RecordedAt, string RecordedBy);

public sealed record StaffingRecord(string Id, string InstitutionId, DateOnly AsOf, int CareStaff, int Residents, DateTimeOffset RecordedAt, string RecordedBy);

/// <summary>
/// A complaint as stored: the text and the complainant's account subject only as SM4 field ciphertext (<see cref="TextToken"/>,
/// <see cref="ComplainantToken"/>), the complainant's role in the clear (for "lodged as"), the decision.
/// </summary>
public sealed record ComplaintRecord(string Id, string InstitutionId, DateOnly ReceivedOn, DateTimeOffset ReceivedAt, Role LodgedAs, string TextToken,
    string ComplainantToken, ComplaintStatus Status, DateTimeOffset? DecidedAt = null, string? DecidedBy = null, string? DecisionNote = null)
{
    public ETag ETag { get; init; }
}

/// <summary>The stored rating of one institution (or why it has none), recomputed after every input change and daily.</summary>
public sealed record RatingRecord(string InstitutionId, string District, bool Rated, int? Stars, decimal? WeightedPoints, DateOnly? RatedOn,
    IReadOnlyList<RatingComponentView> Components, IReadOnlyList<string> Explanation, IReadOnlyList<RatingReason> Reasons, DateTimeOffset ComputedAt)
{
    public ETag ETag { get; init; }
}

/// <summary>
/// Storage of care institutions (养老机构). No personal identifier is ever a key.
/// <list type="bullet">
/// <item><c>ElderlyInstitutions</c>: PartitionKey = district code (6 digits; the public listing and staff worklists are per
/// district), RowKey = institution id (ULID). The registry entry, with the ETag that <c>If-Match</c> checks.</item>
/// <item><c>ElderlyInstitutionIds</c>: PartitionKey = institution id, RowKey "" → <c>District</c>. Written once at registration
/// (the district never changes), so it cannot go stale.</item>
/// <item><c>ElderlyInstitutionRatings</c>: PartitionKey = district, RowKey = institution id. The derived rating (its own row so a
/// recomputation never invalidates the registry entry's ETag).</item>
/// <item><c>ElderlyInspections</c>, <c>ElderlyStaffing</c>, <c>ElderlyComplaints</c>: PartitionKey = institution id, RowKey =
/// record id (ULID): one partition query reads every input of a rating.</item>
/// </list>
/// </summary>
public sealed class InstitutionRepository(Tables tables)
{
    static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    static DateOnly Date(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    // ---- Registry ----

    /// <summary>Writes the id lookup, then the entry (the lookup alone points at nothing and is harmless if the second write fails).</summary>
    public async Task<ETag> AddAsync(InstitutionRecord i, CancellationToken ct)
    {
        var lookup = await tables.GetAsync(TableNames.ElderlyInstitutionIds, ct);
        await lookup.UpsertEntityAsync(new TableEntity(i.Id, "") { ["District"] = i.District }, TableUpdateMode.Replace, ct);
        var table = await tables.GetAsync(TableNames.ElderlyInstitutions, ct);
        var response = await table.AddEntityAsync(ToEntity(i), ct);
        return response.Headers.ETag ?? default;
    }

    /// <summary>Replaces the entry if it is still at <see cref="InstitutionRecord.ETag"/> (412 otherwise, for <see cref="Optimistic"/>).</summary>
    public async Task<ETag> ReplaceAsync(InstitutionRecord i, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInstitutions, ct);
        var response = await table.UpdateEntityAsync(ToEntity(i), i.ETag, TableUpdateMode.Replace, ct);
        return response.Headers.ETag ?? default;
    }

    /// <summary>The entry by id (no access check), or null for an unknown or malformed id.</summary>
    public async Task<InstitutionRecord?> FindAsync(string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var lookup = await tables.GetAsync(TableNames.ElderlyInstitutionIds, ct);
        var entry = await lookup.GetEntityIfExistsAsync<TableEntity>(id, "", cancellationToken: ct);
        if (!entry.HasValue) return null;
        var table = await tables.GetAsync(TableNames.ElderlyInstitutions, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(entry.Value!.GetString("District"), id, cancellationToken: ct);
        return e.HasValue ? FromEntity(e.Value!) : null;
    }

    /// <summary>Entries of one district, or of every district when <paramref name="district"/> is null.</summary>
    public async Task<IReadOnlyList<InstitutionRecord>> ListAsync(string? district, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInstitutions, ct);
        var filter = district is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {district}");
        var list = new List<InstitutionRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(FromEntity(e));
        return list;
    }

    static TableEntity ToEntity(InstitutionRecord i) => new(i.District, i.Id)
    {
        ["Jurisdiction"] = i.Jurisdiction,
        ["Name"] = i.Name,
        ["LicenceNumber"] = i.LicenceNumber,
        ["LicenceValidUntil"] = Date(i.LicenceValidUntil),
        ["Beds"] = i.Beds,
        ["Address"] = i.Address,
        ["Ownership"] = i.Ownership.ToString(),
        ["RegisteredAt"] = i.RegisteredAt,
        ["RegisteredBy"] = i.RegisteredBy,
        ["UpdatedAt"] = i.UpdatedAt,
        ["UpdatedBy"] = i.UpdatedBy,
    };

    static InstitutionRecord FromEntity(TableEntity e) => new(e.RowKey, e.PartitionKey, e.GetString("Jurisdiction"), e.GetString("Name"), e.GetString("LicenceNumber"),
        Date(e.GetString("LicenceValidUntil")), e.GetInt32("Beds") ?? 0, e.GetString("Address"), Enum.Parse<InstitutionOwnership>(e.GetString("Ownership")),
        e.GetDateTimeOffset("RegisteredAt")!.Value, e.GetString("RegisteredBy"), e.GetDateTimeOffset("UpdatedAt"), e.GetString("UpdatedBy")) { ETag = e.ETag };

    // ---- Inputs of the rating ----

    public async Task AddInspectionAsync(InspectionRecord r, CancellationToken ct) =>
        await (await tables.GetAsync(TableNames.ElderlyInspections, ct)).AddEntityAsync(new TableEntity(r.InstitutionId, r.Id)
        {
            ["Date"] = Date(r.Date),
            ["Score"] = r.Score,
            ["SeriousViolation"] = r.SeriousViolation,
            ["Findings"] = r.Findings,
            ["RecordedAt"] = r.RecordedAt,
            ["RecordedBy"] = r.RecordedBy,
        }, ct);

    public async Task<IReadOnlyList<InspectionRecord>> InspectionsAsync(string institutionId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInspections, ct);
        var list = new List<InspectionRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {institutionId}"), cancellationToken: ct))
            list.Add(new InspectionRecord(e.RowKey, e.PartitionKey, Date(e.GetString("Date")), e.GetInt32("Score") ?? 0, e.GetBoolean("SeriousViolation") ?? false,
                e.GetString("Findings"), e.GetDateTimeOffset("RecordedAt")!.Value, e.GetString("RecordedBy")));
        return list;
    }

    public async Task AddStaffingAsync(StaffingRecord r, CancellationToken ct) =>
        await (await tables.GetAsync(TableNames.ElderlyStaffing, ct)).AddEntityAsync(new TableEntity(r.InstitutionId, r.Id)
        {
            ["AsOf"] = Date(r.AsOf),
            ["CareStaff"] = r.CareStaff,
            ["Residents"] = r.Residents,
            ["RecordedAt"] = r.RecordedAt,
            ["RecordedBy"] = r.RecordedBy,
        }, ct);

    public async Task<IReadOnlyList<StaffingRecord>> StaffingAsync(string institutionId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyStaffing, ct);
        var list = new List<StaffingRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {institutionId}"), cancellationToken: ct))
            list.Add(new StaffingRecord(e.RowKey, e.PartitionKey, Date(e.GetString("AsOf")), e.GetInt32("CareStaff") ?? 0, e.GetInt32("Residents") ?? 0,
                e.GetDateTimeOffset("RecordedAt")!.Value, e.GetString("RecordedBy")));
        return list;
    }

    public async Task AddComplaintAsync(ComplaintRecord r, CancellationToken ct) =>
        await (await tables.GetAsync(TableNames.ElderlyComplaints, ct)).AddEntityAsync(ToEntity(r), ct);

    public async Task ReplaceComplaintAsync(ComplaintRecord r, CancellationToken ct) =>
        await (await tables.GetAsync(TableNames.ElderlyComplaints, ct)).UpdateEntityAsync(ToEntity(r), r.ETag, TableUpdateMode.Replace, ct);

    public async Task<ComplaintRecord?> FindComplaintAsync(string institutionId, string complaintId, CancellationToken ct)
    {
        if (!Ids.TryParse(complaintId, out _)) return null;
        var table = await tables.GetAsync(TableNames.ElderlyComplaints, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(institutionId, complaintId, cancellationToken: ct);
        return e.HasValue ? FromComplaint(e.Value!) : null;
    }

    public async Task<IReadOnlyList<ComplaintRecord>> ComplaintsAsync(string institutionId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyComplaints, ct);
        var list = new List<ComplaintRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {institutionId}"), cancellationToken: ct))
            list.Add(FromComplaint(e));
        return list;
    }

    static TableEntity ToEntity(ComplaintRecord r) => new(r.InstitutionId, r.Id)
    {
        ["ReceivedOn"] = Date(r.ReceivedOn),
        ["ReceivedAt"] = r.ReceivedAt,
        ["LodgedAs"] = r.LodgedAs.ToString(),
        ["Text"] = r.TextToken,
        ["Complainant"] = r.ComplainantToken,
        ["Status"] = r.Status.ToString(),
        ["DecidedAt"] = r.DecidedAt,
        ["DecidedBy"] = r.DecidedBy,
        ["DecisionNote"] = r.DecisionNote,
    };

    static ComplaintRecord FromComplaint(TableEntity e) => new(e.RowKey, e.PartitionKey, Date(e.GetString("ReceivedOn")), e.GetDateTimeOffset("ReceivedAt")!.Value,
        Enum.Parse<Role>(e.GetString("LodgedAs")), e.GetString("Text"), e.GetString("Complainant"), Enum.Parse<ComplaintStatus>(e.GetString("Status")),
        e.GetDateTimeOffset("DecidedAt"), e.GetString("DecidedBy"), e.GetString("DecisionNote")) { ETag = e.ETag };

    // ---- Ratings ----

    public async Task<RatingRecord?> FindRatingAsync(string district, string institutionId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInstitutionRatings, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(district, institutionId, cancellationToken: ct);
        return e.HasValue ? FromRating(e.Value!) : null;
    }

    public async Task<IReadOnlyList<RatingRecord>> RatingsAsync(string? district, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInstitutionRatings, ct);
        var filter = district is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {district}");
        var list = new List<RatingRecord>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(FromRating(e));
        return list;
    }

    /// <summary>Writes the rating over the version read (<paramref name="previous"/>; null: none yet) — a concurrent recomputation makes this throw for <see cref="Optimistic"/>.</summary>
    public async Task SaveRatingAsync(RatingRecord rating, RatingRecord? previous, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyInstitutionRatings, ct);
        var entity = new TableEntity(rating.District, rating.InstitutionId)
        {
            ["Rated"] = rating.Rated,
            ["Stars"] = rating.Stars,
            ["WeightedPoints"] = rating.WeightedPoints?.ToString(CultureInfo.InvariantCulture),
            ["RatedOn"] = rating.RatedOn is { } d ? Date(d) : null,
            ["Components"] = JsonSerializer.Serialize(rating.Components, JsonDefaults.Options),
            ["Explanation"] = JsonSerializer.Serialize(rating.Explanation, JsonDefaults.Options),
            ["Reasons"] = JsonSerializer.Serialize(rating.Reasons, JsonDefaults.Options),
            ["ComputedAt"] = rating.ComputedAt,
        };
        if (previous is null) await Optimistic.InsertAsync(table, entity, ct);
        else await table.UpdateEntityAsync(entity, previous.ETag, TableUpdateMode.Replace, ct);
    }

    static RatingRecord FromRating(TableEntity e) => new(e.RowKey, e.PartitionKey, e.GetBoolean("Rated") ?? false, e.GetInt32("Stars"),
        e.GetString("WeightedPoints") is { } p ? decimal.Parse(p, CultureInfo.InvariantCulture) : null,
        e.GetString("RatedOn") is { } d ? Date(d) : null,
        JsonSerializer.Deserialize<List<RatingComponentView>>(e.GetString("Components") ?? "[]", JsonDefaults.Options) ?? [],
        JsonSerializer.Deserialize<List<string>>(e.GetString("Explanation") ?? "[]", JsonDefaults.Options) ?? [],
        JsonSerializer.Deserialize<List<RatingReason>>(e.GetString("Reasons") ?? "[]", JsonDefaults.Options) ?? [],
        e.GetDateTimeOffset("ComputedAt")!.Value) { ETag = e.ETag };
}
