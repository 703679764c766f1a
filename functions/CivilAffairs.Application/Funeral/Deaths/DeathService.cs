using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Funeral.Deaths;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Funeral.Deaths;

/// <summary>Body of <c>POST /api/funeral/deaths</c>: the deceased's ID number (body only, never the URL), the certificate, and the informant.</summary>
public sealed record DeathRegistrationRequest(string? IdNumber, DateOnly? DateOfDeath, string? PlaceOfDeath, CertificateInput? Certificate, InformantInput? Informant);

/// <summary>The death certificate: kind (<c>medical</c> from a hospital, <c>police</c>), its printed number and who issued it.</summary>
public sealed record CertificateInput(CertificateKind? Kind, string? Number, string? IssuedBy);

/// <summary>The family member who reports the death and follows Tell Us Once (their citizen account sees the progress page).</summary>
public sealed record InformantInput(string? Name, string? IdNumber, string? Phone, string? Relationship);

/// <summary>A registered death, as staff and the family see it (name and ID number masked).</summary>
public sealed record DeathRegistrationView(string Id, string Reference, string MaskedName, string MaskedIdNumber, DateOnly DateOfDeath,
    string Jurisdiction, DeathSource Source, CertificateKind CertificateKind, string CertificateName, bool CertificateUploaded,
    DateTimeOffset RegisteredAt, string TellUsOnce);

/// <summary>A death certificate sent by a hospital or the police (sealed in the CloudEvent's data with the unit's key).</summary>
public sealed record DeathCertificateMessage(string IdNumber, DateOnly DateOfDeath, string? PlaceOfDeath, CertificateKind Kind, string CertificateNumber, string? IssuedBy, InformantInput? Informant);

