using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Benchmarks;

/// <summary>Input of the baseline orchestration: one household's width.</summary>
sealed record BaselineInput(int Members, int Units, int DeadlineSeconds, BaselineShape Shape);
sealed record BaselineSend(string InstanceId, IReadOnlyList<string> Units, int Members, BaselineShape Shape);
/// <summary>One partner reply (per reply) or one unit's answer about every member (per unit), as an external event.</summary>
sealed record BaselineReply(string UnitCode, string? MemberRef, int Replies);

/// <summary>The durable shape of the baseline's verification.</summary>
enum BaselineShape
{
    /// <summary>
    /// The straightforward one (the platform's until 2026-12-03): one send activity per unit and one external event per
    /// partner reply (unit × member).
    /// </summary>
    PerReply,
    /// <summary>The platform's since 2026-12-03: one send activity for all units and one external event per unit, raised once it has answered about every member.</summary>
    PerUnit,
}
sealed record BaselineProgress(string Phase, int UnitsAsked, int UnitsAnswered, int Expected, int Received, DateTime DeadlineAt);

/// <summary>
/// The baseline: a bare Durable Task orchestration of the platform's case orchestration up to the end of verification —
/// one activity (begin), then the waiters, the sends, a durable deadline timer, a <c>WhenAny</c> loop with a custom
/// status per event, then two activities (complete, after) — in one of two shapes (<see cref="BaselineShape"/>): one
/// waiter per unit × member and one send activity per unit (<c>PerReply</c>, the default: Durable Task used
/// straightforwardly), or one waiter per unit and one send activity (<c>PerUnit</c>: the platform's own shape). The
/// activities do no work; the sends ask an in-process driver to draw each member's reply latency (the partner's
/// simulated latency) and raise each reply as an event when it would have arrived (per reply), or the unit's answer
/// when its slowest member's would have (per unit).
/// It runs on a <see cref="DurableSidecar"/> (the runtime's sidecar, its own task hub) on the same Azurite.
/// </summary>
sealed class BaselineHost : IAsyncDisposable
{
    public const string TaskHub = "BenchBaselineHub";
    const string Orchestrator = nameof(BenchVerification);
    const string Begin = nameof(BenchBegin);
    const string Send = nameof(BenchSend);
    const string Complete = nameof(BenchComplete);
    const string After = nameof(BenchAfter);

    readonly DurableSidecar durable;
    readonly ReplyDriver driver;

    BaselineHost(DurableSidecar durable, ReplyDriver driver)
    {
        this.durable = durable; this.driver = driver;
        driver.Client = Client;
    }

    public DurableTaskClient Client => durable.Client;
    /// <summary>External events that could not be raised (each one leaves a case waiting until its deadline).</summary>
    public long RaiseErrors => driver.Errors;
    public long EventsRaised => driver.Raised;

    public static async Task<BaselineHost> StartAsync(string storage, TimeSpan maxQueuePolling, int partitionCount, int minLatencyMs, int maxLatencyMs, CancellationToken ct)
    {
        var driver = new ReplyDriver(minLatencyMs, maxLatencyMs);
        var durable = await DurableSidecar.StartAsync(storage, TaskHub, "bench-baseline", maxQueuePolling, partitionCount, r => Register(r, driver), ct);
        return new BaselineHost(durable, driver);
    }

    public Task<string> StartCaseAsync(int members, int deadlineSeconds, BaselineShape shape, CancellationToken ct) =>
        Client.ScheduleNewOrchestrationInstanceAsync(Orchestrator, new BaselineInput(members, UnitCount, deadlineSeconds, shape), ct);

    /// <summary>Units asked per household: the same count as the platform's partner catalogue.</summary>
    public static int UnitCount { get; set; } = 60;

    static void Register(DurableTaskRegistry r, ReplyDriver driver)
    {
        r.AddOrchestrator(Orchestrator, () => new BenchVerification());
        r.AddActivity(Begin, _ => new BenchBegin());
        r.AddActivity(Send, _ => new BenchSend(driver));
        r.AddActivity(Complete, _ => new BenchComplete());
        r.AddActivity(After, _ => new BenchAfter());
    }

