using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Assistance.Materials;

/// <summary>An uploaded material as shown to callers.</summary>
public sealed record MaterialView(string Id, string Code, string Name, string FileName, string ContentType, long Size, bool Original,
    DateOnly? IssuedOn, DateOnly? ValidUntil, DateTimeOffset UploadedAt);

/// <summary>The materials of an application and what is still missing (一次性告知).</summary>
public sealed record MaterialsView(IReadOnlyList<MaterialView> Materials, IReadOnlyList<PreReviewFinding> Outstanding, bool Complete);

/// <summary>An upload as received by the HTTP trigger.</summary>
public sealed record MaterialUpload(string? Code, bool Original, DateOnly? IssuedOn, DateOnly? ValidUntil, string? FileName, string? ContentType, long Length, Stream Content);

/// <summary>The date fields of a material upload, as the form sent them (yyyy-MM-dd).</summary>
public sealed record MaterialForm(string? Code, string? Original, string? IssuedOn, string? ValidUntil);

/// <summary>
/// Materials of assistance applications, checked against the program's catalogue entry with the pre-review rules
/// (<see cref="PreReviewEngine"/>) and by content (<see cref="UploadPolicy"/>). Files go to the private container
/// <c>assistance-materials</c> under <c>{applicationId}/{materialId}</c> (no names or identifiers in blob names);
/// rows in <c>AssistanceMaterials</c> (PartitionKey = application id). The blob is written before its row, so a
/// failed upload leaves no row pointing at nothing.
/// </summary>
public sealed class MaterialService(Tables tables, BlobServiceClient blobs, CatalogRepository catalog, AssistanceApplicationService applications,
    AuditLog audit, TimeProvider clock)
{
    public const string Container = "assistance-materials";
    public const long MaxBytes = 10 << 20;
    static readonly UploadKind[] Allowed = [UploadKind.Jpeg, UploadKind.Png, UploadKind.Pdf];

    /// <summary>
    /// A material uploaded as multipart form data: the form's fields and the file. Checked by content, size and type and
    /// against the program's catalogue rules; the answer lists everything still missing (一次性告知).
    /// </summary>
    public async Task<Result<MaterialsView>> UploadAsync(CallContext call, string applicationId, MaterialForm form, string? fileName, string? contentType, long length, Stream content)
    {
        var errors = new List<FieldError>();
        DateOnly? Date(string field, string? value)
        {
            if (string.IsNullOrEmpty(value)) return null;
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)) return date;
            errors.Add(new FieldError(field, "日期格式须为 yyyy-MM-dd。"));
            return null;
        }
        var issuedOn = Date("issuedOn", form.IssuedOn);
        var validUntil = Date("validUntil", form.ValidUntil);
        if (errors.Count > 0) return Problem.Invalid(errors);
        var original = !string.Equals(form.Original, "false", StringComparison.OrdinalIgnoreCase);
        return await UploadAsync(call, applicationId, new MaterialUpload(form.Code, original, issuedOn, validUntil, fileName, contentType, length, content));
    }

    async Task<Result<MaterialsView>> UploadAsync(CallContext call, string applicationId, MaterialUpload upload)
    {
        var (caller, requestId, ct) = call;
        var found = await applications.FindForAsync(call, applicationId, "assistance.material");
        if (found.Problem is { } problem) return problem;
        var entity = found.Value!;
        if (entity.Status is not (ApplicationStatus.Submitted or ApplicationStatus.Accepted or ApplicationStatus.Verifying))
            return Problem.Conflict("MATERIALS_CLOSED", "不能补充材料", "申请已进入公示或审批阶段，不能再补充材料。");

        var program = applications.Program(entity.Program);
        var item = await catalog.GetAsync(program.CatalogCode, ct) ?? throw new InvalidOperationException($"Catalogue entry {program.CatalogCode} missing.");
        var errors = new List<FieldError>();
        var requirement = item.Materials.FirstOrDefault(m => m.Code == upload.Code);
        if (requirement is null)
            errors.Add(new FieldError("code", $"材料代码无效。本事项的材料为：{string.Join("、", item.Materials.Select(m => $"{m.Code}（{m.Name}）"))}。"));

        var head = new byte[UploadPolicy.SniffLength];
        var read = await ReadHeadAsync(upload.Content, head, ct);
        var check = UploadPolicy.Check(upload.FileName, upload.ContentType, upload.Length, head.AsSpan(0, read), MaxBytes, Allowed);
        errors.AddRange(check.Errors);
        if (requirement is not null)
        {
            // The material's own rules (original, issue date, validity) with the pre-review engine.
            var held = new HeldMaterial { Code = requirement.Code, Original = upload.Original, IssuedOn = upload.IssuedOn, ValidUntil = upload.ValidUntil };
            var single = item with { Materials = [requirement], Eligibility = [] };
            var result = PreReviewEngine.Evaluate(single, new PreReviewSubmission { Materials = [held] }, ChinaTime.Today(clock));
            errors.AddRange(result.Findings.Select(f => new FieldError(f.Kind switch
            {
                FindingKind.MaterialIssueDateMissing or FindingKind.MaterialTooOld => "issuedOn",
                FindingKind.MaterialValidityMissing or FindingKind.MaterialExpired => "validUntil",
                FindingKind.MaterialNotOriginal => "original",
                _ => "code",
            }, f.Reason + f.Remedy)));
        }
        if (errors.Count > 0) return Problem.Invalid(errors, "材料不符合要求，请按提示修改后重新上传。");

        var id = Ids.New(clock);
        var container = blobs.GetBlobContainerClient(Container);
        await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct);
        var blob = container.GetBlobClient($"{applicationId}/{id}");
        using (var content = new PrefixedStream(head.AsMemory(0, read), upload.Content))
            await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = check.ContentType } }, ct);
        var now = clock.GetUtcNow();
        var row = new TableEntity(applicationId, id)
        {
            ["Code"] = requirement!.Code,
            ["Name"] = requirement.Name,
            ["FileName"] = check.SafeName,
            ["ContentType"] = check.ContentType,
            ["Size"] = upload.Length,
            ["Original"] = upload.Original,
            ["IssuedOn"] = upload.IssuedOn?.ToString("yyyy-MM-dd"),
            ["ValidUntil"] = upload.ValidUntil?.ToString("yyyy-MM-dd"),
            ["UploadedAt"] = now,
            ["UploadedBy"] = caller.Subject,
        };
        var table = await tables.GetAsync(TableNames.AssistanceMaterials, ct);
        await table.AddEntityAsync(row, ct);
        await audit.AppendAsync(caller, new AuditEvent("assistance.material", AuditOutcome.Success, entity.ApplicantIndex, Detail: $"{applicationId}/{requirement.Code}"), requestId, ct);
        return Result.Created(await ListAsync(applicationId, program, ct), $"/api/assistance/applications/{applicationId}/materials");
    }

    /// <summary>The materials of an application the caller may see, and what is still missing.</summary>
    public async Task<Result<MaterialsView>> ListAsync(CallContext call, string applicationId) =>
        await (await applications.FindForAsync(call, applicationId, "assistance.read")).ThenAsync(async found =>
            Result.Ok(await ListAsync(applicationId, applications.Program(found.Program), call.Cancellation)));

    public async Task<MaterialsView> ListAsync(string applicationId, ProgramDefinition program, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistanceMaterials, ct);
        var rows = new List<TableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {applicationId}"), cancellationToken: ct)) rows.Add(e);
        var outstanding = await OutstandingAsync(rows, program, ct);
        return new MaterialsView(rows.Select(ViewOf).ToList(), outstanding, outstanding.Count == 0);
    }

    /// <summary>What is missing or does not conform, by the pre-review rules over all uploaded materials.</summary>
    public async Task<IReadOnlyList<PreReviewFinding>> FindingsAsync(string applicationId, ProgramDefinition program, CancellationToken ct) =>
        (await ListAsync(applicationId, program, ct)).Outstanding;

    async Task<IReadOnlyList<PreReviewFinding>> OutstandingAsync(IReadOnlyList<TableEntity> rows, ProgramDefinition program, CancellationToken ct)
    {
        var item = await catalog.GetAsync(program.CatalogCode, ct) ?? throw new InvalidOperationException($"Catalogue entry {program.CatalogCode} missing.");
        // Several files may make up one material (e.g. both sides of a card); the best one counts.
        var held = rows.GroupBy(r => r.GetString("Code")).Select(g => new HeldMaterial
        {
            Code = g.Key,
            Original = g.Any(r => r.GetBoolean("Original") == true),
            IssuedOn = g.Select(r => ParseDate(r.GetString("IssuedOn"))).Max(),
            ValidUntil = g.Select(r => ParseDate(r.GetString("ValidUntil"))).Max(),
            Count = g.Count(),
        }).ToList();
        var result = PreReviewEngine.Evaluate(item with { Eligibility = [] }, new PreReviewSubmission { Materials = held }, ChinaTime.Today(clock));
        return result.Findings;
    }

    static MaterialView ViewOf(TableEntity e) => new(e.RowKey, e.GetString("Code"), e.GetString("Name"), e.GetString("FileName"), e.GetString("ContentType"),
        e.GetInt64("Size") ?? 0, e.GetBoolean("Original") ?? false, ParseDate(e.GetString("IssuedOn")), ParseDate(e.GetString("ValidUntil")), e.GetDateTimeOffset("UploadedAt")!.Value);

    static DateOnly? ParseDate(string? s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", out var d) ? d : null;

    static async Task<int> ReadHeadAsync(Stream s, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await s.ReadAsync(buffer.AsMemory(total), ct);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Re-joins the sniffed head with the rest of a non-seekable request stream.</summary>
    sealed class PrefixedStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        int position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (position < head.Length)
            {
                var n = Math.Min(buffer.Length, head.Length - position);
                head.Slice(position, n).CopyTo(buffer);
                position += n;
                return n;
            }
            return await rest.ReadAsync(buffer, cancellationToken);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
