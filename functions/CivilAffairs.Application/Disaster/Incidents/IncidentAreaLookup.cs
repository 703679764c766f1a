using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster.Incidents;

/// <summary>The incident store answering the uploads side: an incident's affected area, so field positions outside it are flagged.</summary>
public sealed class IncidentAreaLookup(IncidentService incidents) : IIncidentAreaLookup
{
    public async Task<GeoPolygon?> FindAreaAsync(string incidentId, CancellationToken ct) =>
        (await incidents.LoadAsync(incidentId, ct))?.Incident.Area;
}
