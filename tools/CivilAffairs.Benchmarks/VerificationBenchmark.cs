using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// <c>verification</c> mode: households verified per minute and accept-to-verified latency through the whole platform
/// (the runtime as a separate process, with its partner simulator answering for all 60 units), against a bare Durable
/// Task orchestration of the same width on the same Azurite (<see cref="BaselineHost"/>), in the same run. See README.md.
/// </summary>
static class VerificationBenchmark
{
    const string Submitter = "huashi-worker";
    static readonly string[] Verified = ["publicity", "awaitingDecision"];
    static readonly string[] InProgress = ["accepted", "verifying"];

    public static async Task<int> RunAsync(VerificationOptions o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        var units = PartnerCatalogue.Load().Units.Count;
        BaselineHost.UnitCount = units;

        var statsDirectory = Path.Combine(Path.GetTempPath(), "ca-bench-stats-" + Guid.NewGuid().ToString("N"));
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct, requestStatsDirectory: statsDirectory);
        var azuritePid = Program.AzuritePidsToKill = azurite.ProcessIds;
        Console.WriteLine($"Azurite   in memory, table port {azurite.TablePort} (node pids {string.Join('/', azuritePid)} for blob/queue/table)");

        var maxPoll = TimeSpan.FromSeconds(o.DurableMaxPollSeconds);
        var settings = RuntimeSettings(o.MinLatencyMs, o.MaxLatencyMs, o.PartnerPollMs, o.DeadlineSeconds, maxPoll);
        foreach (var (k, v) in o.RuntimeEnvironment) settings[k] = v;

        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, settings);
        Program.RuntimeToKill = runtime;
        Console.WriteLine($"Runtime   pid {runtime.Id}, http://127.0.0.1:{port}/");

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 4 * o.Concurrency + 8 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/catalog/services/GZ-SA-001", UriKind.Relative), ct);
        Console.WriteLine($"Ready     after {startup.Elapsed.TotalSeconds:F1} s");

        var tokens = await Bench.TokensAsync(http, Accounts, ct);

        await using var baseline = await BaselineHost.StartAsync(azurite.ConnectionString, maxPoll, 4, o.MinLatencyMs, o.MaxLatencyMs, ct);
        Console.WriteLine($"Baseline  sidecar + worker in this process, task hub {BaselineHost.TaskHub} on the same Azurite");

        var warm = o.WarmupHouseholds;
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var households = SyntheticHouseholds.Generate(warm + o.Households, o.Seed, o.MinMembers, o.MaxMembers, today);
        Console.WriteLine($"Households {households.Count} ({warm} warm-up + {o.Households} measured per phase), {households.Sum(h => h.Members.Count)} members, {units} units each");

        // Submissions are not measured: all are submitted before the platform phase.
        var ids = new string[households.Count];
        await Parallel.ForAsync(0, households.Count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var (id, error) = await SubmitAsync(http, tokens, households[i], token);
            ids[i] = id ?? throw new InvalidOperationException($"Submitting household {i} failed: {error}");
        });
        Console.WriteLine($"Submitted {ids.Length} applications as {Submitter}");

        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        var poll = TimeSpan.FromMilliseconds(o.PollMs);
        CpuSnapshot Cpu() => CpuSnapshot.Take(runtime.Id, azuritePid);

        async Task<CaseResult> Platform(int i, CancellationToken token)
        {
            var t0 = Stopwatch.GetTimestamp();
            if (await AcceptAsync(http, tokens, households[i], ids[i], token) is { } refused) return CaseResult.Failed(refused);
            while (Stopwatch.GetElapsedTime(t0) < timeout)
            {
                await Task.Delay(poll, token);
                var s = await StatusAsync(http, tokens, households[i], ids[i], token);
                if (s.Error is not null) return CaseResult.Failed(s.Error);
                if (s.Verified) return new CaseResult(Stopwatch.GetElapsedTime(t0).TotalMilliseconds, s.ServerMs, null, s.Status);
                if (!s.InProgress) return CaseResult.Failed($"status {s.Status}");
            }
            return CaseResult.Failed("timeout");
        }

        var shape = BaselineShape.PerUnit; // the baseline's shape in the phase that runs
        async Task<CaseResult> Baseline(int i, CancellationToken token)
        {
            var t0 = Stopwatch.GetTimestamp();
            var id = await baseline.StartCaseAsync(households[i].Members.Count, o.DeadlineSeconds, shape, token);
            while (Stopwatch.GetElapsedTime(t0) < timeout)
            {
                await Task.Delay(poll, token);
                var meta = await baseline.Client.GetInstanceAsync(id, getInputsAndOutputs: true, token);
                if (meta is null || !meta.IsCompleted) continue;
                if (meta.RuntimeStatus != OrchestrationRuntimeStatus.Completed) return CaseResult.Failed($"orchestration {meta.RuntimeStatus}");
                var output = meta.ReadOutputAs<string>() ?? "";
                if (!output.StartsWith("answered:", StringComparison.Ordinal)) return CaseResult.Failed("deadline reached");
                return new CaseResult(Stopwatch.GetElapsedTime(t0).TotalMilliseconds, (meta.LastUpdatedAt - meta.CreatedAt).TotalMilliseconds, null, "completed");
            }
            return CaseResult.Failed("timeout");
        }

        var membersMeasured = households.Skip(warm).Sum(h => h.Members.Count);
        async Task<VerificationPhase> RunPhase(string name, bool eventPerReply, Func<int, CancellationToken, Task<CaseResult>> run)
        {
            if (warm > 0)
            {
                Console.WriteLine($"  {name}: warm-up, {warm} households…");
                var w = await ClosedLoop.RunAsync(0, warm, o.Concurrency, run, ct);
                var failed = w.Results.Count(r => r.Error is not null);
                if (failed > 0) Console.WriteLine($"  {name}: {failed} warm-up households failed ({string.Join(", ", w.Results.Where(r => r.Error is not null).Select(r => r.Error).Distinct())})");
            }
            Console.WriteLine($"  {name}: {o.Households} households, {o.Concurrency} at a time…");
            var before = Cpu();
            var gc = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
            var measured = await ClosedLoop.RunAsync(warm, warm + o.Households, o.Concurrency, run, ct);
            var after = Cpu();
            return VerificationPhase.From(name, measured, membersMeasured, units, eventPerReply, before, after, GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gc);
        }

        Console.WriteLine($"Load      closed loop, {o.Concurrency} households at a time, latency {o.MinLatencyMs}–{o.MaxLatencyMs} ms, status polled every {o.PollMs} ms");
        var linesBefore = runtime.OutputLines;
        var partitionTimeoutsBefore = runtime.PartitionTableTimeouts;
        await Task.Delay(2500, ct); // the statistics files are written every 2 s
        var storageBefore = StorageRequestSnapshot.Read(statsDirectory);
        var platform = await RunPhase("platform", eventPerReply: false, Platform);
        var logLines = runtime.OutputLines - linesBefore;
        var partitionTimeouts = runtime.PartitionTableTimeouts - partitionTimeoutsBefore;
        await Task.Delay(2500, ct);
        var storage = StorageRequestSnapshot.Read(statsDirectory).Since(storageBefore);
        Console.WriteLine(storage.Format("Azurite during the platform phase"));
        Console.WriteLine($"  partition-table timeouts in the runtime's log during the platform phase: {partitionTimeouts}");
        if (platform.Errors > 0 || logLines > 0)
            Console.WriteLine($"  runtime output during the platform phase ({logLines} lines), last lines:{Environment.NewLine}{string.Join(Environment.NewLine, runtime.Tail().Split(Environment.NewLine).TakeLast(15))}");
        // The baseline in the platform's own durable shape first (the ratio), then, unless asked not to, in the
        // straightforward per-reply shape the platform had until 2026-12-03 (for comparison with earlier figures).
        var bare = await RunPhase("baseline", eventPerReply: false, Baseline);
        VerificationPhase? perReply = null;
        if (!o.PerUnitOnly)
        {
            shape = BaselineShape.PerReply;
            perReply = await RunPhase("baseline per reply", eventPerReply: true, Baseline);
        }
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");

        var warnings = new List<string>();
        foreach (var p in new[] { platform, bare, perReply }.OfType<VerificationPhase>())
            if (Bench.DisturbedWarning(p.Name, p.CpuCores) is { } disturbed) warnings.Add(disturbed);
        if (baseline.RaiseErrors > 0) warnings.Add($"{baseline.RaiseErrors} baseline events could not be raised");
        static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : 0;
        var report = new VerificationReport(
            DateTimeOffset.Now,
            Bench.ThisMachine(),
            new VerificationSettings(o.Households, warm, o.Concurrency, o.MinMembers, o.MaxMembers, units, o.MinLatencyMs, o.MaxLatencyMs, o.PartnerPollMs, o.PollMs,
                o.DeadlineSeconds, o.DurableMaxPollSeconds, o.Seed, RuntimeLocator.Configuration, dll, File.GetLastWriteTimeUtc(dll),
                RuntimeProcess.Overrides.Concat(settings).Select(kv => $"{kv.Key}={kv.Value}").ToArray()),
            platform,
            bare,
            Ratio(platform.HouseholdsPerMinute, bare.HouseholdsPerMinute),
            Ratio(platform.LatencyMs.P50, bare.LatencyMs.P50),
            Ratio(platform.LatencyMs.P95, bare.LatencyMs.P95),
            perReply,
            perReply is null ? null : Ratio(platform.HouseholdsPerMinute, perReply.HouseholdsPerMinute),
            logLines,
            baseline.EventsRaised,
            warnings,
            partitionTimeouts,
            storage);

        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        try { Directory.Delete(statsDirectory, recursive: true); } catch (IOException) { }
        return platform.Errors + bare.Errors + (perReply?.Errors ?? 0) == 0 ? 0 : 1;
    }

    /// <summary>The demo accounts a household needs: the community worker who submits and the street officers who accept.</summary>
    internal static readonly string[] Accounts = [Submitter, "shipai-officer", "wushan-officer", "beijing-officer"];

    /// <summary>
    /// The runtime's settings for verification runs: the partner simulator answering for every unit (no failures, no silence),
    /// one deadline for all units, a publicity long enough that cases stop there, and the Durable backend's longest poll.
    /// </summary>
    internal static Dictionary<string, string> RuntimeSettings(int minLatencyMs, int maxLatencyMs, int partnerPollMs, int deadlineSeconds, TimeSpan durableMaxPoll) => new()
    {
        // The WeChat simulator would otherwise take the fixed port 7072 (the runtime's port is not 0).
        ["Runtime__WeChatSimulatorPort"] = "0",
        ["Runtime__PartnerSimulator__Enabled"] = "true",
        ["Runtime__PartnerSimulator__MinLatencyMs"] = minLatencyMs.ToString(CultureInfo.InvariantCulture),
        ["Runtime__PartnerSimulator__MaxLatencyMs"] = maxLatencyMs.ToString(CultureInfo.InvariantCulture),
        ["Runtime__PartnerSimulator__MaxPollIntervalMs"] = partnerPollMs.ToString(CultureInfo.InvariantCulture),
        ["Runtime__PartnerSimulator__FailureRate"] = "0",
        ["Runtime__PartnerSimulator__SilenceRate"] = "0",
        ["Runtime__PartnerSimulator__SilentUnits"] = "",
        ["Assistance__Verification__DeadlineSeconds"] = deadlineSeconds.ToString(CultureInfo.InvariantCulture),
        ["Assistance__Case__PublicitySeconds"] = "604800",
        ["Assistance__Case__ReverificationSeconds"] = "31536000",
        ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = durableMaxPoll.ToString("c", CultureInfo.InvariantCulture),
    };

    /// <summary>Submits the household's application as the community worker; the application id, or the error.</summary>
    internal static async Task<(string? Id, string? Error)> SubmitAsync(HttpClient http, IReadOnlyDictionary<string, string> tokens, BenchHousehold household, CancellationToken ct)
    {
        using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/assistance/applications", tokens[Submitter], household.ApplicationBody(), ct);
        if (response.StatusCode != HttpStatusCode.Created)
            return (null, $"submit HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}".TrimEnd());
        return ((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!, null);
    }

    /// <summary>The street officer accepts (materials checked at the counter), which starts the verification; null or the error.</summary>
    internal static async Task<string?> AcceptAsync(HttpClient http, IReadOnlyDictionary<string, string> tokens, BenchHousehold household, string id, CancellationToken ct)
    {
        using var accepted = await Bench.SendAsync(http, HttpMethod.Post, $"api/assistance/applications/{id}/accept", tokens[household.Officer], new { materialsCheckedAtCounter = true }, ct);
        return accepted.StatusCode == HttpStatusCode.Accepted ? null : $"accept HTTP {(int)accepted.StatusCode}";
    }

    /// <summary>An application's status as its officer sees it: verified (publicity or awaiting decision), still in progress, or neither.</summary>
    internal sealed record CaseStatus(string Status, bool Verified, bool InProgress, double? ServerMs, string? Error);

    internal static async Task<CaseStatus> StatusAsync(HttpClient http, IReadOnlyDictionary<string, string> tokens, BenchHousehold household, string id, CancellationToken ct)
    {
        using var response = await Bench.SendAsync(http, HttpMethod.Get, $"api/assistance/applications/{id}", tokens[household.Officer], null, ct);
        if (response.StatusCode != HttpStatusCode.OK) return new CaseStatus("", false, false, null, $"status HTTP {(int)response.StatusCode}");
        var view = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var status = view.GetProperty("status").GetString() ?? "";
        double? server = view.TryGetProperty("acceptedAt", out var a) && a.ValueKind == JsonValueKind.String
            && view.TryGetProperty("verifiedAt", out var v) && v.ValueKind == JsonValueKind.String
            ? (v.GetDateTimeOffset() - a.GetDateTimeOffset()).TotalMilliseconds : null;
        return new CaseStatus(status, Verified.Contains(status), InProgress.Contains(status), server, null);
    }

    static string Format(VerificationReport r)
    {
        var s = new StringBuilder();
        var c = r.Settings;
        s.AppendLine(CultureInfo.InvariantCulture, $"Household verification — {c.Households} households per phase ({c.WarmupHouseholds} warm-up each, discarded), {c.Concurrency} at a time, {c.MinMembers}–{c.MaxMembers} members, {c.Units} units, reply latency {c.MinLatencyMs}–{c.MaxLatencyMs} ms, {c.Configuration} build");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine();
        s.AppendLine("                       per min   p50 ms   p95 ms   max ms  server p50/p95 ms   done  errors   events  CPU cores: bench / runtime / azurite / other");
        foreach (var (label, p) in new[] { ("platform (HTTP, app)", r.Platform), ("baseline (bare DT)", r.Baseline), ("  per reply (old)", r.BaselinePerReply) }
                     .Where(x => x.Item2 is not null).Select(x => (x.Item1, x.Item2!)))
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {label,-20} {p.HouseholdsPerMinute,8:F1} {p.LatencyMs.P50,8:F0} {p.LatencyMs.P95,8:F0} {p.LatencyMs.Max,8:F0} {p.ServerLatencyMs.P50,9:F0} / {p.ServerLatencyMs.P95,-6:F0} {p.Households - p.Errors,6} {p.Errors,7} {p.DurableEvents,8}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}");
        foreach (var p in new[] { r.Platform, r.Baseline, r.BaselinePerReply }.OfType<VerificationPhase>())
        {
            if (p.Errors > 0) s.AppendLine(CultureInfo.InvariantCulture, $"  errors in {p.Name}: {string.Join(", ", p.ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value}"))}");
            s.AppendLine(CultureInfo.InvariantCulture, $"  {p.Name} outcomes: {string.Join(", ", p.Outcomes.Select(kv => $"{kv.Key} {kv.Value}"))}; {p.Seconds:F1} s");
        }
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"  throughput platform / baseline = {r.ThroughputRatio:F2}   p50 platform / baseline = {r.P50Ratio:F2}   p95 platform / baseline = {r.P95Ratio:F2}");
        if (r.ThroughputRatioPerReply is { } old)
            s.AppendLine(CultureInfo.InvariantCulture, $"  throughput platform / baseline per reply (the platform's durable shape until 2026-12-03) = {old:F2}");
        s.Append(CultureInfo.InvariantCulture, $"  runtime log lines during the platform phase: {r.RuntimeLogLinesDuringPlatform}");
        foreach (var w in r.Warnings) s.AppendLine().Append("  WARNING: ").Append(w);
        return s.ToString();
    }
}

