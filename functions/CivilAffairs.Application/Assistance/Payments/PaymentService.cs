using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Assistance.Payments;

/// <summary>Body of <c>POST /api/assistance/payments/runs</c>.</summary>
public sealed record PaymentRunRequest(string? Month, string? District);

/// <summary>One household in a payment batch.</summary>
public sealed record PaymentLine(string ApplicationId, AssistanceProgram Program, string? Payee, string? Account, decimal Amount, bool Paid, string? SkipReason);

/// <summary>A district's payment batch for a month.</summary>
public sealed record PaymentBatch(string Month, string District, string DistrictName, int Households, decimal Total, int Skipped, DateTimeOffset CreatedAt,
    string FileSm3, IReadOnlyList<PaymentLine> Lines);

/// <summary>
/// Monthly allowance payments. For a month (<c>yyyyMM</c>) and each district with grants, computes every active grant's
/// allowance by its program's rule (as re-calculated after a member's death, from the month it applies), skips households whose
/// grant has ended or that have a deceased member not yet accounted for, and writes an
/// idempotent batch: lines in <c>AssistancePayments</c> (PartitionKey = <c>{month}-{district}</c>, RowKey = application id),
/// the bank file (CSV, SM4-encrypted as a whole) in the private container <c>assistance-payments</c>, and last the
/// <c>batch</c> header row. A batch with a header is complete and never recomputed, so re-running a month pays nobody twice.
/// </summary>
public sealed class PaymentService(Tables tables, BlobServiceClient blobs, AssistanceApplicationService applications, DeathRegister deaths,
    FieldCipher cipher, NotificationService notifications, AuditLog audit, DivisionDirectory divisions, TimeProvider clock, ILogger<PaymentService> logger)
{
    public const string Container = "assistance-payments";

    public static bool IsMonth(string? month) => PaymentMonth.Parse(month) is not null;

    public static Problem BatchNotFound() => Problem.NotFound("BATCH_NOT_FOUND", "批次不存在", "没有找到该月份该区的发放批次，或不在您的管辖范围内。");

    /// <summary>
    /// An on-demand run: a district approver pays their district (by default), a city administrator one district or every
    /// district of the city. Re-running a month pays nobody twice.
    /// </summary>
    public async Task<Result<IReadOnlyList<PaymentBatch>>> RunAsync(CallContext call, PaymentRunRequest request)
    {
        var caller = call.Caller;
        var district = request.District;
        if (district is null && caller.Jurisdiction is { } own && Jurisdiction.IsWellFormed(own) && Jurisdiction.LevelOf(own) == DivisionLevel.District) district = own;
        var errors = new List<FieldError>();
        if (PaymentMonth.CheckRunnable(request.Month, ChinaTime.Today(clock)) is { } monthError) errors.Add(new FieldError("month", monthError));
        if (district is not null && (district.Length != 6 || !district.All(char.IsAsciiDigit))) errors.Add(new FieldError("district", "区级行政区划代码须为 6 位数字。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var cityWide = district is null && caller.Jurisdiction is { } j && Jurisdiction.IsWellFormed(j) && Jurisdiction.LevelOf(j) == DivisionLevel.City;
        if (district is null ? !cityWide : !AccessPolicy.InScope(caller, new ResourceScope(district)))
            return Problem.OutOfJurisdiction("只能生成本人管辖范围内各区的发放批次。");
        return Result.Ok(await RunMonthAsync(request.Month!, district, call.Cancellation));
    }

    public async Task<Result<PaymentBatch>> GetAsync(CallContext call, string month, string district) =>
        IsMonth(month) && AccessPolicy.InScope(call.Caller, new ResourceScope(district)) && await GetAsync(month, district, call.Cancellation) is { } batch
            ? Result.Ok(batch) : BatchNotFound();

    /// <summary>The bank file (CSV with a UTF-8 BOM for spreadsheet programs), decrypted for an approver of the district; audited.</summary>
    public async Task<Result<FileBody>> BankFileAsync(CallContext call, string month, string district) =>
        IsMonth(month) && AccessPolicy.InScope(call.Caller, new ResourceScope(district))
            && await BankFileAsync(call.Caller, month, district, call.RequestId, call.Cancellation) is { } csv
            ? Result.Ok(FileBody.Csv(csv, $"assistance-{month}-{district}.csv"))
            : BatchNotFound();

    /// <summary>Runs the month for every district (the timer) or one district (an approver's request). Returns the batches.</summary>
    public async Task<IReadOnlyList<PaymentBatch>> RunMonthAsync(string month, string? onlyDistrict, CancellationToken ct)
    {
        if (!IsMonth(month)) throw new ArgumentException("Month must be yyyyMM.", nameof(month));
        var grants = await tables.GetAsync(TableNames.AssistanceGrants, ct);
        var byDistrict = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        var filter = onlyDistrict is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {onlyDistrict}");
        await foreach (var g in grants.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            if (!Outbox.IsOutboxRow(g.RowKey)) // a grant's life event waiting for its relay shares the partition
                (byDistrict.TryGetValue(g.PartitionKey, out var list) ? list : byDistrict[g.PartitionKey] = []).Add(g);
        var batches = new List<PaymentBatch>();
        foreach (var (district, list) in byDistrict.OrderBy(d => d.Key, StringComparer.Ordinal))
            batches.Add(await RunDistrictAsync(month, district, list, ct));
        return batches;
    }

    async Task<PaymentBatch> RunDistrictAsync(string month, string district, IReadOnlyList<TableEntity> grants, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistancePayments, ct);
        var partition = $"{month}-{district}";
        if (await GetAsync(month, district, ct) is { } done) return done;

        var lines = new List<PaymentLine>();
        var csv = new StringBuilder("序号,申请编号,救助项目,收款人,银行账号,金额（元）\n");
        var n = 0;
        foreach (var grant in grants.OrderBy(g => g.RowKey, StringComparer.Ordinal))
        {
            var application = await applications.RecordAsync(grant.RowKey, ct);
            if (application is null) continue;
            var program = applications.Program(application.Program);
            var members = applications.MembersOf(application);
            var first = grant.GetString("FirstPaidMonth") is not { } firstMonth || firstMonth == month;
            string? skip = null;
            if (grant.GetBoolean("Active") != true || application.Status != ApplicationStatus.Granted) skip = "救助已终止或暂停";
            else if (!Allowances.PaysIn(program, first)) skip = "本项目本月无需发放";
            else
                // A member whose death the household's allowance already accounts for (DiedOn) no longer stops the payment.
                foreach (var m in members.Where(m => m.DiedOn is null))
                    if (await deaths.IsDeceasedAsync(m.IdIndex, application.Jurisdiction, ct)) { skip = "家庭成员已死亡，暂停发放待核减"; break; }
            var amount = application.AllowanceFor(month);
            var applicant = members.Single(m => m.Relationship == Relationship.Applicant);
            var account = applications.BankAccountOf(application);
            var line = new PaymentLine(grant.RowKey, program.Program, applicant.Name, account, skip is null ? amount : 0m, skip is null, skip);
            lines.Add(line);
            await table.UpsertEntityAsync(new TableEntity(partition, grant.RowKey)
            {
                ["Program"] = program.Program.ToString(),
                ["Amount"] = line.Amount.ToString("0.00", CultureInfo.InvariantCulture),
                ["Paid"] = line.Paid,
                ["SkipReason"] = skip,
            }, TableUpdateMode.Replace, ct);
            if (line.Paid)
            {
                csv.AppendJoin(',', (++n).ToString(CultureInfo.InvariantCulture), TextEncoding.ForCsv(grant.RowKey), TextEncoding.ForCsv(program.Name),
                    TextEncoding.ForCsv(applicant.Name), TextEncoding.ForCsv(account), line.Amount.ToString("0.00", CultureInfo.InvariantCulture)).Append('\n');
                if (grant.GetString("FirstPaidMonth") is null)
                    await (await tables.GetAsync(TableNames.AssistanceGrants, ct)).UpsertEntityAsync(new TableEntity(district, grant.RowKey) { ["FirstPaidMonth"] = month }, TableUpdateMode.Merge, ct);
            }
        }

        // The bank file: the one place names and accounts appear together, so it is encrypted as a whole.
        var file = csv.ToString();
        var container = blobs.GetBlobContainerClient(Container);
        await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: ct);
        await container.GetBlobClient(BlobName(month, district)).UploadAsync(BinaryData.FromString(cipher.Encrypt(file, FileAad(month, district))), overwrite: true, ct);
        var paid = lines.Where(l => l.Paid).ToList();
        var now = clock.GetUtcNow();
        var hash = Sm3.HashHex(file);
        await table.UpsertEntityAsync(new TableEntity(partition, "batch")
        {
            ["Households"] = paid.Count,
            ["Total"] = paid.Sum(l => l.Amount).ToString("0.00", CultureInfo.InvariantCulture),
            ["Skipped"] = lines.Count - paid.Count,
            ["CreatedAt"] = now,
            ["FileSm3"] = hash,
        }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(null, new AuditEvent("assistance.paymentBatch", AuditOutcome.Success, Detail: $"{month}/{district}: {paid.Count} households"), partition, ct);
        foreach (var line in paid)
        {
            var application = await applications.RecordAsync(line.ApplicationId, ct);
            await notifications.NotifyAsync(application?.ApplicantPersonId, new Notification($"{line.ApplicationId}.paid-{month}", "assistance",
                "救助金已发放", $"{month[..4]}年{month[4..]}月救助金 {line.Amount:0.00} 元已提交银行发放。", $"/api/assistance/applications/{line.ApplicationId}"), ct);
        }
        logger.LogInformation("Payment batch {Month} {District}: {Paid} paid, {Skipped} skipped", month, district, paid.Count, lines.Count - paid.Count);
        return (await GetAsync(month, district, ct))!;
    }

    /// <summary>A completed batch with its lines (payee and account masked), or null.</summary>
    public async Task<PaymentBatch?> GetAsync(string month, string district, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.AssistancePayments, ct);
        var partition = $"{month}-{district}";
        var header = await table.GetEntityIfExistsAsync<TableEntity>(partition, "batch", cancellationToken: ct);
        if (!header.HasValue) return null;
        var lines = new List<PaymentLine>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {"batch"}"), cancellationToken: ct))
            lines.Add(new PaymentLine(e.RowKey, Enum.Parse<AssistanceProgram>(e.GetString("Program")), null, null,
                decimal.Parse(e.GetString("Amount"), CultureInfo.InvariantCulture), e.GetBoolean("Paid") ?? false, e.GetString("SkipReason")));
        var h = header.Value!;
        return new PaymentBatch(month, district, divisions.FullName(district), h.GetInt32("Households") ?? 0,
            decimal.Parse(h.GetString("Total"), CultureInfo.InvariantCulture), h.GetInt32("Skipped") ?? 0, h.GetDateTimeOffset("CreatedAt")!.Value, h.GetString("FileSm3"), lines);
    }

    /// <summary>The bank file in clear (CSV), for an approver of the district; audited by the caller.</summary>
    public async Task<string?> BankFileAsync(Caller caller, string month, string district, string requestId, CancellationToken ct)
    {
        var blob = blobs.GetBlobContainerClient(Container).GetBlobClient(BlobName(month, district));
        if (!(await blob.ExistsAsync(ct)).Value) return null;
        var token = (await blob.DownloadContentAsync(ct)).Value.Content.ToString();
        await audit.AppendAsync(caller, new AuditEvent("assistance.bankFile", AuditOutcome.Success, Purpose: AccessPurpose.CaseHandling, Detail: $"{month}/{district}"), requestId, ct);
        return cipher.Decrypt(token, FileAad(month, district));
    }

    static string BlobName(string month, string district) => $"{month}/{district}.csv.sm4";
    static string FileAad(string month, string district) => $"assistance/payments/{month}/{district}";
}