/// <summary>
/// Death registration (死亡登记): from a hospital's medical certificate or a police certificate — entered by staff with the scan
/// uploaded, or sent by the unit's system on <c>partner-death-certificates</c>. The person must be in the person index; a second
/// registration of the same certificate is recognised (nothing is registered twice), another certificate for a person already
/// registered dead is refused. The death row (table <c>Deaths</c>, by the person's blind index — what every area asks) and the
/// <c>person.died</c> event are written in one transaction through the <see cref="Outbox"/>; everything that follows (assistance,
/// elderly care, marriage, the partner units: Tell Us Once) hangs off that event.
/// </summary>
public sealed class DeathService(Tables tables, BlobServiceClient blobs, PersonIndex persons, FieldCipher cipher, BlindIndex blindIndex, Outbox outbox,
    AuditLog audit, TimeProvider clock, ILogger<DeathService> logger) : IPartnerEventDetails
{
    public const string Source = "/civilaffairs/funeral/deaths";
    public const string CertificateContainer = "death-certificates";
    public const long MaxCertificateBytes = 5 * 1024 * 1024;
    public const string CertificateMessageType = "cn.gov.gz.civilaffairs.death.certificate";
    static readonly UploadKind[] CertificateKinds = [UploadKind.Jpeg, UploadKind.Png, UploadKind.Pdf];
    const string CertificatePurpose = "death.certificate";

    static Problem NotFound() => Problem.NotFound("DEATH_NOT_FOUND", "死亡登记不存在", "没有找到该死亡登记，或不在您的管辖范围内。");

    public Task<Result<DeathRegistrationView>> RegisterAsync(CallContext call, DeathRegistrationRequest request) =>
        RegisterAsync(call.Caller, call.RequestId, request, DeathSource.Staff, call.Cancellation);

    /// <summary>A certificate from the hospital or police system (its queue); the outcome is audited, a refusal is thrown to quarantine the message.</summary>
    public async Task<Result<DeathRegistrationView>> RegisterFromPartnerAsync(string unitCode, DeathCertificateMessage m, string messageId, CancellationToken ct)
    {
        var source = unitCode == "police" ? DeathSource.Police : DeathSource.Hospital;
        var request = new DeathRegistrationRequest(m.IdNumber, m.DateOfDeath, m.PlaceOfDeath, new CertificateInput(m.Kind, m.CertificateNumber, m.IssuedBy), m.Informant);
        return await RegisterAsync(null, messageId, request, source, ct, unitCode);
    }

    async Task<Result<DeathRegistrationView>> RegisterAsync(Caller? caller, string requestId, DeathRegistrationRequest request, DeathSource source,
        CancellationToken ct, string? unitCode = null)
    {
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        var id = IdNumber.Validate(request.IdNumber, today);
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (request.DateOfDeath is not { } date || !DeathRules.IsValidDateOfDeath(date, today, id.IsValid ? id.BirthDate : null))
            errors.Add(new FieldError("dateOfDeath", "请填写死亡日期（不能晚于今天，不能早于出生日期）。"));
        if (request.PlaceOfDeath is { Length: > 100 }) errors.Add(new FieldError("placeOfDeath", "死亡地点不能超过 100 个字。"));
        if (request.Certificate?.Kind is not { } kind) errors.Add(new FieldError("certificate.kind", "请填写死亡证明类型：medical（医学死亡证明）或 police（公安机关死亡证明）。"));
        if (!DeathRules.IsValidCertificateNumber(request.Certificate?.Number)) errors.Add(new FieldError("certificate.number", "请填写死亡证明编号（6 到 32 位字母、数字或连字符）。"));
        if (request.Certificate?.IssuedBy is { Length: > 100 }) errors.Add(new FieldError("certificate.issuedBy", "出具单位不能超过 100 个字。"));
        var informant = request.Informant;
        var informantId = informant?.IdNumber is { } iid ? IdNumber.Validate(iid, today) : null;
        if (informant is not null)
        {
            if (string.IsNullOrWhiteSpace(informant.Name) || informant.Name.Trim().Length > 50) errors.Add(new FieldError("informant.name", "请填写申报人姓名（不超过 50 个字）。"));
            if (informantId is not { IsValid: true }) errors.Add(new FieldError("informant.idNumber", informantId?.Message ?? "请填写申报人身份证号码。"));
            if (informant.Phone is not { Length: >= 7 and <= 20 } || !informant.Phone.All(c => char.IsAsciiDigit(c) || c is '-' or '+'))
                errors.Add(new FieldError("informant.phone", "请填写申报人联系电话。"));
            if (informant.Relationship is { Length: > 20 }) errors.Add(new FieldError("informant.relationship", "与逝者关系不能超过 20 个字。"));
            if (informantId is { IsValid: true } && id.IsValid && informantId.Normalized == id.Normalized)
                errors.Add(new FieldError("informant.idNumber", "申报人不能是逝者本人。"));
        }
        if (errors.Count > 0)
        {
            if (caller is null) await audit.AppendAsync(null, new AuditEvent("death.register", AuditOutcome.Failed, Detail: $"{unitCode}:invalid"), requestId, ct);
            return Problem.Invalid(errors);
        }

        var index = persons.IndexOf(id.Normalized!);
        var jurisdiction = await persons.JurisdictionOfAsync(index, ct);
        if (jurisdiction is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("death.register", AuditOutcome.Failed, index, Detail: unitCode is null ? "unknownPerson" : $"{unitCode}:unknownPerson"), requestId, ct);
            return new Problem(422, "PERSON_NOT_IN_INDEX", "人口信息库中没有此人",
                "该身份证号码不在人口信息库中，无法登记死亡；请核对证明上的身份证号码，或先到户籍所在地办理人员登记。",
                [new FieldError("idNumber", "人口信息库中没有此身份证号码。")]);
        }
        if (caller is not null && !AccessPolicy.InScope(caller, new ResourceScope(jurisdiction)))
        {
            await audit.AppendAsync(caller, new AuditEvent("death.register", AuditOutcome.Denied, index, Detail: "outOfScope"), requestId, ct);
            return PersonIndex.NotFound();
        }

        var certificateNumber = DeathRules.NormalizeCertificateNumber(request.Certificate!.Number!);
        var certificateHash = blindIndex.Compute(CertificatePurpose, $"{request.Certificate.Kind}|{certificateNumber}");
        var table = await tables.GetAsync(TableNames.Deaths, ct);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        if (existing.HasValue)
        {
            var duplicate = DeathRules.Classify(existing.Value!.GetString("CertificateHash") ?? "", certificateHash);
            var registered = await ViewAsync(existing.Value!.GetString("DeathId"), ct);
            if (duplicate == DuplicateKind.SameCertificate && registered is not null)
            {
                await audit.AppendAsync(caller, new AuditEvent("death.register", AuditOutcome.Success, registered.Id, Detail: $"{source}:duplicateCertificate"), requestId, ct);
                return Result.Ok(registered);
            }
            await audit.AppendAsync(caller, new AuditEvent("death.register", AuditOutcome.Failed, index, Detail: $"{source}:alreadyDeceased"), requestId, ct);
            return new Problem(409, "PERSON_ALREADY_DECEASED", "此人已登记死亡",
                registered is null ? "此人已有死亡记录，不能再次登记；如证明有误，请联系民政部门更正。"
                    : $"此人已于 {registered.RegisteredAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd} 登记死亡（登记号 {registered.Reference}），不能用另一份证明再次登记；如证明有误，请联系民政部门更正。");
        }

        var now = clock.GetUtcNow();
        var deathId = Ids.New(clock);
        var reference = await ReserveReferenceAsync(deathId, ct);
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        var person = await persons.FindByIndexAsync(index, ct);
        string Seal(string value, string field) => cipher.Encrypt(value, $"death/{deathId}/{field}");
        var registration = new TableEntity(deathId, "death")
        {
            ["PersonIndex"] = index,
            ["Reference"] = reference,
            ["Jurisdiction"] = jurisdiction,
            ["DateOfDeath"] = request.DateOfDeath!.Value.ToString("yyyy-MM-dd"),
            ["Source"] = source.ToString(),
            ["Unit"] = unitCode,
            ["CertificateKind"] = request.Certificate.Kind!.Value.ToString(),
            ["CertificateNumber"] = Seal(certificateNumber, "CertificateNumber"),
            ["IssuedBy"] = request.Certificate.IssuedBy is { } by ? Seal(by.Trim(), "IssuedBy") : null,
            ["PlaceOfDeath"] = request.PlaceOfDeath is { } place ? Seal(place.Trim(), "PlaceOfDeath") : null,
            ["Name"] = person is null ? null : Seal(person.Name, "Name"),
            ["IdNumber"] = Seal(id.Normalized!, "IdNumber"),
            ["InformantIndex"] = informantId is { IsValid: true } ? persons.IndexOf(informantId.Normalized!) : null,
            ["InformantName"] = informant?.Name is { } n ? Seal(n.Trim(), "InformantName") : null,
            ["InformantPhone"] = informant?.Phone is { } ph ? Seal(ph, "InformantPhone") : null,
            ["InformantRelationship"] = informant?.Relationship,
            ["RegisteredBy"] = caller?.Subject ?? $"partner:{unitCode}",
            ["RegisteredAt"] = now,
        };
        // Written first and harmless alone: the registration counts once the death row below names it.
        await registrations.UpsertEntityAsync(registration, TableUpdateMode.Replace, ct);
        var death = new TableEntity(index[..2], index)
        {
            ["DeathId"] = deathId,
            ["DateOfDeath"] = request.DateOfDeath.Value.ToString("yyyy-MM-dd"),
            ["Source"] = source.ToString(),
            ["Jurisdiction"] = jurisdiction,
            ["PersonRegistered"] = true,
            ["CertificateHash"] = certificateHash,
            ["RecordedBy"] = caller?.Subject ?? $"partner:{unitCode}",
            ["RecordedAt"] = now,
        };
        var died = new PendingEvent(Source, LifeEventTypes.PersonDied, deathId, new PersonDiedData(deathId, index, request.DateOfDeath.Value, jurisdiction));
        try
        {
            await outbox.CommitAsync(TableNames.Deaths, index[..2], [new TableTransactionAction(TableTransactionActionType.Add, death)], [died], ct);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // Registered concurrently (the same certificate arriving twice at once): answer as the registration that won.
            await registrations.DeleteEntityAsync(deathId, "death", ETag.All, ct);
            return await RegisterAsync(caller, requestId, request, source, ct, unitCode);
        }
        await audit.AppendAsync(caller, new AuditEvent("death.register", AuditOutcome.Success, deathId, Detail: unitCode is null ? source.ToString() : $"{source}:{unitCode}"), requestId, ct);
        var view = ToView(registration, ct);
        return Result.Created(view, $"/api/funeral/deaths/{deathId}");
    }

    async Task<string> ReserveReferenceAsync(string deathId, CancellationToken ct)
    {
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        for (var attempt = 0; ; attempt++)
        {
            var reference = DeathRules.NewReference(ChinaTime.Today(clock));
            try
            {
                await registrations.AddEntityAsync(new TableEntity("ref|" + reference, "ref") { ["DeathId"] = deathId }, ct);
                return reference;
            }
            catch (RequestFailedException e) when (e.Status == 409 && attempt < 10) { }
        }
    }

    /// <summary>One registration (staff over its jurisdiction; audited).</summary>
    public async Task<Result<DeathRegistrationView>> GetAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var row = Ids.TryParse(id, out _) ? await RowAsync(id, ct) : null;
        if (row is null || !AccessPolicy.InScope(caller, new ResourceScope(row.GetString("Jurisdiction"))))
        {
            if (row is not null) await audit.AppendAsync(caller, new AuditEvent("death.read", AuditOutcome.Denied, id, Detail: "outOfScope"), requestId, ct);
            return NotFound();
        }
        await audit.AppendAsync(caller, new AuditEvent("death.read", AuditOutcome.Success, id), requestId, ct);
        return Result.Ok(ToView(row, ct));
    }

    /// <summary>Uploads the certificate scan (PDF, JPEG or PNG, at most 5 MB) of a registration made by staff.</summary>
    public async Task<Result<DeathRegistrationView>> UploadCertificateAsync(CallContext call, string id, string? fileName, string? contentType, long length, Stream content)
    {
        var (caller, requestId, ct) = call;
        var row = Ids.TryParse(id, out _) ? await RowAsync(id, ct) : null;
        if (row is null || !AccessPolicy.InScope(caller, new ResourceScope(row.GetString("Jurisdiction"))))
        {
            if (row is not null) await audit.AppendAsync(caller, new AuditEvent("death.certificate", AuditOutcome.Denied, id, Detail: "outOfScope"), requestId, ct);
            return NotFound();
        }
        var head = new byte[Math.Min(length, MaxCertificateBytes) is var n and > 0 ? (int)n : 1];
        var read = 0;
        while (read < head.Length && await content.ReadAsync(head.AsMemory(read), ct) is var got and > 0) read += got;
        var check = UploadPolicy.Check(fileName, contentType, length, head.AsSpan(0, read), MaxCertificateBytes, CertificateKinds);
        if (!check.Ok) return Problem.Invalid(check.Errors, "死亡证明扫描件须为 PDF、JPEG 或 PNG 格式，不超过 5 MB。");
        var container = blobs.GetBlobContainerClient(CertificateContainer);
        await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct);
        var name = $"{id}/certificate{Path.GetExtension(check.SafeName)}";
        await container.GetBlobClient(name).UploadAsync(new BinaryData(head.AsMemory(0, read)),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = check.ContentType } }, ct);
        row["CertificateBlob"] = name;
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        await registrations.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
        await audit.AppendAsync(caller, new AuditEvent("death.certificate", AuditOutcome.Success, id), requestId, ct);
        return Result.Ok(ToView(row, ct));
    }

    /// <summary>The registration row (with the personal fields encrypted), or null.</summary>
    internal async Task<TableEntity?> RowAsync(string deathId, CancellationToken ct)
    {
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        var row = await registrations.GetEntityIfExistsAsync<TableEntity>(deathId, "death", cancellationToken: ct);
        if (!row.HasValue) return null;
        // Counts only once the death row names it (a registration that lost a race or failed before its commit does not).
        var index = row.Value!.GetString("PersonIndex");
        var deaths = await tables.GetAsync(TableNames.Deaths, ct);
        var death = await deaths.GetEntityIfExistsAsync<TableEntity>(index[..2], index, select: ["DeathId"], cancellationToken: ct);
        return death.HasValue && death.Value!.GetString("DeathId") == deathId ? row.Value : null;
    }

    /// <summary>The death id of a family's reference number, if any.</summary>
    internal async Task<string?> IdOfReferenceAsync(string reference, CancellationToken ct)
    {
        if (!DeathRules.IsReference(reference)) return null;
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        var row = await registrations.GetEntityIfExistsAsync<TableEntity>("ref|" + reference, "ref", cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("DeathId") : null;
    }

    async Task<DeathRegistrationView?> ViewAsync(string? deathId, CancellationToken ct) =>
        deathId is not null && await RowAsync(deathId, ct) is { } row ? ToView(row, ct) : null;

    internal string Open(TableEntity row, string field) => row.GetString(field) is { } token ? cipher.Decrypt(token, $"death/{row.PartitionKey}/{field}") : "";

    DeathRegistrationView ToView(TableEntity row, CancellationToken ct)
    {
        var kind = Enum.Parse<CertificateKind>(row.GetString("CertificateKind"));
        return new DeathRegistrationView(row.PartitionKey, row.GetString("Reference"), Masking.MaskName(Open(row, "Name")) ?? "", Masking.MaskIdNumber(Open(row, "IdNumber")) ?? "",
            DateOnly.ParseExact(row.GetString("DateOfDeath"), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), row.GetString("Jurisdiction"),
            Enum.Parse<DeathSource>(row.GetString("Source")), kind, DeathRules.Describe(kind), row.GetString("CertificateBlob") is not null,
            row.GetDateTimeOffset("RegisteredAt")!.Value, $"/api/funeral/tell-us-once/{row.GetString("Reference")}");
    }

    // ---- what each partner unit is told (sealed with its key) ----

    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public async Task<object?> DetailsForAsync(OutboxEvent e, string unitCode, CancellationToken ct)
    {
        var data = e.DataAs<PersonDiedData>();
        var registrations = await tables.GetAsync(TableNames.DeathRegistrations, ct);
        var row = await registrations.GetEntityIfExistsAsync<TableEntity>(data.DeathId, "death", cancellationToken: ct);
        if (!row.HasValue) return null;
        await audit.AppendAsync(null, new AuditEvent("death.disclosed", AuditOutcome.Success, data.DeathId, Detail: unitCode), null, ct);
        return new PersonDiedDetails(Open(row.Value!, "IdNumber"), Open(row.Value!, "Name"), data.DateOfDeath, row.Value!.GetString("Reference"),
            Enum.Parse<CertificateKind>(row.Value!.GetString("CertificateKind")), Open(row.Value!, "CertificateNumber"));
    }

    /// <summary>A certificate message from the hospital or police system: parsed, opened with the unit's key and registered.</summary>
    public async Task HandleCertificateMessageAsync(string message, PartnerCodec codec, CancellationToken ct)
    {
        var (e, _) = CloudEvents.Parse(message);
        const string prefix = "urn:civilaffairs:partner:";
        if (e.Type != CertificateMessageType || !e.Source.StartsWith(prefix, StringComparison.Ordinal) || e.Source[prefix.Length..] is not ("health" or "police") )
            throw new CloudEventException("Not a death certificate from the health commission or the police.");
        var unit = e.Source[prefix.Length..];
        if (e.Data.ValueKind != JsonValueKind.Object || !e.Data.TryGetProperty("ciphertext", out var token) || token.GetString() is not { } sealedData)
            throw new CloudEventException("The certificate message has no sealed data.");
        var certificate = await codec.OpenEventAsync<DeathCertificateMessage>(sealedData, unit, CertificateMessageType, e.Id, ct);
        var result = await RegisterFromPartnerAsync(unit, certificate, e.Id, ct);
        if (result.Problem is { } p)
        {
            logger.LogWarning("Death certificate message {MessageId} from {Unit} refused: {Code}", e.Id, unit, p.Code);
            throw new DeathCertificateRefusedException(p.Code);
        }
    }
}

/// <summary>The personal details of <c>person.died</c> a partner unit gets, sealed with its key.</summary>
public sealed record PersonDiedDetails(string IdNumber, string Name, DateOnly DateOfDeath, string Reference, CertificateKind CertificateKind, string CertificateNumber);

/// <summary>A certificate message the registration refused (unknown person, already deceased, invalid): it ends in the poison queue for review.</summary>
public sealed class DeathCertificateRefusedException(string code) : Exception($"Death certificate refused: {code}")
{
    public string Code { get; } = code;
}