    /// <summary>Mirrors CaseOrchestration + HouseholdVerificationOrchestration up to leaving <c>verifying</c>, without business work.</summary>
    sealed class BenchVerification : TaskOrchestrator<BaselineInput, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, BaselineInput input)
        {
            var members = await context.CallActivityAsync<int>(nameof(BenchBegin), input.Members);
            var units = Enumerable.Range(1, input.Units).Select(u => $"u{u:D2}").ToList();
            var memberRefs = Enumerable.Range(1, members).Select(m => $"m{m}").ToList();
            var expected = units.Count * memberRefs.Count;
            var deadlineAt = context.CurrentUtcDateTime.AddSeconds(input.DeadlineSeconds);
            context.SetCustomStatus(new BaselineProgress("requesting", units.Count, 0, expected, 0, deadlineAt));

            // Waiters first, then the sends: as the platform does.
            var perUnit = input.Shape == BaselineShape.PerUnit;
            var pending = new Dictionary<Task<BaselineReply>, string>();
            foreach (var unit in units)
                foreach (var member in perUnit ? [(string?)null] : memberRefs.Cast<string?>())
                    pending[context.WaitForExternalEvent<BaselineReply>(EventName(unit, member))] = unit;

            if (perUnit)
                await context.CallActivityAsync<bool>(nameof(BenchSend), new BaselineSend(context.InstanceId, units, members, input.Shape));
            else
                await Task.WhenAll(units.Select(unit => context.CallActivityAsync<bool>(nameof(BenchSend), new BaselineSend(context.InstanceId, [unit], members, input.Shape))));

            var outstanding = units.ToDictionary(u => u, _ => perUnit ? 1 : memberRefs.Count, StringComparer.Ordinal);
            var received = 0;
            context.SetCustomStatus(new BaselineProgress("waiting", units.Count, 0, expected, 0, deadlineAt));
            using (var cancelTimer = new CancellationTokenSource())
            {
                var deadline = context.CreateTimer(deadlineAt, cancelTimer.Token);
                while (pending.Count > 0)
                {
                    var done = await Task.WhenAny(pending.Keys.Cast<Task>().Append(deadline));
                    if (done == deadline) break;
                    var reply = (Task<BaselineReply>)done;
                    outstanding[pending[reply]]--;
                    pending.Remove(reply);
                    received += reply.Result.Replies;
                    context.SetCustomStatus(new BaselineProgress("waiting", units.Count, outstanding.Count(o => o.Value == 0), expected, received, deadlineAt));
                }
                if (pending.Count == 0) cancelTimer.Cancel();
            }
            var outcome = await context.CallActivityAsync<string>(nameof(BenchComplete), received);
            context.SetCustomStatus(new BaselineProgress("completed", units.Count, outstanding.Count(o => o.Value == 0), expected, received, deadlineAt));
            return await context.CallActivityAsync<string>(nameof(BenchAfter), (pending.Count == 0 ? "answered:" : "deadline:") + outcome);
        }
    }

    sealed class BenchBegin : Microsoft.DurableTask.TaskActivity<int, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
    }

    /// <summary>Enqueues nothing: asks the driver to raise the replies (or the units' answers) after the simulated latency.</summary>
    sealed class BenchSend(ReplyDriver driver) : Microsoft.DurableTask.TaskActivity<BaselineSend, bool>
    {
        public override Task<bool> RunAsync(TaskActivityContext context, BaselineSend input)
        {
            foreach (var unit in input.Units) driver.Schedule(input.InstanceId, unit, input.Members, input.Shape);
            return Task.FromResult(true);
        }
    }

    sealed class BenchComplete : Microsoft.DurableTask.TaskActivity<int, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    sealed class BenchAfter : Microsoft.DurableTask.TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input);
    }

    static string EventName(string unit, string? member) => member is null ? $"answered:{unit}" : $"reply:{unit}:{member}";

    /// <summary>
    /// The partners' side of the baseline: draws each member's reply latency and raises each reply as an external event
    /// when it would have arrived, or (per unit) the unit's answer when the slowest one would have.
    /// </summary>
    sealed class ReplyDriver(int minLatencyMs, int maxLatencyMs)
    {
        long errors, raised;
        public DurableTaskClient? Client { get; set; }
        public long Errors => Interlocked.Read(ref errors);
        public long Raised => Interlocked.Read(ref raised);

        public void Schedule(string instanceId, string unit, int members, BaselineShape shape)
        {
            var latencies = Enumerable.Range(0, members).Select(_ => Random.Shared.Next(minLatencyMs, maxLatencyMs + 1)).ToList();
            var events = shape == BaselineShape.PerUnit
                ? [(Member: (string?)null, Latency: latencies.Max(), Replies: members)]
                : latencies.Select((latency, i) => (Member: (string?)$"m{i + 1}", Latency: latency, Replies: 1)).ToList();
            foreach (var (member, latency, replies) in events)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(latency);
                        await Client!.RaiseEventAsync(instanceId, EventName(unit, member), new BaselineReply(unit, member, replies));
                        Interlocked.Increment(ref raised);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref errors);
                    }
                });
            }
        }
    }

    public ValueTask DisposeAsync() => durable.DisposeAsync();
}
