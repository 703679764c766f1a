namespace CivilAffairs.Application.Catalog;

/// <summary>The catalogue's workflow port: the durable expiry of a completed pre-review (implemented beside the orchestration).</summary>
public interface IPreReviewWorkflow
{
    /// <summary>Starts the expiry workflow of a completed pre-review; nothing for one that is not completed or already has one.</summary>
    Task ScheduleExpiryAsync(PreReviewView view, CancellationToken ct);
}
