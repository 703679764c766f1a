using System.Diagnostics;

namespace CivilAffairs.Benchmarks;

/// <summary>One request; returns null on success or a short error kind ("HTTP 429", "HttpRequestException").</summary>
delegate Task<string?> Operation(byte[] buffer, CancellationToken ct);

/// <summary>A load phase: its operation and a callback told when the phase starts (true) and stops (false) generating load.</summary>
sealed record Phase(string Name, Operation Operation, Action<bool>? Active = null);

sealed record Latency(double P50, double P95, double P99, double Mean, double Max);

sealed record PhaseResult(
    string Name,
    long Requests,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorKinds,
    double Seconds,
    double RequestsPerSecond,
    Latency LatencyMs,
    CpuUse CpuCores,
    int BenchmarkGcCollections);

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each issue one request after the other until the
/// deadline (no new request starts after it). Each phase gets a warm-up (results discarded) before its
/// first measured slice. With several rounds the measured time of each phase is split into slices run
/// alternately (A B, B A, A B…) so that background load on a shared machine hits both phases alike.
/// Each request is timed with <see cref="Stopwatch"/> timestamps.
/// </summary>
static class LoadRunner
{
    public static async Task<PhaseResult[]> RunAsync(IReadOnlyList<Phase> phases, int concurrency, TimeSpan warmup, TimeSpan duration, int rounds,
        Func<CpuSnapshot> cpu, CancellationToken ct)
    {
        var slice = duration / rounds;
        var acc = phases.Select(_ => new Accumulator()).ToArray();
        var warmed = new bool[phases.Count];
        for (var round = 0; round < rounds; round++)
        {
            var order = Enumerable.Range(0, phases.Count);
            if (round % 2 == 1) order = order.Reverse();
            foreach (var i in order)
            {
                var phase = phases[i];
                phase.Active?.Invoke(true);
                try
                {
                    if (!warmed[i] && warmup > TimeSpan.Zero) await RunWorkersAsync(phase.Operation, concurrency, warmup, null, ct);
                    warmed[i] = true;
                    var gcBefore = GcCount();
                    var before = cpu();
                    var workers = await RunWorkersAsync(phase.Operation, concurrency, slice, Math.Max(1024, (int)(slice.TotalSeconds * 4096 / concurrency)), ct);
                    var after = cpu();
                    acc[i].Add(workers, before, after, GcCount() - gcBefore);
                }
                finally { phase.Active?.Invoke(false); }
            }
        }
        return phases.Select((p, i) => acc[i].Result(p.Name)).ToArray();
    }

    static int GcCount() => GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);

    sealed class Accumulator
    {
        readonly List<double[]> latencies = [];
        readonly Dictionary<string, long> errors = new(StringComparer.Ordinal);
        TimeSpan wall, benchmark, runtime, azurite, machine;
        int gcs;

        public void Add(Worker[] workers, CpuSnapshot before, CpuSnapshot after, int gcCollections)
        {
            foreach (var w in workers)
            {
                latencies.Add([.. w.Latencies]);
                foreach (var (kind, n) in w.Errors) errors[kind] = errors.GetValueOrDefault(kind) + n;
            }
            wall += Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp);
            benchmark += after.Benchmark - before.Benchmark;
            runtime += after.Runtime - before.Runtime;
            azurite += after.Azurite - before.Azurite;
            machine += after.Machine - before.Machine;
            gcs += gcCollections;
        }

        public PhaseResult Result(string name)
        {
            var all = latencies.SelectMany(l => l).ToArray();
            Array.Sort(all);
            var errorCount = errors.Values.Sum();
            var seconds = wall.TotalSeconds;
            double Cores(TimeSpan t) => seconds <= 0 ? 0 : Math.Round(t.TotalSeconds / seconds, 2);
            var cpu = new CpuUse(Cores(benchmark), Cores(runtime), Cores(azurite), Math.Max(0, Cores(machine - benchmark - runtime - azurite)));
            return new PhaseResult(name, all.Length, errorCount, new Dictionary<string, long>(errors), Math.Round(seconds, 3),
                seconds <= 0 ? 0 : Math.Round((all.Length - errorCount) / seconds, 1), Percentiles(all), cpu, gcs);
        }
    }

    sealed class Worker(int capacity)
    {
        public readonly List<double> Latencies = new(capacity);
        public readonly Dictionary<string, long> Errors = new(StringComparer.Ordinal);
        public readonly byte[] Buffer = new byte[16 * 1024];
    }

    static async Task<Worker[]> RunWorkersAsync(Operation operation, int concurrency, TimeSpan duration, int? capacity, CancellationToken ct)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(_ => new Worker(capacity ?? 0)).ToArray();
        await Task.WhenAll(workers.Select(w => Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested && Stopwatch.GetTimestamp() < end)
            {
                var t0 = Stopwatch.GetTimestamp();
                string? error;
                try { error = await operation(w.Buffer, ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                catch (Exception e) { error = e.GetType().Name; }
                if (capacity is null) continue; // warm-up: nothing recorded
                w.Latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (error is not null) w.Errors[error] = w.Errors.GetValueOrDefault(error) + 1;
            }
        }, CancellationToken.None)));
        ct.ThrowIfCancellationRequested();
        return workers;
    }

    internal static Latency Percentiles(double[] sorted)
    {
        if (sorted.Length == 0) return new Latency(0, 0, 0, 0, 0);
        // nearest rank
        double P(double q) => Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
        return new Latency(P(0.50), P(0.95), P(0.99), Math.Round(sorted.Average(), 2), Math.Round(sorted[^1], 2));
    }
}
