using Azure;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>
/// Care institutions (养老机构) for staff: register and update the registry entry, record inspections and staffing, handle
/// complaints, explain the star rating; and citizens' complaints. Staff reach an institution when its jurisdiction lies in
/// theirs (<see cref="AccessPolicy.InScope"/>); any other institution answers 404 exactly like a missing one and the denial is
/// audited. Every write is checked in full before anything is stored, audited, and followed by a recomputation of the rating.
/// Storage: <see cref="InstitutionRepository"/>.
/// </summary>
public sealed class InstitutionService(InstitutionRepository repository, InstitutionRatingService ratings, DivisionDirectory divisions, FieldCipher cipher,
    AuditLog audit, TimeProvider clock)
{
    public static Problem NotFound() => Problem.NotFound("INSTITUTION_NOT_FOUND", "养老机构不存在", "没有找到该养老机构，或您无权查看。");

    static Problem ComplaintNotFound() => Problem.NotFound("COMPLAINT_NOT_FOUND", "投诉不存在", "没有找到该投诉，或您无权查看。");

    /// <summary>Staff whose jurisdiction contains the institution's.</summary>
    public static bool Sees(Caller caller, InstitutionRecord institution) =>
        caller.IsStaff && AccessPolicy.InScope(caller, new ResourceScope(institution.Jurisdiction));

    public async Task<Result<InstitutionView>> RegisterAsync(CallContext call, RegisterInstitutionRequest request)
    {
        var (caller, requestId, ct) = call;
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckRegistration(request, divisions, issues);
        if (issues.Count > 0) return Problem.Invalid(issues);
        var jurisdiction = request.Jurisdiction!;
        if (!AccessPolicy.InScope(caller, new ResourceScope(jurisdiction)))
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.institution.register", AuditOutcome.Denied, Detail: $"{jurisdiction}:outOfScope"), requestId, ct);
            return Problem.OutOfJurisdiction("只能登记本人管辖范围内的养老机构。");
        }
        var record = new InstitutionRecord(Ids.New(clock), InstitutionRules.DistrictOf(jurisdiction), jurisdiction, request.Name!.Trim(), request.LicenceNumber!.Trim(),
            request.LicenceValidUntil!.Value, request.Beds!.Value, request.Address!.Trim(), request.Ownership!.Value, clock.GetUtcNow(), caller.Subject);
        var etag = await repository.AddAsync(record, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.register", AuditOutcome.Success, Detail: record.Id), requestId, ct);
        var rating = await ratings.RecomputeAsync(record, ct);
        return Result.Created(View(record, rating), $"/api/elderly/institutions/{record.Id}", etag.ToString());
    }

    public async Task<Result<InstitutionView>> GetAsync(CallContext call, string id)
    {
        var reached = await ReachAsync(call, id, "elderly.institution.read");
        if (reached.Problem is { } p) return p;
        var institution = reached.Value!;
        var rating = await repository.FindRatingAsync(institution.District, institution.Id, call.Cancellation);
        return Result.Ok(View(institution, rating), institution.ETag.ToString());
    }

    /// <summary>Institutions in the caller's jurisdiction (optionally one district's), by name.</summary>
    public async Task<Result<InstitutionList>> ListAsync(CallContext call, string? district)
    {
        var (caller, _, ct) = call;
        if (district is not null && !IsDistrict(district))
            return Problem.InvalidQuery("district", "区代码须为6位数字，如 440106（天河区）。", "区代码格式不正确。");
        if (caller.Jurisdiction is not { } j || !Jurisdiction.IsWellFormed(j)) return Result.Ok(new InstitutionList(0, []));
        var partition = district ?? (Jurisdiction.LevelOf(j) == DivisionLevel.City ? null : j[..6]);
        var institutions = (await repository.ListAsync(partition, ct)).Where(i => Sees(caller, i)).ToList();
        var byId = (await repository.RatingsAsync(partition, ct)).ToDictionary(r => r.InstitutionId);
        var views = institutions.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => View(i, byId.GetValueOrDefault(i.Id))).ToList();
        return Result.Ok(new InstitutionList(views.Count, views));
    }

    /// <summary>Changes registry fields (the district stays). <paramref name="ifMatch"/>: 412 when stale; without it, retried on conflicts.</summary>
    public async Task<Result<InstitutionView>> UpdateAsync(CallContext call, string id, UpdateInstitutionRequest request, string? ifMatch)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<InstitutionRecord>>($"institution {id}", async () =>
        {
            var reached = await ReachAsync(call, id, "elderly.institution.update");
            if (reached.Problem is { } p) return p;
            var current = reached.Value!;
            if (ifMatch is not null && ifMatch != "*" && ifMatch != current.ETag.ToString()) return Problem.Stale();
            var latest = RatingRules.Latest(await repository.StaffingAsync(id, ct), ChinaTime.Today(clock));
            var issues = new List<FieldIssue>();
            InstitutionRules.CheckUpdate(request, current, latest?.Residents, divisions, issues);
            if (issues.Count > 0) return Problem.Invalid(issues);
            if (request.Jurisdiction is { } moved && !AccessPolicy.InScope(caller, new ResourceScope(moved)))
            {
                await audit.AppendAsync(caller, new AuditEvent("elderly.institution.update", AuditOutcome.Denied, Detail: $"{id}:targetOutOfScope"), requestId, ct);
                return Problem.OutOfJurisdiction("只能把机构调整到本人管辖范围内的行政区划。");
            }
            var next = current with
            {
                Name = request.Name?.Trim() ?? current.Name,
                LicenceNumber = request.LicenceNumber?.Trim() ?? current.LicenceNumber,
                LicenceValidUntil = request.LicenceValidUntil ?? current.LicenceValidUntil,
                Beds = request.Beds ?? current.Beds,
                Jurisdiction = request.Jurisdiction ?? current.Jurisdiction,
                Address = request.Address?.Trim() ?? current.Address,
                Ownership = request.Ownership ?? current.Ownership,
                UpdatedAt = clock.GetUtcNow(),
                UpdatedBy = caller.Subject,
            };
            try
            {
                var etag = await repository.ReplaceAsync(next, ct);
                return Result.Ok(next with { ETag = etag });
            }
            catch (RequestFailedException e) when (e.Status == 412 && ifMatch is not null)
            {
                return Problem.Stale();
            }
        }, ct);
        if (result.Problem is { } problem) return problem;
        var updated = result.Value!;
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.update", AuditOutcome.Success, Detail: id), requestId, ct);
        var rating = await ratings.RecomputeAsync(updated, ct);
        return Result.Ok(View(updated, rating), updated.ETag.ToString());
    }

    public async Task<Result<InspectionView>> RecordInspectionAsync(CallContext call, string id, InspectionRequest request)
    {
        var (caller, requestId, ct) = call;
        var reached = await ReachAsync(call, id, "elderly.institution.inspection");
        if (reached.Problem is { } p) return p;
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckInspection(request, ChinaTime.Today(clock), issues);
        if (issues.Count > 0) return Problem.Invalid(issues);
        var record = new InspectionRecord(Ids.New(clock), id, request.Date!.Value, request.Score!.Value, request.SeriousViolation ?? false,
            string.IsNullOrWhiteSpace(request.Findings) ? null : request.Findings.Trim(), clock.GetUtcNow(), caller.Subject);
        await repository.AddInspectionAsync(record, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.inspection", AuditOutcome.Success, Detail: $"{id}/{record.Id}"), requestId, ct);
        var rating = await ratings.RecomputeAsync(reached.Value!, ct);
        return Result.Created(new InspectionView(record.Id, id, record.Date, record.Score, record.SeriousViolation, record.Findings, record.RecordedAt, record.RecordedBy,
            RatingRules.Summary(rating)), $"/api/elderly/institutions/{id}/rating");
    }

    public async Task<Result<StaffingView>> RecordStaffingAsync(CallContext call, string id, StaffingRequest request)
    {
        var (caller, requestId, ct) = call;
        var reached = await ReachAsync(call, id, "elderly.institution.staffing");
        if (reached.Problem is { } p) return p;
        var institution = reached.Value!;
        var today = ChinaTime.Today(clock);
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckStaffing(request, institution.Beds, today, issues);
        if (issues.Count > 0) return Problem.Invalid(issues);
        var record = new StaffingRecord(Ids.New(clock), id, request.AsOf ?? today, request.CareStaff!.Value, request.Residents!.Value, clock.GetUtcNow(), caller.Subject);
        await repository.AddStaffingAsync(record, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.staffing", AuditOutcome.Success, Detail: $"{id}/{record.Id}"), requestId, ct);
        var rating = await ratings.RecomputeAsync(institution, ct);
        return Result.Created(new StaffingView(record.Id, id, record.AsOf, record.CareStaff, record.Residents, record.RecordedAt, record.RecordedBy,
            RatingRules.Summary(rating)), $"/api/elderly/institutions/{id}/rating");
    }

    /// <summary>
    /// A citizen (or community worker, street officer) lodges a complaint about any registered institution. The text and the
    /// complainant's account are stored only encrypted; the answer names no one. A pending complaint does not change the rating.
    /// </summary>
    public async Task<Result<ComplaintReceipt>> LodgeComplaintAsync(CallContext call, string id, ComplaintRequest request)
    {
        var (caller, requestId, ct) = call;
        var institution = await repository.FindAsync(id, ct);
        if (institution is null) return NotFound();
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckComplaint(request, issues);
        if (issues.Count > 0) return Problem.Invalid(issues);
        var now = clock.GetUtcNow();
        var complaintId = Ids.New(clock);
        var record = new ComplaintRecord(complaintId, id, ChinaTime.DateOf(now), now, caller.Role,
            cipher.Encrypt(request.Text!.Trim(), Aad(id, complaintId, "text")), cipher.Encrypt(caller.Subject, Aad(id, complaintId, "complainant")), ComplaintStatus.Pending);
        await repository.AddComplaintAsync(record, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.complaint.lodge", AuditOutcome.Success, Detail: $"{id}/{complaintId}"), requestId, ct);
        return Result.Created(new ComplaintReceipt(complaintId, id, institution.Name, record.ReceivedOn, record.Status, record.Status.ChineseName()), null);
    }

    /// <summary>The institution's complaints for the staff who handle them (the read of the texts is audited), newest first.</summary>
    public async Task<Result<ComplaintList>> ListComplaintsAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var reached = await ReachAsync(call, id, "elderly.institution.complaints.read");
        if (reached.Problem is { } p) return p;
        var items = (await repository.ComplaintsAsync(id, ct)).OrderByDescending(c => c.Id, StringComparer.Ordinal).Select(c => ComplaintView(c)).ToList();
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.complaints.read", AuditOutcome.Success, Detail: $"{id}:{items.Count}"), requestId, ct);
        return Result.Ok(new ComplaintList(items.Count, items));
    }

    /// <summary>Staff record whether a complaint was substantiated (once); a substantiated one counts in the rating at once.</summary>
    public async Task<Result<ComplaintView>> DecideComplaintAsync(CallContext call, string id, string complaintId, ComplaintDecisionRequest request)
    {
        var (caller, requestId, ct) = call;
        var reached = await ReachAsync(call, id, "elderly.institution.complaint.decide");
        if (reached.Problem is { } p) return p;
        var issues = new List<FieldIssue>();
        InstitutionRules.CheckDecision(request, issues);
        if (issues.Count > 0) return Problem.Invalid(issues);
        var decided = await Optimistic.RetryAsync<Result<ComplaintRecord>>($"complaint {complaintId}", async () =>
        {
            var complaint = await repository.FindComplaintAsync(id, complaintId, ct);
            if (complaint is null) return ComplaintNotFound();
            if (complaint.Status != ComplaintStatus.Pending)
                return Problem.Conflict("COMPLAINT_ALREADY_DECIDED", "投诉已核查", $"该投诉已于{ChinaTime.ToChina(complaint.DecidedAt!.Value):yyyy-MM-dd}核查为“{complaint.Status.ChineseName()}”，不能重复核查。");
            var next = complaint with
            {
                Status = request.Substantiated!.Value ? ComplaintStatus.Substantiated : ComplaintStatus.NotSubstantiated,
                DecidedAt = clock.GetUtcNow(),
                DecidedBy = caller.Subject,
                DecisionNote = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(),
            };
            await repository.ReplaceComplaintAsync(next, ct);
            return Result.Ok(next);
        }, ct);
        if (decided.Problem is { } problem) return problem;
        var record = decided.Value!;
        await audit.AppendAsync(caller, new AuditEvent("elderly.institution.complaint.decide", AuditOutcome.Success, Detail: $"{id}/{complaintId}:{record.Status}"), requestId, ct);
        var rating = await ratings.RecomputeAsync(reached.Value!, ct);
        return Result.Ok(ComplaintView(record, RatingRules.Summary(rating)));
    }

    /// <summary>The stored rating explained: inputs, weights, caps applied, or 暂无评级 with the reasons.</summary>
    public async Task<Result<InstitutionRatingView>> GetRatingAsync(CallContext call, string id)
    {
        var reached = await ReachAsync(call, id, "elderly.institution.rating.read");
        if (reached.Problem is { } p) return p;
        var institution = reached.Value!;
        var rating = await repository.FindRatingAsync(institution.District, id, call.Cancellation) ?? await ratings.RecomputeAsync(institution, call.Cancellation);
        return Result.Ok(RatingView(institution, rating, ratings.Weights));
    }

    public static InstitutionRatingView RatingView(InstitutionRecord institution, RatingRecord rating, Domain.Elderly.StarRatingWeights weights) => new()
    {
        InstitutionId = institution.Id,
        Name = institution.Name,
        Rated = rating.Rated,
        Stars = rating.Stars,
        Display = RatingRules.Display(rating.Rated ? rating.Stars : null),
        RatedOn = rating.RatedOn,
        ComputedAt = rating.ComputedAt,
        WeightedPoints = rating.WeightedPoints,
        Components = rating.Components,
        CapsApplied = RatingRules.CapsApplied(rating),
        Explanation = rating.Rated ? rating.Explanation : [$"{RatingRules.NotRated}。", .. rating.Reasons.Select(r => r.Reason + "。")],
        Reasons = rating.Reasons,
        Weights = RatingRules.WeightsView(weights),
        Rules = RatingRules.Rules(weights),
    };

    /// <summary>The institution if the caller reaches it; missing and out-of-reach both answer 404, the latter audited as denied.</summary>
    async Task<Result<InstitutionRecord>> ReachAsync(CallContext call, string id, string action)
    {
        var (caller, requestId, ct) = call;
        var institution = await repository.FindAsync(id, ct);
        if (institution is null) return NotFound();
        if (!Sees(caller, institution))
        {
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, Detail: $"{id}:outOfScope"), requestId, ct);
            return NotFound();
        }
        return Result.Ok(institution);
    }

    ComplaintView ComplaintView(ComplaintRecord c, RatingSummary? rating = null) => new(c.Id, c.InstitutionId, c.ReceivedOn, ChinaTime.ToChina(c.ReceivedAt),
        c.LodgedAs switch { Role.Citizen => "市民", Role.CommunityWorker => "社区工作者", Role.StreetOfficer => "街道工作人员", _ => "其他" },
        cipher.Decrypt(c.TextToken, Aad(c.InstitutionId, c.Id, "text")), c.Status, c.Status.ChineseName(),
        c.DecidedAt is { } at ? ChinaTime.ToChina(at) : null, c.DecidedBy, c.DecisionNote, rating);

    static string Aad(string institutionId, string complaintId, string field) => $"elderly/institution/{institutionId}/complaint/{complaintId}/{field}";

    static bool IsDistrict(string code) => Jurisdiction.IsWellFormed(code) && code.Length == 6 && Jurisdiction.LevelOf(code) == DivisionLevel.District;

    public InstitutionView View(InstitutionRecord i, RatingRecord? rating) => new()
    {
        Id = i.Id,
        Name = i.Name,
        LicenceNumber = i.LicenceNumber,
        LicenceValidUntil = i.LicenceValidUntil,
        Beds = i.Beds,
        District = i.District,
        Jurisdiction = i.Jurisdiction,
        JurisdictionName = divisions.FullName(i.Jurisdiction),
        Address = i.Address,
        Ownership = i.Ownership,
        OwnershipName = i.Ownership.ChineseName(),
        RegisteredAt = ChinaTime.ToChina(i.RegisteredAt),
        RegisteredBy = i.RegisteredBy,
        UpdatedAt = i.UpdatedAt is { } at ? ChinaTime.ToChina(at) : null,
        UpdatedBy = i.UpdatedBy,
        Rating = RatingRules.Summary(rating),
    };
}
