using System.Security.Cryptography;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Application.Elderly.Elders;

/// <summary>
/// Elders enrolled in the city's elderly-care services (养老服务对象): enrolment of a registered person by staff over their
/// community, named contacts with their consent, the services enrolled in, and the reads other elderly-care services make
/// (<see cref="ReadForAsync"/>: scope-checked and audited). A death recorded in the death register ends every service from
/// the next day (<see cref="StoredElder.Check"/>).
/// </summary>
public sealed class ElderService(ElderRepository elders, PersonIndex persons, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    public const int MaxContacts = 10;

    public static Problem NotFound() => Problem.NotFound("ELDER_NOT_FOUND", "服务对象不存在", "没有找到该老人，或不在您的管辖范围内。");

    public Task<Result<ElderView>> EnrolAsync(CallContext call, ElderEnrolment request) => EnrolAsync(call, request, null);

    /// <summary>
    /// Enrols with a known elder id (demo data, migration from an existing register); idempotent: a person already enrolled
    /// answers 409 <c>ELDER_ALREADY_ENROLLED</c> and nothing changes. Same checks and audit as an enrolment.
    /// </summary>
    public Task<Result<ElderView>> ImportAsync(CallContext call, string elderId, ElderEnrolment request) =>
        Ids.TryParse(elderId, out _) ? EnrolAsync(call, request, elderId) : throw new ArgumentException("Not a ULID.", nameof(elderId));

    async Task<Result<ElderView>> EnrolAsync(CallContext call, ElderEnrolment request, string? fixedId)
    {
        var (caller, requestId, ct) = call;
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        if (request.Category is null) errors.Add(new FieldError("category", "请选择补贴对象类别：destitute、minimumLiving、lowIncome、aged80Plus、aged60To79。"));
        var home = Position(request.Home, errors);
        var contacts = Contacts(request.Contacts, [], now, errors);
        var services = (request.Services ?? []).Distinct().ToList();
        if (errors.Count > 0) return Problem.Invalid(errors);

        var person = request.PersonId is { } pid ? await persons.LoadAsync(pid, ct) : null;
        if (person is null || !AccessPolicy.InScope(caller, new ResourceScope(person.Jurisdiction, OwnerPersonId: person.Id)))
        {
            if (person is not null) await audit.AppendAsync(caller, new AuditEvent("elderly.elder.enrol", AuditOutcome.Denied, person.IdIndex, Detail: "outOfScope"), requestId, ct);
            return Problem.Invalid("personId", "请先登记该居民（/api/persons），且须在您的管辖范围内。", "PERSON_NOT_FOUND");
        }
        if (person.Jurisdiction.Length != 12)
            return Problem.Invalid("personId", "该居民的居住地须登记到社区（12 位行政区划代码）后才能纳入养老服务。", "ELDER_COMMUNITY_REQUIRED");

        var today = ChinaTime.Today(clock);
        var elderId = fixedId ?? Ids.New(clock);
        var elder = new Elder
        {
            Id = elderId,
            Name = person.Name,
            BirthDate = IdNumber.Validate(person.IdNumber, today).BirthDate,
            Category = request.Category!.Value,
            LivesAlone = request.LivesAlone ?? false,
            Community = person.Jurisdiction,
            DistrictCode = person.Jurisdiction[..6],
            Home = home,
            Contacts = contacts.Select(c => c.ToDomain()).ToList(),
        };
        var valid = ElderRules.Validate(elder, clock);
        if (!valid.Accepted) return Problem.Rejected(valid.Rejections);

        var stored = new StoredElder(elder, person.Jurisdiction, person.Id, person.IdIndex, person.Address ?? "", contacts,
            services.Select(s => new Enrolment(elderId, s, today)).ToList(), NewMealCard(), now, caller.Subject, default);
        var (added, existing) = await elders.AddAsync(stored, ct);
        if (!added)
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.elder.enrol", AuditOutcome.Failed, person.IdIndex, Detail: "alreadyEnrolled"), requestId, ct);
            return Problem.Conflict("ELDER_ALREADY_ENROLLED", "该老人已纳入服务", $"该居民已登记为服务对象：{existing}。");
        }
        await audit.AppendAsync(caller, new AuditEvent("elderly.elder.enrol", AuditOutcome.Success, person.IdIndex, Detail: existing), requestId, ct);
        var saved = await elders.GetAsync(existing, ct) ?? stored;
        return Result.Created(View(saved, unmasked: false), $"/api/elderly/elders/{existing}");
    }

    /// <summary>Staff: the elders of their jurisdiction, or of a division inside it. Citizens: their own record and the elders who named them as a contact.</summary>
    public async Task<Result<ElderList>> ListAsync(CallContext call, string? jurisdiction)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role == Role.Citizen)
        {
            var followed = caller.PersonId is { } me ? await elders.FollowedByAsync(me, ct) : [];
            foreach (var e in followed) await audit.AppendAsync(caller, new AuditEvent("elderly.elder.read", AuditOutcome.Success, e.IdIndex, Detail: "list"), requestId, ct);
            return Result.Ok(new ElderList(followed.Count, followed.Select(e => View(e, unmasked: false)).ToList()));
        }
        if (!caller.IsStaff || caller.Jurisdiction is null) return Problem.Forbidden("只有工作人员可以查看服务对象名单。");
        var within = jurisdiction ?? caller.Jurisdiction;
        if (divisions.Find(within) is null) return Problem.InvalidQuery("jurisdiction", "行政区划代码不存在。", "请填写有效的行政区划代码。");
        if (!AccessPolicy.InScope(caller, new ResourceScope(within))) return Problem.OutOfJurisdiction("只能查看本人管辖范围内的服务对象。");
        var items = new List<ElderView>();
        await foreach (var e in elders.ListAsync(within, ct)) items.Add(View(e, unmasked: false));
        await audit.AppendAsync(caller, new AuditEvent("elderly.elder.list", AuditOutcome.Success, Detail: $"{within}:{items.Count}"), requestId, ct);
        return Result.Ok(new ElderList(items.Count, items));
    }

    /// <summary>One elder: staff over the community, the elder, or a contact with an account. Phones and address unmasked only for a purpose the role allows.</summary>
    public async Task<Result<ElderView>> GetAsync(CallContext call, string id, AccessPurpose? purpose)
    {
        var read = await ReadForAsync(call, id, purpose?.ToString() ?? "view");
        if (read.Problem is { } problem) return problem;
        return Result.Ok(View(read.Value!, AccessPolicy.MayUnmask(call.Caller.Role, purpose)));
    }

    /// <summary>Replaces the contacts (consent recorded now for newly consenting contacts; kept for those who had consented).</summary>
    public async Task<Result<ElderView>> UpdateContactsAsync(CallContext call, string id, ContactsUpdate request)
    {
        var (caller, requestId, ct) = call;
        var result = await Optimistic.RetryAsync<Result<StoredElder>>($"elder {id}", async () =>
        {
            var stored = await elders.GetAsync(id, ct);
            if (stored is null || !caller.IsStaff || !AccessPolicy.InScope(caller, new ResourceScope(stored.Jurisdiction)))
            {
                if (stored is not null) await audit.AppendAsync(caller, new AuditEvent("elderly.elder.contacts", AuditOutcome.Denied, stored.IdIndex, Detail: "outOfScope"), requestId, ct);
                return NotFound();
            }
            var errors = new List<FieldError>();
            var contacts = Contacts(request.Contacts, stored.Contacts, clock.GetUtcNow(), errors);
            if (errors.Count > 0) return Problem.Invalid(errors);
            var next = stored with { Contacts = contacts, Elder = stored.Elder with { Contacts = contacts.Select(c => c.ToDomain()).ToList() } };
            var saved = await elders.ReplaceAsync(next, ct);
            await elders.IndexContactsAsync(id, stored.Contacts, contacts, ct);
            return Result.Ok(saved);
        }, ct);
        if (result.Problem is { } p) return p;
        var saved = result.Value!;
        await audit.AppendAsync(caller, new AuditEvent("elderly.elder.contacts", AuditOutcome.Success, saved.IdIndex,
            Detail: $"{saved.Contacts.Count} contacts, {saved.Contacts.Count(c => c.Consented)} consented"), requestId, ct);
        return Result.Ok(View(saved, unmasked: false));
    }

    /// <summary>
    /// Reads an elder for another elderly-care service (alarms, meals, home care): 404 <c>ELDER_NOT_FOUND</c> when unknown or
    /// outside the caller's reach (the denial audited), the access audited with <paramref name="purpose"/>.
    /// </summary>
    public async Task<Result<StoredElder>> ReadForAsync(CallContext call, string elderId, string purpose)
    {
        var (caller, requestId, ct) = call;
        var stored = await elders.GetAsync(elderId, ct);
        if (stored is null) return NotFound();
        if (!AccessPolicy.InScope(caller, stored.Scope))
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.elder.read", AuditOutcome.Denied, stored.IdIndex, Detail: $"{purpose}:outOfScope"), requestId, ct);
            return NotFound();
        }
        await audit.AppendAsync(caller, new AuditEvent("elderly.elder.read", AuditOutcome.Success, stored.IdIndex, Detail: purpose), requestId, ct);
        return Result.Ok(stored);
    }

    ElderView View(StoredElder s, bool unmasked)
    {
        var today = ChinaTime.Today(clock);
        var e = s.Elder;
        return new ElderView(e.Id, unmasked ? e.Name : Masking.MaskName(e.Name)!, e.AgeOn(today), e.Category, e.Category.ChineseName(), e.LivesAlone,
            s.Jurisdiction, divisions.Find(s.Jurisdiction)?.Name ?? s.Jurisdiction, e.DistrictCode,
            unmasked ? s.Address : Masking.MaskAddress(s.Address) ?? "",
            unmasked && e.Home is { } h ? new PositionBody(h.Latitude, h.Longitude) : null,
            s.Contacts.Select(c => new ContactView(c.Id, unmasked ? c.Name : Masking.MaskName(c.Name)!, c.Role, c.Role.ChineseName(),
                unmasked ? c.Phone : Masking.MaskPhone(c.Phone)!, c.Consented, c.ConsentedAt, c.PersonId is not null)).ToList(),
            s.Enrolments.Select(en =>
            {
                var check = s.Check(en.Service, today);
                return new ServiceView(en.Service, en.Service.ChineseName(), en.From, en.Until, check.Accepted, check.Accepted ? null : check.Rejections[0].Reason);
            }).ToList(),
            e.DiedOn, s.MealCardNumber, !unmasked);
    }

    static GeoPoint? Position(PositionBody? body, List<FieldError> errors)
    {
        if (body is null) return null;
        if (body.Latitude is not { } lat || body.Longitude is not { } lon || GeoPoint.Validate(lat, lon) is not null)
        {
            errors.Add(new FieldError("home", "请填写有效的住址坐标（纬度 -90～90，经度 -180～180）。"));
            return null;
        }
        return new GeoPoint(lat, lon);
    }

    /// <summary>Validates contacts; a contact already stored with the same name and phone keeps its id and consent time.</summary>
    static List<StoredContact> Contacts(IReadOnlyList<ContactRequest>? requested, IReadOnlyList<StoredContact> existing, DateTimeOffset now, List<FieldError> errors)
    {
        var list = new List<StoredContact>();
        if (requested is null) return list;
        if (requested.Count > MaxContacts) { errors.Add(new FieldError("contacts", $"联系人最多 {MaxContacts} 位。")); return list; }
        for (var i = 0; i < requested.Count; i++)
        {
            var c = requested[i];
            var field = $"contacts[{i}]";
            if (c is null) { errors.Add(new FieldError(field, "联系人不能为空。")); continue; }
            var name = c.Name?.Trim();
            if (name is null || !PersonIndex.NamePattern().IsMatch(name)) errors.Add(new FieldError(field + ".name", "姓名须为 1 到 50 个汉字或字母。"));
            if (c.Role is null) errors.Add(new FieldError(field + ".role", "请填写与老人的关系：relative 或 communityWorker。"));
            if (c.Phone is null || !PersonIndex.PhonePattern().IsMatch(c.Phone)) errors.Add(new FieldError(field + ".phone", "电话号码格式不正确。"));
            if (c.PersonId is { } pid && !Ids.TryParse(pid, out _)) errors.Add(new FieldError(field + ".personId", "人员编号格式不正确。"));
            if (name is null || c.Role is null || c.Phone is null) continue;
            var same = existing.FirstOrDefault(x => x.Name == name && x.Phone == c.Phone);
            var consented = c.Consented == true;
            list.Add(new StoredContact(same?.Id ?? Guid.NewGuid().ToString("N")[..12], name, c.Role.Value, c.Phone, consented,
                consented ? (same is { Consented: true } ? same.ConsentedAt : now) : null, c.PersonId));
        }
        return list;
    }

    /// <summary>A meal card number: 12 random digits, never derived from the ID number.</summary>
    static string NewMealCard() => string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
