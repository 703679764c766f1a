using System.Text.Json;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Image analysis of committed field uploads.</summary>
public sealed class AnalysisFunctions(UploadAnalysis analysis)
{
    /// <summary>Analyses one committed upload; failures retry and end in <c>disaster-analysis-poison</c>.</summary>
    [Function("AnalyzeFieldUpload")]
    public Task Analyze(
        [QueueTrigger(QueueNames.DisasterAnalysis)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        analysis.RunAsync(JsonSerializer.Deserialize<AnalysisJob>(message, JsonDefaults.Options) ?? throw new JsonException("Empty analysis job."),
            durable, context.CancellationToken);
}
