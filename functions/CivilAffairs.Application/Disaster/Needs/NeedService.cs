using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Disaster.Needs;

public sealed record PositionRequest(double? Latitude, double? Longitude);

/// <summary>Body of <c>POST /api/disaster/needs</c>.</summary>
/// <param name="ClientReportId">The reporting app's own id for this report (e.g. a UUID made on the phone): sending the same report again is recognised and not counted twice.</param>
/// <param name="PhotoUploadIds">Ids of photos uploaded before (field uploads), optional.</param>
/// <param name="ContactPhone">A number to call back (citizens, optional): stored SM4-encrypted, shown to staff masked.</param>
public sealed record ReportNeedRequest(string? IncidentId, PositionRequest? Position, NeedCategory? Category, decimal? Quantity, string? Unit,
    Urgency? Urgency, string? Description, IReadOnlyList<string>? PhotoUploadIds, string? ClientReportId, string? ContactPhone, DateTimeOffset? ReportedAt);

public sealed record PositionView(double Latitude, double Longitude);

/// <summary>One report of a need, as staff see it (contact phone masked unless unmasked for the Contact purpose).</summary>
public sealed record NeedReportView(ReporterKind ReporterKind, string ReporterKindName, DateTimeOffset ReportedAt, decimal Quantity, Urgency Urgency, string? Description, string? ContactPhone);

/// <summary>A need as staff see it: no reporter identities.</summary>
public sealed record NeedView
{
    public required string Id { get; init; }
    public required string IncidentId { get; init; }
    public required string Jurisdiction { get; init; }
    public required NeedCategory Category { get; init; }
    public required string CategoryName { get; init; }
    public required decimal Quantity { get; init; }
    public required string Unit { get; init; }
    public required Urgency Urgency { get; init; }
    public required string UrgencyName { get; init; }
    public required PositionView Position { get; init; }
    public required DateTimeOffset FirstReportedAt { get; init; }
    public required DateTimeOffset LastReportedAt { get; init; }
    public required int ReportCount { get; init; }
    public required IReadOnlyList<ReporterKind> Reporters { get; init; }
    public required IReadOnlyList<string> PhotoRefs { get; init; }
    public required bool OutsideIncidentArea { get; init; }
    public required int AnalysisAdjustment { get; init; }
    public required NeedStatus Status { get; init; }
    public required string StatusName { get; init; }
    public required PriorityScore Priority { get; init; }
    public string? DispatchId { get; init; }
    /// <summary>Only on <c>GET /api/disaster/needs/{id}</c>.</summary>
    public IReadOnlyList<NeedReportView>? Reports { get; init; }
}

/// <summary>What a citizen sees of a need they reported: its progress, nothing about other reporters.</summary>
public sealed record CitizenNeedView(string Id, string IncidentId, NeedCategory Category, string CategoryName, NeedStatus Status, string StatusName,
    int ReportCount, bool Dispatched, IReadOnlyList<DateTimeOffset> YourReports);

/// <summary>The answer to a report: what became of it and the need (a <see cref="NeedView"/> for staff, a <see cref="CitizenNeedView"/> for citizens).</summary>
public sealed record NeedReceipt(IntakeKind Intake, string NeedId, bool OutsideIncidentArea, object Need);

public sealed record NeedList(int Count, IReadOnlyList<NeedView> Items);

/// <summary>Open-need counts per category of one incident (for the public feed).</summary>
public sealed record NeedCounts(string IncidentId, IReadOnlyDictionary<NeedCategory, int> OpenByCategory);

/// <summary>A need as loaded, with its ETag and what the application keeps beside the domain record.</summary>
public sealed record StoredNeed(Need Need, string Jurisdiction, ETag ETag, string? DispatchId, IReadOnlyList<string> AnalysisUploads);

/// <summary>Extra facts of one report that are not part of the domain's <see cref="NeedReport"/> (kept in the report row).</summary>
public sealed record ReportDetails(string? ReporterSubject, string? Description, string? ContactPhone);

