using System.Collections.Concurrent;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Memorials;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>
/// Online memorials (网上纪念): a relative creates a page for the deceased with a recorded consent and a privacy level and keeps
/// the family list; visitors leave messages (keyword-screened, then moderated by the family unless they chose auto-publish) and
/// virtual offerings; everyone reads the rendered page, which is a precomputed read model re-rendered when a message is approved,
/// the page changes, or (at most every <see cref="MemorialOptions.OfferingRefresh"/> per instance) offerings were counted.
/// Public and link-only pages are answered with <c>Cache-Control: public</c> and an ETag (the hash of the rendered page);
/// family-only pages only to the listed family, and to anyone else exactly as a missing page (404, audited).
/// </summary>
public sealed class MemorialService(MemorialRepository memorials, PersonIndex persons, AuditLog audit, IOptions<MemorialOptions> options, TimeProvider clock)
{
    public const long MaxPhotoBytes = 5 * 1024 * 1024;
    static readonly UploadKind[] PhotoKinds = [UploadKind.Jpeg, UploadKind.Png, UploadKind.Webp];
    readonly ConcurrentDictionary<string, DateTimeOffset> renderedForOfferings = new(StringComparer.Ordinal);

    MemorialScreenProvider Screen { get; } = new();

    // ---------------------------------------------------------------- the family: create, read, family list, photo

