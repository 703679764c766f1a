using System.Diagnostics;

namespace CivilAffairs.Benchmarks;

/// <summary>One request; returns null on success or a short error kind ("HTTP 429", "HttpRequestException").</summary>
delegate Task<string?> Operation(byte[] buffer, CancellationToken ct);

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
/// deadline (no new request starts after it), after a warm-up of the same shape whose results are
/// discarded. Each request is timed with <see cref="Stopwatch"/> timestamps.
/// </summary>
static class LoadRunner
{
    public static async Task<PhaseResult> RunAsync(string name, Operation operation, int concurrency, TimeSpan warmup, TimeSpan duration,
        Func<CpuSnapshot> cpu, CancellationToken ct)
    {
        if (warmup > TimeSpan.Zero) await RunWorkersAsync(operation, concurrency, warmup, null, ct);

        var gcBefore = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        var before = cpu();
        var workers = await RunWorkersAsync(operation, concurrency, duration, Math.Max(1024, (int)(duration.TotalSeconds * 4096 / concurrency)), ct);
        var after = cpu();
        var gcAfter = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        var elapsed = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;

        var all = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(all);
        var errors = workers.SelectMany(w => w.Errors).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        var errorCount = errors.Values.Sum();
        var ok = all.Length - errorCount;
        return new PhaseResult(name, all.Length, errorCount, errors, Math.Round(elapsed, 3),
            Math.Round(ok / elapsed, 1), Percentiles(all), CpuSnapshot.Between(before, after), gcAfter - gcBefore);
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

    static Latency Percentiles(double[] sorted)
    {
        if (sorted.Length == 0) return new Latency(0, 0, 0, 0, 0);
        // nearest rank
        double P(double q) => Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
        return new Latency(P(0.50), P(0.95), P(0.99), Math.Round(sorted.Average(), 2), Math.Round(sorted[^1], 2));
    }
}
