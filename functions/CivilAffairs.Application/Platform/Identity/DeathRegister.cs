using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Identity;

/// <summary>Body of <c>POST /api/persons/deaths</c> (the ID number travels in the body, never the URL).</summary>
public sealed record DeathRecordRequest(string? IdNumber, DateOnly? DateOfDeath, string? Source);

/// <summary>Answer of a recorded death.</summary>
public sealed record DeathRecorded(bool Recorded, DateOnly DateOfDeath);

/// <summary>
/// Deaths known to the bureau (from death registration, hospitals or the police), by blind index of the ID number:
/// table <c>Deaths</c>, PartitionKey = first two hex digits of the index, RowKey = the index, with the jurisdiction the
/// record belongs to: the person's, when the person index knows them (and then only staff over that jurisdiction may
/// record it), else the recording officer's. Other areas ask <see cref="IsDeceasedAsync"/> for a household of a
/// jurisdiction (e.g. the monthly assistance payments stop for a household with a deceased member); a record made by
/// another district for a person the index does not know does not count there.
/// </summary>
public sealed class DeathRegister(Tables tables, PersonIndex persons, AuditLog audit, TimeProvider clock, IServiceProvider services, ILogger<DeathRegister> logger)
{
    // Resolved on first use: handlers read the register themselves (the marriage register ends a marriage on a death).
    IEnumerable<IDeathRecordedHandler> Handlers => services.GetServices<IDeathRecordedHandler>();

    static readonly string[] Sources = ["deathRegistration", "hospital", "police", "funeralHome", "staff"];

    public async Task<Result<DeathRecorded>> RecordAsync(CallContext call, DeathRecordRequest request)
    {
        var (caller, requestId, ct) = call;
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        var id = IdNumber.Validate(request.IdNumber, today);
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (request.DateOfDeath is not { } date || date > today || date < new DateOnly(1900, 1, 1) || id.IsValid && date < id.BirthDate)
            errors.Add(new FieldError("dateOfDeath", "请填写死亡日期（不能晚于今天，不能早于出生日期）。"));
        if (request.Source is not { } source || !Sources.Contains(source)) errors.Add(new FieldError("source", $"请填写信息来源：{string.Join("、", Sources)}。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        var index = persons.IndexOf(id.Normalized!);
        // A registered person may only be recorded dead by staff whose jurisdiction covers them; a person the index does not
        // know is recorded in the caller's own jurisdiction.
        var registered = await persons.JurisdictionOfAsync(index, ct);
        var jurisdiction = registered ?? caller.Jurisdiction;
        if (jurisdiction is null || !AccessPolicy.InScope(caller, new ResourceScope(jurisdiction)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.death", AuditOutcome.Denied, index, Detail: "outOfScope"), requestId, ct);
            return PersonIndex.NotFound();
        }
        var table = await tables.GetAsync(TableNames.Deaths, ct);
        await table.UpsertEntityAsync(new TableEntity(index[..2], index)
        {
            ["DateOfDeath"] = request.DateOfDeath!.Value.ToString("yyyy-MM-dd"),
            ["Source"] = request.Source,
            ["Jurisdiction"] = jurisdiction,
            ["PersonRegistered"] = registered is not null,
            ["RecordedBy"] = caller.Subject,
            ["RecordedAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(caller, new AuditEvent("person.death", AuditOutcome.Success, index, Detail: request.Source), requestId, ct);
        foreach (var handler in Handlers)
        {
            try { await handler.OnDeathRecordedAsync(index, request.DateOfDeath.Value, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning("A death handler ({Handler}) failed: {Error}", handler.GetType().Name, e.GetType().Name); }
        }
        return Result.Created(new DeathRecorded(true, request.DateOfDeath.Value), null);
    }

    /// <summary>Whether a death is recorded for the person that counts for a household of <paramref name="householdJurisdiction"/>.</summary>
    public async Task<bool> IsDeceasedAsync(string idIndex, string householdJurisdiction, CancellationToken ct) =>
        await DateOfDeathAsync(idIndex, householdJurisdiction, ct) is not null;

    /// <summary>The recorded date of death of the person that counts in <paramref name="jurisdiction"/> (same rule as <see cref="IsDeceasedAsync"/>), if any.</summary>
    public async Task<DateOnly?> DateOfDeathAsync(string idIndex, string jurisdiction, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Deaths, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(idIndex[..2], idIndex, select: ["DateOfDeath", "Jurisdiction", "PersonRegistered"], cancellationToken: ct);
        if (!found.HasValue) return null;
        var row = found.Value!;
        // A registered person's death was recorded by staff over them: it counts everywhere (so do records from before
        // jurisdictions were kept); an unregistered person's only where the recording office's jurisdiction reaches.
        var counts = row.GetBoolean("PersonRegistered") == true || row.GetString("Jurisdiction") is not { } recordedIn || Jurisdiction.Contains(recordedIn, jurisdiction);
        return counts ? DateOnly.ParseExact(row.GetString("DateOfDeath"), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>
/// Told, after a death is recorded, with the person's blind index and date of death (the marriage register ends the person's
/// marriage). Runs in the recording request; a failure is logged and the area reconciles on its next read. The life-events issue
/// will route <c>person.died</c> through the outbox instead.
/// </summary>
public interface IDeathRecordedHandler
{
    Task OnDeathRecordedAsync(string idIndex, DateOnly dateOfDeath, CancellationToken ct);
}
