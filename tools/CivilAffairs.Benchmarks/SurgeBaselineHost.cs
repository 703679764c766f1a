using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Benchmarks;

/// <summary>Input of the baseline dispatch: the same instants the platform's dispatch gets (its delivery clock checks).</summary>
sealed record SurgeBaselineInput(string DispatchId, DateTimeOffset EscalateAt, DateTimeOffset DeadlineAt);
sealed record SurgeBaselineProgress(string Step, bool Escalated, string? Team);

/// <summary>
/// The surge baseline: a bare Durable Task orchestration with the durable shape of the platform's dispatch orchestration
/// (orchestrations/CivilAffairs.Orchestrations/Disaster/DispatchOrchestration.cs) up to the team's assignment — three
/// event waiters (pickup, delivered, cancel), then plan, reserve and assign as three activities each after a custom status,
/// then the delivery clock's timer and the wait for the pick-up, where it stays, as the platform's does. The activities do
/// no work; the assign activity records when it ran (the moment the platform writes its <c>teamAssigned</c> trail step).
/// It runs on a <see cref="DurableSidecar"/> (the runtime's sidecar, its own task hub).
/// </summary>
sealed class SurgeBaselineHost : IAsyncDisposable
{
    public const string TaskHub = "BenchSurgeHub";

    readonly DurableSidecar durable;
    /// <summary>When each dispatch's assign activity ran, by dispatch id.</summary>
    readonly ConcurrentDictionary<string, DateTimeOffset> assigned;

    SurgeBaselineHost(DurableSidecar durable, ConcurrentDictionary<string, DateTimeOffset> assigned)
    {
        this.durable = durable; this.assigned = assigned;
    }

    DurableTaskClient Client => durable.Client;

    public static async Task<SurgeBaselineHost> StartAsync(string storage, TimeSpan maxQueuePolling, int partitionCount, CancellationToken ct)
    {
        var assigned = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var durable = await DurableSidecar.StartAsync(storage, TaskHub, "bench-surge", maxQueuePolling, partitionCount, r =>
        {
            r.AddOrchestrator(nameof(BenchDispatch), () => new BenchDispatch());
            r.AddActivity(nameof(BenchPlan), _ => new BenchPlan());
            r.AddActivity(nameof(BenchReserve), _ => new BenchReserve());
            r.AddActivity(nameof(BenchAssign), _ => new BenchAssign(assigned));
        }, ct);
        return new SurgeBaselineHost(durable, assigned);
    }

    /// <summary>When the dispatch's assign activity ran, if it has.</summary>
    public DateTimeOffset? AssignedAt(string dispatchId) => assigned.TryGetValue(dispatchId, out var at) ? at : null;

    /// <summary>Starts one dispatch with an explicit instance id, as the platform's starter does.</summary>
    public Task<string> StartAsync(string dispatchId, TimeSpan deliveryLimit, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        return Client.ScheduleNewOrchestrationInstanceAsync(nameof(BenchDispatch),
            new SurgeBaselineInput(dispatchId, now + deliveryLimit * 0.8, now + deliveryLimit + TimeSpan.FromSeconds(1)),
            new StartOrchestrationOptions(InstanceId: "dispatch-" + dispatchId), ct);
    }

    sealed class BenchDispatch : TaskOrchestrator<SurgeBaselineInput, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, SurgeBaselineInput input)
        {
            string? team = null;
            void Status(string step) => context.SetCustomStatus(new SurgeBaselineProgress(step, false, team));
            var pickup = context.WaitForExternalEvent<string>("pickup");
            var delivered = context.WaitForExternalEvent<string>("delivered");
            var cancel = context.WaitForExternalEvent<string>("cancel");

            Status("planning");
            await context.CallActivityAsync<int>(nameof(BenchPlan), input.DispatchId);
            Status("reserving");
            await context.CallActivityAsync<string>(nameof(BenchReserve), input.DispatchId);
            Status("assigning");
            team = await context.CallActivityAsync<string>(nameof(BenchAssign), input.DispatchId);

            using var timers = new CancellationTokenSource();
            var timer = context.CreateTimer(input.EscalateAt.UtcDateTime, timers.Token);
            Status("awaitingPickup");
            var first = await Task.WhenAny(pickup, cancel, timer);
            timers.Cancel();
            if (first == pickup) await Task.WhenAny(delivered);
            return first == cancel ? "cancelled" : "delivered";
        }
    }

    sealed class BenchPlan : TaskActivity<string, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, string input) => Task.FromResult(1);
    }

    sealed class BenchReserve : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult("reserved");
    }

    sealed class BenchAssign(ConcurrentDictionary<string, DateTimeOffset> assigned) : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input)
        {
            assigned.TryAdd(input, DateTimeOffset.UtcNow);
            return Task.FromResult("street-team");
        }
    }

    public ValueTask DisposeAsync() => durable.DisposeAsync();
}
