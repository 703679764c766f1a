using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Assistance.Applications;

/// <summary>A program a person held on a date, and the application (household) that held it.</summary>
public sealed record ProgramHeld(AssistanceProgram Program, string ApplicationId, DateTimeOffset? GrantedAt, bool ActiveNow);

/// <summary>
/// Read-only: which assistance programs a person (by the blind index of their ID number) held on a date, as a member of a
/// household whose grant was active then. Reads what the assistance area already keeps, nothing new: the member's place in an
/// active household (<see cref="TableNames.AssistanceMemberships"/>) leads to a granted application; a grant that has since ended
/// (for example because the person died and the household's case was closed, which gives the member's place back) is found among
/// the grants (<see cref="TableNames.AssistanceGrants"/>) deactivated on or after the date, whose members include the
/// person. Used by other areas (the funeral fee exemption) to decide from recorded status, not from what a counter is told.
/// </summary>
public sealed class AssistanceStatus(Tables tables, ApplicationRepository applications, AssistanceApplicationService service)
{
    public async Task<IReadOnlyList<ProgramHeld>> ProgramsHeldAsync(string idIndex, DateOnly on, CancellationToken ct)
    {
        var held = new List<ProgramHeld>();
        var grants = await tables.GetAsync(TableNames.AssistanceGrants, ct);
        var endOfDay = new DateTimeOffset(on.ToDateTime(TimeOnly.MaxValue), ChinaTime.Offset);
        var startOfDay = new DateTimeOffset(on.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);

        // 1. The household the person sits in now.
        var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
        var claim = await memberships.GetEntityIfExistsAsync<TableEntity>(idIndex[..2], idIndex, cancellationToken: ct);
        if (claim.HasValue && claim.Value!.GetString("ApplicationId") is { } current
            && await applications.GetAsync(current, ct) is { Status: ApplicationStatus.Granted } granted)
        {
            var row = await grants.GetEntityIfExistsAsync<TableEntity>(granted.Jurisdiction[..6], granted.Id, cancellationToken: ct);
            var since = (row.HasValue ? row.Value!.GetDateTimeOffset("GrantedAt") : null) ?? granted.DecidedAt;
            if (since is null || since <= endOfDay) held.Add(new ProgramHeld(granted.Program, granted.Id, since, true));
        }

        // 2. Grants ended on or after the date (few: the ended ones since then, city-wide, since the person's household may live in
        // another district than the person index says): the person was a member while they were active.
        var filter = TableClient.CreateQueryFilter($"Active eq {false} and UpdatedAt ge {startOfDay}");
        await foreach (var row in grants.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (held.Any(h => h.ApplicationId == row.RowKey) || row.GetDateTimeOffset("GrantedAt") is not { } since || since > endOfDay) continue;
            if (await applications.GetAsync(row.RowKey, ct) is not { } ended) continue;
            if (service.MembersOf(ended).Any(m => m.IdIndex == idIndex)) held.Add(new ProgramHeld(ended.Program, ended.Id, since, false));
        }
        return held;
    }
}
