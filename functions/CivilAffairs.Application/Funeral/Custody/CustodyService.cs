using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Custody;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Funeral.Custody;

/// <summary>The custody problems: rule rejections as problem details and the not-found answers.</summary>
public static class CustodyProblems
{
    /// <summary>A state that does not allow the step is 409, the wrong person 403, bad input 400 — each with the rule's code.</summary>
    public static Problem Rejected(CustodyRejection r)
    {
        IReadOnlyList<FieldError> errors = [new FieldError(r.Field ?? "", r.Reason)];
        return r.Kind switch
        {
            CustodyRejectionKind.State => Problem.Conflict(r.Code, "交接环节不符合规定", r.Reason, errors),
            CustodyRejectionKind.WrongParty => new Problem(403, r.Code, "交接双方不符合规定", r.Reason, errors),
            _ => Problem.Invalid(r.Field ?? "", r.Reason, r.Code),
        };
    }

    public static Problem BodyNotFound() => Problem.NotFound("BODY_NOT_FOUND", "遗体保管记录不存在", "没有找到该遗体保管记录，或您无权查看。");
    public static Problem HandoverNotFound() => Problem.NotFound("HANDOVER_NOT_FOUND", "交接记录不存在", "没有找到该交接记录，或您无权办理。");
    public static Problem NotFamilyContact() => new(403, "NOT_FAMILY_CONTACT", "不是登记的家属联系人",
        "骨灰只能交给登记的家属联系人：请用本人实名认证的账号确认，或提供与登记一致的身份证号码。");
    /// <summary>The caller's site does not take bodies over (not configured, or a cemetery): 422, the role itself may (access matrix).</summary>
    public static Problem SiteNotConfigured() => new(422, "SITE_NOT_CONFIGURED", "本机构不办理遗体接运", "您所在的殡葬服务机构未开通遗体接运登记（公墓只接收骨灰安放）。");
}