/// <summary>
/// Disaster needs (灾情需求). Storage:
/// <list type="bullet">
/// <item><c>DisasterNeeds</c>: PartitionKey = incident id, RowKey = need id. Intake reads the merge candidates (same category, window, latitude band; see CandidatesAsync), runs
/// <see cref="NeedIntake.Accept"/> and writes the result (insert for Created, replace with the ETag for Merged, retried on 412).</item>
/// <item><c>DisasterNeedIds</c>: PartitionKey = need id → <c>IncidentId</c> (write-once lookup by id); and
/// PartitionKey = <c>report|{incident}|{report id}</c> → <c>NeedId</c> (which need holds a report).</item>
/// <item><c>DisasterNeedReports</c>: PartitionKey = need id, RowKey = report id: reporter kind and subject (never identity data),
/// time, quantity, and — SM4-GCM encrypted through <see cref="FieldCipher"/> — the free-text description and the contact phone.</item>
/// </list>
/// Report ids are derived from the reporter's subject and their client report id (SHA-256), so a report sent twice is a
/// Duplicate while two reporters' ids never collide. Two reports racing to create a need at the same spot may both create one
/// (no partition lock); later reports merge into the nearest.
/// </summary>
public sealed partial class NeedService(Tables tables, IncidentService incidents, FieldCipher cipher, AuditLog audit, DashboardFeed dashboard,
    IEnumerable<IDispatchStarter> dispatchers, TimeProvider clock, ILogger<NeedService> logger)
{
    public const int MaxDescriptionLength = 500;

    public static ReporterKind KindOf(Role role) => role switch
    {
        Role.Citizen => ReporterKind.Citizen,
        Role.CommunityWorker => ReporterKind.GridWorker,
        Role.Device => ReporterKind.DeviceAnalysis,
        _ => ReporterKind.FieldTeam,
    };

    public static Problem NotFound() => Problem.NotFound("NEED_NOT_FOUND", "需求不存在", "没有找到该需求，或您无权查看。");

    /// <summary>
    /// A report from a citizen, grid worker or field team: run through the intake (created, merged or duplicate) against the
    /// incident's needs; a created need is handed to the dispatch side.
    /// </summary>
    public async Task<Result<NeedReceipt>> ReportAsync(CallContext call, ReportNeedRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.IncidentId)) errors.Add(new FieldError("incidentId", "请填写灾害事件编号。"));
        GeoPoint position = default;
        if (request.Position is not { Latitude: { } lat, Longitude: { } lon }) errors.Add(new FieldError("position", "请填写位置 {latitude, longitude}（WGS-84）。"));
        else if (GeoPoint.Validate(lat, lon) is { } bad) errors.Add(new FieldError("position." + bad.Field, bad.Reason));
        else position = new GeoPoint(lat, lon);
        if (request.Category is null) errors.Add(new FieldError("category", $"请选择需求类别：{string.Join("、", Enum.GetNames<NeedCategory>().Select(JsonNamingPolicy.CamelCase.ConvertName))}。"));
        if (request.Quantity is null) errors.Add(new FieldError("quantity", "请填写需求数量。"));
        if (request.Description is { Length: > MaxDescriptionLength }) errors.Add(new FieldError("description", $"情况说明不能超过 {MaxDescriptionLength} 个字。"));
        var phone = request.ContactPhone?.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (phone is { Length: > 0 } && !PhonePattern().IsMatch(phone)) errors.Add(new FieldError("contactPhone", "联系电话格式不正确。"));
        if (request.ClientReportId is { } cid && (cid.Length is 0 or > 100)) errors.Add(new FieldError("clientReportId", "上报编号须为 1 到 100 个字符。"));
        if ((request.PhotoUploadIds ?? []).Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 100 || p.Any(c => char.IsWhiteSpace(c) || c is '/' or '\\')))
            errors.Add(new FieldError("photoUploadIds", "照片编号格式不正确。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var stored = await incidents.LoadAsync(request.IncidentId!, ct);
        // Staff report into incidents of their jurisdiction chain only (another district's incident is not theirs to change);
        // citizens report wherever they are.
        if (stored is null || caller.IsStaff && !IncidentService.Sees(caller, stored.Incident.JurisdictionCode))
        {
            if (stored is not null) await audit.AppendAsync(caller, new AuditEvent("disaster.need.report", AuditOutcome.Denied, Detail: "outOfScope"), requestId, ct);
            return Problem.NotFound("INCIDENT_NOT_FOUND", "灾害事件不存在", "没有找到该灾害事件，请核对事件编号。");
        }

        var reportId = request.ClientReportId is { } client ? ReportIdOf(caller.Subject, client) : "r-" + Ids.New(clock);
        var report = new NeedReport(reportId, stored.Incident.Id, request.Category!.Value, request.Quantity!.Value, request.Unit ?? "",
            request.Urgency ?? Urgency.Normal, position, KindOf(caller.Role), request.ReportedAt ?? clock.GetUtcNow(), request.PhotoUploadIds);
        var details = new ReportDetails(caller.Subject, request.Description?.Trim() is { Length: > 0 } d ? d : null, phone is { Length: > 0 } ? phone : null);
        var result = await IntakeAsync(stored.Incident, report, details, null, ct);
        if (result.Problem is { } problem) return problem;
        var (kind, need) = result.Value!;
        await audit.AppendAsync(caller, new AuditEvent("disaster.need.report", AuditOutcome.Success, Detail: $"{need.Need.Id} {kind}"), requestId, ct);
        object view = caller.Role == Role.Citizen
            ? await CitizenViewAsync(need, caller.Subject, ct) ?? (object)NeedSummary(need)
            : View(need);
        var receipt = new NeedReceipt(kind, need.Need.Id, need.Need.OutsideIncidentArea, view);
        return kind == IntakeKind.Created
            ? Result.Created(receipt, $"/api/disaster/needs/{need.Need.Id}", need.ETag.ToString())
            : Result.Ok(receipt, need.ETag.ToString());
    }

    /// <summary>
    /// Runs one report through <see cref="NeedIntake.Accept"/> against the incident's needs and stores the result;
    /// <paramref name="adjust"/> may change the resulting need in the same write (analysis adjustment). Created needs are handed to
    /// the dispatch side when a starter is registered. Publishes <c>need.created</c> / <c>need.merged</c>.
    /// </summary>
    public async Task<Result<(IntakeKind Kind, StoredNeed Need)>> IntakeAsync(Incident incident, NeedReport report, ReportDetails details,
        Func<StoredNeed, StoredNeed>? adjust, CancellationToken ct)
    {
        if (NeedIntake.Check(incident, report, clock) is { Count: > 0 } refused) return Problem.Rejected(refused);
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        return await Optimistic.RetryAsync<Result<(IntakeKind Kind, StoredNeed Need)>>($"needs of incident {incident.Id}", async () =>
        {
            var existing = await CandidatesAsync(incident.Id, report, ct);
            var outcome = NeedIntake.Accept(incident, report, existing.Select(s => s.Need), Ids.New(clock), clock);
            if (!outcome.Accepted) return Problem.Rejected(outcome.Rejections);
            var (need, kind) = outcome.Value;
            if (kind == IntakeKind.Duplicate)
            {
                var same = existing.Single(s => s.Need.Id == need.Id);
                await SaveReportAsync(need.Id, report, details, ct);
                return Result.Ok((kind, same));
            }
            var previous = existing.FirstOrDefault(s => s.Need.Id == need.Id);
            var next = new StoredNeed(need, incident.JurisdictionCode, previous?.ETag ?? default, previous?.DispatchId, previous?.AnalysisUploads ?? []);
            if (adjust is not null) next = adjust(next);
            Response response;
            if (kind == IntakeKind.Created)
            {
                var ids = await tables.GetAsync(TableNames.DisasterNeedIds, ct);
                await ids.UpsertEntityAsync(new TableEntity(need.Id, "") { ["IncidentId"] = incident.Id }, TableUpdateMode.Replace, ct);
                response = await table.AddEntityAsync(ToEntity(next), ct);
            }
            else response = await table.UpdateEntityAsync(ToEntity(next), next.ETag, TableUpdateMode.Replace, ct);
            next = next with { ETag = response.Headers.ETag ?? default };
            await SaveReportAsync(need.Id, report, details, ct);
            await IndexReportAsync(incident.Id, report.ReportId, need.Id, ct);
            if (kind == IntakeKind.Created) next = await StartDispatchAsync(incident, next, ct);
            await dashboard.PublishAsync(incident.JurisdictionCode, kind == IntakeKind.Created ? "need.created" : "need.merged", DashboardData(next), ct);
            return Result.Ok((kind, next));
        }, ct);
    }

    /// <summary>
    /// What a report can merge into or repeat, read with a filter instead of the incident's whole partition (which a surge
    /// makes thousands of rows long): the incident's needs of the report's category whose latest report is within the merge
    /// window of this one and whose anchor lies in the latitude band of the merge radius (a superset of the radius), plus the
    /// need that already holds this report id (point read of the report index). <see cref="NeedIntake.Accept"/> then applies
    /// the exact rules.
    /// </summary>
    async Task<IReadOnlyList<StoredNeed>> CandidatesAsync(string incidentId, NeedReport report, CancellationToken ct)
    {
        var policy = NeedMergePolicy.Default;
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        var category = report.Category.ToString();
        var from = report.ReportedAt - policy.Window;
        var to = report.ReportedAt + policy.Window;
        // One degree of latitude is at least 110.5 km anywhere on the ellipsoid; the band is therefore never narrower than the radius.
        var band = policy.Radius / 110_000.0;
        var south = report.Position.Latitude - band;
        var north = report.Position.Latitude + band;
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {incidentId} and Category eq {category} and LastReportedAt ge {from} and LastReportedAt le {to} and Latitude ge {south} and Latitude le {north}");
        var list = new List<StoredNeed>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(FromEntity(e));
        if (string.IsNullOrEmpty(report.ReportId)) return list;

        var ids = await tables.GetAsync(TableNames.DisasterNeedIds, ct);
        var indexed = await ids.GetEntityIfExistsAsync<TableEntity>(ReportIndexKey(incidentId, report.ReportId), "", cancellationToken: ct);
        if (indexed.HasValue && indexed.Value!.GetString("NeedId") is { } needId && list.All(n => n.Need.Id != needId)
            && await table.GetEntityIfExistsAsync<TableEntity>(incidentId, needId, cancellationToken: ct) is { HasValue: true } holder)
            list.Add(FromEntity(holder.Value!));
        return list;
    }

    /// <summary>Remembers which need holds a report id, so a repeated report is recognised even outside the merge window.</summary>
    async Task IndexReportAsync(string incidentId, string reportId, string needId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(reportId)) return;
        var ids = await tables.GetAsync(TableNames.DisasterNeedIds, ct);
        await ids.UpsertEntityAsync(new TableEntity(ReportIndexKey(incidentId, reportId), "") { ["NeedId"] = needId }, TableUpdateMode.Replace, ct);
    }

    /// <summary>Report-index rows share <c>DisasterNeedIds</c> with the need-id rows; the prefix keeps them apart (need ids have no '|').</summary>
    static string ReportIndexKey(string incidentId, string reportId) => $"report|{incidentId}|{reportId}";

    /// <summary>The relief items a need asks for: the catalogue's first item for the category in the need's unit (else the first for the category), the need's quantity.</summary>
    public static IReadOnlyList<DispatchItem> ItemsFor(Need need)
    {
        var items = ReliefItemCatalogue.For(need.Category);
        var item = items.FirstOrDefault(i => i.Unit == need.Unit) ?? items.FirstOrDefault();
        return item is null ? [] : [new DispatchItem(item.Code, need.Quantity)];
    }

    async Task<StoredNeed> StartDispatchAsync(Incident incident, StoredNeed stored, CancellationToken ct)
    {
        var starter = dispatchers.LastOrDefault();
        var items = ItemsFor(stored.Need);
        if (starter is null || items.Count == 0) return stored;
        Result<string> started;
        try
        {
            started = await starter.StartAsync(incident, stored.Need, items, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The need stands; staff see it without a dispatch and can start one (POST .../needs/{id}/dispatch).
            logger.LogWarning("Dispatch for need {NeedId} not started: {Error}", stored.Need.Id, e.Message);
            return stored;
        }
        if (started.Problem is { } problem)
        {
            logger.LogWarning("Dispatch for need {NeedId} refused: {Code}", stored.Need.Id, problem.Code);
            return stored;
        }
        return await ChangeAsync(stored.Need.IncidentId, stored.Need.Id, s => s with { DispatchId = started.Value }, ct) ?? stored;
    }

    /// <summary>
    /// Staff start a new dispatch for an open need that has none (its earlier one was cancelled or failed, or none could be
    /// started); 409 <c>NEED_ALREADY_DISPATCHED</c> while one is under way.
    /// </summary>
    public async Task<Result<NeedView>> DispatchAgainAsync(CallContext call, string needId)
    {
        var (caller, requestId, ct) = call;
        var stored = await LoadAsync(needId, ct);
        if (stored is null || !IncidentService.Sees(caller, stored.Jurisdiction)) return NotFound();
        if (!stored.Need.IsOpen) return Problem.Conflict("NEED_NOT_OPEN", "需求已结束", $"需求当前状态为{stored.Need.Status.ChineseName()}，不能再调度。");
        if (stored.DispatchId is { } current) return Problem.Conflict("NEED_ALREADY_DISPATCHED", "需求已在调度中", $"该需求已有进行中的调度单 {current}。");
        var incident = await incidents.LoadAsync(stored.Need.IncidentId, ct);
        if (incident is null) return NotFound();
        if (ItemsFor(stored.Need) is not { Count: > 0 } items || dispatchers.LastOrDefault() is not { } starter)
            return Problem.Conflict("NEED_NOT_DISPATCHABLE", "需求不能调度物资", "该类需求没有对应的救灾物资（如“其他”类），请线下处置。");
        var started = await starter.StartAsync(incident.Incident, stored.Need, items, ct);
        if (started.Problem is { } problem) return problem;
        var updated = await ChangeAsync(stored.Need.IncidentId, needId, s => s with { DispatchId = started.Value }, ct) ?? stored;
        await audit.AppendAsync(caller, new AuditEvent("disaster.need.dispatch", AuditOutcome.Success, Detail: $"{needId} → {started.Value}"), requestId, ct);
        await dashboard.PublishAsync(updated.Jurisdiction, "need.dispatched", DashboardData(updated), ct);
        return Result.Ok(View(updated));
    }

    /// <summary>Re-reads and replaces a need (ETag, retried on 412). Null when it does not exist.</summary>
    public async Task<StoredNeed?> ChangeAsync(string incidentId, string needId, Func<StoredNeed, StoredNeed?> change, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        return await Optimistic.RetryAsync<StoredNeed?>($"need {needId}", async () =>
        {
            var e = await table.GetEntityIfExistsAsync<TableEntity>(incidentId, needId, cancellationToken: ct);
            if (!e.HasValue) return null;
            var current = FromEntity(e.Value!);
            var next = change(current);
            if (next is null) return current;
            var response = await table.UpdateEntityAsync(ToEntity(next), current.ETag, TableUpdateMode.Replace, ct);
            return next with { ETag = response.Headers.ETag ?? default };
        }, ct);
    }

    async Task SaveReportAsync(string needId, NeedReport report, ReportDetails details, CancellationToken ct)
    {
        var reports = await tables.GetAsync(TableNames.DisasterNeedReports, ct);
        var row = new TableEntity(needId, report.ReportId)
        {
            ["ReporterKind"] = report.Reporter.ToString(),
            ["ReporterSubject"] = details.ReporterSubject,
            ["ReportedAt"] = report.ReportedAt,
            ["Quantity"] = report.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Urgency"] = report.Urgency.ToString(),
        };
        if (details.Description is { } d) row["Description"] = cipher.Encrypt(d, Aad(needId, report.ReportId, "Description"));
        if (details.ContactPhone is { } p) row["ContactPhone"] = cipher.Encrypt(p, Aad(needId, report.ReportId, "ContactPhone"));
        await reports.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
    }

    static string Aad(string needId, string reportId, string field) => $"disaster/need/{needId}/report/{reportId}/{field}";

    /// <summary>A report id scoped to its reporter: the same client id from two people never collides.</summary>
    public static string ReportIdOf(string subject, string clientReportId) =>
        "c-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject + "\n" + clientReportId)))[..32];

    /// <summary>Staff (incident in their jurisdiction chain) see the need and its reports; a citizen sees a need they reported.</summary>
    public async Task<Result<object>> GetAsync(CallContext call, string id, AccessPurpose? purpose)
    {
        var (caller, requestId, ct) = call;
        var stored = await LoadAsync(id, ct);
        if (stored is null) return NotFound();
        if (caller.Role == Role.Citizen)
            return await CitizenViewAsync(stored, caller.Subject, ct) is { } mine ? Result.Ok<object>(mine, stored.ETag.ToString()) : NotFound();
        if (!IncidentService.Sees(caller, stored.Jurisdiction))
        {
            await audit.AppendAsync(caller, new AuditEvent("disaster.need.read", AuditOutcome.Denied, Detail: "outOfScope"), requestId, ct);
            return NotFound();
        }
        var unmask = AccessPolicy.MayUnmask(caller.Role, purpose);
        var reports = new List<NeedReportView>();
        var table = await tables.GetAsync(TableNames.DisasterNeedReports, ct);
        await foreach (var r in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), cancellationToken: ct))
        {
            string? Open(string field) => r.GetString(field) is { } token ? cipher.Decrypt(token, Aad(id, r.RowKey, field)) : null;
            var kind = Enum.Parse<ReporterKind>(r.GetString("ReporterKind"));
            var phone = Open("ContactPhone");
            reports.Add(new NeedReportView(kind, kind.ChineseName(), r.GetDateTimeOffset("ReportedAt")!.Value,
                decimal.Parse(r.GetString("Quantity"), System.Globalization.CultureInfo.InvariantCulture), Enum.Parse<Urgency>(r.GetString("Urgency")),
                unmask ? Open("Description") : Masking.MaskFreeText(Open("Description")), unmask ? phone : Masking.MaskPhone(phone)));
        }
        await audit.AppendAsync(caller, new AuditEvent("disaster.need.read", AuditOutcome.Success, Purpose: unmask ? purpose : null, Detail: id), requestId, ct);
        return Result.Ok<object>(View(stored) with { Reports = reports.OrderBy(r => r.ReportedAt).ToList() }, stored.ETag.ToString());
    }

    /// <summary>
    /// Needs the caller sees, ranked by <see cref="NeedPriority"/> (open needs; other statuses newest first):
    /// of one incident, or of every active incident in the caller's jurisdiction chain.
    /// </summary>
    public async Task<Result<NeedList>> ListAsync(CallContext call, string? incidentId, NeedStatus status)
    {
        var (caller, ct) = (call.Caller, call.Cancellation);
        List<string> incidentIds;
        if (incidentId is not null)
        {
            var incident = await incidents.LoadAsync(incidentId, ct);
            if (incident is null || !IncidentService.Sees(caller, incident.Incident.JurisdictionCode)) return IncidentService.NotFound();
            incidentIds = [incident.Incident.Id];
        }
        else incidentIds = (await incidents.ListAsync(caller, activeOnly: true, ct)).Items.Select(i => i.Id).ToList();
        var all = new List<StoredNeed>();
        foreach (var i in incidentIds) all.AddRange(await ListOfIncidentAsync(i, ct));
        var byId = all.ToDictionary(s => s.Need.Id);
        var now = clock.GetUtcNow();
        IEnumerable<StoredNeed> ordered = status == NeedStatus.Open
            ? NeedPriority.Rank(all.Select(s => s.Need), now).Select(x => byId[x.Need.Id])
            : all.Where(s => s.Need.Status == status).OrderByDescending(s => s.Need.LastReportedAt);
        var views = ordered.Select(View).ToList();
        return Result.Ok(new NeedList(views.Count, views));
    }

    /// <summary>Open needs per category of each incident (counts only; for the public feed).</summary>
    /// <remarks>The public feeds call this per incident on every request, so only the open needs' category column is read.</remarks>
    public async Task<IReadOnlyDictionary<NeedCategory, int>> OpenCountsAsync(string incidentId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        var open = NeedStatus.Open.ToString();
        var counts = new Dictionary<NeedCategory, int>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {incidentId} and Status eq {open}"), select: ["Category"], cancellationToken: ct))
        {
            var category = Enum.Parse<NeedCategory>(e.GetString("Category"));
            counts[category] = counts.GetValueOrDefault(category) + 1;
        }
        return counts;
    }

    public async Task<IReadOnlyList<StoredNeed>> ListOfIncidentAsync(string incidentId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        var list = new List<StoredNeed>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {incidentId}"), cancellationToken: ct)) list.Add(FromEntity(e));
        return list;
    }

    public async Task<StoredNeed?> LoadAsync(string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var ids = await tables.GetAsync(TableNames.DisasterNeedIds, ct);
        var entry = await ids.GetEntityIfExistsAsync<TableEntity>(id, "", cancellationToken: ct);
        if (!entry.HasValue) return null;
        var table = await tables.GetAsync(TableNames.DisasterNeeds, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(entry.Value!.GetString("IncidentId"), id, cancellationToken: ct);
        return e.HasValue ? FromEntity(e.Value!) : null;
    }

    async Task<CitizenNeedView?> CitizenViewAsync(StoredNeed stored, string subject, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterNeedReports, ct);
        var mine = new List<DateTimeOffset>();
        await foreach (var r in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {stored.Need.Id} and ReporterSubject eq {subject}"), cancellationToken: ct))
            mine.Add(r.GetDateTimeOffset("ReportedAt")!.Value);
        return mine.Count == 0 ? null : NeedSummary(stored) with { YourReports = mine.Order().ToList() };
    }

    static CitizenNeedView NeedSummary(StoredNeed s) => new(s.Need.Id, s.Need.IncidentId, s.Need.Category, s.Need.Category.ChineseName(),
        s.Need.Status, s.Need.Status.ChineseName(), s.Need.ReportCount, s.DispatchId is not null, []);

    public NeedView View(StoredNeed s) => new()
    {
        Id = s.Need.Id,
        IncidentId = s.Need.IncidentId,
        Jurisdiction = s.Jurisdiction,
        Category = s.Need.Category,
        CategoryName = s.Need.Category.ChineseName(),
        Quantity = s.Need.Quantity,
        Unit = s.Need.Unit,
        Urgency = s.Need.Urgency,
        UrgencyName = s.Need.Urgency.ChineseName(),
        Position = new PositionView(s.Need.Position.Latitude, s.Need.Position.Longitude),
        FirstReportedAt = s.Need.FirstReportedAt,
        LastReportedAt = s.Need.LastReportedAt,
        ReportCount = s.Need.ReportCount,
        Reporters = s.Need.Reporters,
        PhotoRefs = s.Need.PhotoRefs,
        OutsideIncidentArea = s.Need.OutsideIncidentArea,
        AnalysisAdjustment = s.Need.AnalysisAdjustment,
        Status = s.Need.Status,
        StatusName = s.Need.Status.ChineseName(),
        Priority = NeedPriority.Score(s.Need, clock.GetUtcNow()),
        DispatchId = s.DispatchId,
    };

    /// <summary>The dashboard event payload: the need's facts and score, no reporter data.</summary>
    public object DashboardData(StoredNeed s) => new
    {
        needId = s.Need.Id,
        incidentId = s.Need.IncidentId,
        category = s.Need.Category,
        quantity = s.Need.Quantity,
        unit = s.Need.Unit,
        urgency = s.Need.Urgency,
        reportCount = s.Need.ReportCount,
        position = new PositionView(s.Need.Position.Latitude, s.Need.Position.Longitude),
        outsideIncidentArea = s.Need.OutsideIncidentArea,
        analysisAdjustment = s.Need.AnalysisAdjustment,
        priority = NeedPriority.Score(s.Need, clock.GetUtcNow()).Total,
        dispatchId = s.DispatchId,
    };

    static TableEntity ToEntity(StoredNeed s)
    {
        var n = s.Need;
        return new TableEntity(n.IncidentId, n.Id)
        {
            ["Jurisdiction"] = s.Jurisdiction,
            ["Category"] = n.Category.ToString(),
            ["Quantity"] = n.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Unit"] = n.Unit,
            ["Urgency"] = n.Urgency.ToString(),
            ["Latitude"] = n.Position.Latitude,
            ["Longitude"] = n.Position.Longitude,
            ["FirstReportedAt"] = n.FirstReportedAt,
            ["LastReportedAt"] = n.LastReportedAt,
            ["ReportCount"] = n.ReportCount,
            ["ReportIds"] = JsonSerializer.Serialize(n.ReportIds),
            ["Reporters"] = JsonSerializer.Serialize(n.Reporters.Select(r => r.ToString())),
            ["PhotoRefs"] = JsonSerializer.Serialize(n.PhotoRefs),
            ["OutsideIncidentArea"] = n.OutsideIncidentArea,
            ["AnalysisAdjustment"] = n.AnalysisAdjustment,
            ["Status"] = n.Status.ToString(),
            ["DispatchId"] = s.DispatchId,
            ["AnalysisUploads"] = JsonSerializer.Serialize(s.AnalysisUploads),
        };
    }

    static StoredNeed FromEntity(TableEntity e)
    {
        static List<string> Strings(string? json) => json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];
        var need = new Need
        {
            Id = e.RowKey,
            IncidentId = e.PartitionKey,
            Category = Enum.Parse<NeedCategory>(e.GetString("Category")),
            Quantity = decimal.Parse(e.GetString("Quantity"), System.Globalization.CultureInfo.InvariantCulture),
            Unit = e.GetString("Unit"),
            Urgency = Enum.Parse<Urgency>(e.GetString("Urgency")),
            Position = new GeoPoint(e.GetDouble("Latitude")!.Value, e.GetDouble("Longitude")!.Value),
            FirstReportedAt = e.GetDateTimeOffset("FirstReportedAt")!.Value,
            LastReportedAt = e.GetDateTimeOffset("LastReportedAt")!.Value,
            ReportCount = e.GetInt32("ReportCount") ?? 1,
            ReportIds = Strings(e.GetString("ReportIds")),
            Reporters = Strings(e.GetString("Reporters")).Select(Enum.Parse<ReporterKind>).ToList(),
            PhotoRefs = Strings(e.GetString("PhotoRefs")),
            OutsideIncidentArea = e.GetBoolean("OutsideIncidentArea") ?? false,
            AnalysisAdjustment = e.GetInt32("AnalysisAdjustment") ?? 0,
            Status = Enum.Parse<NeedStatus>(e.GetString("Status")),
        };
        return new StoredNeed(need, e.GetString("Jurisdiction"), e.ETag, e.GetString("DispatchId"), Strings(e.GetString("AnalysisUploads")));
    }

    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{9,11})$")]
    private static partial Regex PhonePattern();
}
