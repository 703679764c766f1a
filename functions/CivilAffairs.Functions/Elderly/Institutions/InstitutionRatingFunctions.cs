using CivilAffairs.Application.Elderly.Institutions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Elderly.Institutions;

/// <summary>The daily recomputation of institutions' star ratings (the 12-month window and licence expiry move with the date).</summary>
public sealed class InstitutionRatingFunctions(InstitutionRatingService ratings)
{
    /// <summary>Schedule from the ElderlyInstitutionRatingSchedule setting (NCRONTAB, UTC; default 00:30 China time).</summary>
    [Function("RecomputeInstitutionRatings")]
    public async Task Recompute([TimerTrigger("%ElderlyInstitutionRatingSchedule%")] TimerInfo timer, FunctionContext context)
    {
        var (rated, unrated, failed) = await ratings.RecomputeAllAsync(context.InvocationId, context.CancellationToken);
        context.GetLogger<InstitutionRatingFunctions>().LogInformation(
            "Institution ratings recomputed (past due: {PastDue}): {Rated} rated, {Unrated} without rating, {Failed} failed", timer.IsPastDue, rated, unrated, failed);
    }
}
