using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Domain.Disaster;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Disaster;

/// <summary>One item line of a dispatch (relief item code from <see cref="ReliefItemCatalogue"/>).</summary>
public sealed record DispatchItem(string ItemCode, decimal Quantity);

/// <summary>
/// What the needs side hands to the dispatch side: a snapshot of the need (ids, position, items), never personal data.
/// </summary>
public sealed record DispatchRequest(string NeedId, string IncidentId, string Jurisdiction, ResponseLevel Level,
    GeoPoint Destination, NeedCategory Category, Urgency Urgency, IReadOnlyList<DispatchItem> Items);

/// <summary>Starts the dispatch orchestration of a need; returns the dispatch id. Idempotent per need.</summary>
public interface IDispatchStarter
{
    Task<string> StartAsync(DispatchRequest request, DurableTaskClient durable, CancellationToken ct);
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
}