/// <summary>One household: end-to-end time seen by the benchmark, the server-side time, the error or outcome.</summary>
sealed record CaseResult(double Ms, double? ServerMs, string? Error, string? Outcome)
{
    public static CaseResult Failed(string error) => new(0, null, error, null);
}

/// <summary>Closed loop: <c>concurrency</c> workers each take the next household when their last one is verified.</summary>
static class ClosedLoop
{
    public sealed record Run(IReadOnlyList<CaseResult> Results, double Seconds);

    public static async Task<Run> RunAsync(int from, int to, int concurrency, Func<int, CancellationToken, Task<CaseResult>> run, CancellationToken ct)
    {
        var next = from - 1;
        var results = new CaseResult[to - from];
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, to - from)).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < to;)
            {
                try { results[i - from] = await run(i, ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception e) { results[i - from] = CaseResult.Failed(e.GetType().Name); }
            }
        }, CancellationToken.None)));
        return new Run(results, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}

sealed record VerificationPhase(
    string Name,
    int Households,
    int Errors,
    IReadOnlyDictionary<string, int> ErrorKinds,
    IReadOnlyDictionary<string, int> Outcomes,
    double Seconds,
    double HouseholdsPerMinute,
    Latency LatencyMs,
    Latency ServerLatencyMs,
    int Members,
    int DurableEvents,
    CpuUse CpuCores,
    int BenchmarkGcCollections)
{
    /// <param name="eventPerReply">One durable event per partner reply (else one per unit and household).</param>
    public static VerificationPhase From(string name, ClosedLoop.Run run, int members, int units, bool eventPerReply, CpuSnapshot before, CpuSnapshot after, int gcs)
    {
        var ok = run.Results.Where(r => r.Error is null).ToList();
        return new VerificationPhase(name, run.Results.Count, run.Results.Count - ok.Count,
            run.Results.Where(r => r.Error is not null).GroupBy(r => r.Error!).ToDictionary(g => g.Key, g => g.Count()),
            ok.GroupBy(r => r.Outcome ?? "").ToDictionary(g => g.Key, g => g.Count()),
            Math.Round(run.Seconds, 3),
            run.Seconds <= 0 ? 0 : Math.Round(ok.Count * 60 / run.Seconds, 1),
            Bench.Percentiles(ok.Select(r => r.Ms)),
            Bench.Percentiles(ok.Where(r => r.ServerMs is not null).Select(r => r.ServerMs!.Value)),
            members,
            eventPerReply ? members * units : run.Results.Count * units,
            Bench.Cores(before, after),
            gcs);
    }
}

sealed record VerificationSettings(int Households, int WarmupHouseholds, int Concurrency, int MinMembers, int MaxMembers, int Units, int MinLatencyMs, int MaxLatencyMs,
    int PartnerPollMs, int PollMs, int DeadlineSeconds, double DurableMaxPollSeconds, int Seed, string Configuration, string RuntimeDll, DateTime RuntimeDllWrittenUtc,
    IReadOnlyList<string> RuntimeSettingOverrides);

sealed record VerificationReport(
    DateTimeOffset Date,
    Machine Machine,
    VerificationSettings Settings,
    VerificationPhase Platform,
    VerificationPhase Baseline,
    double ThroughputRatio,
    double P50Ratio,
    double P95Ratio,
    VerificationPhase? BaselinePerReply,
    double? ThroughputRatioPerReply,
    long RuntimeLogLinesDuringPlatform,
    long BaselineEventsRaised,
    IReadOnlyList<string> Warnings,
    long PartitionTableTimeoutsDuringPlatform,
    StorageRequestSnapshot AzuriteDuringPlatform);
