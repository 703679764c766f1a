using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// GET /api/catalog/services/{code} through the one-machine runtime (a separate process) against raw
/// Azurite point reads of the same entity with the Tables SDK, same concurrency and duration in the
/// same run. Reports both rates, the ratio (goal ≥ 0.7), latencies, the runtime's resident memory
/// idle and under load, and the CPU each process used. Loopback traffic only. See README.md.
/// </summary>
static class Program
{
    const double Goal = 0.7;
    const string Table = "CatalogServices";
    const string Partition = "service";

    // Last-resort cleanup if the process is torn down without unwinding (second Ctrl-C, unhandled exception).
    internal static RuntimeProcess? RuntimeToKill { get; set; }
    internal static IReadOnlyList<int>? AzuritePidsToKill { get; set; }

    static async Task<int> Main(string[] args)
    {
        // Modes: the catalogue point-read benchmark (default), `verification` (VerificationBenchmark), `surge` (SurgeBenchmark)
        // `soak` (SoakBenchmark), `alarms` (AlarmBenchmark), `certificates` (CertificateBenchmark) or `deaths` (DeathBenchmark).
        Func<CancellationToken, Task<int>> run;
        var mode = args.Length > 0 ? args[0] : "";
        var usage = mode switch { "verification" => VerificationOptions.Usage, "surge" => SurgeOptions.Usage, "soak" => SoakOptions.Usage, "alarms" => AlarmOptions.Usage, "certificates" => CertificateBenchmarkOptions.Usage, "deaths" => DeathOptions.Usage, _ => Options.Usage };
        try
        {
            if (mode == "verification")
            {
                var vo = VerificationOptions.Parse(args[1..]);
                run = ct => VerificationBenchmark.RunAsync(vo, ct);
            }
            else if (mode == "surge")
            {
                var so = SurgeOptions.Parse(args[1..]);
                run = ct => SurgeBenchmark.RunAsync(so, ct);
            }
            else if (mode == "alarms")
            {
                var ao = AlarmOptions.Parse(args[1..]);
                run = ct => AlarmBenchmark.RunAsync(ao, ct);
            }
            else if (mode == "certificates")
            {
                var co = CertificateBenchmarkOptions.Parse(args[1..]);
                run = ct => CertificateBenchmark.RunAsync(co, ct);
            }
            else if (mode == "deaths")
            {
                var dO = DeathOptions.Parse(args[1..]);
                run = ct => DeathBenchmark.RunAsync(dO, ct);
            }
            else if (mode == "soak")
            {
                var ko = SoakOptions.Parse(args[1..]);
                run = ct => SoakBenchmark.RunAsync(ko, ct);
            }
            else
            {
                var options = Options.Parse(args);
                run = ct => RunAsync(options, ct);
            }
        }
        catch (HelpRequested) { Console.WriteLine(usage); return 0; }
        catch (ArgumentException e) { Console.Error.WriteLine(e.Message); Console.Error.WriteLine(usage); return 2; }

        using var cts = new CancellationTokenSource();
        var signals = 0;
        void OnSignal(PosixSignalContext ctx)
        {
            // First signal: cancel and unwind (the finally blocks stop the runtime and Azurite).
            // A second one terminates at once; ProcessExit still kills the children.
            if (Interlocked.Increment(ref signals) > 1) return;
            ctx.Cancel = true;
            Console.Error.WriteLine($"{ctx.Signal}: stopping…");
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => EmergencyCleanup();

        try
        {
            return await run(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled; runtime and Azurite stopped.");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Benchmark failed: {e.Message}");
            return 2;
        }
        finally
        {
            EmergencyCleanup(); // no-op when the regular disposal already ran
        }
    }

    static void EmergencyCleanup()
    {
        RuntimeToKill?.Kill();
        foreach (var pid in AzuritePidsToKill ?? [])
        {
            try { using var p = Process.GetProcessById(pid); if (!p.HasExited) p.Kill(entireProcessTree: true); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }

    static async Task<int> RunAsync(Options o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");

        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct);
        var azuritePid = AzuritePidsToKill = azurite.ProcessIds;
        Console.WriteLine($"Azurite   in memory, table port {azurite.TablePort} (node pids {string.Join('/', azuritePid)} for blob/queue/table)");

        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, o.RuntimeEnvironment);
        RuntimeToKill = runtime;
        Console.WriteLine($"Runtime   pid {runtime.Id}, http://127.0.0.1:{port}/");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = o.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        var serviceUri = new Uri($"api/catalog/services/{Uri.EscapeDataString(o.Code)}", UriKind.Relative);

        var startup = Stopwatch.StartNew();
        await WaitUntilReadyAsync(http, runtime, serviceUri, ct);
        Console.WriteLine($"Ready     after {startup.Elapsed.TotalSeconds:F1} s (health 200, {serviceUri} 200)");

        // Idle memory: after a few hundred requests (JIT, pools, caches warmed) and a pause.
        async Task<string?> ThroughRuntime(byte[] buffer, CancellationToken token)
        {
            using var response = await http.GetAsync(serviceUri, HttpCompletionOption.ResponseHeadersRead, token);
            await using var body = await response.Content.ReadAsStreamAsync(token);
            long length = 0;
            for (int n; (n = await body.ReadAsync(buffer, token)) > 0;) length += n;
            return response.StatusCode != HttpStatusCode.OK ? $"HTTP {(int)response.StatusCode}"
                : length == 0 ? "empty body" : null;
        }
        var warmErrors = 0;
        await Parallel.ForAsync(0, 500, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(o.Concurrency, 16), CancellationToken = ct },
            async (_, token) => { if (await ThroughRuntime(new byte[16 * 1024], token) is not null) Interlocked.Increment(ref warmErrors); });
        if (warmErrors > 0) throw new InvalidOperationException($"{warmErrors} of 500 warm-up requests to the runtime failed.");
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var idleRss = ProcStats.Rss(runtime.Id);
        Console.WriteLine($"Idle RSS  {Mib(idleRss):F0} MiB (after 500 requests and 2 s)");

        var warmup = TimeSpan.FromSeconds(o.WarmupSeconds);
        var duration = TimeSpan.FromSeconds(o.Seconds);
        CpuSnapshot Cpu() => CpuSnapshot.Take(runtime.Id, azuritePid);

        // (a) Baseline: the same point read straight against Azurite from this process. Default SDK
        // options except: no retries (a failure counts as an error instead of being hidden) and no proxy.
        var tableOptions = new TableClientOptions { Transport = new HttpClientTransport(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false }) };
        tableOptions.Retry.MaxRetries = 0;
        var table = new TableServiceClient(azurite.ConnectionString, tableOptions).GetTableClient(Table);
        string[] select = ["Document"];
        async Task<string?> RawPointRead(byte[] _, CancellationToken token)
        {
            var response = await table.GetEntityAsync<TableEntity>(Partition, o.Code, select, token);
            return response.GetRawResponse().Status != 200 ? $"HTTP {response.GetRawResponse().Status}"
                : string.IsNullOrEmpty(response.Value.GetString("Document")) ? "no Document" : null;
        }
        // (b) Through the runtime, sampling its resident memory every 250 ms while it is under load (warm-up included).
        var peak = new PeakRss(runtime.Id);
        var underLoad = 0;
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            try
            {
                while (await timer.WaitForNextTickAsync(stopSampling.Token))
                    if (Volatile.Read(ref underLoad) == 1) peak.Sample();
            }
            catch (OperationCanceledException) { /* sampling stopped */ }
        }, CancellationToken.None);
        var phases = new Phase[]
        {
            new("raw Azurite point read (Tables SDK)", RawPointRead),
            new($"GET /{serviceUri} through the runtime", ThroughRuntime, active =>
            {
                peak.Sample();
                Volatile.Write(ref underLoad, active ? 1 : 0);
            }),
        };
        Console.WriteLine($"Load      {o.Concurrency} concurrent, {o.WarmupSeconds:0.#} s warm-up + {o.Seconds:0.#} s measured per phase" +
            (o.Rounds > 1 ? $" in {o.Rounds} alternating slices…" : ": baseline, then runtime…"));
        var linesBefore = runtime.OutputLines;
        PhaseResult baseline, through;
        try
        {
            var results = await LoadRunner.RunAsync(phases, o.Concurrency, warmup, duration, o.Rounds, Cpu, ct);
            (baseline, through) = (results[0], results[1]);
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
        }
        var logLines = runtime.OutputLines - linesBefore;
        var hwm = ProcStats.HighWaterMark(runtime.Id);
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");

        var warnings = new List<string>();
        foreach (var p in new[] { baseline, through })
            if (Bench.DisturbedWarning(p.Name, p.CpuCores) is { } disturbed) warnings.Add(disturbed);
        var ratio = baseline.RequestsPerSecond > 0 ? Math.Round(through.RequestsPerSecond / baseline.RequestsPerSecond, 3) : 0;
        var report = new Report(
            DateTimeOffset.Now,
            Bench.ThisMachine(),
            new Settings(o.Concurrency, o.Seconds, o.WarmupSeconds, o.Rounds, o.Code, RuntimeLocator.Configuration, dll, File.GetLastWriteTimeUtc(dll),
                RuntimeProcess.Overrides.Select(kv => $"{kv.Key}={kv.Value}").Concat(o.RuntimeEnvironment.Select(kv => $"{kv.Key}={kv.Value}")).ToArray()),
            baseline,
            through,
            ratio,
            Goal,
            ratio >= Goal ? "PASS" : "BELOW GOAL",
            new RuntimeMemory(Math.Round(Mib(idleRss), 1), Math.Round(Mib(peak.Bytes), 1), Math.Round(Mib(hwm), 1)),
            logLines,
            warnings);

        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        return baseline.Errors + through.Errors == 0 ? 0 : 1;
    }

    internal static async Task WaitUntilReadyAsync(HttpClient http, RuntimeProcess runtime, Uri serviceUri, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        foreach (var uri in new[] { new Uri("api/health", UriKind.Relative), serviceUri })
        {
            while (true)
            {
                if (runtime.HasExited)
                    throw new InvalidOperationException($"The runtime exited during start-up (code {runtime.ExitCode}):{Environment.NewLine}{runtime.Tail()}");
                if (deadline.Elapsed > TimeSpan.FromSeconds(180))
                    throw new TimeoutException($"The runtime was not ready within 180 s (GET /{uri}: {last}).{Environment.NewLine}{runtime.Tail()}");
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    attempt.CancelAfter(TimeSpan.FromSeconds(10));
                    using var response = await http.GetAsync(uri, attempt.Token);
                    if (response.StatusCode == HttpStatusCode.OK) break;
                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    last = e.GetType().Name;
                }
                await Task.Delay(200, ct);
            }
        }
    }

    static double Mib(long bytes) => bytes / 1048576.0;

    static string Format(Report r)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Catalogue point read — {r.Settings.Concurrency} concurrent, {r.Settings.Seconds:0.#} s measured after {r.Settings.WarmupSeconds:0.#} s warm-up{(r.Settings.Rounds > 1 ? $" ({r.Settings.Rounds} alternating slices)" : "")}, {r.Settings.Configuration} build");
        s.AppendLine(CultureInfo.InvariantCulture, $"Runtime settings: {string.Join(", ", r.Settings.RuntimeSettingOverrides)}");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine();
        s.AppendLine("                             req/s     p50 ms   p95 ms   p99 ms   max ms   requests  errors   CPU cores: bench / runtime / azurite / other");
        foreach (var (label, p) in new[] { ("baseline (raw Azurite)", r.Baseline), ("runtime (HTTP GET)", r.Runtime) })
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {label,-24} {p.RequestsPerSecond,8:F0} {p.LatencyMs.P50,10:F2} {p.LatencyMs.P95,8:F2} {p.LatencyMs.P99,8:F2} {p.LatencyMs.Max,8:F1} {p.Requests,10} {p.Errors,7}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}");
        foreach (var p in new[] { r.Baseline, r.Runtime })
            if (p.Errors > 0) s.AppendLine(CultureInfo.InvariantCulture, $"  errors in {p.Name}: {string.Join(", ", p.ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value}"))}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"  ratio runtime / baseline = {r.Ratio:F2}   goal ≥ {r.Goal:F2}: {r.Verdict}");
        s.AppendLine(CultureInfo.InvariantCulture, $"  runtime resident memory (VmRSS): idle {r.RuntimeMemory.IdleMiB:F0} MiB, peak under load {r.RuntimeMemory.PeakUnderLoadMiB:F0} MiB (sampled every 250 ms; VmHWM {r.RuntimeMemory.HighWaterMarkMiB:F0} MiB)");
        s.Append(CultureInfo.InvariantCulture, $"  runtime log lines during the load phase: {r.RuntimeLogLinesDuringLoad}");
        foreach (var w in r.Warnings) s.AppendLine().Append("  WARNING: ").Append(w);
        return s.ToString();
    }
}

