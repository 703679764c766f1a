using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Domain.Disaster;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Disaster.Needs;

/// <summary>
/// The needs side's reaction to an image analysis (<see cref="IAnalysisFindingSink"/>), idempotent per upload:
/// <list type="bullet">
/// <item>With a <see cref="AnalysisFinding.NeedId"/>: the need gets <see cref="Need.WithAnalysisAdjustment"/> (delta clamped to −1…+2)
/// and the upload id is recorded on it; a finding whose upload is already recorded changes nothing.</item>
/// <item>Without one, but with an incident, a position and a positive delta: a need is raised through the same
/// <see cref="NeedIntake"/> as any report (reporter kind <see cref="ReporterKind.DeviceAnalysis"/>, report id
/// <c>analysis-{uploadId}</c>, so a redelivered finding is a Duplicate and a finding near an existing need merges into it).
/// Category Rescue with the people count (unit 人) when people were found, else Other, 1 处; urgency High for +2, else Normal.
/// The delta is applied to the resulting need in the same write.</item>
/// <item>Anything else (no incident, no position, delta ≤ 0 without a need, closed incident, unknown ids): nothing, null.</item>
/// </list>
/// Publishes <c>need.priority</c> on the dashboard whenever a need's adjustment was recorded.
/// </summary>
public sealed class AnalysisFindingSink(NeedService needs, IncidentService incidents, DashboardFeed dashboard, ILogger<AnalysisFindingSink> logger) : IAnalysisFindingSink
{
    public async Task<string?> ApplyAsync(AnalysisFinding finding, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var delta = Math.Clamp(finding.PriorityDelta, NeedPriority.MinAnalysisAdjustment, NeedPriority.MaxAnalysisAdjustment);
        StoredNeed Adjust(StoredNeed s) => s.AnalysisUploads.Contains(finding.UploadId)
            ? s
            : s with { Need = s.Need.WithAnalysisAdjustment(delta).Value, AnalysisUploads = [.. s.AnalysisUploads, finding.UploadId] };

        if (finding.NeedId is { } needId)
        {
            var stored = await needs.LoadAsync(needId, ct);
            if (stored is null)
            {
                logger.LogWarning("Analysis of upload {UploadId} names unknown need {NeedId}", finding.UploadId, needId);
                return null;
            }
            if (stored.AnalysisUploads.Contains(finding.UploadId)) return needId;
            var changed = await needs.ChangeAsync(stored.Need.IncidentId, needId, s => s.AnalysisUploads.Contains(finding.UploadId) ? null : Adjust(s), ct);
            if (changed is not null) await dashboard.PublishAsync(changed.Jurisdiction, "need.priority", needs.DashboardData(changed), ct);
            return needId;
        }

        if (finding.IncidentId is not { } incidentId || finding.Position is not { } position || delta <= 0) return null;
        var incident = await incidents.LoadAsync(incidentId, ct);
        if (incident is null) return null;
        var people = finding.PeopleCount > 0;
        var report = new NeedReport($"analysis-{finding.UploadId}", incidentId, people ? NeedCategory.Rescue : NeedCategory.Other,
            people ? finding.PeopleCount : 1, people ? "人" : "处", delta >= 2 ? Urgency.High : Urgency.Normal, position,
            ReporterKind.DeviceAnalysis, finding.AnalyzedAt, [finding.UploadId]);
        var result = await needs.IntakeAsync(incident.Incident, report, new ReportDetails($"device:{finding.DeviceId}", finding.Reason, null), Adjust, ct);
        if (result.Problem is { } problem)
        {
            logger.LogInformation("Analysis of upload {UploadId} raised no need: {Code}", finding.UploadId, problem.Code);
            return null;
        }
        var (kind, need) = result.Value!;
        if (kind != IntakeKind.Duplicate) await dashboard.PublishAsync(need.Jurisdiction, "need.priority", needs.DashboardData(need), ct);
        return need.Need.Id;
    }
}
