using System.Text.Json;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Image analysis of committed field uploads.</summary>
public sealed class AnalysisFunctions(UploadAnalysisService analysis, WorkflowClient workflows)
{
    /// <summary>Analyses one committed upload (a need it raises is dispatched: hence the durable client); failures retry and end in <c>disaster-analysis-poison</c>.</summary>
    [Function("AnalyzeFieldUpload")]
    public async Task Analyze(
        [QueueTrigger(QueueNames.DisasterAnalysis)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        await analysis.RunAsync(JsonSerializer.Deserialize<AnalysisJob>(message, JsonDefaults.Options) ?? throw new JsonException("Empty analysis job."),
            context.CancellationToken);
    }
}
