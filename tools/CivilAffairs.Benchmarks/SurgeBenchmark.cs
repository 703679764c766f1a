using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// <c>surge</c> mode: a surge of disaster needs (default 1,000 in one minute, 20 warehouses) through the whole platform —
/// the runtime as a separate process; each need reported over HTTP, which runs the intake (near-duplicate merge over the
/// incident's needs) and starts the need's dispatch orchestration (plan over every warehouse's stock, reserve with ETag
/// transactions on the warehouses' ledgers, assign the street team) — against a bare Durable Task orchestration with the
/// same steps (<see cref="SurgeBaselineHost"/>) on the same Azurite, at the same arrival times, in the same run.
/// See README.md.
/// </summary>
static class SurgeBenchmark
{
    internal const string Admin = "city-admin";
    internal static readonly string[] Reporters = ["huashi-worker", "yanyunxi-worker", "citizen-zhang", "citizen-li"];

    /// <summary>What a need asks for and what each warehouse stocks: the first catalogue item of the category, in its unit.</summary>
    static readonly (string Category, string Item, string Unit, int MinQty, int MaxQty, int Stock, bool Perishable)[] Kinds =
    [
        ("rescue", "FIRSTAID", "个", 1, 5, 1500, true),
        ("medical", "FIRSTAID", "个", 1, 10, 0, true), // stocked with rescue (same item)
        ("water", "WATER", "箱", 5, 40, 4000, true),
        ("food", "FOOD", "箱", 5, 40, 4000, true),
        ("shelter", "TENT", "顶", 1, 10, 800, false),
        ("power", "GENERATOR", "台", 1, 2, 40, false),
    ];

    // The city area the needs and warehouses are spread over (central Guangzhou, about 44 × 41 km).
    const double South = 22.95, North = 23.35, West = 113.15, East = 113.55;

    internal sealed record SurgeNeed(int Index, string Category, string Unit, int Quantity, string Urgency, double Latitude, double Longitude, string Reporter);

    /// <summary>One need of a phase: when it was sent, the report's HTTP time, and when it was dispatched (team assigned).</summary>
    sealed class Sample
    {
        public DateTimeOffset SentAt;
        public double ReportMs;
        public string? NeedId;
        public string? DispatchId;
        public DateTimeOffset? DispatchedAt;
        public string? Error;
        public string? Outcome;
    }

