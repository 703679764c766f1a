using CivilAffairs.Application.Funeral.TellUsOnce;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Orchestrations.Funeral;

/// <summary>The <see cref="ITellUsOnceWorkflow"/>: one <see cref="TellUsOnceOrchestration"/> instance per registered death.</summary>
public sealed class TellUsOnceWorkflow(WorkflowClient workflows, ILogger<TellUsOnceWorkflow> logger) : ITellUsOnceWorkflow
{
    public Task StartAsync(TellUsOnceInput input, CancellationToken ct) =>
        workflows.StartOnceAsync(TellUsOnceFlow.Orchestrator, TellUsOnceFlow.InstanceId(input.DeathId), input, ct);

    public async Task ReceiptAsync(string deathId, string unitCode, CancellationToken ct)
    {
        var client = workflows.Current;
        var instance = await client.GetInstanceAsync(TellUsOnceFlow.InstanceId(deathId), ct);
        // Not started yet (it reads the receipts when it starts) or finished (the page reads the receipt from the store).
        if (instance is null || instance.IsCompleted)
        {
            logger.LogInformation("Receipt from {Unit} for death {DeathId}: no running Tell Us Once instance; recorded only", unitCode, deathId);
            return;
        }
        await client.RaiseEventAsync(TellUsOnceFlow.InstanceId(deathId), TellUsOnceFlow.ReceiptEvent, unitCode, ct);
    }
}
