using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Identity;

/// <summary>Body of <c>POST /api/persons/deaths</c> (the ID number travels in the body, never the URL).</summary>
public sealed record DeathRecordRequest(string? IdNumber, DateOnly? DateOfDeath, string? Source);

/// <summary>Answer of a recorded death.</summary>
public sealed record DeathRecorded(bool Recorded, DateOnly DateOfDeath);

/// <summary>
/// Deaths known to the bureau (from death registration, hospitals or the police), by blind index of the ID number:
/// table <c>Deaths</c>, PartitionKey = first two hex digits of the index, RowKey = the index. Other areas ask
/// <see cref="IsDeceasedAsync"/> (e.g. the monthly assistance payments stop for a household with a deceased member).
/// </summary>
public sealed class DeathRegister(Tables tables, PersonIndex persons, AuditLog audit, TimeProvider clock)
{
    static readonly string[] Sources = ["deathRegistration", "hospital", "police", "funeralHome", "staff"];

    public async Task<Result<DeathRecorded>> RecordAsync(CallContext call, DeathRecordRequest request)
    {
        var (caller, requestId, ct) = call;
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        var id = IdNumber.Validate(request.IdNumber, today);
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (request.DateOfDeath is not { } date || date > today) errors.Add(new FieldError("dateOfDeath", "请填写死亡日期（不能晚于今天）。"));
        if (request.Source is not { } source || !Sources.Contains(source)) errors.Add(new FieldError("source", $"请填写信息来源：{string.Join("、", Sources)}。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var index = persons.IndexOf(id.Normalized!);
        // A registered person may only be recorded dead by staff whose jurisdiction covers them.
        if (await persons.JurisdictionOfAsync(index, ct) is { } jurisdiction && !AccessPolicy.InScope(caller, new ResourceScope(jurisdiction)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.death", AuditOutcome.Denied, index, Detail: "outOfScope"), requestId, ct);
            return PersonIndex.NotFound();
        }
        var table = await tables.GetAsync(TableNames.Deaths, ct);
        await table.UpsertEntityAsync(new TableEntity(index[..2], index)
        {
            ["DateOfDeath"] = request.DateOfDeath!.Value.ToString("yyyy-MM-dd"),
            ["Source"] = request.Source,
            ["RecordedBy"] = caller.Subject,
            ["RecordedAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(caller, new AuditEvent("person.death", AuditOutcome.Success, index, Detail: request.Source), requestId, ct);
        return Result.Created(new DeathRecorded(true, request.DateOfDeath.Value), null);
    }

    public async Task<bool> IsDeceasedAsync(string idIndex, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Deaths, ct);
        return (await table.GetEntityIfExistsAsync<TableEntity>(idIndex[..2], idIndex, select: ["DateOfDeath"], cancellationToken: ct)).HasValue;
    }
}
