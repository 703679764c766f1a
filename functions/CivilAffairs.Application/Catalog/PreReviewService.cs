using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Catalog;

/// <summary>
/// Pre-reviews (网上预审). Stored in <c>CatalogPreReviews</c> with PartitionKey = creation day
/// (China time, yyyyMMdd, derived from the ULID id) and RowKey = id, so a read by id is a
/// point read and statistics scan whole days.
/// </summary>
public sealed class PreReviewService(
    Tables tables,
    CatalogRepository catalog,
    QueueServiceClient queues,
    IPreReviewWorkflow workflow,
    TimeProvider clock,
    IOptions<CatalogOptions> options,
    ILogger<PreReviewService> logger)
{
    public static string PartitionOf(DateTimeOffset createdAt) =>
        ChinaTime.DateOf(createdAt).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Pre-reviews a submission against a service item: every finding at once (201, with the expiry workflow started), or,
    /// with <paramref name="queued"/>, stored as pending and queued (202 with where to look).
    /// </summary>
    public async Task<Result<PreReviewView>> SubmitAsync(CallContext call, string serviceCode, PreReviewRequest request, bool queued)
    {
        var ct = call.Cancellation;
        var item = await catalog.GetAsync(serviceCode, ct);
        if (item is null) return CatalogService.UnknownService(serviceCode);

        var (submission, conversionErrors) = request.ToSubmission();
        var errors = conversionErrors.Concat(PreReviewEngine.Validate(item, submission)).ToList();
        if (errors.Count > 0) return Problem.Invalid(errors);

        var now = clock.GetUtcNow();
        var id = Ids.New(clock);
        var entity = new TableEntity(PartitionOf(now), id)
        {
            ["ServiceCode"] = item.Code,
            ["ServiceName"] = item.Name,
            ["Area"] = item.Area.ToString(),
            ["Submission"] = JsonSerializer.Serialize(submission, JsonDefaults.Options),
            ["CreatedAt"] = now,
        };
        var table = await tables.GetAsync(TableNames.CatalogPreReviews, ct);
        if (queued)
        {
            entity["Status"] = nameof(PreReviewStatus.Pending);
            await table.AddEntityAsync(entity, ct);
            var queue = queues.GetQueueClient(QueueNames.CatalogPreReviews);
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            await queue.SendMessageAsync(JsonSerializer.Serialize(new PreReviewMessage(id, item.Code), JsonDefaults.Options), ct);
            var pending = ToView(entity);
            return Result.Accepted(pending, pending.StatusUrl);
        }

        Complete(entity, item, submission, now);
        await table.AddEntityAsync(entity, ct);
        var view = ToView(entity);
        await workflow.ScheduleExpiryAsync(view, ct);
        return Result.Created(view, view.StatusUrl);
    }

    /// <summary>Processes a queued pre-review and starts its expiry workflow. Idempotent: a pre-review already processed is returned as it is.</summary>
    public async Task<PreReviewView> ProcessQueuedAsync(PreReviewMessage message, CancellationToken ct = default)
    {
        var view = await CompleteQueuedAsync(message, ct);
        await workflow.ScheduleExpiryAsync(view, ct);
        return view;
    }

    async Task<PreReviewView> CompleteQueuedAsync(PreReviewMessage message, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CatalogPreReviews, ct);
        var entity = await LoadAsync(table, message.PreReviewId, ct)
            ?? throw new InvalidOperationException($"Pre-review {message.PreReviewId} does not exist.");
        if (entity.GetString("Status") != nameof(PreReviewStatus.Pending)) return ToView(entity);

        var item = await catalog.GetAsync(entity.GetString("ServiceCode"), ct)
            ?? throw new InvalidOperationException($"Service {entity.GetString("ServiceCode")} of pre-review {message.PreReviewId} no longer exists.");
        var submission = JsonSerializer.Deserialize<PreReviewSubmission>(entity.GetString("Submission"), JsonDefaults.Options)!;
        Complete(entity, item, submission, clock.GetUtcNow());
        try
        {
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Another delivery of the same message won the race; its result stands.
            logger.LogInformation("Pre-review {Id} was completed concurrently", message.PreReviewId);
            return ToView((await LoadAsync(table, message.PreReviewId, ct))!);
        }
        return ToView(entity);
    }

    public async Task<Result<PreReviewView>> GetAsync(CallContext call, string id)
    {
        var table = await tables.GetAsync(TableNames.CatalogPreReviews, call.Cancellation);
        var entity = await LoadAsync(table, id, call.Cancellation);
        return entity is null ? Problem.NotFound("PREREVIEW_NOT_FOUND", "预审记录不存在", "请核对预审编号。") : Result.Ok(ToView(entity));
    }

    /// <summary>Marks a completed pre-review as expired. Returns false when it was not completed (missing, pending or already expired).</summary>
    public async Task<bool> ExpireAsync(string id, CancellationToken ct = default)
    {
        var table = await tables.GetAsync(TableNames.CatalogPreReviews, ct);
        var entity = await LoadAsync(table, id, ct);
        if (entity is null || entity.GetString("Status") != nameof(PreReviewStatus.Completed)) return false;
        entity["Status"] = nameof(PreReviewStatus.Expired);
        entity["ExpiredAt"] = clock.GetUtcNow();
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
        logger.LogInformation("Pre-review {Id} expired", id);
        return true;
    }

    static async Task<TableEntity?> LoadAsync(TableClient table, string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out var createdAt)) return null;
        var response = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(createdAt), id, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    void Complete(TableEntity entity, ServiceItem item, PreReviewSubmission submission, DateTimeOffset now)
    {
        var result = PreReviewEngine.Evaluate(item, submission, ChinaTime.DateOf(now));
        entity["Status"] = nameof(PreReviewStatus.Completed);
        entity["Outcome"] = result.Outcome.ToString();
        entity["Findings"] = JsonSerializer.Serialize(result.Findings, JsonDefaults.Options);
        entity["ProblemItems"] = string.Join(",", result.Findings.Select(f => f.Item).Distinct());
        entity["MaterialsChecked"] = result.MaterialsChecked;
        entity["RulesChecked"] = result.RulesChecked;
        entity["CompletedAt"] = now;
        entity["ExpiresAt"] = now + options.Value.PreReviewValidity;
    }

    static PreReviewView ToView(TableEntity e)
    {
        var status = Enum.Parse<PreReviewStatus>(e.GetString("Status"));
        return new PreReviewView
        {
            Id = e.RowKey,
            ServiceCode = e.GetString("ServiceCode"),
            ServiceName = e.GetString("ServiceName"),
            Area = Enum.Parse<ServiceArea>(e.GetString("Area")),
            Status = status,
            Outcome = e.GetString("Outcome") is { } o ? Enum.Parse<PreReviewOutcome>(o) : null,
            Findings = e.GetString("Findings") is { } f ? JsonSerializer.Deserialize<List<PreReviewFinding>>(f, JsonDefaults.Options)! : [],
            MaterialsChecked = e.GetInt32("MaterialsChecked") ?? 0,
            RulesChecked = e.GetInt32("RulesChecked") ?? 0,
            CreatedAt = e.GetDateTimeOffset("CreatedAt")!.Value,
            CompletedAt = e.GetDateTimeOffset("CompletedAt"),
            ExpiresAt = e.GetDateTimeOffset("ExpiresAt"),
        };
    }
}
