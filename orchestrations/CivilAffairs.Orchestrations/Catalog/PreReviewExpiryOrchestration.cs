using CivilAffairs.Application.Catalog;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace CivilAffairs.Orchestrations.Catalog;

/// <summary>
/// A completed pre-review is valid for a limited time (预审结果有效期). This workflow waits on a
/// durable timer until the pre-review expires and then marks it expired, so a citizen who
/// comes back later is asked to pre-review again against the current rules.
/// </summary>
public static class PreReviewExpiryOrchestration
{
    [Function(PreReviewOrchestrations.Expiry)]
    public static async Task<bool> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<PreReviewExpiryInput>()
            ?? throw new InvalidOperationException("Expiry workflow started without input.");
        context.SetCustomStatus(new PreReviewExpiryProgress(PreReviewExpiryStep.Waiting, input.ExpiresAt));
        if (input.ExpiresAt.UtcDateTime > context.CurrentUtcDateTime)
            await context.CreateTimer(input.ExpiresAt.UtcDateTime, CancellationToken.None);

        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(5), backoffCoefficient: 2));
        var expired = await context.CallActivityAsync<bool>(PreReviewOrchestrations.ExpireActivity, input.PreReviewId, retry);
        context.SetCustomStatus(new PreReviewExpiryProgress(expired ? PreReviewExpiryStep.Expired : PreReviewExpiryStep.Skipped, input.ExpiresAt));
        return expired;
    }
}

public sealed class ExpirePreReviewActivity(PreReviewService preReviews)
{
    [Function(PreReviewOrchestrations.ExpireActivity)]
    public Task<bool> Run([ActivityTrigger] string preReviewId, FunctionContext context) =>
        preReviews.ExpireAsync(preReviewId, context.CancellationToken);
}