/// <summary>
/// Custody of remains and ashes (遗体和骨灰交接): the funeral home takes a body over (tag number and QR), every later step is a
/// two-party handover — the handing staff proposes it, a different receiving party confirms it with their own token (the registered
/// family contact for a release of the ashes, the cemetery's staff for a placement) — and every confirmed handover is appended, in the
/// same transaction, to the body's SM3 hash-chained ledger, which anyone who may read the body can verify end to end. Personal
/// identifiers are SM4-encrypted and found by blind index; every access is audited with the deceased's blind index as subject.
/// </summary>
public sealed class CustodyService(CustodyRepository repository, PersonIndex persons, AuditLog audit, IOptions<CustodyOptions> options,
    TimeProvider clock, ILogger<CustodyService> logger)
{
    CustodyOptions Options => options.Value;
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    // ---------------------------------------------------------------- intake

    public async Task<Result<BodyView>> IntakeAsync(CallContext call, IntakeRequest request)
    {
        var (caller, requestId, ct) = call;
        if (caller.Channel is not { } siteId || !Options.Sites.TryGetValue(siteId, out var site) || site.Columbarium)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.intake", AuditOutcome.Denied, Detail: "siteNotConfigured"), requestId, ct);
            return CustodyProblems.SiteNotConfigured();
        }
        var now = clock.GetUtcNow();
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        var deceasedId = IdNumber.Validate(request.Deceased?.IdNumber, today);
        var contactId = IdNumber.Validate(request.Contact?.IdNumber, today);
        var deceasedName = request.Deceased?.Name?.Trim();
        var contactName = request.Contact?.Name?.Trim();
        var phone = request.Contact?.Phone?.Trim();
        var placeName = request.PickUp?.PlaceName?.Trim();
        var address = request.PickUp?.Address?.Trim();
        if (!IsName(deceasedName)) errors.Add(new("deceased.name", "请填写逝者姓名（1–40 个字符）。"));
        if (!deceasedId.IsValid) errors.Add(new("deceased.idNumber", "逝者身份证号码无效。"));
        if (!IsName(contactName)) errors.Add(new("contact.name", "请填写家属联系人姓名（1–40 个字符）。"));
        if (phone is not { Length: 11 } || phone[0] != '1' || !phone.All(char.IsAsciiDigit)) errors.Add(new("contact.phone", "请填写家属联系人的 11 位手机号码。"));
        if (!contactId.IsValid) errors.Add(new("contact.idNumber", "家属联系人身份证号码无效。"));
        else if (deceasedId.IsValid && contactId.Normalized == deceasedId.Normalized) errors.Add(new("contact.idNumber", "家属联系人不能是逝者本人。"));
        if (request.PickUp?.Kind is not { } kind) errors.Add(new("pickUp.kind", "请说明接运地点：hospital（医院）或 home（家中）。"));
        else if (kind == PickUpPlace.Hospital && !IsText(placeName, 100)) errors.Add(new("pickUp.placeName", "请填写医院名称（不超过 100 个字符）。"));
        if (placeName is { Length: > 0 } && !IsText(placeName, 100)) errors.Add(new("pickUp.placeName", "地点名称不超过 100 个字符。"));
        if (address is { Length: > 0 } && !IsText(address, 200)) errors.Add(new("pickUp.address", "地址不超过 200 个字符。"));
        if (request.PickUp?.Kind == PickUpPlace.Home && address is not { Length: > 0 }) errors.Add(new("pickUp.address", "从家中接运的，请填写地址。"));
        if (request.DiedAt is not { } diedAt || diedAt > now + ClockSkew || diedAt < now - Options.PreservationAtMost)
            errors.Add(new("diedAt", "请填写死亡时间（不能晚于现在）。"));
        if (request.Infectious is null) errors.Add(new("infectious", "请说明是否因传染病死亡（true 或 false）。"));
        var takenOverAt = request.At ?? now;
        if (takenOverAt > now + ClockSkew || request.DiedAt is { } d && takenOverAt < d) errors.Add(new("at", "接运时间不能早于死亡时间，也不能晚于现在。"));
        if (request.DeathId is { } deathId && !Ids.TryParse(deathId, out _)) errors.Add(new("deathId", "死亡登记编号格式不正确。"));
        var jurisdiction = request.Jurisdiction?.Trim() ?? caller.Jurisdiction;
        if (jurisdiction is null || caller.Jurisdiction is null || !Jurisdiction.Contains(caller.Jurisdiction, jurisdiction))
            errors.Add(new("jurisdiction", "所属行政区划须在本机构服务范围内。"));
        if (errors.Count > 0)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.intake", AuditOutcome.Denied, Detail: "invalid:" + string.Join(',', errors.Select(e => e.Field))), requestId, ct);
            return Problem.Invalid(errors);
        }

        var deceasedIndex = persons.IndexOf(deceasedId.Normalized);
        var bodyId = Ids.New(clock);
        if (await repository.ClaimDeceasedAsync(deceasedIndex, bodyId, ct) is { } holder)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.intake", AuditOutcome.Denied, deceasedIndex, Detail: $"alreadyInCustody:{holder}"), requestId, ct);
            return Problem.Conflict("ALREADY_IN_CUSTODY", "遗体已在保管中", "该逝者的遗体已有保管记录，不能重复接收。").With("bodyId", holder);
        }
        try
        {
            var year = ChinaTime.DateOf(takenOverAt).Year;
            var tag = BodyTag.Format(site.TagPrefix, year, await repository.NextTagNumberAsync(siteId, year, ct));
            var handedBy = request.PickUp!.Kind == PickUpPlace.Hospital ? "hospital:" + placeName : "home";
            var entry = CustodyChain.Seal(new LedgerEntry
            {
                BodyId = bodyId, Sequence = 1, Step = CustodyStep.Intake, Location = placeName is { Length: > 0 } ? placeName : "家中",
                At = Truncate(takenOverAt), HandedBy = handedBy, ReceivedBy = caller.Subject, SiteId = siteId, ConfirmedAt = Truncate(now), PreviousHash = "", Hash = "",
            }, CustodyChain.Genesis, Sm3.HashHex);
            var body = new BodyRecord
            {
                Id = bodyId, Tag = tag, SiteId = siteId, HomeSiteId = siteId, Jurisdiction = jurisdiction!, PickUpKind = request.PickUp.Kind!.Value,
                PickUpPlaceName = placeName is { Length: > 0 } ? placeName : null, DiedAt = request.DiedAt!.Value, Infectious = request.Infectious!.Value,
                DeathId = request.DeathId, DeceasedIndex = deceasedIndex, ContactIndex = persons.IndexOf(contactId.Normalized), Step = CustodyStep.Intake,
                LedgerSequence = 1, LedgerHead = entry.Hash, Handovers = [], TakenOverAt = entry.At, TakenOverBy = caller.Subject,
            };
            var bodyPersons = new BodyPersons(deceasedName!, deceasedId.Normalized, contactName!, phone!, contactId.Normalized, address is { Length: > 0 } ? address : null);
            var etag = await repository.SaveAsync(body, bodyPersons, default, [entry], ct);
            await repository.IndexTagAsync(tag, bodyId, ct);
            await repository.IndexSiteAsync(body, bodyPersons, ct);
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.intake", AuditOutcome.Success, deceasedIndex, Detail: $"{bodyId}:{tag}"), requestId, ct);
            logger.LogInformation("Body {BodyId} taken over by site {Site} as {Tag}", bodyId, siteId, tag);
            return Result.Created(View(new StoredBody(body, bodyPersons, etag), [entry], Audience.Staff), $"/api/funeral/custody/{bodyId}");
        }
        catch
        {
            await repository.ReleaseDeceasedAsync(deceasedIndex, bodyId, CancellationToken.None);
            throw;
        }
    }

    // ---------------------------------------------------------------- handovers

    public async Task<Result<HandoverView>> ProposeAsync(CallContext call, string bodyId, HandoverProposal request)
    {
        var (caller, requestId, ct) = call;
        var stored = await repository.GetAsync(bodyId, ct);
        if (stored is null || !caller.IsFuneralStaffOf(stored.Body.SiteId))
            return await NotFoundAsync(call, stored, "funeral.custody.propose");
        var body = stored.Body;
        var errors = new List<FieldError>();
        var location = request.Location?.Trim();
        var now = clock.GetUtcNow();
        if (request.Step is null) errors.Add(new("step", "请说明交接环节：transport、coldStorage、farewell、cremation、release 或 placement。"));
        if (!IsText(location, 100)) errors.Add(new("location", "请填写交接位置（如车辆号、冷藏柜号、告别厅、火化炉号、骨灰格位，不超过 100 个字符）。"));
        if (request.At is not { } at || at > now + ClockSkew || at < body.TakenOverAt - ClockSkew) errors.Add(new("at", "交接时间不能早于接运时间，也不能晚于现在。"));
        CustodySite? target = null;
        if (request.Step == CustodyStep.Placement)
        {
            if (request.ToSiteId is not { } to || !Options.Sites.TryGetValue(to, out target) || !target.Columbarium)
                errors.Add(new("toSiteId", "骨灰安放须指明设有骨灰堂的公墓（toSiteId）。"));
        }
        else if (request.ToSiteId is not null) errors.Add(new("toSiteId", "只有骨灰安放需要指明接收的公墓。"));
        if (errors.Count > 0)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.propose", AuditOutcome.Denied, body.DeceasedIndex, Detail: $"{bodyId}:invalid"), requestId, ct);
            return Problem.Invalid(errors);
        }
        if (CustodySteps.CheckNext(body.Step, request.Step!.Value, body.Infectious, request.FarewellWaived) is { } rejection)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.custody.propose", AuditOutcome.Denied, body.DeceasedIndex, Detail: $"{bodyId}:{rejection.Code}"), requestId, ct);
            return CustodyProblems.Rejected(rejection);
        }
        var handover = new HandoverRecord(Ids.New(clock), request.Step.Value, location!, Truncate(request.At!.Value), caller.Subject,
            request.Step == CustodyStep.Placement ? request.ToSiteId : null, request.FarewellWaived && request.Step == CustodyStep.Cremation, HandoverStatus.Proposed);
        var saved = await Optimistic.RetryAsync($"custody {bodyId}", async () =>
        {
            var fresh = (await repository.GetAsync(bodyId, ct))!;
            if (CustodySteps.CheckNext(fresh.Body.Step, handover.Step, fresh.Body.Infectious, handover.FarewellWaived) is { } late) return (Problem?)CustodyProblems.Rejected(late);
            // A newer proposal replaces one nobody confirmed (a mistaken location, another vehicle).
            var handovers = fresh.Body.Handovers.Select(h => h.Status == HandoverStatus.Proposed ? h with { Status = HandoverStatus.Superseded } : h).Append(handover).ToList();
            await repository.SaveAsync(fresh.Body with { Handovers = handovers }, fresh.Persons, fresh.ETag, [], ct);
            return null;
        }, ct);
        if (saved is { } problem) return problem;
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.propose", AuditOutcome.Success, body.DeceasedIndex, Detail: $"{bodyId}:{handover.Id}:{handover.Step}"), requestId, ct);
        return Result.Created(View(handover), $"/api/funeral/custody/{bodyId}");
    }

    public async Task<Result<BodyView>> ConfirmAsync(CallContext call, string bodyId, string handoverId, HandoverConfirmation? request)
    {
        var (caller, requestId, ct) = call;
        const string action = "funeral.custody.confirm";
        var stored = await repository.GetAsync(bodyId, ct);
        var handover = stored?.Body.Handovers.FirstOrDefault(h => h.Id == handoverId);
        if (stored is null || handover is null)
        {
            if (stored is not null && await CanReadAsync(caller, stored, ct) is not null)
            {
                await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.NotFound, stored.Body.DeceasedIndex, Detail: $"{bodyId}:{handoverId}"), requestId, ct);
                return CustodyProblems.HandoverNotFound();
            }
            return await NotFoundAsync(call, stored, action);
        }
        var body = stored.Body;
        string receivedBy;
        var audience = Audience.Staff;
        switch (handover.Step)
        {
            case CustodyStep.Release:
                if (caller.Role == Role.FuneralStaff && !caller.IsFuneralStaffOf(body.SiteId)) return await NotFoundAsync(call, stored, action);
                if (!await IsFamilyContactAsync(caller, body, request?.IdNumber, ct))
                {
                    if (caller.Role is not (Role.Citizen or Role.FuneralStaff)) return await NotFoundAsync(call, stored, action);
                    await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, body.DeceasedIndex, Detail: $"{bodyId}:{handoverId}:NOT_FAMILY_CONTACT"), requestId, ct);
                    return CustodyProblems.NotFamilyContact();
                }
                receivedBy = "familyContact:" + caller.Subject;
                audience = Audience.Family;
                break;
            case CustodyStep.Placement:
                if (!caller.IsFuneralStaffOf(handover.ToSiteId!))
                {
                    if (!caller.IsFuneralStaffOf(body.SiteId)) return await NotFoundAsync(call, stored, action);
                    await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, body.DeceasedIndex, Detail: $"{bodyId}:{handoverId}:NOT_RECEIVING_SITE"), requestId, ct);
                    return new Problem(403, "NOT_RECEIVING_SITE", "不是接收方", "骨灰安放须由接收骨灰的公墓工作人员确认。");
                }
                receivedBy = caller.Subject;
                break;
            default:
                if (!caller.IsFuneralStaffOf(body.SiteId)) return await NotFoundAsync(call, stored, action);
                receivedBy = caller.Subject;
                break;
        }

        var outcome = await Optimistic.RetryAsync($"custody {bodyId}", async () =>
        {
            var fresh = (await repository.GetAsync(bodyId, ct))!;
            var current = fresh.Body.Handovers.First(h => h.Id == handoverId);
            if (current.Status == HandoverStatus.Confirmed)
                return (Problem.Conflict("HANDOVER_ALREADY_CONFIRMED", "交接已确认", $"该交接已于 {ChinaTime.ToChina(current.ConfirmedAt!.Value):yyyy-MM-dd HH:mm} 确认，不会重复记入台账。"), (StoredBody?)null, (IReadOnlyList<LedgerEntry>?)null);
            if (current.Status == HandoverStatus.Superseded)
                return (Problem.Conflict("HANDOVER_SUPERSEDED", "交接已被替换", "移交人已重新发起该环节的交接，请确认最新的交接。"), null, null);
            if (CustodySteps.CheckParties(current.HandedBy, caller.Subject) is { } same) return (CustodyProblems.Rejected(same), null, null);
            if (CustodySteps.CheckNext(fresh.Body.Step, current.Step, fresh.Body.Infectious, current.FarewellWaived) is { } order) return (CustodyProblems.Rejected(order), null, null);
            var now = Truncate(clock.GetUtcNow());
            var sequence = fresh.Body.LedgerSequence + 1;
            var siteAfter = current.Step == CustodyStep.Placement ? current.ToSiteId! : fresh.Body.SiteId;
            var entry = CustodyChain.Seal(new LedgerEntry
            {
                BodyId = bodyId, Sequence = sequence, Step = current.Step, Location = current.Location, At = current.At, HandedBy = current.HandedBy,
                ReceivedBy = receivedBy, SiteId = siteAfter, HandoverId = current.Id, FarewellWaived = current.FarewellWaived, ConfirmedAt = now,
                PreviousHash = "", Hash = "",
            }, fresh.Body.LedgerHead, Sm3.HashHex);
            var confirmed = current with { Status = HandoverStatus.Confirmed, ReceivedBy = receivedBy, ConfirmedAt = now, Sequence = sequence };
            var updated = fresh.Body with
            {
                Step = current.Step, SiteId = siteAfter, LedgerSequence = sequence, LedgerHead = entry.Hash,
                Handovers = [.. fresh.Body.Handovers.Select(h => h.Id == handoverId ? confirmed : h)],
            };
            var etag = await repository.SaveAsync(updated, fresh.Persons, fresh.ETag, [entry], ct);
            return ((Problem?)null, new StoredBody(updated, fresh.Persons, etag), (IReadOnlyList<LedgerEntry>?)null);
        }, ct);
        if (outcome.Item1 is { } problem)
        {
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, body.DeceasedIndex, Detail: $"{bodyId}:{handoverId}:{problem.Code}"), requestId, ct);
            return problem;
        }
        var after = outcome.Item2!;
        await repository.IndexSiteAsync(after.Body, after.Persons, ct);
        if (after.Body.Step.IsFinal()) await repository.ReleaseDeceasedAsync(after.Body.DeceasedIndex, bodyId, ct);
        await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Success, body.DeceasedIndex, Detail: $"{bodyId}:{handoverId}:{handover.Step}:{after.Body.LedgerSequence}"), requestId, ct);
        return Result.Ok(View(after, await repository.LedgerAsync(bodyId, ct), audience));
    }

    // ---------------------------------------------------------------- reading and verifying

    public async Task<Result<BodyView>> GetAsync(CallContext call, string bodyId)
    {
        var (caller, requestId, ct) = call;
        var stored = await repository.GetAsync(bodyId, ct);
        if (stored is null || await CanReadAsync(caller, stored, ct) is not { } audience) return await NotFoundAsync(call, stored, "funeral.custody.read");
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.read", AuditOutcome.Success, stored.Body.DeceasedIndex, Detail: bodyId), requestId, ct);
        return Result.Ok(View(stored, await repository.LedgerAsync(bodyId, ct), audience));
    }

    /// <summary>Funeral staff scanning a body tag: the body of the tag, if it is of their site.</summary>
    public async Task<Result<BodyView>> ByTagAsync(CallContext call, string tag)
    {
        var bodyId = await repository.BodyOfTagAsync(tag, call.Cancellation);
        if (bodyId is null) return CustodyProblems.BodyNotFound();
        return await GetAsync(call, bodyId);
    }

    /// <summary>Recomputes the body's ledger chain end to end: valid, or the first broken link. The verdict is audited.</summary>
    public async Task<Result<ChainVerificationView>> VerifyAsync(CallContext call, string bodyId)
    {
        var (caller, requestId, ct) = call;
        var stored = await repository.GetAsync(bodyId, ct);
        if (stored is null || await CanReadAsync(caller, stored, ct) is null) return await NotFoundAsync(call, stored, "funeral.custody.verify");
        var result = CustodyChain.Verify(await repository.LedgerAsync(bodyId, ct), stored.Body.LedgerSequence, stored.Body.LedgerHead, Sm3.HashHex);
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.verify", result.Valid ? AuditOutcome.Success : AuditOutcome.Failed, stored.Body.DeceasedIndex,
            Detail: result.Valid ? $"{bodyId}:{result.Checked}" : $"{bodyId}:broken at {result.FirstBrokenSequence}: {result.Problem}"), requestId, ct);
        if (!result.Valid) logger.LogWarning("Custody ledger of {BodyId} broken at {Sequence}: {Problem}", bodyId, result.FirstBrokenSequence, result.Problem);
        return Result.Ok(new ChainVerificationView(bodyId, result.Valid, result.Checked, result.FirstBrokenSequence, result.Problem, result.HeadHash));
    }

    /// <summary>The PNG QR code of the body's tag (tag number and body id, nothing personal), for the staff of the site.</summary>
    public async Task<Result<FileBody>> QrAsync(CallContext call, string bodyId)
    {
        var (caller, requestId, ct) = call;
        var stored = await repository.GetAsync(bodyId, ct);
        if (stored is null || !(caller.IsFuneralStaffOf(stored.Body.SiteId) || caller.IsFuneralStaffOf(stored.Body.HomeSiteId)))
            return await NotFoundAsync(call, stored, "funeral.custody.qr");
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.qr", AuditOutcome.Success, stored.Body.DeceasedIndex, Detail: bodyId), requestId, ct);
        var png = CertificateIssuer.QrPng(BodyTag.QrText(stored.Body.Tag, bodyId), Options.QrPixelsPerModule);
        return Result.Ok(new FileBody(png, "image/png", $"{stored.Body.Tag}.png"));
    }

    // ---------------------------------------------------------------- deadlines

    /// <summary>The caller's site's bodies that are approaching or past a deadline (cremation, preservation), most urgent first.</summary>
    public async Task<Result<AtRiskList>> AtRiskAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        if (caller.Channel is not { } siteId) return CustodyProblems.SiteNotConfigured();
        var now = clock.GetUtcNow();
        var items = new List<AtRiskBody>();
        foreach (var b in await repository.OpenBodiesAsync(siteId, ct))
        {
            var deadlines = CustodyDeadlines.Of(b.DiedAt, b.Infectious, b.Step, Options.Rules, now);
            var worst = CustodyDeadlines.Worst(deadlines);
            if (worst == DeadlineState.OnTrack) continue;
            items.Add(new AtRiskBody(b.BodyId, b.Tag, Masking.MaskName(b.DeceasedName)!, b.Step, b.Step.ChineseName(), b.Infectious, b.DiedAt, worst,
                [.. deadlines.Select(d => new DeadlineView(d.Kind, d.Due, d.State))]));
        }
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.atRisk", AuditOutcome.Success, Detail: $"{siteId}:{items.Count}"), requestId, ct);
        return Result.Ok(new AtRiskList(siteId, items.Count, [.. items.OrderByDescending(i => i.Urgency).ThenBy(i => i.Deadlines.Min(d => d.Due))]));
    }

    /// <summary>The alerts the deadline sweep raised for the caller's site, newest first.</summary>
    public async Task<Result<CustodyAlertList>> AlertsAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        if (caller.Channel is not { } siteId) return CustodyProblems.SiteNotConfigured();
        var alerts = await repository.AlertsAsync(siteId, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.custody.alerts", AuditOutcome.Success, Detail: $"{siteId}:{alerts.Count}"), requestId, ct);
        return Result.Ok(new CustodyAlertList(siteId, alerts.Count, [.. alerts.OrderByDescending(a => a.RaisedAt)]));
    }

    /// <summary>
    /// The deadline sweep (timer): for every body not yet cremated whose cremation or preservation deadline is within the alert lead
    /// time or past, one alert row per deadline and state (approaching, then overdue), logged as a warning for the site's staff. Returns
    /// the number of new alerts; running it again raises nothing new.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var raised = 0;
        foreach (var b in await repository.OpenBodiesAsync(null, ct))
            foreach (var d in CustodyDeadlines.Of(b.DiedAt, b.Infectious, b.Step, Options.Rules, now).Where(d => d.State != DeadlineState.OnTrack))
                if (await repository.RaiseAlertAsync(b, d, now, ct))
                {
                    raised++;
                    logger.LogWarning("Custody deadline {Kind} of body {Tag} at site {Site} is {State} (due {Due:O})", d.Kind, b.Tag, b.SiteId, d.State, d.Due);
                }
        return raised;
    }

    // ---------------------------------------------------------------- access

    enum Audience { Staff, Family, Oversight }

    /// <summary>
    /// Who may read a body: the funeral staff of the site that holds it or took it over (or the cemetery a placement is proposed to), the
    /// registered family contact (their bound person has the contact's ID number), and civil-affairs staff and auditors whose jurisdiction
    /// contains the body's.
    /// </summary>
    async Task<Audience?> CanReadAsync(Caller caller, StoredBody stored, CancellationToken ct)
    {
        var b = stored.Body;
        switch (caller.Role)
        {
            case Role.FuneralStaff:
                return caller.IsFuneralStaffOf(b.SiteId) || caller.IsFuneralStaffOf(b.HomeSiteId) || b.Pending?.ToSiteId is { } to && caller.IsFuneralStaffOf(to)
                    ? Audience.Staff : null;
            case Role.Citizen:
                return await IsFamilyContactAsync(caller, b, null, ct) ? Audience.Family : null;
            case Role.StreetOfficer or Role.DistrictApprover or Role.CityAdministrator or Role.Auditor:
                return caller.Jurisdiction is { } j && Jurisdiction.Contains(j, b.Jurisdiction) ? Audience.Oversight : null;
            default:
                return null;
        }
    }

    /// <summary>The caller is the registered family contact: a citizen whose bound person, or the ID number they present, has the contact's blind index.</summary>
    async Task<bool> IsFamilyContactAsync(Caller caller, BodyRecord body, string? presentedIdNumber, CancellationToken ct)
    {
        if (caller.Role != Role.Citizen) return false;
        if (caller.PersonId is { } personId && await persons.LoadAsync(personId, ct) is { } person && person.IdIndex == body.ContactIndex) return true;
        var presented = IdNumber.Validate(presentedIdNumber, ChinaTime.Today(clock));
        return presented.IsValid && persons.IndexOf(presented.Normalized) == body.ContactIndex;
    }

    async Task<Problem> NotFoundAsync(CallContext call, StoredBody? stored, string action)
    {
        if (stored is not null)
            await audit.AppendAsync(call.Caller, new AuditEvent(action, AuditOutcome.Denied, stored.Body.DeceasedIndex, Detail: $"{stored.Body.Id}:outOfScope"), call.RequestId, call.Cancellation);
        return CustodyProblems.BodyNotFound();
    }

    // ---------------------------------------------------------------- views

    BodyView View(StoredBody s, IReadOnlyList<LedgerEntry> ledger, Audience audience)
    {
        var b = s.Body;
        var p = s.Persons;
        var open = audience != Audience.Oversight;
        var deadlines = CustodyDeadlines.Of(b.DiedAt, b.Infectious, b.Step, Options.Rules, clock.GetUtcNow());
        return new BodyView(b.Id, b.Tag, BodyTag.QrText(b.Tag, b.Id), $"/api/funeral/custody/{b.Id}/tag.png", b.SiteId, b.HomeSiteId, b.Jurisdiction, b.Step, b.Step.ChineseName(),
            open ? p.DeceasedName : Masking.MaskName(p.DeceasedName)!, Masking.MaskIdNumber(p.DeceasedIdNumber)!,
            open ? p.ContactName : Masking.MaskName(p.ContactName)!, Masking.MaskPhone(p.ContactPhone)!, b.PickUpKind, b.PickUpPlaceName, b.DiedAt, b.Infectious, b.DeathId,
            CustodyDeadlines.Worst(deadlines), [.. deadlines.Select(d => new DeadlineView(d.Kind, d.Due, d.State))],
            b.Pending is { } pending ? View(pending) : null,
            [.. ledger.OrderBy(e => e.Sequence).Select(e => new LedgerEntryView(e.Sequence, e.Step, e.Step.ChineseName(), e.Location, e.At, e.HandedBy, e.ReceivedBy, e.SiteId,
                e.HandoverId, e.FarewellWaived, e.ConfirmedAt, e.PreviousHash, e.Hash))]);
    }

    static HandoverView View(HandoverRecord h) =>
        new(h.Id, h.Step, h.Step.ChineseName(), h.Location, h.At, h.HandedBy, h.ToSiteId, h.FarewellWaived, h.Status, h.ReceivedBy, h.ConfirmedAt, h.Sequence);

    static bool IsName(string? name) => name is { Length: >= 1 and <= 40 } && TextRules.Check(name) is null;

    static bool IsText(string? text, int max) => text is { Length: > 0 } && text.Length <= max && TextRules.Check(text) is null;

    /// <summary>Instants in the ledger are kept to the millisecond, so the hashed text is the same after a round trip through Table storage.</summary>
    static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}
