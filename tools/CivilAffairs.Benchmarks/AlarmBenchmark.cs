using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivilAffairs.Domain.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.TerminalSimulator;
using Microsoft.AspNetCore.SignalR.Client;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// <c>alarms</c> mode: 平安通 presses from simulated terminals through the platform to a logged-in operator's SignalR
/// console, against a bare SignalR hub broadcast in the same run (<see cref="BareSignalRHost"/>). See README.md and
/// <see cref="AlarmOptions.Usage"/>.
/// </summary>
static class AlarmBenchmark
{
    const string Officer = "beijing-officer";
    const string Community = "440104002001";
    static readonly string[] Desk = ["pat-operator-1", "pat-operator-2", "pat-supervisor"];

    /// <summary>One press: sent (stopwatch ticks), the alarm it raised, when the console got it.</summary>
    sealed class Press
    {
        public long SentAt;
        public string? AlarmId;
        public string? Error;
        public bool Closed;
    }

    public static async Task<int> RunAsync(AlarmOptions o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        var settings = new Dictionary<string, string>
        {
            ["Runtime__WeChatSimulatorPort"] = "0",
            ["Runtime__TerminalSimulator__Enabled"] = "false",
            // A thousand terminals sign in from this one address: the per-address limit on sign-ins is for people, not a test rig.
            ["Security__RateLimit__LoginPerMinute"] = "100000",
        };
        foreach (var (k, v) in o.RuntimeEnvironment) settings[k] = v;
        Console.WriteLine($"Load      {o.Terminals} terminals bound to {o.Elders} elders, heartbeat every {o.HeartbeatSeconds} s; presses open loop at {o.PressesPerSecond:0.#}/s for {o.Seconds:0.#} s " +
            $"from random terminals after {o.Warmup} warm-up presses; each phase measured with a SignalR client in the operators' group");

        var platform = await PlatformPhaseAsync(o, dll, settings, ct);
        var bare = await BarePhaseAsync(o, ct);

        var warnings = new List<string>();
        foreach (var p in new[] { platform, bare })
            if (Bench.DisturbedWarning(p.Name, p.CpuCores) is { } disturbed) warnings.Add(disturbed);
        static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 2) : 0;
        var report = new AlarmReport(DateTimeOffset.Now, Bench.ThisMachine(),
            new AlarmSettings(o.Terminals, o.Elders, o.PressesPerSecond, o.Seconds, o.Warmup, o.HeartbeatSeconds, o.Seed, RuntimeLocator.Configuration, dll),
            platform, bare, Ratio(platform.LatencyMs.P50, bare.LatencyMs.P50), Ratio(platform.LatencyMs.P95, bare.LatencyMs.P95),
            Ratio(platform.LatencyMs.P99, bare.LatencyMs.P99), platform.LatencyMs.P99 < 250, warnings);
        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        return platform.Missing + platform.Errors + platform.NotClosed + bare.Missing + bare.Errors == 0 ? 0 : 1;
    }

    static async Task<AlarmPhase> PlatformPhaseAsync(AlarmOptions o, string dll, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var statsDirectory = Path.Combine(Path.GetTempPath(), "ca-bench-stats-" + Guid.NewGuid().ToString("N"));
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct, requestStatsDirectory: statsDirectory);
        var azuritePid = Program.AzuritePidsToKill = azurite.ProcessIds;
        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, settings);
        Program.RuntimeToKill = runtime;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(120),
        };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/catalog/services/GZ-SA-001", UriKind.Relative), ct);
        Console.WriteLine($"Platform  runtime pid {runtime.Id}, http://127.0.0.1:{port}/, ready after {startup.Elapsed.TotalSeconds:F1} s");
        var tokens = await Bench.TokensAsync(http, Desk.Append(Officer), ct);

        var setup = Stopwatch.StartNew();
        var terminals = await EnrolAsync(http, tokens[Officer], o, ct);
        Console.WriteLine($"Platform  {o.Elders} elders and {terminals.Count} terminals enrolled over HTTP in {setup.Elapsed.TotalSeconds:F1} s");
        await using var simulator = await TerminalSimulatorHost.StartAsync(new TerminalSimulatorOptions
        {
            BaseAddress = http.BaseAddress!, Terminals = terminals, Heartbeats = true, UrgentEventsPerHour = 0, Seed = o.Seed, MaxConcurrentRequests = 64,
        }, ct);
        Console.WriteLine($"Platform  terminal simulator: {terminals.Count} terminals signed in and heartbeating");

        // The operator's console: negotiate as pat-operator-1 (hub alarms puts the operator in the company's group).
        using var negotiate = await Bench.SendAsync(http, HttpMethod.Post, "api/realtime/negotiate?hub=alarms", tokens["pat-operator-1"], null, ct);
        negotiate.EnsureSuccessStatusCode();
        var info = await negotiate.Content.ReadFromJsonAsync<JsonElement>(ct);
        var pushes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var console = new HubConnectionBuilder()
            .WithUrl(info.GetProperty("url").GetString()!, c => c.AccessTokenProvider = () => Task.FromResult<string?>(info.GetProperty("accessToken").GetString()))
            .Build();
        console.On<JsonElement>("alarm", m =>
        {
            var now = Stopwatch.GetTimestamp();
            if (m.TryGetProperty("alarmId", out var id) && id.GetString() is { } alarmId) pushes.TryAdd(alarmId, now);
        });
        await console.StartAsync(ct);

        var random = new Random(o.Seed);
        async Task Send(Press p, CancellationToken token)
        {
            int index;
            lock (random) index = random.Next(terminals.Count);
            p.SentAt = Stopwatch.GetTimestamp();
            try
            {
                var r = await simulator.SendAsync(index, "press", token);
                if (r.AlarmId is null) p.Error = $"HTTP {r.Status} {r.ProblemCode}";
                p.AlarmId = r.AlarmId;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
                p.Error = e.GetType().Name;
            }
        }
        long? Pushed(Press p) => p.AlarmId is { } id && pushes.TryGetValue(id, out var at) ? at : null;

        var before = () => CpuSnapshot.Take(runtime.Id, azuritePid);
        await Task.Delay(2500, ct); // the statistics files are written every 2 s
        var storageBefore = StorageRequestSnapshot.Read(statsDirectory);
        var phase = await RunPhaseAsync("platform", o, Send, Pushed, before, ct);
        await Task.Delay(2500, ct);
        // What Azurite served while the presses came in (heartbeats, intake, read models, the workflows' start), by kind.
        Console.WriteLine(StorageRequestSnapshot.Read(statsDirectory).Since(storageBefore).Format("Azurite during the measured presses", top: 25));
        try { Directory.Delete(statsDirectory, recursive: true); } catch (IOException) { }

        // Every press's workflow to its end: answered by the desk it rings at, a false alarm, closed; then read back as closed.
        var drain = Stopwatch.StartNew();
        var all = phase.Presses.Where(p => p.AlarmId is not null).ToList();
        var done = 0;
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (p, token) =>
        {
            p.Closed = await CloseAsync(http, tokens, p.AlarmId!, TimeSpan.FromSeconds(o.TimeoutSeconds), token);
            if (Interlocked.Increment(ref done) % 500 == 0) Console.WriteLine($"  platform: {done} of {all.Count} alarms through to closed after {drain.Elapsed.TotalSeconds:F0} s…");
        });
        var notClosed = all.Count(p => !p.Closed);
        Console.WriteLine($"  platform: {all.Count - notClosed} of {all.Count} alarms answered, recorded as false alarms and closed in {drain.Elapsed.TotalSeconds:F1} s");
        var stats = simulator.Stats;
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");
        Program.RuntimeToKill = null;
        return phase.Result with { NotClosed = notClosed, Heartbeats = stats.Heartbeats, SimulatorFailures = stats.Failures };
    }

    static async Task<AlarmPhase> BarePhaseAsync(AlarmOptions o, CancellationToken ct)
    {
        await using var bare = await BareSignalRHost.StartAsync(ct);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, MaxConnectionsPerServer = 64 }) { BaseAddress = bare.BaseAddress };
        var pushes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var console = new HubConnectionBuilder().WithUrl(bare.HubUrl).Build();
        console.On<JsonElement>("alarm", m =>
        {
            var now = Stopwatch.GetTimestamp();
            if (m.TryGetProperty("alarmId", out var id) && id.GetString() is { } alarmId) pushes.TryAdd(alarmId, now);
        });
        await console.StartAsync(ct);
        await console.InvokeAsync("Join", ct);
        Console.WriteLine($"Baseline  bare SignalR hub and broadcast endpoint in this process at {bare.BaseAddress}");

        async Task Send(Press p, CancellationToken token)
        {
            p.SentAt = Stopwatch.GetTimestamp();
            try
            {
                using var r = await http.PostAsync("press", null, token);
                p.AlarmId = (await r.Content.ReadFromJsonAsync<JsonElement>(token)).GetProperty("id").GetString();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
                p.Error = e.GetType().Name;
            }
        }
        long? Pushed(Press p) => p.AlarmId is { } id && pushes.TryGetValue(id, out var at) ? at : null;
        return (await RunPhaseAsync("baseline", o, Send, Pushed, () => CpuSnapshot.Take(null, null), ct)).Result;
    }

    sealed record PhaseRun(AlarmPhase Result, IReadOnlyList<Press> Presses);

    /// <summary>Warm-up presses (discarded), then the measured ones open loop at the rate; waits for every push (or the timeout).</summary>
    static async Task<PhaseRun> RunPhaseAsync(string name, AlarmOptions o, Func<Press, CancellationToken, Task> send, Func<Press, long?> pushed,
        Func<CpuSnapshot> cpu, CancellationToken ct)
    {
        if (o.Warmup > 0)
        {
            Console.WriteLine($"  {name}: warm-up, {o.Warmup} presses…");
            var warm = Enumerable.Range(0, o.Warmup).Select(_ => new Press()).ToList();
            await Parallel.ForEachAsync(warm, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (p, token) => await send(p, token));
            await WaitAsync(warm, pushed, TimeSpan.FromSeconds(30), ct);
        }
        var count = (int)Math.Round(o.PressesPerSecond * o.Seconds);
        Console.WriteLine($"  {name}: {count} presses at {o.PressesPerSecond:0.#}/s…");
        var presses = Enumerable.Range(0, count).Select(_ => new Press()).ToList();
        var from = cpu();
        var start = Stopwatch.GetTimestamp();
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / o.PressesPerSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            sends.Add(send(presses[i], ct));
        }
        await Task.WhenAll(sends);
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await WaitAsync(presses, pushed, TimeSpan.FromSeconds(o.TimeoutSeconds), ct);
        var to = cpu();
        var latencies = presses.Select(p => pushed(p) is { } at ? Stopwatch.GetElapsedTime(p.SentAt, at).TotalMilliseconds : (double?)null).OfType<double>().ToList();
        var errors = presses.Count(p => p.Error is not null);
        var firstErrors = presses.Where(p => p.Error is not null).Select(p => p.Error!).Distinct().Take(5).ToList();
        var phase = new AlarmPhase(name, count, latencies.Count, presses.Count(p => p.Error is null && pushed(p) is null), errors, firstErrors,
            Bench.Percentiles(latencies.Count > 0 ? latencies : [0]), Math.Round(sendSeconds, 1), Bench.Cores(from, to), 0, 0, 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {phase.Pushed} of {count} pushed, {errors} errors; press → console p50 {phase.LatencyMs.P50:F0} ms, p95 {phase.LatencyMs.P95:F0} ms, p99 {phase.LatencyMs.P99:F0} ms, max {phase.LatencyMs.Max:F0} ms; sent in {sendSeconds:F1} s; CPU runtime {phase.CpuCores.Runtime:F2}, Azurite {phase.CpuCores.Azurite:F2}"));
        return new PhaseRun(phase, presses);
    }

    static async Task WaitAsync(IReadOnlyList<Press> presses, Func<Press, long?> pushed, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (presses.Any(p => p.Error is null && p.AlarmId is not null && pushed(p) is null) && waited.Elapsed < timeout)
            await Task.Delay(100, ct);
    }

    /// <summary>Elders in one community (persons registered first), then the terminals spread over them; the terminals' credentials.</summary>
    static async Task<List<SimulatedTerminal>> EnrolAsync(HttpClient http, string token, AlarmOptions o, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var random = new Random(o.Seed + 1);
        var elders = new string[o.Elders];
        await Parallel.ForAsync(0, o.Elders, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token2) =>
        {
            int r;
            lock (random) r = random.Next(1_000_000);
            var birth = today.AddYears(-(62 + r % 25)).AddDays(-(r % 300));
            var first17 = "440104" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (100 + i % 900).ToString(CultureInfo.InvariantCulture);
            var idNumber = first17 + IdNumber.ComputeCheckCharacter(first17);
            using var person = await Bench.SendAsync(http, HttpMethod.Post, "api/persons", token, new
            {
                name = "基准老人" + ToChineseNumber(i), idNumber, phone = "139" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture), address = "盐运西路 " + i + " 号", jurisdiction = Community,
            }, token2);
            if (person.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"person {i}: HTTP {(int)person.StatusCode} {await person.Content.ReadAsStringAsync(token2)}");
            var personId = (await person.Content.ReadFromJsonAsync<JsonElement>(token2)).GetProperty("id").GetString();
            using var elder = await Bench.SendAsync(http, HttpMethod.Post, "api/elderly/elders", token, new
            {
                personId, category = birth.AddYears(80) <= today ? "aged80Plus" : "aged60To79", livesAlone = i % 3 == 0, services = new[] { "alarmService" },
            }, token2);
            if (elder.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"elder {i}: HTTP {(int)elder.StatusCode} {await elder.Content.ReadAsStringAsync(token2)}");
            elders[i] = (await elder.Content.ReadFromJsonAsync<JsonElement>(token2)).GetProperty("id").GetString()!;
        });
        var terminals = new SimulatedTerminal[o.Terminals];
        await Parallel.ForAsync(0, o.Terminals, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token2) =>
        {
            using var response = await Bench.SendAsync(http, HttpMethod.Post, $"api/elderly/elders/{elders[i % elders.Length]}/terminals", token,
                new { kind = "oneButton", name = $"基准终端 {i + 1}", heartbeatSeconds = o.HeartbeatSeconds }, token2);
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"terminal {i}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token2)}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(token2);
            terminals[i] = new SimulatedTerminal(body.GetProperty("terminal").GetProperty("id").GetString()!, body.GetProperty("secret").GetString()!,
                TimeSpan.FromSeconds(o.HeartbeatSeconds), 23.1221 + (i % 50) * 0.0001, 113.2716);
        });
        return [.. terminals];
    }

    static string ToChineseNumber(int i) => string.Concat(i.ToString(CultureInfo.InvariantCulture).Select(c => "零一二三四五六七八九"[c - '0']));

    /// <summary>Answers (as whoever it rings at), records a false alarm and closes one alarm; true when it then reads closed.</summary>
    static async Task<bool> CloseAsync(HttpClient http, IReadOnlyDictionary<string, string> tokens, string alarmId, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            using var get = await Bench.SendAsync(http, HttpMethod.Get, $"api/elderly/alarms/{alarmId}", tokens["pat-supervisor"], null, ct);
            if (!get.IsSuccessStatusCode) { await Task.Delay(200, ct); continue; }
            var alarm = await get.Content.ReadFromJsonAsync<JsonElement>(ct);
            var status = alarm.GetProperty("status").GetString();
            var desk = alarm.TryGetProperty("offeredTo", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : null;
            var answeredBy = alarm.TryGetProperty("answeredBy", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : null;
            switch (status)
            {
                case "closed": return true;
                case "offered" when desk is not null && tokens.ContainsKey(desk):
                    using (await Bench.SendAsync(http, HttpMethod.Post, $"api/elderly/alarms/{alarmId}/answer", tokens[desk], null, ct)) { }
                    break;
                case "answered" when answeredBy is not null && tokens.ContainsKey(answeredBy):
                    using (await Bench.SendAsync(http, HttpMethod.Post, $"api/elderly/alarms/{alarmId}/outcome", tokens[answeredBy], new { outcome = "falseAlarm", note = "基准测试" }, ct)) { }
                    break;
                case "outcomeRecorded" when answeredBy is not null && tokens.ContainsKey(answeredBy):
                    using (await Bench.SendAsync(http, HttpMethod.Post, $"api/elderly/alarms/{alarmId}/close", tokens[answeredBy], new { note = "误报，已结案" }, ct)) { }
                    break;
                default:
                    await Task.Delay(200, ct);
                    break;
            }
        }
        return false;
    }

    static string Format(AlarmReport r)
    {
        var s = new StringBuilder();
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine("                    presses  pushed  missing  errors   p50 ms   p95 ms   p99 ms   max ms   sent in s   CPU cores: bench / runtime / azurite / other");
        foreach (var p in new[] { r.Platform, r.Baseline })
            s.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p.Name,-16} {p.Presses,7} {p.Pushed,7} {p.Missing,8} {p.Errors,7} {p.LatencyMs.P50,8:F0} {p.LatencyMs.P95,8:F0} {p.LatencyMs.P99,8:F0} {p.LatencyMs.Max,8:F0} {p.SendSeconds,11:F1}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}"));
        s.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"  press → console, platform / bare SignalR: p50 {r.P50Ratio:F2}, p95 {r.P95Ratio:F2}, p99 {r.P99Ratio:F2}; platform p99 under 250 ms: {(r.P99Under250Ms ? "yes" : "NO")}"));
        s.AppendLine($"  platform: {r.Platform.Presses - r.Platform.NotClosed - r.Platform.Errors} of {r.Platform.Presses} alarms closed through their workflow; {r.Platform.Heartbeats} heartbeats, {r.Platform.SimulatorFailures} simulator failures");
        foreach (var e in r.Platform.FirstErrors) s.AppendLine($"  platform error: {e}");
        foreach (var w in r.Warnings) s.AppendLine($"  warning: {w}");
        return s.ToString();
    }
}

sealed record AlarmSettings(int Terminals, int Elders, double PressesPerSecond, double Seconds, int Warmup, int HeartbeatSeconds, int Seed, string Configuration, string RuntimeDll);

sealed record AlarmPhase(string Name, int Presses, int Pushed, int Missing, int Errors, IReadOnlyList<string> FirstErrors, Latency LatencyMs, double SendSeconds,
    CpuUse CpuCores, int NotClosed, long Heartbeats, long SimulatorFailures);

sealed record AlarmReport(DateTimeOffset At, Machine Machine, AlarmSettings Settings, AlarmPhase Platform, AlarmPhase Baseline,
    double P50Ratio, double P95Ratio, double P99Ratio, bool P99Under250Ms, IReadOnlyList<string> Warnings);
