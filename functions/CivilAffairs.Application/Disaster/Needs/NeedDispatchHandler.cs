using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster.Needs;

/// <summary>
/// The need follows its dispatch (outbox events of the dispatch side): delivered → the need is fulfilled
/// (<see cref="Need.MarkFulfilled"/>); cancelled or failed → the need is open again without a dispatch, back on the staff
/// worklist for a new one. Idempotent: a need already fulfilled, or holding another dispatch, is left as it is.
/// </summary>
public sealed class NeedDispatchHandler(NeedService needs, DashboardFeed dashboard) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [DispatchEvents.Delivered, DispatchEvents.Cancelled, DispatchEvents.Failed];

    public async Task HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var data = e.DataAs<DispatchEventData>();
        var delivered = e.Type == DispatchEvents.Delivered;
        StoredNeed? changed = null;
        await needs.ChangeAsync(data.IncidentId, data.NeedId, s =>
        {
            if (s.DispatchId != data.DispatchId) return null;
            if (delivered)
            {
                var fulfilled = s.Need.MarkFulfilled();
                return fulfilled.Accepted ? changed = s with { Need = fulfilled.Value } : null;
            }
            return changed = s with { DispatchId = null };
        }, ct);
        if (changed is not null)
            await dashboard.PublishAsync(changed.Jurisdiction, delivered ? "need.fulfilled" : "need.reopened", needs.DashboardData(changed), ct);
    }
}
