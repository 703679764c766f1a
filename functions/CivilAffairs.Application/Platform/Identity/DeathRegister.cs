using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Identity;

/// <summary>
/// Deaths known to the bureau, by blind index of the ID number (written by death registration, <c>Funeral/Deaths/DeathService</c>):
/// table <c>Deaths</c>, PartitionKey = first two hex digits of the index, RowKey = the index, with the jurisdiction the
/// record belongs to: the person's, when the person index knows them (and then only staff over that jurisdiction may
/// record it), else the recording officer's. Other areas ask <see cref="IsDeceasedAsync"/> for a household of a
/// jurisdiction (e.g. the monthly assistance payments stop for a household with a deceased member); a record made by
/// another district for a person the index does not know does not count there.
/// </summary>
public sealed class DeathRegister(Tables tables)
{
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