/// <summary>Highest VmRSS seen; sampled from the timer and at phase boundaries.</summary>
sealed class PeakRss(int pid)
{
    long bytes;
    public long Bytes => Interlocked.Read(ref bytes);

    public void Sample()
    {
        var now = ProcStats.Rss(pid);
        for (var seen = Bytes; now > seen; seen = Bytes)
            if (Interlocked.CompareExchange(ref bytes, now, seen) == seen) return;
    }
}

sealed record Machine(int ProcessorCount, string Os, string Architecture, string Framework, string CpuModel, double MemoryMiB);
sealed record Settings(int Concurrency, double Seconds, double WarmupSeconds, int Rounds, string Code, string Configuration, string RuntimeDll, DateTime RuntimeDllWrittenUtc, IReadOnlyList<string> RuntimeSettingOverrides);
sealed record RuntimeMemory(double IdleMiB, double PeakUnderLoadMiB, double HighWaterMarkMiB);
sealed record Report(
    DateTimeOffset Date,
    Machine Machine,
    Settings Settings,
    PhaseResult Baseline,
    PhaseResult Runtime,
    double Ratio,
    double Goal,
    string Verdict,
    RuntimeMemory RuntimeMemory,
    long RuntimeLogLinesDuringLoad,
    IReadOnlyList<string> Warnings);
