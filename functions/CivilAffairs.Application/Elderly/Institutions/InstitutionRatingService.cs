using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.Institutions;

/// <summary>
/// Computes and stores institutions' star ratings with <see cref="InstitutionRating.Rate"/> (through <see cref="RatingRules.Rate"/>):
/// right after every change of an input (registry entry, inspection, staffing, complaint decision) and daily for all
/// institutions (the <c>RecomputeInstitutionRatings</c> timer), since the 12-month window and licence expiry move with the date.
/// </summary>
public sealed class InstitutionRatingService(InstitutionRepository repository, IOptions<InstitutionOptions> options, AuditLog audit, TimeProvider clock,
    ILogger<InstitutionRatingService> logger)
{
    public StarRatingWeights Weights => options.Value.Weights;

    /// <summary>
    /// Rates one institution from its stored inputs and stores the result over the rating version read first, so that of two
    /// concurrent recomputations the one that lost re-reads the inputs and rates again (<see cref="Optimistic.RetryAsync{T}"/>).
    /// </summary>
    public Task<RatingRecord> RecomputeAsync(InstitutionRecord institution, CancellationToken ct) =>
        Optimistic.RetryAsync($"rating of institution {institution.Id}", async () =>
        {
            var previous = await repository.FindRatingAsync(institution.District, institution.Id, ct);
            var current = await repository.FindAsync(institution.Id, ct) ?? institution;
            var inspections = await repository.InspectionsAsync(institution.Id, ct);
            var complaints = await repository.ComplaintsAsync(institution.Id, ct);
            var staffing = await repository.StaffingAsync(institution.Id, ct);
            var rating = RatingRules.ToRecord(current, RatingRules.Rate(current, inspections, complaints, staffing, clock, Weights), clock.GetUtcNow());
            await repository.SaveRatingAsync(rating, previous, ct);
            return rating;
        }, ct);

    /// <summary>Recomputes every institution's rating (the daily timer); one failing institution does not stop the others.</summary>
    public async Task<(int Rated, int Unrated, int Failed)> RecomputeAllAsync(string requestId, CancellationToken ct)
    {
        int rated = 0, unrated = 0, failed = 0;
        foreach (var institution in await repository.ListAsync(null, ct))
        {
            try
            {
                if ((await RecomputeAsync(institution, ct)).Rated) rated++;
                else unrated++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                logger.LogError(e, "Rating of institution {InstitutionId} failed", institution.Id);
            }
        }
        await audit.AppendAsync(null, new AuditEvent("elderly.institution.rating.recompute", failed == 0 ? AuditOutcome.Success : AuditOutcome.Failed,
            Detail: $"rated={rated};unrated={unrated};failed={failed}"), requestId, ct);
        return (rated, unrated, failed);
    }
}
