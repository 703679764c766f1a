using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// <c>soak</c> mode: steady mixed load at fixed arrival rates (open loop) on one runtime process and one persistent Azurite
/// for a long time (default 30 minutes in 5-minute windows), reporting per window what was completed, how fast, what the
/// processes used, how big the tables grew and what went wrong; then waits (bounded) until nothing is left unfinished.
/// The household steps come from <see cref="VerificationBenchmark"/>, the needs and warehouses from <see cref="SurgeBenchmark"/>.
/// See README.md.
/// </summary>
static class SoakBenchmark
{
    const string Auditor = "auditor";
    const string PartitionTableTimeout = "Operation to read and write the partition table exceeded";
    const string Household = "household", PreReview = "prereview", Need = "need", Feed = "feed", Audit = "audit", StatusPoll = "status poll";
    static readonly string[] Kinds = [Household, PreReview, Need, Feed, Audit];
    const double Tolerance = 0.2;

    /// <summary>An operation that ended: completed (with its latency) or failed, at a wall-clock time.</summary>
    sealed record Outcome(string Kind, DateTimeOffset At, double Ms, string? Error);

    sealed class HouseholdCase(BenchHousehold household)
    {
        public BenchHousehold Household { get; } = household;
        public string? Id;
        public long AcceptedTimestamp;
        public string Status = "accepted";
    }

    sealed class NeedCase(SurgeBenchmark.SurgeNeed need)
    {
        public SurgeBenchmark.SurgeNeed Need { get; } = need;
        public DateTimeOffset SentAt;
        public string? NeedId;
        public string? DispatchId;
        public string Status = "reported";
    }

