using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Disaster;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Disaster;

/// <summary>One item line of a dispatch (relief item code from <see cref="ReliefItemCatalogue"/>).</summary>
public sealed record DispatchItem(string ItemCode, decimal Quantity);

/// <summary>
/// What the needs side hands to the dispatch side: a snapshot of the need (ids, position, items), never personal data.
/// </summary>
public sealed record DispatchRequest(string NeedId, string IncidentId, string Jurisdiction, ResponseLevel Level,
    GeoPoint Destination, NeedCategory Category, Urgency Urgency, IReadOnlyList<DispatchItem> Items);

/// <summary>
/// Starts the dispatch of an open need of an active incident (the domain rule <see cref="Dispatch.Start"/>) and its
/// workflow; returns the dispatch id. Idempotent per need: while a dispatch of the need is under way, that one is returned.
/// </summary>
public interface IDispatchStarter
{
    Task<Result<string>> StartAsync(Incident incident, Need need, IReadOnlyList<DispatchItem> items, CancellationToken ct);
}

/// <summary>The outcome of analysing one field upload, handed from the uploads side to the needs side.</summary>
/// <param name="NeedId">The need the upload documents, if the device named one.</param>
/// <param name="IncidentId">The incident the upload belongs to, if named.</param>
/// <param name="Position">Where the photo was taken (device metadata, else EXIF GPS), if known.</param>
/// <param name="PriorityDelta">From <c>AnalysisPriority</c>: −1..+2.</param>
/// <param name="Reason">Chinese explanation of the delta.</param>
public sealed record AnalysisFinding(string UploadId, string DeviceId, string? NeedId, string? IncidentId, GeoPoint? Position,
    int PeopleCount, IReadOnlyList<string> Tags, int PriorityDelta, bool NeedsReshoot, string Reason, DateTimeOffset AnalyzedAt);

/// <summary>
/// The needs side's reaction to an analysis: adjust the related need's priority, or raise a need when the analysis
/// found people or hazards in an incident area and no need was named. Returns the need id affected, if any. Idempotent per upload.
/// </summary>
public interface IAnalysisFindingSink
{
    Task<string?> ApplyAsync(AnalysisFinding finding, CancellationToken ct);
}

/// <summary>
/// Pushes command-dashboard events (new needs, analysis results, dispatch steps) live to the staff whose jurisdiction
/// contains the event, through <see cref="IRealtimeService"/> on hub <c>dashboard</c>, client method <c>disaster</c>,
/// argument <c>{ kind, jurisdiction, at, data }</c>. A push that fails is logged, never fails the business step.
/// </summary>
public sealed class DashboardFeed(IRealtimeService realtime, TimeProvider clock, ILogger<DashboardFeed> logger)
{
    public const string Target = "disaster";

    public async Task PublishAsync(string jurisdiction, string kind, object data, CancellationToken ct)
    {
        var message = new { kind, jurisdiction, at = clock.GetUtcNow(), data };
        try
        {
            foreach (var group in RealtimeNames.JurisdictionAudience(jurisdiction))
                await realtime.SendToGroupAsync(RealtimeNames.DashboardHub, group, Target, [message], ct);
        }
        catch (Exception e) when (e is RealtimeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Dashboard event {Kind} not delivered: {Error}", kind, e.Message);
        }
    }

    /// <summary>
    /// Tells each member of a field team (SignalR user = their account) about a task: client method <c>task</c>,
    /// argument <c>{ kind, at, data }</c>. Best effort, like the dashboard: the team's task list is the record.
    /// </summary>
    public async Task NotifyMembersAsync(IEnumerable<string> members, string kind, object data, CancellationToken ct)
    {
        var message = new { kind, at = clock.GetUtcNow(), data };
        foreach (var member in members)
            try
            {
                await realtime.SendToUserAsync(RealtimeNames.DashboardHub, member, TaskTarget, [message], ct);
            }
            catch (Exception e) when (e is RealtimeException or HttpRequestException or ArgumentException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Task event {Kind} not delivered to a team member: {Error}", kind, e.Message);
            }
    }

    public const string TaskTarget = "task";
}
