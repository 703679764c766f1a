using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Analysis;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Disaster.Uploads;

/// <summary>
/// Analyses a committed upload (queue <c>disaster-analysis</c>): images go through <see cref="IImageAnalyzer"/> (the local
/// OpenCV engine or Azure AI Vision) and <see cref="AnalysisPriority"/>; videos and oversized images are recorded as not
/// analysed. The result is stored with the upload, handed to every registered <see cref="IAnalysisFindingSink"/> (none is
/// fine) and pushed to the command dashboard of the device's jurisdiction as an <c>analysis</c> event.
/// </summary>
/// <remarks>
/// Idempotent: a stored result is not recomputed, and the sinks are called again only when a previous attempt stored the
/// result but failed before they all succeeded (sinks are idempotent per upload). Transient engine failures throw, so the
/// queue retries and finally moves the job to <c>disaster-analysis-poison</c>; an undecodable image is recorded as
/// <c>failed</c> and not retried.
/// </remarks>
public sealed class UploadAnalysisService(UploadService uploads, Tables tables, IImageAnalyzer analyzer, IEnumerable<IAnalysisFindingSink> sinks,
    DashboardFeed dashboard, IOptions<UploadOptions> options, TimeProvider clock, ILogger<UploadAnalysisService> logger)
{
    public const string DashboardKind = "analysis";

    /// <summary>Analyses one committed upload. A duplicate job running at the same time (messages arrive at least once) is resolved by re-reading the stored state.</summary>
    public Task RunAsync(AnalysisJob job, CancellationToken ct) =>
        Optimistic.RetryAsync($"analysis of upload {job.UploadId}", () => RunOnceAsync(job, ct), ct);

    async Task RunOnceAsync(AnalysisJob job, CancellationToken ct)
    {
        var session = await uploads.SessionAsync(job.UploadId, ct);
        if (session is null || session.GetString("Status") == "rejected")
        {
            logger.LogWarning("Analysis job for upload {UploadId} skipped: no committed upload", job.UploadId);
            return;
        }
        if (session.GetString("Status") != "committed")
            throw new InvalidOperationException($"Upload {job.UploadId} is not committed yet; retry later.");

        var table = await tables.GetAsync(TableNames.DisasterUploads, ct);
        UploadAnalysisView view;
        if (session.GetString("Analysis") is { } stored)
        {
            if (session.GetBoolean("SinksApplied") == true) return;
            view = JsonSerializer.Deserialize<UploadAnalysisView>(stored, JsonDefaults.Options)!;
        }
        else
        {
            view = await AnalyseAsync(session, ct);
            session["Analysis"] = JsonSerializer.Serialize(view, JsonDefaults.Options);
            session["AnalysisStatus"] = view.Status;
            session["SinksApplied"] = false;
            await table.UpdateEntityAsync(session, session.ETag, TableUpdateMode.Replace, ct); // 412: a parallel run won; retried
            session = (await table.GetEntityAsync<TableEntity>(session.PartitionKey, session.RowKey, cancellationToken: ct)).Value;
        }

        string? affectedNeed = null;
        if (view.Status == "analysed")
        {
            var finding = new AnalysisFinding(session.PartitionKey, session.GetString("DeviceId"), session.GetString("NeedId"), session.GetString("IncidentId"),
                Position(session), view.PeopleCount ?? 0, view.Tags ?? [], view.PriorityDelta ?? 0, view.NeedsReshoot ?? false, view.Reason ?? "",
                view.AnalyzedAt ?? clock.GetUtcNow());
            foreach (var sink in sinks)
            {
                affectedNeed = await sink.ApplyAsync(finding, ct) ?? affectedNeed;
            }
            if (affectedNeed is not null) view = view with { AffectedNeedId = affectedNeed };
        }
        session["Analysis"] = JsonSerializer.Serialize(view, JsonDefaults.Options);
        session["SinksApplied"] = true;
        await table.UpdateEntityAsync(session, session.ETag, TableUpdateMode.Replace, ct);

        var position = Position(session);
        await dashboard.PublishAsync(session.GetString("Jurisdiction"), DashboardKind, new
        {
            uploadId = session.PartitionKey,
            deviceId = session.GetString("DeviceId"),
            incidentId = session.GetString("IncidentId"),
            needId = session.GetString("NeedId") ?? affectedNeed,
            contentType = session.GetString("ContentType"),
            position = position is { } p ? new { lat = p.Latitude, lon = p.Longitude, alt = p.Altitude } : null,
            outsideIncidentArea = session.GetBoolean("OutsideIncidentArea"),
            analysis = view,
        }, ct);
        logger.LogInformation("Upload {UploadId} analysis: {Status}, delta {Delta}", session.PartitionKey, view.Status, view.PriorityDelta);
    }

    async Task<UploadAnalysisView> AnalyseAsync(TableEntity session, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (session.GetString("Kind") == "Mp4")
            return new UploadAnalysisView("notAnalysed", Reason: "视频暂不做自动图像分析，请人工查看。", AnalyzedAt: now);
        var limit = Math.Min(options.Value.MaxAnalysisBytes, ImageAnalysisLimits.MaxImageBytes);
        if (session.GetInt64("Size") > limit)
            return new UploadAnalysisView("notAnalysed", Reason: $"图片超过 {limit / (1024 * 1024)} MB，未做自动分析，请人工查看。", AnalyzedAt: now);

        var blob = await uploads.BlobAsync(session.PartitionKey, ct);
        BinaryData image;
        try
        {
            image = (await blob.DownloadContentAsync(ct)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new UploadAnalysisView("failed", Reason: "文件已不存在，无法分析。", AnalyzedAt: now);
        }
        ImageAnalysisResult result;
        try
        {
            result = await analyzer.AnalyzeAsync(image, ct);
        }
        catch (ImageAnalysisException e) when (e.Kind == ImageAnalysisFailure.InvalidImage)
        {
            logger.LogWarning("Upload {UploadId} is not an analysable image: {Reason}", session.PartitionKey, e.Message);
            return new UploadAnalysisView("failed", Engine: analyzer.Engine, Reason: "图片无法解码或尺寸不符合分析要求，请人工查看或重新拍摄。", AnalyzedAt: now);
        }
        var effect = AnalysisPriority.Evaluate(result);
        return new UploadAnalysisView("analysed", result.Engine, result.PeopleCount, result.Tags.Take(20).Select(t => t.Name).ToList(),
            effect.Delta, effect.NeedsReshoot, effect.Reason, effect.Signals, result.Width, result.Height,
            result.Quality?.Sharpness is { } s ? Math.Round(s, 1) : null, result.Quality?.MeanBrightness is { } b ? Math.Round(b, 1) : null,
            result.AnalyzedAt);
    }

    static GeoPoint? Position(TableEntity session) =>
        session.GetDouble("Lat") is { } lat && session.GetDouble("Lon") is { } lon && GeoPoint.TryCreate(lat, lon, out var p, session.GetDouble("Alt")) ? p : null;
}