    public static async Task<int> RunAsync(SoakOptions o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        var location = Path.Combine(Path.GetTempPath(), "ca-soak-azurite-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            return await RunAsync(o, dll, location, ct);
        }
        finally
        {
            if (o.KeepData) Console.WriteLine($"Azurite data kept in {location}");
            else
            {
                try { Directory.Delete(location, recursive: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    static async Task<int> RunAsync(SoakOptions o, string dll, string location, CancellationToken ct)
    {
        await using var azurite = await Azurite.StartAsync(location, 0, 0, 0, ct);
        var azuritePid = Program.AzuritePidsToKill = azurite.ProcessIds;
        Console.WriteLine($"Azurite   on disk in {location}, table port {azurite.TablePort} (node pids {string.Join('/', azuritePid)} for blob/queue/table)");

        var settings = VerificationBenchmark.RuntimeSettings(o.MinLatencyMs, o.MaxLatencyMs, o.PartnerPollMs, o.DeadlineSeconds, TimeSpan.FromSeconds(o.DurableMaxPollSeconds));
        foreach (var (k, v) in o.RuntimeEnvironment) settings[k] = v;
        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, settings);
        Program.RuntimeToKill = runtime;
        long partitionTimeouts = 0, logProblems = 0;
        runtime.LineWritten += line =>
        {
            if (line.Contains(PartitionTableTimeout, StringComparison.Ordinal)) Interlocked.Increment(ref partitionTimeouts);
            if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
                Interlocked.Increment(ref logProblems);
        };
        Console.WriteLine($"Runtime   pid {runtime.Id}, http://127.0.0.1:{port}/");

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = o.MaxInFlight + 16 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/catalog/services/GZ-SA-001", UriKind.Relative), ct);
        Console.WriteLine($"Ready     after {startup.Elapsed.TotalSeconds:F1} s");

        var tokens = await Bench.TokensAsync(http, VerificationBenchmark.Accounts.Concat(SurgeBenchmark.Reporters).Append(SurgeBenchmark.Admin).Append(Auditor), ct);
        var warehouses = await SurgeBenchmark.SeedWarehousesAsync(http, tokens[SurgeBenchmark.Admin], o.Warehouses, new Random(o.Seed + 1), ct);
        var teams = await SurgeBenchmark.SeedTeamsAsync(http, tokens[SurgeBenchmark.Admin], "SOAK", ct);
        var incident = await SurgeBenchmark.DeclareIncidentAsync(http, tokens[SurgeBenchmark.Admin], "浸泡测试：持续灾情", o.Level, ct);
        Console.WriteLine($"Setup     {warehouses} warehouses with stock, {teams} city field teams, incident {incident}");

        var totalMinutes = o.WarmupMinutes + o.Minutes;
        int Planned(double perMinute) => (int)Math.Ceiling(perMinute * totalMinutes) + 1;
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var households = SyntheticHouseholds.Generate(Planned(o.HouseholdsPerMinute), o.Seed, o.MinMembers, o.MaxMembers, today);
        var needs = SurgeBenchmark.Generate(Planned(o.NeedsPerMinute), new Random(o.Seed + 2));
        var preReviews = PreReviewBodies(Planned(o.PreReviewsPerMinute), new Random(o.Seed + 3), today);
        string[] feeds = ["api/public/disaster/alerts", "api/public/disaster/alerts.cap", $"api/public/disaster/incidents/{incident}/alert.cap"];

        var window = TimeSpan.FromMinutes(o.WindowMinutes);
        var warmup = TimeSpan.FromMinutes(o.WarmupMinutes);
        Console.WriteLine($"Load      open loop per minute: {o.HouseholdsPerMinute:0.##} households ({o.MinMembers}–{o.MaxMembers} members, 60 units, reply latency {o.MinLatencyMs}–{o.MaxLatencyMs} ms), " +
            $"{o.PreReviewsPerMinute:0.##} pre-reviews, {o.NeedsPerMinute:0.##} needs, {o.FeedReadsPerMinute:0.##} feed reads, {o.AuditReadsPerMinute:0.##} audit reads; " +
            $"{o.WarmupMinutes:0.##} min warm-up, then {o.Windows} windows of {o.WindowMinutes:0.##} min; status polled every {o.PollMs} ms");

        // Everything that ended, in the order it ended; windows are cut from it by time.
        var outcomes = new ConcurrentQueue<Outcome>();
        void Done(string kind, double ms) => outcomes.Enqueue(new Outcome(kind, DateTimeOffset.UtcNow, ms, null));
        void Failed(string kind, string error) => outcomes.Enqueue(new Outcome(kind, DateTimeOffset.UtcNow, 0, error));
        var sent = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var pendingHouseholds = new ConcurrentDictionary<HouseholdCase, byte>();
        var pendingNeeds = new ConcurrentDictionary<NeedCase, byte>();
        var requests = new ConcurrentDictionary<Task, byte>();
        using var slots = new SemaphoreSlim(o.MaxInFlight);

        async Task Timed(string kind, Func<CancellationToken, Task<string?>> request, CancellationToken token)
        {
            var t0 = Stopwatch.GetTimestamp();
            string? error;
            try { error = await request(token); }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { throw; }
            catch (Exception e) { error = e.GetType().Name; }
            if (error is null) Done(kind, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            else Failed(kind, error);
        }

        async Task StartHousehold(int i, CancellationToken token)
        {
            var c = new HouseholdCase(households[i]);
            try
            {
                var (id, error) = await VerificationBenchmark.SubmitAsync(http, tokens, c.Household, token);
                if (id is null) { Failed(Household, string.Join(' ', error!.Split(' ').Take(3))); return; } // "submit HTTP 400", without the body
                c.Id = id;
                c.AcceptedTimestamp = Stopwatch.GetTimestamp();
                if (await VerificationBenchmark.AcceptAsync(http, tokens, c.Household, id, token) is { } refused) { Failed(Household, refused); return; }
                pendingHouseholds.TryAdd(c, 0);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { throw; }
            catch (Exception e) { Failed(Household, e.GetType().Name); }
        }

        async Task StartNeed(int i, CancellationToken token)
        {
            var c = new NeedCase(needs[i]) { SentAt = DateTimeOffset.UtcNow };
            try
            {
                var r = await SurgeBenchmark.ReportNeedAsync(http, tokens[c.Need.Reporter], incident, c.Need, token);
                if (r.Error is not null) { Failed(Need, r.Error); return; }
                (c.NeedId, c.DispatchId) = (r.NeedId, r.DispatchId);
                pendingNeeds.TryAdd(c, 0);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { throw; }
            catch (Exception e) { Failed(Need, e.GetType().Name); }
        }

        Task PreReviewRequest(int i, CancellationToken token) => Timed(PreReview, async t =>
        {
            var (code, body) = preReviews[i];
            using var response = await http.PostAsJsonAsync($"api/catalog/services/{code}/prereviews", body, t); // public: no token
            return response.StatusCode == HttpStatusCode.Created ? null : $"HTTP {(int)response.StatusCode}";
        }, token);

        Task FeedRequest(int i, CancellationToken token) => Timed(Feed, async t =>
        {
            using var response = await http.GetAsync(feeds[i % feeds.Length], t);
            var body = await response.Content.ReadAsByteArrayAsync(t);
            return response.StatusCode != HttpStatusCode.OK ? $"{feeds[i % feeds.Length].Split('/')[^1]} HTTP {(int)response.StatusCode}" : body.Length == 0 ? "empty body" : null;
        }, token);

        Task AuditRequest(int i, CancellationToken token) => Timed(Audit, async t =>
        {
            using var response = await Bench.SendAsync(http, HttpMethod.Get, "api/audit/entries?pageSize=50", tokens[Auditor], null, t);
            await response.Content.ReadAsByteArrayAsync(t);
            return response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
        }, token);

        // Open-loop arrivals: item i of a kind is due at start + (i + offset) / rate, whatever happened to the earlier ones,
        // unless --max-in-flight requests are outstanding (then it waits and the lag is reported). Arrivals stop at the end
        // of the last window.
        var start = DateTimeOffset.UtcNow;
        var startTs = Stopwatch.GetTimestamp();
        var measuredFrom = start + warmup;
        var arrivalsEnd = measuredFrom + window * o.Windows;
        var maxLagMs = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        async Task Arrivals(string kind, double perMinute, int count, double offset, Func<int, CancellationToken, Task> operation)
        {
            if (perMinute <= 0) return;
            var interval = TimeSpan.FromMinutes(1 / perMinute);
            for (var i = 0; i < count; i++)
            {
                var due = interval * (i + offset);
                if (start + due >= arrivalsEnd) break;
                var wait = due - Stopwatch.GetElapsedTime(startTs);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
                await slots.WaitAsync(ct);
                var lag = (Stopwatch.GetElapsedTime(startTs) - due).TotalMilliseconds;
                maxLagMs.AddOrUpdate(kind, lag, (_, m) => Math.Max(m, lag));
                sent.AddOrUpdate(kind, 1, (_, n) => n + 1);
                var index = i;
                var task = Task.Run(async () =>
                {
                    try { await operation(index, ct); }
                    finally { slots.Release(); }
                }, CancellationToken.None);
                requests.TryAdd(task, 0);
                _ = task.ContinueWith(t => requests.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        // Status pollers: every unfinished household and need is read every --poll-ms (4 reads at a time per kind), until the end.
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var poll = TimeSpan.FromMilliseconds(o.PollMs);
        async Task PollHouseholds(CancellationToken token)
        {
            while (!token.IsCancellationRequested)
            {
                await Parallel.ForEachAsync(pendingHouseholds.Keys.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = token }, async (c, t) =>
                {
                    try
                    {
                        var s = await VerificationBenchmark.StatusAsync(http, tokens, c.Household, c.Id!, t);
                        if (s.Error is not null) { Failed(StatusPoll, $"household {s.Error}"); return; }
                        c.Status = s.Status;
                        if (s.Verified) { pendingHouseholds.TryRemove(c, out _); Done(Household, Stopwatch.GetElapsedTime(c.AcceptedTimestamp).TotalMilliseconds); }
                        else if (!s.InProgress) { pendingHouseholds.TryRemove(c, out _); Failed(Household, $"status {s.Status}"); }
                    }
                    catch (OperationCanceledException) when (t.IsCancellationRequested) { throw; }
                    catch (Exception e) { Failed(StatusPoll, $"household {e.GetType().Name}"); }
                });
                await Task.Delay(poll, token);
            }
        }
        async Task PollNeeds(CancellationToken token)
        {
            while (!token.IsCancellationRequested)
            {
                await Parallel.ForEachAsync(pendingNeeds.Keys.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = token }, async (c, t) =>
                {
                    try
                    {
                        var d = await SurgeBenchmark.DispatchStateAsync(http, tokens[SurgeBenchmark.Admin], c.NeedId!, c.DispatchId, t);
                        c.DispatchId = d.DispatchId;
                        if (!d.Done) { c.Status = d.Status; return; }
                        pendingNeeds.TryRemove(c, out _);
                        // Report-to-dispatch time: up to the trail's teamAssigned time (same machine clock); counted in the window it was seen.
                        if (d.Error is not null) Failed(Need, d.Error);
                        else Done(Need, (d.DispatchedAt!.Value - c.SentAt).TotalMilliseconds);
                    }
                    catch (OperationCanceledException) when (t.IsCancellationRequested) { throw; }
                    catch (Exception e) { Failed(StatusPoll, $"need {e.GetType().Name}"); }
                });
                await Task.Delay(poll, token);
            }
        }
        async Task Quietly(Func<CancellationToken, Task> loop)
        {
            try { await loop(stopPolling.Token); }
            catch (OperationCanceledException) when (stopPolling.IsCancellationRequested) { }
        }

        var arrivals = Task.WhenAll(
            Arrivals(Household, o.HouseholdsPerMinute, households.Count, 0.0, StartHousehold),
            Arrivals(PreReview, o.PreReviewsPerMinute, preReviews.Count, 0.2, PreReviewRequest),
            Arrivals(Need, o.NeedsPerMinute, needs.Count, 0.4, StartNeed),
            Arrivals(Feed, o.FeedReadsPerMinute, int.MaxValue, 0.6, FeedRequest),
            Arrivals(Audit, o.AuditReadsPerMinute, int.MaxValue, 0.8, AuditRequest));
        var pollers = Task.WhenAll(Quietly(PollHouseholds), Quietly(PollNeeds));

        var tableClient = TableClientFor(azurite.ConnectionString);
        var windows = new List<SoakWindow>();
        CpuSnapshot Cpu() => CpuSnapshot.Take(runtime.Id, azuritePid);
        void CheckRuntime()
        {
            if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");
        }
        async Task Until(DateTimeOffset when)
        {
            while (DateTimeOffset.UtcNow < when)
            {
                CheckRuntime();
                if (arrivals.IsFaulted) await arrivals; // surfaces the exception
                var left = when - DateTimeOffset.UtcNow;
                await Task.Delay(left < TimeSpan.FromSeconds(1) ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : TimeSpan.FromSeconds(1), ct);
            }
        }

        if (warmup > TimeSpan.Zero)
        {
            Console.WriteLine($"  warm-up: {o.WarmupMinutes:0.##} min…");
            await Until(measuredFrom);
        }
        var timeoutsBefore = Interlocked.Read(ref partitionTimeouts);
        var problemsBefore = Interlocked.Read(ref logProblems);
        var timeoutsBeforeWindows = timeoutsBefore;
        var cpuBefore = Cpu();
        var cpuMeasuredFrom = cpuBefore;
        var sentBefore = new Dictionary<string, int>(sent);
        for (var w = 0; w < o.Windows; w++)
        {
            var from = measuredFrom + window * w;
            var to = from + window;
            await Until(to);
            var cpuAfter = Cpu();
            var timeouts = Interlocked.Read(ref partitionTimeouts);
            var problems = Interlocked.Read(ref logProblems);
            var sentNow = new Dictionary<string, int>(sent);
            var inFlight = new InFlight(pendingHouseholds.Count, pendingNeeds.Count, requests.Count);
            var runtimeRss = ProcStats.Rss(runtime.Id);
            var azuriteRss = azuritePid.Sum(ProcStats.Rss);
            var counting = Stopwatch.StartNew();
            var tables = await CountTablesAsync(tableClient, ct);
            var countSeconds = counting.Elapsed.TotalSeconds;
            var dataMiB = DirectoryMiB(location);
            var result = Summarise(w + 1, (from - measuredFrom).TotalMinutes, (to - measuredFrom).TotalMinutes, outcomes.Where(x => x.At >= from && x.At < to).ToList(),
                Kinds.ToDictionary(k => k, k => sentNow.GetValueOrDefault(k) - sentBefore.GetValueOrDefault(k)), Bench.Cores(cpuBefore, cpuAfter),
                Math.Round(runtimeRss / 1048576.0), Math.Round(azuriteRss / 1048576.0), tables, Math.Round(countSeconds, 2), Math.Round(dataMiB, 1), inFlight,
                timeouts - timeoutsBefore, problems - problemsBefore);
            windows.Add(result);
            Console.WriteLine(FormatWindow(result, o.TablesShown));
            (cpuBefore, timeoutsBefore, problemsBefore, sentBefore) = (cpuAfter, timeouts, problems, sentNow);
        }

        var cpuMeasured = Bench.Cores(cpuMeasuredFrom, cpuBefore);

        // Drain: no new arrivals; wait until every request has returned, every household is verified and every need dispatched.
        await arrivals;
        var drainClock = Stopwatch.StartNew();
        var drainLimit = TimeSpan.FromSeconds(o.DrainSeconds);
        Console.WriteLine($"  drain: arrivals stopped; waiting at most {o.DrainSeconds:0} s for {pendingHouseholds.Count} households, {pendingNeeds.Count} needs, {requests.Count} requests…");
        var lastProgress = Stopwatch.StartNew();
        while ((pendingHouseholds.Count > 0 || pendingNeeds.Count > 0 || !requests.IsEmpty) && drainClock.Elapsed < drainLimit)
        {
            CheckRuntime();
            await Task.Delay(500, ct);
            if (lastProgress.Elapsed >= TimeSpan.FromSeconds(30))
            {
                lastProgress.Restart();
                Console.WriteLine($"  drain: {drainClock.Elapsed.TotalSeconds:F0} s, {pendingHouseholds.Count} households ({Statuses(pendingHouseholds.Keys.Select(c => c.Status))}), " +
                    $"{pendingNeeds.Count} needs ({Statuses(pendingNeeds.Keys.Select(c => c.Status))}), {requests.Count} requests unfinished");
            }
        }
        var drainSeconds = drainClock.Elapsed.TotalSeconds;
        var unfinished = new Unfinished(pendingHouseholds.Count, pendingHouseholds.Keys.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count()),
            pendingNeeds.Count, pendingNeeds.Keys.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count()), requests.Count, Math.Round(drainSeconds, 1));
        await stopPolling.CancelAsync();
        await pollers;
        var finalTables = await CountTablesAsync(tableClient, ct);
        CheckRuntime();

        // Verdicts.
        var first = windows[0];
        var last = windows[^1];
        static double? Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : null;
        var comparisons = new List<Comparison>
        {
            new("household throughput", first.Kinds[Household].PerMinute, last.Kinds[Household].PerMinute, Ratio(last.Kinds[Household].PerMinute, first.Kinds[Household].PerMinute), Symmetric: true),
            new("household p95", first.Kinds[Household].LatencyMs.P95, last.Kinds[Household].LatencyMs.P95, Ratio(last.Kinds[Household].LatencyMs.P95, first.Kinds[Household].LatencyMs.P95), Symmetric: false),
            new("overall throughput", first.Overall.PerMinute, last.Overall.PerMinute, Ratio(last.Overall.PerMinute, first.Overall.PerMinute), Symmetric: true),
            new("overall p95", first.Overall.LatencyMs.P95, last.Overall.LatencyMs.P95, Ratio(last.Overall.LatencyMs.P95, first.Overall.LatencyMs.P95), Symmetric: false),
        };
        if (o.HouseholdsPerMinute <= 0) comparisons.RemoveAll(c => c.Name.StartsWith(Household, StringComparison.Ordinal));
        comparisons = comparisons.Select(c => c with
        {
            Pass = c.Ratio is { } r && (c.Symmetric ? Math.Abs(r - 1) <= Tolerance + 1e-9 : r <= 1 + Tolerance + 1e-9),
        }).ToList();
        var totalTimeouts = Interlocked.Read(ref partitionTimeouts);
        var errors = outcomes.Where(x => x.Error is not null).GroupBy(x => $"{x.Kind}: {x.Error}").OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
        var verdicts = new Verdicts(
            comparisons.All(c => c.Pass),
            unfinished.Total == 0,
            totalTimeouts,
            totalTimeouts == 0,
            errors.Values.Sum(),
            errors.Values.Sum() == 0);

        var warnings = new List<string>();
        foreach (var win in windows)
            if (Bench.DisturbedWarning($"window {win.Index}", win.CpuCores) is { } disturbed) warnings.Add(disturbed);
        foreach (var (kind, lag) in maxLagMs)
            if (lag > 5000) warnings.Add($"'{kind}' arrivals fell up to {lag / 1000:F1} s behind schedule ({o.MaxInFlight} requests were outstanding): the offered load was held back");

        var report = new SoakReport(
            DateTimeOffset.Now,
            Bench.ThisMachine(),
            new SoakSettings(o.Minutes, o.WindowMinutes, o.WarmupMinutes, o.HouseholdsPerMinute, o.PreReviewsPerMinute, o.NeedsPerMinute, o.FeedReadsPerMinute,
                o.AuditReadsPerMinute, o.MinMembers, o.MaxMembers, o.MinLatencyMs, o.MaxLatencyMs, o.PartnerPollMs, o.PollMs, o.DeadlineSeconds, o.DurableMaxPollSeconds,
                o.Warehouses, o.Level, o.MaxInFlight, o.DrainSeconds, o.TablesShown, o.Seed, RuntimeLocator.Configuration, dll, File.GetLastWriteTimeUtc(dll),
                RuntimeProcess.Overrides.Concat(settings).Select(kv => $"{kv.Key}={kv.Value}").ToArray()),
            windows,
            cpuMeasured,
            outcomes.Count(x => x.At < measuredFrom),
            timeoutsBeforeWindows,
            unfinished,
            finalTables,
            comparisons,
            errors,
            verdicts,
            warnings);
        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        return verdicts.AllPass ? 0 : 1;
    }

    static string Statuses(IEnumerable<string> statuses) =>
        string.Join(", ", statuses.GroupBy(x => x).Select(g => $"{g.Key} {g.Count()}")) is { Length: > 0 } s ? s : "none";

    static SoakWindow Summarise(int index, double fromMinute, double toMinute, IReadOnlyList<Outcome> ended, IReadOnlyDictionary<string, int> sent, CpuUse cpu,
        double runtimeRssMiB, double azuriteRssMiB, IReadOnlyList<TableSize> tables, double countSeconds, double dataMiB, InFlight inFlight, long timeouts, long logProblems)
    {
        var minutes = toMinute - fromMinute;
        KindStats Stats(IEnumerable<Outcome> xs, int sentCount)
        {
            var list = xs.ToList();
            var ok = list.Where(x => x.Error is null).ToList();
            return new KindStats(ok.Count, Math.Round(ok.Count / minutes, 2), Bench.Percentiles(ok.Select(x => x.Ms)), list.Count - ok.Count, sentCount);
        }
        var kinds = Kinds.ToDictionary(k => k, k => Stats(ended.Where(x => x.Kind == k), sent.GetValueOrDefault(k)));
        var overall = Stats(ended.Where(x => Kinds.Contains(x.Kind)), sent.Values.Sum()) with { Errors = ended.Count(x => x.Error is not null) };
        var errors = ended.Where(x => x.Error is not null).GroupBy(x => $"{x.Kind}: {x.Error}").ToDictionary(g => g.Key, g => g.Count());
        return new SoakWindow(index, Math.Round(fromMinute, 2), Math.Round(toMinute, 2), kinds, overall, errors, cpu, runtimeRssMiB, azuriteRssMiB, tables, countSeconds,
            dataMiB, inFlight, timeouts, logProblems);
    }

    /// <summary>A Tables client for counting rows: no retries (a failure shows), no proxy.</summary>
    static TableServiceClient TableClientFor(string connection)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(new SocketsHttpHandler { UseProxy = false }) };
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(5);
        return new TableServiceClient(connection, options);
    }

    /// <summary>
    /// Row counts of every table, biggest first, each counted with a full query selecting only the PartitionKey (1,000 rows a
    /// page), and how long that took: Azurite answers every page by scanning, so the time itself shows how queries slow down
    /// as tables grow. The counting runs beside the load, at each window's end.
    /// </summary>
    static async Task<IReadOnlyList<TableSize>> CountTablesAsync(TableServiceClient service, CancellationToken ct)
    {
        var sizes = new List<TableSize>();
        try
        {
            await foreach (var t in service.QueryAsync(cancellationToken: ct))
            {
                var clock = Stopwatch.StartNew();
                long rows = 0;
                try
                {
                    await foreach (var page in service.GetTableClient(t.Name).QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, select: ["PartitionKey"], cancellationToken: ct).AsPages())
                        rows += page.Values.Count;
                    sizes.Add(new TableSize(t.Name, rows, Math.Round(clock.Elapsed.TotalMilliseconds)));
                }
                catch (Azure.RequestFailedException e)
                {
                    sizes.Add(new TableSize(t.Name, -1, Math.Round(clock.Elapsed.TotalMilliseconds), $"HTTP {e.Status}"));
                }
            }
        }
        catch (Azure.RequestFailedException e)
        {
            sizes.Add(new TableSize("(listing tables)", -1, 0, $"HTTP {e.Status}"));
        }
        return sizes.OrderByDescending(s => s.Rows).ToList();
    }

    static double DirectoryMiB(string path)
    {
        try { return new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1048576.0; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>
    /// Pre-review bodies over the whole built-in catalogue: each declares most of the item's materials (some as copies, some
    /// issued long ago) and most of its facts with random values, so outcomes vary between passed and incomplete.
    /// </summary>
    static IReadOnlyList<(string Code, object Body)> PreReviewBodies(int count, Random random, DateOnly today)
    {
        var items = CatalogRepository.BuiltIn.Items;
        static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var result = new List<(string, object)>(count);
        for (var i = 0; i < count; i++)
        {
            var item = items[random.Next(items.Count)];
            var materials = item.Materials.Where(_ => random.NextDouble() < 0.85).Select(m => new Dictionary<string, object?>
            {
                ["code"] = m.Code,
                ["original"] = random.NextDouble() < 0.9,
                ["issuedOn"] = m.MaxAgeMonths is { } months ? Date(today.AddMonths(-random.Next(0, months + 3))) : null,
                ["validUntil"] = m.MustBeValid ? Date(today.AddDays(random.Next(-30, 720))) : null,
                ["count"] = m.MinCount,
            }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList();
            var facts = item.Facts.Where(_ => random.NextDouble() < 0.9).ToDictionary(f => f.Name, f => (object)(f.Type switch
            {
                FactType.Number => random.Next(0, 100),
                FactType.Boolean => random.NextDouble() < 0.8,
                _ => f.AllowedValues.Count > 0 ? f.AllowedValues[random.Next(f.AllowedValues.Count)] : "是",
            }));
            result.Add((item.Code, new { materials, facts }));
        }
        return result;
    }

    static readonly string[] DurableTables = ["History", "Instances"];

    static string TablesLine(IReadOnlyList<TableSize> tables, int shown)
    {
        var listed = tables.Take(shown).Concat(tables.Where(t => DurableTables.Any(d => t.Name.EndsWith(d, StringComparison.Ordinal)))).Distinct()
            .Select(t => t.Rows < 0 ? $"{t.Name} ({t.Error})" : string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Rows:N0}"));
        return string.Join(", ", listed);
    }

    static string FormatWindow(SoakWindow w, int tablesShown)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"  window {w.Index} ({w.FromMinute:0.##}–{w.ToMinute:0.##} min)   CPU cores bench / runtime / azurite / other: {w.CpuCores.Benchmark:F2} / {w.CpuCores.Runtime:F2} / {w.CpuCores.Azurite:F2} / {w.CpuCores.OtherProcesses:F2}   RSS runtime {w.RuntimeRssMiB:F0} MiB, azurite {w.AzuriteRssMiB:F0} MiB");
        s.AppendLine("    kind          sent   done  per min    p50 ms    p95 ms  errors");
        foreach (var (kind, k) in w.Kinds.Append(new KeyValuePair<string, KindStats>("overall", w.Overall)))
            s.AppendLine(CultureInfo.InvariantCulture, $"    {kind,-11} {k.Sent,6} {k.Completed,6} {k.PerMinute,8:F1} {k.LatencyMs.P50,9:F0} {k.LatencyMs.P95,9:F0} {k.Errors,7}");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"    unfinished at window end: {w.InFlight.Households} households, {w.InFlight.Needs} needs, {w.InFlight.Requests} requests; partition-table timeouts {w.PartitionTableTimeouts}; runtime warn/fail lines {w.RuntimeLogProblems}");
        s.AppendLine(CultureInfo.InvariantCulture, $"    tables (counted in {w.TableCountSeconds:F1} s, Azurite data {w.AzuriteDataMiB:F1} MiB on disk): {TablesLine(w.Tables, tablesShown)}");
        if (w.Errors.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"    errors: {string.Join(", ", w.Errors.Select(kv => $"{kv.Key} × {kv.Value}"))}");
        return s.ToString().TrimEnd();
    }

    static string Format(SoakReport r)
    {
        var s = new StringBuilder();
        var c = r.Settings;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Soak — {c.Minutes:0.##} min in {r.Windows.Count} windows of {c.WindowMinutes:0.##} min after {c.WarmupMinutes:0.##} min warm-up, one runtime, one Azurite on disk, open loop per minute: " +
            $"{c.HouseholdsPerMinute:0.##} households, {c.PreReviewsPerMinute:0.##} pre-reviews, {c.NeedsPerMinute:0.##} needs, {c.FeedReadsPerMinute:0.##} feed reads, {c.AuditReadsPerMinute:0.##} audit reads; {c.Configuration} build");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine();
        s.AppendLine("  window   households/min  p95 s   overall/min  p95 ms   CPU bench/runtime/azurite/other   History rows  Instances rows  count s  timeouts  errors");
        foreach (var w in r.Windows)
        {
            long Rows(string suffix) => w.Tables.FirstOrDefault(t => t.Name.EndsWith(suffix, StringComparison.Ordinal))?.Rows ?? 0;
            var h = w.Kinds[Household];
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {w.Index,4} {$"{w.FromMinute:0.##}–{w.ToMinute:0.##}",-9} {h.PerMinute,6:F1} {h.LatencyMs.P95 / 1000,12:F1} {w.Overall.PerMinute,11:F1} {w.Overall.LatencyMs.P95,9:F0}   {w.CpuCores.Benchmark:F2} / {w.CpuCores.Runtime:F2} / {w.CpuCores.Azurite:F2} / {w.CpuCores.OtherProcesses:F2}    {Rows("History"),12:N0} {Rows("Instances"),15:N0} {w.TableCountSeconds,8:F1} {w.PartitionTableTimeouts,9} {w.Overall.Errors,7}");
        }
        s.AppendLine(CultureInfo.InvariantCulture,
            $"  CPU cores over all windows: bench {r.CpuCoresMeasured.Benchmark:F2}, runtime {r.CpuCoresMeasured.Runtime:F2}, azurite {r.CpuCoresMeasured.Azurite:F2}, other {r.CpuCoresMeasured.OtherProcesses:F2} (of {r.Machine.ProcessorCount})");
        s.AppendLine(CultureInfo.InvariantCulture, $"  operations ended during the warm-up (not counted): {r.WarmupOutcomes}; partition-table timeouts before the first window: {r.PartitionTableTimeoutsBeforeWindows}");
        s.AppendLine(CultureInfo.InvariantCulture, $"  tables at the end: {TablesLine(r.FinalTables, c.TablesShown)}");
        var u = r.Unfinished;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"  after a drain of {u.DrainSeconds:F0} s: {u.Households} households unfinished{(u.Households > 0 ? $" ({string.Join(", ", u.HouseholdStatuses.Select(kv => $"{kv.Key} {kv.Value}"))})" : "")}, " +
            $"{u.Needs} needs not dispatched{(u.Needs > 0 ? $" ({string.Join(", ", u.NeedStatuses.Select(kv => $"{kv.Key} {kv.Value}"))})" : "")}, {u.Requests} requests outstanding");
        if (r.Errors.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"  errors: {string.Join(", ", r.Errors.Select(kv => $"{kv.Key} × {kv.Value}"))}");
        foreach (var cmp in r.Comparisons)
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {cmp.Name}: first {cmp.First:0.##}, last {cmp.Last:0.##}, last / first = {(cmp.Ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "n/a")} ({(cmp.Symmetric ? "±20 %" : "at most +20 %")}) {(cmp.Pass ? "ok" : "out")}");
        s.AppendLine();
        var v = r.Verdicts;
        static string P(bool pass) => pass ? "PASS" : "FAIL";
        s.AppendLine(CultureInfo.InvariantCulture, $"last window within 20 % of first: {P(v.LastWithinFirst)}");
        s.AppendLine(CultureInfo.InvariantCulture, $"unfinished at end: {r.Unfinished.Total} {P(v.NothingUnfinished)}");
        s.AppendLine(CultureInfo.InvariantCulture, $"partition-table timeouts: {v.PartitionTableTimeouts} {P(v.NoPartitionTableTimeouts)}");
        s.Append(CultureInfo.InvariantCulture, $"errors: {v.Errors} {P(v.NoErrors)}");
        foreach (var w in r.Warnings) s.AppendLine().Append("WARNING: ").Append(w);
        return s.ToString();
    }
}

sealed record KindStats(int Completed, double PerMinute, Latency LatencyMs, int Errors, int Sent);
sealed record TableSize(string Name, long Rows, double CountMs, string? Error = null);
sealed record InFlight(int Households, int Needs, int Requests);

sealed record SoakWindow(
    int Index,
    double FromMinute,
    double ToMinute,
    IReadOnlyDictionary<string, KindStats> Kinds,
    KindStats Overall,
    IReadOnlyDictionary<string, int> Errors,
    CpuUse CpuCores,
    double RuntimeRssMiB,
    double AzuriteRssMiB,
    IReadOnlyList<TableSize> Tables,
    double TableCountSeconds,
    double AzuriteDataMiB,
    InFlight InFlight,
    long PartitionTableTimeouts,
    long RuntimeLogProblems);

sealed record Unfinished(int Households, IReadOnlyDictionary<string, int> HouseholdStatuses, int Needs, IReadOnlyDictionary<string, int> NeedStatuses, int Requests, double DrainSeconds)
{
    public int Total => Households + Needs + Requests;
}

sealed record Comparison(string Name, double First, double Last, double? Ratio, bool Symmetric, bool Pass = false);

sealed record Verdicts(bool LastWithinFirst, bool NothingUnfinished, long PartitionTableTimeouts, bool NoPartitionTableTimeouts, int Errors, bool NoErrors)
{
    public bool AllPass => LastWithinFirst && NothingUnfinished && NoPartitionTableTimeouts && NoErrors;
}

sealed record SoakSettings(double Minutes, double WindowMinutes, double WarmupMinutes, double HouseholdsPerMinute, double PreReviewsPerMinute, double NeedsPerMinute,
    double FeedReadsPerMinute, double AuditReadsPerMinute, int MinMembers, int MaxMembers, int MinLatencyMs, int MaxLatencyMs, int PartnerPollMs, int PollMs,
    int DeadlineSeconds, double DurableMaxPollSeconds, int Warehouses, string Level, int MaxInFlight, double DrainSeconds, int TablesShown, int Seed,
    string Configuration, string RuntimeDll, DateTime RuntimeDllWrittenUtc, IReadOnlyList<string> RuntimeSettingOverrides);

sealed record SoakReport(
    DateTimeOffset Date,
    Machine Machine,
    SoakSettings Settings,
    IReadOnlyList<SoakWindow> Windows,
    CpuUse CpuCoresMeasured,
    int WarmupOutcomes,
    long PartitionTableTimeoutsBeforeWindows,
    Unfinished Unfinished,
    IReadOnlyList<TableSize> FinalTables,
    IReadOnlyList<Comparison> Comparisons,
    IReadOnlyDictionary<string, int> Errors,
    Verdicts Verdicts,
    IReadOnlyList<string> Warnings);