    public async Task<Result<MemorialAdminView>> CreateAsync(CallContext call, CreateMemorialRequest request)
    {
        var (caller, requestId, ct) = call;
        if (caller.PersonId is not { } me) return MemorialProblems.RealNameRequired();
        var consent = request.Consent;
        var draft = new MemorialDraft(request.Name, request.BornOn, request.DiedOn, request.Biography?.Trim() is { Length: > 0 } b ? b : null, request.Privacy, request.AutoPublish,
            consent?.ConsentedBy, consent?.Relation, consent?.Agreed == true, consent?.Scope);
        var rejections = MemorialRules.Check(draft, ChinaTime.Today(clock));
        if (rejections.Count > 0)
        {
            if (rejections.Any(r => r.Code == "MEMORIAL_CONSENT_REQUIRED"))
                await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.create", AuditOutcome.Denied, Detail: "consentMissing"), requestId, ct);
            return MemorialProblems.Rejected(rejections);
        }
        var now = clock.GetUtcNow();
        var memorial = new Memorial
        {
            Id = Ids.New(clock), Name = draft.Name!.Trim(), BornOn = draft.BornOn, DiedOn = draft.DiedOn!.Value, Biography = draft.Biography,
            Privacy = draft.Privacy!.Value, AutoPublish = draft.AutoPublish, OwnerPersonId = me, CreatedAt = now,
            Consent = new MemorialConsent(me, consent!.ConsentedBy!.Trim(), consent.Relation!, now, [.. consent.Scope!.Distinct()], draft.Privacy.Value),
            Family = [new FamilyMember(me, consent.ConsentedBy!.Trim(), consent.Relation!, Moderator: true, now)],
        };
        await memorials.SaveAsync(memorial, default, ct);
        await RenderAsync(memorial.Id, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.create", AuditOutcome.Success,
            Detail: $"{memorial.Id}:{memorial.Privacy}:consent={string.Join('+', memorial.Consent.Scope)}"), requestId, ct);
        return Result.Created(AdminView(memorial, me), $"/api/memorials/{memorial.Id}/family-view");
    }

    /// <summary>The family's view of the memorial (consent, family list, settings); anyone else 404.</summary>
    public async Task<Result<MemorialAdminView>> GetAdminAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var stored = await FamilyOnlyAsync(call, id, "funeral.memorial.read", moderator: false);
        if (stored is null) return MemorialProblems.MemorialNotFound();
        await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.read", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Ok(AdminView(stored.Memorial, caller.PersonId), stored.ETag.ToString());
    }

    public async Task<Result<MemorialList>> ListOwnAsync(CallContext call)
    {
        var (caller, _, ct) = call;
        if (caller.PersonId is not { } me) return Result.Ok(new MemorialList([]));
        var items = new List<MemorialListItem>();
        foreach (var id in await memorials.MemorialsOfAsync(me, ct))
            if (await memorials.GetAsync(id, ct) is { } s && MemorialRules.IsFamily(s.Memorial, me))
                items.Add(new MemorialListItem(id, s.Memorial.Name, s.Memorial.BornOn, s.Memorial.DiedOn));
        return Result.Ok(new MemorialList(items));
    }

    /// <summary>The owner adds a relative (or makes them a moderator), identified by name and ID number against the person index.</summary>
    public async Task<Result<MemorialAdminView>> AddFamilyAsync(CallContext call, string id, FamilyMemberRequest request)
    {
        var (caller, requestId, ct) = call;
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null || caller.PersonId is null || stored.Memorial.OwnerPersonId != caller.PersonId)
        {
            if (stored is not null) await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.family", AuditOutcome.Denied, Detail: $"{id}:notOwner"), requestId, ct);
            return MemorialProblems.MemorialNotFound();
        }
        var idNumber = IdNumber.Validate(request.IdNumber, ChinaTime.Today(clock));
        var (person, index) = idNumber.IsValid && !string.IsNullOrWhiteSpace(request.Name)
            ? await persons.MatchAsync(idNumber.Normalized, request.Name.Trim(), ct) : (null, null);
        if (person is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.family", AuditOutcome.NotFound, index, Detail: id), requestId, ct);
            return Problem.Invalid("idNumber", "姓名与身份证号码不匹配，或该人员尚未登记。", "MEMORIAL_FAMILY_NOT_VERIFIED", "家属身份核验未通过");
        }
        if (MemorialRules.CheckFamilyChange(stored.Memorial, person.Id, request.Relation) is { } no) return MemorialProblems.Rejected(no);
        var updated = await Optimistic.RetryAsync($"memorial {id}", async () =>
        {
            var fresh = (await memorials.GetAsync(id, ct))!;
            var member = new FamilyMember(person.Id, request.Name!.Trim(), request.Relation!, request.Moderator, clock.GetUtcNow());
            var m = fresh.Memorial with { Family = [.. fresh.Memorial.Family.Where(f => f.PersonId != person.Id), member] };
            await memorials.SaveAsync(m, fresh.ETag, ct);
            return m;
        }, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.family", AuditOutcome.Success, index, Detail: $"{id}:{request.Relation}:moderator={request.Moderator}"), requestId, ct);
        return Result.Ok(AdminView(updated, caller.PersonId));
    }

    /// <summary>A moderator sets the photo (JPEG, PNG or WebP, checked by content), when the consent covers a photo.</summary>
    public async Task<Result<MemorialAdminView>> PhotoAsync(CallContext call, string id, string? fileName, string? contentType, long length, Stream content)
    {
        var (caller, requestId, ct) = call;
        var stored = await FamilyOnlyAsync(call, id, "funeral.memorial.photo", moderator: true);
        if (stored is null) return MemorialProblems.MemorialNotFound();
        if (!MemorialRules.AcceptsPhoto(stored.Memorial))
            return Problem.Conflict("MEMORIAL_CONSENT_SCOPE", "近亲属未同意公开照片", "同意范围不包括照片，不能上传。");
        var bytes = await ReadAllAsync(content, length, MaxPhotoBytes, ct);
        var check = UploadPolicy.Check(fileName, contentType, length, bytes, MaxPhotoBytes, PhotoKinds);
        if (!check.Ok) return Problem.Invalid(check.Errors, "照片须为 JPEG、PNG 或 WebP 格式，不超过 5 MB。");
        var name = $"{id}/{check.SafeName}";
        await memorials.PutBlobAsync(MemorialRepository.PhotoContainer, name, bytes, check.ContentType, ct);
        var updated = await Optimistic.RetryAsync($"memorial {id}", async () =>
        {
            var fresh = (await memorials.GetAsync(id, ct))!;
            var m = fresh.Memorial with { Photo = name, PhotoContentType = check.ContentType };
            await memorials.SaveAsync(m, fresh.ETag, ct);
            return m;
        }, ct);
        if (stored.Memorial.Photo is { } old && old != name) await memorials.DeleteBlobAsync(MemorialRepository.PhotoContainer, old, ct);
        await RenderAsync(id, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.photo", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Ok(AdminView(updated, caller.PersonId));
    }

    /// <summary>The photo, with the page's reading rules (public and link-only: cacheable by anyone).</summary>
    public async Task<Result<FileBody>> GetPhotoAsync(CallContext call, string id)
    {
        var ct = call.Cancellation;
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null || !await MayReadAsync(call, stored.Memorial) || stored.Memorial.Photo is not { } name || !MemorialRules.AcceptsPhoto(stored.Memorial))
            return MemorialProblems.MemorialNotFound();
        if (await memorials.GetBlobAsync(MemorialRepository.PhotoContainer, name, ct) is not { } photo) return MemorialProblems.MemorialNotFound();
        var result = Result.Ok(new FileBody(photo.Content, photo.ContentType), $"\"{Path.GetFileNameWithoutExtension(name)}\"");
        return MemorialRules.IsPubliclyCacheable(stored.Memorial) ? result.Cached(options.Value.PublicCacheSeconds) : result;
    }

    // ---------------------------------------------------------------- everyone: the rendered page

    /// <summary>
    /// The page: one blob read. Public and link-only pages are the same for everyone and cacheable by anyone (with the ETag, so
    /// <c>If-None-Match</c> answers 304); a family-only page only to its family, not publicly cacheable, and its reads are audited.
    /// </summary>
    public async Task<Result<MemorialPageView>> GetPageAsync(CallContext call, string id)
    {
        var ct = call.Cancellation;
        var page = await memorials.ReadPageAsync(id, ct);
        if (page is null)
        {
            // Created but not rendered yet (a crash in between): render it now.
            if (await memorials.GetAsync(id, ct) is null) return MemorialProblems.MemorialNotFound();
            page = await RenderAsync(id, ct);
        }
        if (page.Privacy != MemorialPrivacy.FamilyOnly)
            return Result.Ok(page.View, page.ETag).Cached(options.Value.PublicCacheSeconds);
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null || !await MayReadAsync(call, stored.Memorial)) return MemorialProblems.MemorialNotFound();
        await audit.AppendAsync(call.Principal, new AuditEvent("funeral.memorial.read", AuditOutcome.Success, Detail: id), call.RequestId, ct);
        return Result.Ok(page.View, page.ETag);
    }

    /// <summary>The listed (public) memorials, newest first; cacheable.</summary>
    public async Task<Result<MemorialList>> ListPublicAsync(CallContext call) =>
        Result.Ok(new MemorialList(await memorials.ListPublicAsync(100, call.Cancellation))).Cached(options.Value.PublicCacheSeconds);

    // ---------------------------------------------------------------- visitors: messages and offerings

    public async Task<Result<MessageView>> PostMessageAsync(CallContext call, string id, MessageRequest request)
    {
        var (caller, requestId, ct) = call;
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null || !await MayReadAsync(call, stored.Memorial)) return MemorialProblems.MemorialNotFound();
        if (!MemorialRules.AcceptsMessages(stored.Memorial)) return MemorialProblems.MessagesClosed();
        if (MessageRules.CheckText(request.Text) is { } invalid) return MemorialProblems.Rejected(invalid);
        var text = request.Text!.Trim();
        var screened = Screen.Get().Screen(text);
        if (MessageRules.InitialStatus(screened.Verdict, stored.Memorial.AutoPublish) is not { } status)
        {
            // Refused: nothing is stored; the audit entry says how many listed words matched, never which.
            await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.message", AuditOutcome.Denied, Detail: $"{id}:offensive:{screened.Matches}"), requestId, ct);
            return MemorialProblems.OffensiveMessage();
        }
        var now = clock.GetUtcNow();
        var message = new StoredMessage(Ids.New(clock), id, caller.Subject, Masking.MaskName(DisplayName(caller)) ?? "访客", text, status, screened.Verdict,
            now, status == MessageStatus.Approved ? "autoPublish" : null, status == MessageStatus.Approved ? now : null, default);
        await memorials.AddMessageAsync(message, ct);
        if (status == MessageStatus.Approved) await RenderAsync(id, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.message", AuditOutcome.Success, Detail: $"{id}:{message.Id}:{status}:{screened.Verdict}"), requestId, ct);
        return Result.Created(View(message), $"/api/memorials/{id}/messages/{message.Id}");
    }

    /// <summary>The family's moderation queue (pending messages, borderline ones flagged); only moderators.</summary>
    public async Task<Result<MessageList>> ModerationQueueAsync(CallContext call, string id)
    {
        var stored = await FamilyOnlyAsync(call, id, "funeral.memorial.moderate", moderator: true);
        if (stored is null) return MemorialProblems.MemorialNotFound();
        var pending = await memorials.MessagesAsync(id, MessageStatus.Pending, call.Cancellation);
        await audit.AppendAsync(call.Caller, new AuditEvent("funeral.memorial.moderate", AuditOutcome.Success, Detail: $"{id}:queue:{pending.Count}"), call.RequestId, call.Cancellation);
        return Result.Ok(new MessageList([.. pending.Select(View)]));
    }

    /// <summary>A moderator approves or rejects a pending message (audited); an approved one appears on the page at once.</summary>
    public async Task<Result<MessageView>> DecideAsync(CallContext call, string id, string messageId, ModerationRequest request)
    {
        var (caller, requestId, ct) = call;
        var stored = await FamilyOnlyAsync(call, id, "funeral.memorial.moderate", moderator: true);
        if (stored is null) return MemorialProblems.MemorialNotFound();
        if (request.Decision is not ({ } decision and (MessageStatus.Approved or MessageStatus.Rejected)))
            return Problem.Invalid("decision", "请选择 approved（通过）或 rejected（拒绝）。");
        var message = await memorials.GetMessageAsync(id, messageId, ct);
        if (message is null) return MemorialProblems.MessageNotFound();
        if (MessageRules.CheckDecision(message.Status, decision) is { } no) return MemorialProblems.Rejected(no);
        if (message.Status != decision)
        {
            message = message with { Status = decision, DecidedBy = caller.Subject, DecidedAt = clock.GetUtcNow() };
            try { message = message with { ETag = await memorials.UpdateMessageAsync(message, ct) }; }
            catch (Azure.RequestFailedException e) when (e.Status == 412)
            {
                return Problem.Conflict("MEMORIAL_MESSAGE_DECIDED", "当前状态不允许该操作", "该留言刚被其他家属处理，请刷新。");
            }
            if (decision == MessageStatus.Approved) await RenderAsync(id, ct);
            await audit.AppendAsync(caller, new AuditEvent("funeral.memorial.moderate", AuditOutcome.Success, Detail: $"{id}:{messageId}:{decision}"), requestId, ct);
        }
        return Result.Ok(View(message));
    }

    /// <summary>A virtual offering from the fixed catalogue, counted on a sharded counter; the page shows it within the refresh interval.</summary>
    public async Task<Result<OfferingReceipt>> OfferAsync(CallContext call, string id, OfferingRequest request)
    {
        var ct = call.Cancellation;
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null || !await MayReadAsync(call, stored.Memorial)) return MemorialProblems.MemorialNotFound();
        if (request.Kind is not { } kind || !Enum.IsDefined(kind))
            return Problem.Invalid("kind", $"请选择祭奠方式：{string.Join("、", Offerings.Catalogue.Select(k => $"{JsonName(k)}（{k.ChineseName()}）"))}。");
        await memorials.CountOfferingAsync(id, kind, ct);
        var now = clock.GetUtcNow();
        var last = renderedForOfferings.GetValueOrDefault(id);
        if (now - last >= options.Value.OfferingRefresh && renderedForOfferings.TryUpdate(id, now, last) | renderedForOfferings.TryAdd(id, now))
            await RenderAsync(id, ct, yieldOnConflict: true);
        return Result.Ok(new OfferingReceipt(id, kind, kind.ChineseName()));
    }

    // ---------------------------------------------------------------- rendering

    /// <summary>Renders the page from the memorial, its approved messages and the offering shards, and stores it.</summary>
    public async Task<RenderedPage> RenderAsync(string id, CancellationToken ct) => (await RenderAsync(id, ct, yieldOnConflict: false))!;

    Task<RenderedPage?> RenderAsync(string id, CancellationToken ct, bool yieldOnConflict) => memorials.WritePageAsync(id, async () =>
    {
        var m = (await memorials.GetAsync(id, ct))?.Memorial ?? throw new InvalidOperationException($"Memorial {id} vanished while rendering.");
        var approved = await memorials.MessagesAsync(id, MessageStatus.Approved, ct);
        var counts = await memorials.OfferingCountsAsync(id, ct);
        var offerings = Offerings.Catalogue.Select(k => new OfferingCount(k, k.ChineseName(), counts[k])).ToList();
        var messages = approved.OrderByDescending(x => x.Id, StringComparer.Ordinal).Take(MemorialRepository.MaxPublishedMessages)
            .Select(x => new PublishedMessage(x.Id, x.Author, x.Text, x.DecidedAt ?? x.CreatedAt)).ToList();
        var view = new MemorialPageView(m.Id, m.Name, m.BornOn, m.DiedOn, MemorialRules.AcceptsBiography(m) ? m.Biography : null,
            m.Photo is not null && MemorialRules.AcceptsPhoto(m) ? $"/api/memorials/{m.Id}/photo" : null, m.Privacy,
            offerings, offerings.Sum(o => o.Count), messages, approved.Count, clock.GetUtcNow());
        return (view, m.Privacy);
    }, ct, yieldOnConflict);

    // ---------------------------------------------------------------- helpers

    async Task<bool> MayReadAsync(CallContext call, Memorial m)
    {
        if (MemorialRules.MayRead(m, call.Principal?.PersonId)) return true;
        await audit.AppendAsync(call.Principal, new AuditEvent("funeral.memorial.read", AuditOutcome.Denied, Detail: $"{m.Id}:notFamily"), call.RequestId, call.Cancellation);
        return false;
    }

    /// <summary>The memorial when the caller is in its family (a moderator, when <paramref name="moderator"/>); else null, the denial audited.</summary>
    async Task<StoredMemorial?> FamilyOnlyAsync(CallContext call, string id, string action, bool moderator)
    {
        var (caller, requestId, ct) = call;
        var stored = await memorials.GetAsync(id, ct);
        if (stored is null) return null;
        var allowed = moderator ? MemorialRules.IsModerator(stored.Memorial, caller.PersonId) : MemorialRules.IsFamily(stored.Memorial, caller.PersonId);
        if (allowed) return stored;
        await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, Detail: $"{id}:{(moderator ? "notModerator" : "notFamily")}"), requestId, ct);
        return null;
    }

    static string DisplayName(Caller caller)
    {
        var name = caller.DisplayName;
        var cut = name.IndexOfAny(['（', '(']);
        return (cut > 0 ? name[..cut] : name).Trim();
    }

    static string JsonName(OfferingKind k) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(k.ToString());

    internal static async Task<byte[]> ReadAllAsync(Stream content, long length, long max, CancellationToken ct)
    {
        var buffer = new byte[Math.Clamp(length, 1, max)];
        var read = 0;
        while (read < buffer.Length && await content.ReadAsync(buffer.AsMemory(read), ct) is var got and > 0) read += got;
        return buffer[..read];
    }

    static MessageView View(StoredMessage m) =>
        new(m.Id, m.MemorialId, m.Author, m.Text, m.Status, m.Status.ChineseName(), m.Verdict == ScreenVerdict.Borderline, m.CreatedAt, m.DecidedAt);

    static MemorialAdminView AdminView(Memorial m, string? you) => new(m.Id, m.Name, m.BornOn, m.DiedOn, m.Biography, m.Photo is not null, m.Privacy, m.AutoPublish,
        new MemorialConsentView(m.Consent.ConsentedBy, m.Consent.Relation, m.Consent.ConsentedAt, m.Consent.Scope, m.Consent.Privacy),
        [.. m.Family.Select(f => new FamilyMemberView(f.Name, f.Relation, f.Moderator || f.PersonId == m.OwnerPersonId, f.PersonId == m.OwnerPersonId, f.PersonId == you))],
        MemorialRules.IsModerator(m, you), $"/api/memorials/{m.Id}", m.CreatedAt);
}

/// <summary>The screen, built on first use (loading jieba's dictionary takes about a second), not at start-up.</summary>
sealed class MemorialScreenProvider
{
    public MessageScreen Get() => JiebaScreen.Default;
}