    public static async Task<int> RunAsync(SurgeOptions o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        var random = new Random(o.Seed);
        var warmNeeds = Generate(o.Warmup, random);
        var needs = Generate(o.Needs, random);
        var limit = DeliveryLimit(o.Level);
        var maxPoll = TimeSpan.FromSeconds(o.DurableMaxPollSeconds);
        var settings = new Dictionary<string, string>
        {
            // The WeChat simulator would otherwise take the fixed port 7072 (the runtime's port is not 0).
            ["Runtime__WeChatSimulatorPort"] = "0",
            ["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] = maxPoll.ToString("c", CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in o.RuntimeEnvironment) settings[k] = v;
        Console.WriteLine($"Load      open loop, {o.Needs} needs evenly over {o.Seconds:0.#} s (at most {o.MaxInFlight} outstanding), {o.Warehouses} warehouses, level {o.Level}; " +
            $"{o.Warmup} warm-up needs per phase; each phase on a fresh in-memory Azurite");

        var (platform, logLines) = await PlatformPhaseAsync(o, dll, settings, warmNeeds, needs, ct);
        var bare = await BaselinePhaseAsync(o, maxPoll, limit, warmNeeds, needs, ct);

        var warnings = new List<string>();
        foreach (var p in new[] { platform, bare })
        {
            if (Bench.DisturbedWarning(p.Name, p.CpuCores) is { } disturbed) warnings.Add(disturbed);
            if (o.Seconds > 0 && p.SendSeconds > o.Seconds * 1.05)
                warnings.Add($"'{p.Name}' took {p.SendSeconds:F1} s to send what was due in {o.Seconds:0.#} s: {o.MaxInFlight} reports were outstanding, so arrivals were held back");
        }
        static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : 0;
        var report = new SurgeReport(
            DateTimeOffset.Now,
            Bench.ThisMachine(),
            new SurgeSettings(o.Needs, o.Seconds, o.Warehouses, o.Warmup, o.MaxInFlight, o.Level, o.DurableMaxPollSeconds, o.Seed, RuntimeLocator.Configuration, dll,
                File.GetLastWriteTimeUtc(dll), RuntimeProcess.Overrides.Concat(settings).Select(kv => $"{kv.Key}={kv.Value}").ToArray()),
            platform,
            bare,
            Ratio(platform.DispatchesPerSecond, bare.DispatchesPerSecond),
            Ratio(platform.LatencyMs.P50, bare.LatencyMs.P50),
            Ratio(platform.LatencyMs.P95, bare.LatencyMs.P95),
            logLines,
            warnings);

        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        return platform.Errors + bare.Errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The platform phase: Azurite and the runtime (a separate process), 20 stocked warehouses and the incidents set up over
    /// HTTP as the city administrator, then the needs reported over HTTP; the dispatch time is the trail's teamAssigned step.
    /// </summary>
    static async Task<(SurgePhase Phase, long LogLines)> PlatformPhaseAsync(SurgeOptions o, string dll, IReadOnlyDictionary<string, string> settings,
        IReadOnlyList<SurgeNeed> warmNeeds, IReadOnlyList<SurgeNeed> needs, CancellationToken ct)
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct);
        var azuritePid = Program.AzuritePidsToKill = azurite.ProcessIds;
        Console.WriteLine($"Platform  Azurite in memory, table port {azurite.TablePort} (node pids {string.Join('/', azuritePid)} for blob/queue/table)");
        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, settings);
        Program.RuntimeToKill = runtime;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = o.MaxInFlight + 16 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(120),
        };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/catalog/services/GZ-SA-001", UriKind.Relative), ct);
        Console.WriteLine($"Platform  runtime pid {runtime.Id}, http://127.0.0.1:{port}/, ready after {startup.Elapsed.TotalSeconds:F1} s");

        var tokens = await Bench.TokensAsync(http, Reporters.Append(Admin), ct);
        var warehouses = await SeedWarehousesAsync(http, tokens[Admin], o.Warehouses, new Random(o.Seed + 1), ct);
        var teams = await SeedTeamsAsync(http, tokens[Admin], "SURGE", ct);
        Console.WriteLine($"Platform  {warehouses} warehouses with stock, over {South:F2}–{North:F2} N, {West:F2}–{East:F2} E; {teams} city field teams");
        // Warm-up needs go to an incident of their own, so they never merge with the surge's.
        var warmIncident = await DeclareIncidentAsync(http, tokens[Admin], "基准测试预热", o.Level, ct);
        var incident = await DeclareIncidentAsync(http, tokens[Admin], "基准测试：台风过境需求激增", o.Level, ct);

        async Task Send(string incidentId, SurgeNeed need, Sample s, CancellationToken token)
        {
            s.SentAt = DateTimeOffset.UtcNow;
            var t0 = Stopwatch.GetTimestamp();
            var r = await ReportNeedAsync(http, tokens[need.Reporter], incidentId, need, token);
            s.ReportMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            (s.NeedId, s.DispatchId, s.Error) = (r.NeedId, r.DispatchId, r.Error);
        }

        async Task<bool> Collect(Sample s, CancellationToken token)
        {
            if (s.Error is not null) return true;
            var d = await DispatchStateAsync(http, tokens[Admin], s.NeedId!, s.DispatchId, token);
            s.DispatchId = d.DispatchId;
            (s.DispatchedAt, s.Outcome, s.Error) = (d.DispatchedAt, d.Outcome, d.Error);
            return d.Done;
        }

