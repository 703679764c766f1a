using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Identity;

public sealed record PersonRegistration
{
    public string? Name { get; init; }
    public string? IdNumber { get; init; }
    public string? Phone { get; init; }
    public string? Address { get; init; }
    /// <summary>Division code of the residence (usually a community, 12 digits).</summary>
    public string? Jurisdiction { get; init; }
}

/// <summary>A person as returned to a caller: identifiers masked unless the caller's role needs them for the stated purpose.</summary>
public sealed record PersonView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string IdNumber { get; init; }
    public string? Phone { get; init; }
    public string? Address { get; init; }
    public required DateOnly BirthDate { get; init; }
    public required string Sex { get; init; }
    public required int Age { get; init; }
    public required string Jurisdiction { get; init; }
    public required string JurisdictionName { get; init; }
    public required bool Masked { get; init; }
}

/// <summary>Body of <c>POST /api/persons/lookup</c> (the ID number travels in the body, never the URL).</summary>
public sealed record LookupRequest(string? IdNumber);

/// <summary>A stored person, decrypted in memory only.</summary>
sealed record PersonRecord(string Id, string Jurisdiction, string IdIndex, string Name, string IdNumber, string? Phone, string? Address);

/// <summary>
/// The person index (一数一源): one record per person in <c>Persons</c> (PartitionKey = person id),
/// found by the blind index of the ID number in <c>PersonIndex</c> (HMAC-SM3; PartitionKey = its
/// first two hex digits). Name, ID number, phone and address are stored SM4-GCM encrypted, bound
/// to the person id and field. Every read and change is audited; reads outside the caller's
/// jurisdiction answer "not found".
/// </summary>
public sealed partial class PersonIndex(Tables tables, FieldCipher cipher, BlindIndex blindIndex, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    public const string IdNumberPurpose = "person.idNumber";

    public string IndexOf(string normalizedIdNumber) => blindIndex.Compute(IdNumberPurpose, normalizedIdNumber);

    public static Problem NotFound() => Problem.NotFound("PERSON_NOT_FOUND", "人员不存在", "没有找到该人员，或不在您的管辖范围内。");

    public async Task<Result<PersonView>> RegisterAsync(CallContext call, PersonRegistration r)
    {
        var (caller, requestId, ct) = call;
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Trim().Length > 50 || !NamePattern().IsMatch(r.Name.Trim()))
            errors.Add(new FieldError("name", "姓名须为 1 到 50 个汉字或字母。"));
        var id = IdNumber.Validate(r.IdNumber, today);
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (r.Phone is { Length: > 0 } phone && !PhonePattern().IsMatch(phone))
            errors.Add(new FieldError("phone", "电话号码格式不正确。"));
        if (r.Address is { Length: > 200 }) errors.Add(new FieldError("address", "地址不能超过 200 个字。"));
        if (divisions.Find(r.Jurisdiction) is null) errors.Add(new FieldError("jurisdiction", "居住地行政区划代码不存在。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (!AccessPolicy.InScope(caller, new ResourceScope(r.Jurisdiction!)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.create", AuditOutcome.Denied, Detail: "outOfScope"), requestId, ct);
            return Problem.OutOfJurisdiction("只能登记本辖区居民。");
        }

        var normalized = id.Normalized!;
        var index = IndexOf(normalized);
        var personId = Ids.New(clock);
        var indexTable = await tables.GetAsync(TableNames.PersonIndex, ct);
        try
        {
            // The index entry is the uniqueness guard: one person per ID number.
            await indexTable.AddEntityAsync(new TableEntity(index[..2], index) { ["PersonId"] = personId, ["Jurisdiction"] = r.Jurisdiction }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await indexTable.GetEntityAsync<TableEntity>(index[..2], index, cancellationToken: ct);
            var visible = AccessPolicy.InScope(caller, new ResourceScope(existing.Value.GetString("Jurisdiction")));
            await audit.AppendAsync(caller, new AuditEvent("person.create", AuditOutcome.Failed, index, Detail: "alreadyRegistered"), requestId, ct);
            return Problem.Conflict("PERSON_ALREADY_REGISTERED", "该居民已登记",
                visible ? $"已有登记记录：{existing.Value.GetString("PersonId")}。" : "该身份证号码已有登记记录；如居住地有变，请联系所在区民政部门调整。");
        }

        var record = new PersonRecord(personId, r.Jurisdiction!, index, r.Name!.Trim(), normalized, NullIfEmpty(r.Phone), NullIfEmpty(r.Address?.Trim()));
        var persons = await tables.GetAsync(TableNames.Persons, ct);
        await persons.UpsertEntityAsync(ToEntity(record, caller, clock.GetUtcNow()), TableUpdateMode.Replace, ct);
        await audit.AppendAsync(caller, new AuditEvent("person.create", AuditOutcome.Success, index), requestId, ct);
        return Result.Created(View(record, today, unmasked: false), $"/api/persons/{personId}");
    }

    /// <summary>
    /// Imports a person with a known id (data migration from an existing register, demo data).
    /// Idempotent: an ID number already indexed keeps its person. Audited like a registration.
    /// </summary>
    public async Task<string> ImportAsync(Caller importer, string personId, PersonRegistration r, string requestId, CancellationToken ct)
    {
        var id = IdNumber.Validate(r.IdNumber, ChinaTime.Today(clock));
        if (!id.IsValid || divisions.Find(r.Jurisdiction) is null || string.IsNullOrWhiteSpace(r.Name))
            throw new ArgumentException("Import record is invalid.", nameof(r));
        var index = IndexOf(id.Normalized!);
        var indexTable = await tables.GetAsync(TableNames.PersonIndex, ct);
        var existing = await indexTable.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        if (existing.HasValue) return existing.Value!.GetString("PersonId");
        var record = new PersonRecord(personId, r.Jurisdiction!, index, r.Name.Trim(), id.Normalized!, NullIfEmpty(r.Phone), NullIfEmpty(r.Address?.Trim()));
        var persons = await tables.GetAsync(TableNames.Persons, ct);
        await persons.UpsertEntityAsync(ToEntity(record, importer, clock.GetUtcNow()), TableUpdateMode.Replace, ct);
        await indexTable.UpsertEntityAsync(new TableEntity(index[..2], index) { ["PersonId"] = personId, ["Jurisdiction"] = r.Jurisdiction }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(importer, new AuditEvent("person.import", AuditOutcome.Success, index), requestId, ct);
        return personId;
    }

    /// <summary>Reads a person; identifiers unmasked only when the role needs them for <paramref name="purpose"/>.</summary>
    public async Task<Result<PersonView>> ReadAsync(CallContext call, string personId, AccessPurpose? purpose)
    {
        var (caller, requestId, ct) = call;
        var record = await LoadAsync(personId, ct);
        if (record is null) return NotFound();
        if (!AccessPolicy.InScope(caller, new ResourceScope(record.Jurisdiction, OwnerPersonId: record.Id)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.read", AuditOutcome.Denied, record.IdIndex, purpose, "outOfScope"), requestId, ct);
            return NotFound();
        }
        var unmasked = AccessPolicy.MayUnmask(caller.Role, purpose);
        await audit.AppendAsync(caller, new AuditEvent(unmasked ? "person.readUnmasked" : "person.read", AuditOutcome.Success, record.IdIndex, purpose), requestId, ct);
        return Result.Ok(View(record, ChinaTime.Today(clock), unmasked));
    }

    /// <summary>The caller's own person record (<c>/api/me</c>); citizens must have bound their account first.</summary>
    public Task<Result<PersonView>> ReadOwnAsync(CallContext call) =>
        call.Caller.PersonId is { } personId
            ? ReadAsync(call, personId, null)
            : Task.FromResult<Result<PersonView>>(Problem.NotFound("REALNAME_REQUIRED", "尚未实名认证", "请先通过 POST /api/auth/realname 完成实名认证。"));

    /// <summary>Finds a person by ID number within the caller's jurisdiction (the number goes in a body, never a URL).</summary>
    public async Task<Result<PersonView>> LookupAsync(CallContext call, LookupRequest request)
    {
        var (caller, requestId, ct) = call;
        var id = IdNumber.Validate(request.IdNumber, ChinaTime.Today(clock));
        if (!id.IsValid) return Problem.Invalid("idNumber", id.Message ?? "身份证号码无效。");
        var index = IndexOf(id.Normalized!);
        var record = await FindByIndexAsync(index, ct);
        if (record is null || !AccessPolicy.InScope(caller, new ResourceScope(record.Jurisdiction, OwnerPersonId: record.Id)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.lookup", record is null ? AuditOutcome.NotFound : AuditOutcome.Denied, index), requestId, ct);
            return NotFound();
        }
        await audit.AppendAsync(caller, new AuditEvent("person.lookup", AuditOutcome.Success, index), requestId, ct);
        return Result.Ok(View(record, ChinaTime.Today(clock), unmasked: false));
    }

    /// <summary>The person id registered for a blind index, if any.</summary>
    public async Task<string?> PersonIdOfAsync(string index, CancellationToken ct)
    {
        var indexTable = await tables.GetAsync(TableNames.PersonIndex, ct);
        var entry = await indexTable.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        return entry.HasValue ? entry.Value!.GetString("PersonId") : null;
    }

    /// <summary>The residence jurisdiction registered for a blind index, if any.</summary>
    public async Task<string?> JurisdictionOfAsync(string index, CancellationToken ct)
    {
        var indexTable = await tables.GetAsync(TableNames.PersonIndex, ct);
        var entry = await indexTable.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        return entry.HasValue ? entry.Value!.GetString("Jurisdiction") : null;
    }

    /// <summary>Real-name check: the person whose ID number this is, if the name matches too.</summary>
    internal async Task<(PersonRecord? Record, string Index)> MatchAsync(string normalizedIdNumber, string name, CancellationToken ct)
    {
        var index = IndexOf(normalizedIdNumber);
        var record = await FindByIndexAsync(index, ct);
        return (record is not null && record.Name == name.Trim() ? record : null, index);
    }

    internal async Task<PersonRecord?> FindByIndexAsync(string index, CancellationToken ct)
    {
        var indexTable = await tables.GetAsync(TableNames.PersonIndex, ct);
        var entry = await indexTable.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        return entry.HasValue ? await LoadAsync(entry.Value!.GetString("PersonId"), ct) : null;
    }

    internal async Task<PersonRecord?> LoadAsync(string personId, CancellationToken ct)
    {
        if (!Ids.TryParse(personId, out _)) return null;
        var persons = await tables.GetAsync(TableNames.Persons, ct);
        var e = await persons.GetEntityIfExistsAsync<TableEntity>(personId, "person", cancellationToken: ct);
        if (!e.HasValue) return null;
        var v = e.Value!;
        string? Open(string field) => v.GetString(field) is { } token ? cipher.Decrypt(token, Aad(personId, field)) : null;
        return new PersonRecord(personId, v.GetString("Jurisdiction"), v.GetString("IdIndex"), Open("Name")!, Open("IdNumber")!, Open("Phone"), Open("Address"));
    }

    TableEntity ToEntity(PersonRecord p, Caller creator, DateTimeOffset now)
    {
        var e = new TableEntity(p.Id, "person")
        {
            ["Jurisdiction"] = p.Jurisdiction,
            ["IdIndex"] = p.IdIndex,
            ["Name"] = cipher.Encrypt(p.Name, Aad(p.Id, "Name")),
            ["IdNumber"] = cipher.Encrypt(p.IdNumber, Aad(p.Id, "IdNumber")),
            ["CreatedAt"] = now,
            ["CreatedBy"] = creator.Subject,
        };
        if (p.Phone is not null) e["Phone"] = cipher.Encrypt(p.Phone, Aad(p.Id, "Phone"));
        if (p.Address is not null) e["Address"] = cipher.Encrypt(p.Address, Aad(p.Id, "Address"));
        return e;
    }

    static string Aad(string personId, string field) => $"person/{personId}/{field}";

    PersonView View(PersonRecord p, DateOnly today, bool unmasked)
    {
        var parsed = IdNumber.Validate(p.IdNumber, today);
        return new PersonView
        {
            Id = p.Id,
            Name = unmasked ? p.Name : Masking.MaskName(p.Name)!,
            IdNumber = unmasked ? p.IdNumber : Masking.MaskIdNumber(p.IdNumber)!,
            Phone = unmasked ? p.Phone : Masking.MaskPhone(p.Phone),
            Address = unmasked ? p.Address : Masking.MaskAddress(p.Address),
            BirthDate = parsed.BirthDate,
            Sex = parsed.Sex.ToString().ToLowerInvariant(),
            Age = parsed.AgeOn(today),
            Jurisdiction = p.Jurisdiction,
            JurisdictionName = divisions.FullName(p.Jurisdiction),
            Masked = !unmasked,
        };
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    [GeneratedRegex(@"^[\p{IsCJKUnifiedIdeographs}A-Za-z·\. ]{1,50}$")]
    internal static partial Regex NamePattern();

    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
    internal static partial Regex PhonePattern();
}
