using CivilAffairs.Application.Disaster.Needs;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Incidents;

/// <summary>
/// The incident and need stores answering the uploads side: an incident's affected area (field positions outside it are
/// flagged), and whether a device of a jurisdiction may name an incident or need at all.
/// </summary>
public sealed class IncidentDirectory(IncidentService incidents, NeedService needs) : IIncidentDirectory
{
    public async Task<GeoPolygon?> FindAreaAsync(string incidentId, CancellationToken ct) =>
        (await incidents.LoadAsync(incidentId, ct))?.Incident.Area;

    public async Task<bool> InReachAsync(string? incidentId, string? needId, string jurisdiction, CancellationToken ct)
    {
        bool Reaches(string incidentJurisdiction) =>
            Jurisdiction.Contains(jurisdiction, incidentJurisdiction) || Jurisdiction.Contains(incidentJurisdiction, jurisdiction);
        if (incidentId is not null && (await incidents.LoadAsync(incidentId, ct) is not { } incident || !Reaches(incident.Incident.JurisdictionCode)))
            return false;
        if (needId is not null && (await needs.LoadAsync(needId, ct) is not { } need || !Reaches(need.Jurisdiction)
                                   || incidentId is not null && need.Need.IncidentId != incidentId))
            return false;
        return true;
    }
}