        var linesBefore = runtime.OutputLines;
        var phase = await RunPhaseAsync("platform", o, warmNeeds, needs, warmIncident, incident, Send, Collect, () => CpuSnapshot.Take(runtime.Id, azuritePid), ct);
        var logLines = runtime.OutputLines - linesBefore;
        if (phase.Errors > 0 || logLines > 0)
            Console.WriteLine($"  runtime output during the platform phase ({logLines} lines), last lines:{Environment.NewLine}{string.Join(Environment.NewLine, runtime.Tail().Split(Environment.NewLine).TakeLast(40))}");
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");
        Program.RuntimeToKill = null;
        return (phase, logLines);
    }

    /// <summary>The baseline phase: a fresh Azurite and <see cref="SurgeBaselineHost"/>; the dispatch time is when its assign activity ran.</summary>
    static async Task<SurgePhase> BaselinePhaseAsync(SurgeOptions o, TimeSpan maxPoll, TimeSpan limit, IReadOnlyList<SurgeNeed> warmNeeds, IReadOnlyList<SurgeNeed> needs,
        CancellationToken ct)
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct);
        var azuritePid = Program.AzuritePidsToKill = azurite.ProcessIds;
        await using var baseline = await SurgeBaselineHost.StartAsync(azurite.ConnectionString, maxPoll, 4, ct);
        Console.WriteLine($"Baseline  Azurite in memory, table port {azurite.TablePort} (node pids {string.Join('/', azuritePid)} for blob/queue/table); " +
            $"sidecar + worker in this process, task hub {SurgeBaselineHost.TaskHub}");

        var ids = 0;
        async Task Send(string incidentId, SurgeNeed need, Sample s, CancellationToken token)
        {
            var id = $"{incidentId}-{Interlocked.Increment(ref ids):D6}";
            s.SentAt = DateTimeOffset.UtcNow;
            var t0 = Stopwatch.GetTimestamp();
            await baseline.StartAsync(id, limit, token);
            s.ReportMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            s.DispatchId = id;
        }

        Task<bool> Collect(Sample s, CancellationToken token)
        {
            if (s.Error is not null) return Task.FromResult(true);
            if (baseline.AssignedAt(s.DispatchId!) is not { } at) return Task.FromResult(false);
            s.DispatchedAt = at;
            s.Outcome = "assigned";
            return Task.FromResult(true);
        }

        return await RunPhaseAsync("baseline", o, warmNeeds, needs, "warm", "surge", Send, Collect, () => CpuSnapshot.Take(null, azuritePid), ct);
    }

    /// <summary>Warm-up (sent 8 at a time, collected, discarded), then the surge: open-loop sends, then collection of every dispatch.</summary>
    static async Task<SurgePhase> RunPhaseAsync(string name, SurgeOptions o, IReadOnlyList<SurgeNeed> warmNeeds, IReadOnlyList<SurgeNeed> needs,
        string warmIncidentId, string incidentId, Func<string, SurgeNeed, Sample, CancellationToken, Task> send, Func<Sample, CancellationToken, Task<bool>> collect,
        Func<CpuSnapshot> cpu, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        if (warmNeeds.Count > 0)
        {
            Console.WriteLine($"  {name}: warm-up, {warmNeeds.Count} needs…");
            var warm = await SendAsync(warmNeeds, TimeSpan.Zero, 8, (n, s) => send(warmIncidentId, n, s, ct), ct);
            await CollectAsync(warm, collect, timeout, ct);
        }
        Console.WriteLine($"  {name}: {needs.Count} needs over {o.Seconds:0.#} s…");
        var before = cpu();
        var gc = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        var samples = await SendAsync(needs, TimeSpan.FromSeconds(o.Seconds), o.MaxInFlight, (n, s) => send(incidentId, n, s, ct), ct);
        var sent = cpu();
        var missing = await CollectAsync(samples, collect, timeout, ct);
        var after = cpu();
        if (missing > 0) Console.WriteLine($"  {name}: {missing} needs not dispatched within {timeout.TotalSeconds:0} s after the surge");
        return SurgePhase.From(name, samples, before, sent, after, GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gc);
    }

    /// <summary>
    /// Open loop: need i is sent at start + i × window / n (all at once when the window is zero), whatever happened to the
    /// earlier ones — unless <paramref name="maxInFlight"/> are still outstanding, when the sender waits for one to finish.
    /// </summary>
    static async Task<Sample[]> SendAsync(IReadOnlyList<SurgeNeed> needs, TimeSpan window, int maxInFlight, Func<SurgeNeed, Sample, Task> send, CancellationToken ct)
    {
        var samples = needs.Select(_ => new Sample()).ToArray();
        using var slots = new SemaphoreSlim(maxInFlight);
        var tasks = new List<Task>(needs.Count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < needs.Count; i++)
        {
            var due = window * i / needs.Count;
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            await slots.WaitAsync(ct);
            var need = needs[i];
            var sample = samples[i];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await send(need, sample);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
                catch (Exception e) { sample.Error = e.GetType().Name; }
                finally { slots.Release(); }
            }, CancellationToken.None));
        }
        await Task.WhenAll(tasks);
        return samples;
    }

    /// <summary>Polls every sample until it is dispatched or ended, or the timeout passes; returns how many are still open.</summary>
    static async Task<int> CollectAsync(Sample[] samples, Func<Sample, CancellationToken, Task<bool>> collect, TimeSpan timeout, CancellationToken ct)
    {
        var open = samples.ToList();
        var deadline = Stopwatch.StartNew();
        while (open.Count > 0 && deadline.Elapsed < timeout)
        {
            var done = new bool[open.Count];
            await Parallel.ForAsync(0, open.Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
            {
                try { done[i] = await collect(open[i], token); }
                catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException) { done[i] = false; }
            });
            open = open.Where((_, i) => !done[i]).ToList();
            if (open.Count > 0) await Task.Delay(500, ct);
        }
        foreach (var s in open) s.Error ??= "not dispatched in time";
        return open.Count;
    }

    /// <summary>What reporting a need returned: the need, its dispatch when the receipt names it, or the error.</summary>
    internal sealed record NeedReceipt(string? NeedId, string? DispatchId, string? Error);

    /// <summary>Reports a need (POST /api/disaster/needs) as its reporter, which runs the intake and starts the dispatch.</summary>
    internal static async Task<NeedReceipt> ReportNeedAsync(HttpClient http, string token, string incidentId, SurgeNeed need, CancellationToken ct)
    {
        var body = new
        {
            incidentId,
            position = new { latitude = need.Latitude, longitude = need.Longitude },
            category = need.Category,
            quantity = need.Quantity,
            unit = need.Unit,
            urgency = need.Urgency,
            description = "基准测试需求",
            clientReportId = $"{incidentId}-{need.Index}",
        };
        using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/disaster/needs", token, body, ct);
        if (response.StatusCode != HttpStatusCode.Created) return new NeedReceipt(null, null, $"report HTTP {(int)response.StatusCode}");
        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var needId = receipt.GetProperty("needId").GetString();
        if (receipt.GetProperty("intake").GetString() is { } intake && !intake.Equals("created", StringComparison.OrdinalIgnoreCase))
            return new NeedReceipt(needId, null, "merged into another need");
        return new NeedReceipt(needId,
            receipt.TryGetProperty("need", out var view) && view.TryGetProperty("dispatchId", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null, null);
    }

    /// <summary>Where a need's dispatch stands: done when the team is assigned (with the trail's time) or the dispatch ended otherwise.</summary>
    internal sealed record DispatchState(bool Done, string? DispatchId, DateTimeOffset? DispatchedAt, string? Outcome, string? Error, string Status = "");

    /// <summary>Reads the need (for its dispatch id, when not yet known) and the dispatch as the city administrator.</summary>
    internal static async Task<DispatchState> DispatchStateAsync(HttpClient http, string adminToken, string needId, string? dispatchId, CancellationToken ct)
    {
        if (dispatchId is null)
        {
            using var n = await Bench.SendAsync(http, HttpMethod.Get, $"api/disaster/needs/{needId}", adminToken, null, ct);
            if (n.StatusCode != HttpStatusCode.OK) return new DispatchState(false, null, null, null, null, $"need HTTP {(int)n.StatusCode}");
            var view = await n.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (!view.TryGetProperty("dispatchId", out var d) || d.ValueKind != JsonValueKind.String)
                return new DispatchState(false, null, null, null, null, $"need {(view.TryGetProperty("status", out var ns) ? ns.ToString() : "?")}, no dispatch");
            dispatchId = d.GetString();
        }
        using var response = await Bench.SendAsync(http, HttpMethod.Get, $"api/disaster/dispatches/{dispatchId}", adminToken, null, ct);
        if (response.StatusCode != HttpStatusCode.OK) return new DispatchState(false, dispatchId, null, null, null, $"dispatch HTTP {(int)response.StatusCode}");
        var dispatch = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var status = dispatch.GetProperty("status").GetString();
        foreach (var step in dispatch.GetProperty("trail").EnumerateArray())
            if (step.GetProperty("step").GetString() == "teamAssigned")
                return new DispatchState(true, dispatchId, step.GetProperty("at").GetDateTimeOffset(),
                    dispatch.GetProperty("picks").GetArrayLength() > 1 ? "split" : "one warehouse", null);
        return status is "failed" or "cancelled" or "delivered"
            ? new DispatchState(true, dispatchId, null, null, $"dispatch {status}")
            : new DispatchState(false, dispatchId, null, null, null, $"dispatch {status}");
    }

    /// <summary>
    /// Four city-wide field teams (division 440100, one base in each quarter of the needs' area, capacity 20), so that every
    /// dispatch gets a team: without a team covering the incident a dispatch stays <c>reserved</c> and waits for staff. When all
    /// four are at capacity the nearest is still assigned, so a surge of any size is dispatched.
    /// </summary>
    internal static async Task<int> SeedTeamsAsync(HttpClient http, string admin, string prefix, CancellationToken ct)
    {
        (double Lat, double Lon)[] bases = [(23.05, 113.25), (23.05, 113.45), (23.25, 113.25), (23.25, 113.45)];
        for (var i = 0; i < bases.Length; i++)
        {
            using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/disaster/teams", admin, new
            {
                id = $"{prefix}-TEAM-{i + 1}",
                name = $"基准测试救灾队 {prefix}-{i + 1}",
                jurisdiction = "440100",
                @base = new { latitude = bases[i].Lat, longitude = bases[i].Lon },
                members = new[] { Reporters[i % 2] },
                capacity = 20,
            }, ct);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"Creating field team {i + 1} failed: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        return bases.Length;
    }

    internal static async Task<int> SeedWarehousesAsync(HttpClient http, string admin, int count, Random random, CancellationToken ct)
    {
        var cols = (int)Math.Ceiling(Math.Sqrt(count * 1.25));
        var rows = (int)Math.Ceiling(count / (double)cols);
        var expiry = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddYears(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            var (r, c) = (i / cols, i % cols);
            var lat = South + (North - South) * (r + 0.5 + (random.NextDouble() - 0.5) * 0.5) / rows;
            var lon = West + (East - West) * (c + 0.5 + (random.NextDouble() - 0.5) * 0.5) / cols;
            var id = $"BENCH-{i + 1:D3}";
            using (var created = await Bench.SendAsync(http, HttpMethod.Post, "api/disaster/warehouses", admin,
                new { id, name = $"基准测试储备库 {i + 1}", position = new { latitude = lat, longitude = lon }, jurisdiction = "440100" }, ct))
                if (created.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"Creating warehouse {id} failed: HTTP {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
            // Stock varies by warehouse; about one item in seven is missing, so some needs are served from farther away or split.
            foreach (var kind in Kinds.Where(k => k.Stock > 0))
            {
                if (random.NextDouble() < 0.15) continue;
                var quantity = (int)(kind.Stock * (0.5 + random.NextDouble()));
                using var received = await Bench.SendAsync(http, HttpMethod.Post, $"api/disaster/warehouses/{id}/receipts", admin, new
                {
                    itemCode = kind.Item,
                    lotNumber = $"{kind.Item}-{i + 1:D3}",
                    expiry = kind.Perishable ? expiry : null,
                    quantity,
                    reference = $"bench-{id}-{kind.Item}",
                }, ct);
                if (!received.IsSuccessStatusCode)
                    throw new InvalidOperationException($"Stocking {id} failed: HTTP {(int)received.StatusCode} {await received.Content.ReadAsStringAsync(ct)}");
            }
        }
        return count;
    }

    internal static async Task<string> DeclareIncidentAsync(HttpClient http, string admin, string name, string level, CancellationToken ct)
    {
        using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/disaster/incidents", admin, new
        {
            name,
            type = "typhoon",
            level,
            startedAt = DateTimeOffset.UtcNow.AddMinutes(-30),
            jurisdiction = "440100",
            area = new[] { new[] { West, South }, new[] { East, South }, new[] { East, North }, new[] { West, North }, new[] { West, South } },
        }, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Declaring the incident failed: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Needs on a jittered grid over the city (at least about 600 m apart, beyond the 200 m merge radius, so every report
    /// opens its own need), in random order, with the category, quantity, urgency and reporter drawn from <paramref name="random"/>.
    /// </summary>
    internal static List<SurgeNeed> Generate(int count, Random random)
    {
        if (count == 0) return [];
        var side = (int)Math.Ceiling(Math.Sqrt(count));
        var cells = Enumerable.Range(0, side * side).OrderBy(_ => random.Next()).Take(count).ToList();
        string[] urgencies = ["low", "normal", "normal", "high", "high", "critical"];
        return cells.Select((cell, i) =>
        {
            var kind = Kinds[random.Next(Kinds.Length)];
            var lat = South + (North - South) * (cell / side + 0.5 + (random.NextDouble() - 0.5) * 0.5) / side;
            var lon = West + (East - West) * (cell % side + 0.5 + (random.NextDouble() - 0.5) * 0.5) / side;
            return new SurgeNeed(i, kind.Category, kind.Unit, random.Next(kind.MinQty, kind.MaxQty + 1), urgencies[random.Next(urgencies.Length)],
                Math.Round(lat, 6), Math.Round(lon, 6), Reporters[i % Reporters.Length]);
        }).ToList();
    }

    /// <summary>The platform's default delivery limit (10 h for every level, see DeliveryDeadlines.Default).</summary>
    static TimeSpan DeliveryLimit(string level) => CivilAffairs.Domain.Disaster.DeliveryDeadlines.Default.For(Enum.Parse<CivilAffairs.Domain.Disaster.ResponseLevel>(level));

    static string Format(SurgeReport r)
    {
        var s = new StringBuilder();
        var c = r.Settings;
        s.AppendLine(CultureInfo.InvariantCulture, $"Relief surge — {c.Needs} needs per phase over {c.Seconds:0.#} s ({c.Warmup} warm-up each, discarded), {c.Warehouses} warehouses, level {c.Level}, {c.Configuration} build");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine();
        s.AppendLine("                        dispatch/s   p50 ms   p95 ms   max ms  report p50/p95 ms  dispatched  errors   sent in s  CPU cores during the surge: bench / runtime / azurite / other");
        foreach (var (label, p) in new[] { ("platform (HTTP, app)", r.Platform), ("baseline (bare DT)", r.Baseline) })
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {label,-20} {p.DispatchesPerSecond,11:F1} {p.LatencyMs.P50,8:F0} {p.LatencyMs.P95,8:F0} {p.LatencyMs.Max,8:F0} {p.ReportMs.P50,9:F0} / {p.ReportMs.P95,-6:F0} {p.Dispatched,11} {p.Errors,7} {p.SendSeconds,11:F1}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}");
        foreach (var p in new[] { r.Platform, r.Baseline })
        {
            if (p.Errors > 0) s.AppendLine(CultureInfo.InvariantCulture, $"  errors in {p.Name}: {string.Join(", ", p.ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value}"))}");
            s.AppendLine(CultureInfo.InvariantCulture, $"  {p.Name}: {string.Join(", ", p.Outcomes.Select(kv => $"{kv.Key} {kv.Value}"))}; last dispatch {p.Seconds:F1} s after the first report");
        }
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"  dispatches/s platform / baseline = {r.ThroughputRatio:F2}   p50 platform / baseline = {r.P50Ratio:F2}   p95 platform / baseline = {r.P95Ratio:F2}");
        s.Append(CultureInfo.InvariantCulture, $"  runtime log lines during the platform phase: {r.RuntimeLogLinesDuringPlatform}");
        foreach (var w in r.Warnings) s.AppendLine().Append("  WARNING: ").Append(w);
        return s.ToString();
    }

    sealed record SurgePhase(
        string Name,
        int Needs,
        int Dispatched,
        int Errors,
        IReadOnlyDictionary<string, int> ErrorKinds,
        IReadOnlyDictionary<string, int> Outcomes,
        double SendSeconds,
        double Seconds,
        double DispatchesPerSecond,
        Latency LatencyMs,
        Latency ReportMs,
        CpuUse CpuCores,
        CpuUse CpuCoresWhileCollecting,
        int BenchmarkGcCollections)
    {
        public static SurgePhase From(string name, Sample[] samples, CpuSnapshot before, CpuSnapshot sent, CpuSnapshot after, int gcs)
        {
            var ok = samples.Where(x => x.Error is null && x.DispatchedAt is not null).ToList();
            var first = samples.Min(x => x.SentAt);
            var span = ok.Count == 0 ? 0 : (ok.Max(x => x.DispatchedAt!.Value) - first).TotalSeconds;
            return new SurgePhase(name, samples.Length, ok.Count, samples.Length - ok.Count,
                samples.Where(x => x.Error is not null).GroupBy(x => x.Error!).ToDictionary(g => g.Key, g => g.Count()),
                ok.GroupBy(x => x.Outcome ?? "").ToDictionary(g => g.Key, g => g.Count()),
                Math.Round((samples.Max(x => x.SentAt) - first).TotalSeconds, 3),
                Math.Round(span, 3),
                span <= 0 ? 0 : Math.Round(ok.Count / span, 2),
                Bench.Percentiles(ok.Select(x => (x.DispatchedAt!.Value - x.SentAt).TotalMilliseconds)),
                Bench.Percentiles(samples.Where(x => x.Error is null).Select(x => x.ReportMs)),
                Bench.Cores(before, sent),
                Bench.Cores(sent, after),
                gcs);
        }
    }

    sealed record SurgeSettings(int Needs, double Seconds, int Warehouses, int Warmup, int MaxInFlight, string Level, double DurableMaxPollSeconds, int Seed,
        string Configuration, string RuntimeDll, DateTime RuntimeDllWrittenUtc, IReadOnlyList<string> RuntimeSettingOverrides);

    sealed record SurgeReport(
        DateTimeOffset Date,
        Machine Machine,
        SurgeSettings Settings,
        SurgePhase Platform,
        SurgePhase Baseline,
        double ThroughputRatio,
        double P50Ratio,
        double P95Ratio,
        long RuntimeLogLinesDuringPlatform,
        IReadOnlyList<string> Warnings);
}
