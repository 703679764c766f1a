using System.Diagnostics;
using Azure.Data.Tables;
using CivilAffairs.LocalRuntime.Hosting;

// Benchmark: GET /api/catalog/services/{code} through the one-machine runtime (a separate
// process) against raw Azurite point reads of the same entity with the Tables SDK, same
// concurrency and duration, in the same run. Reports both rates, the ratio (goal >= 0.7),
// latencies and the runtime's resident memory idle and under load. Loopback traffic only.
int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v) : fallback;
var seconds = Arg("--seconds", 10);
var concurrency = Arg("--concurrency", 32);
const string Code = "GZ-SA-001";

var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "CivilAffairs.Functions.sln"))) root = root.Parent;
var config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
var runtimeDll = Path.Combine(root!.FullName, "tools", "CivilAffairs.LocalRuntime", "bin", config, "net10.0", "CivilAffairs.LocalRuntime.dll");

await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
var port = Azurite.FreePort();
var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { runtimeDll, "--port", port.ToString(), "--data", Path.Combine(Path.GetTempPath(), "ca-bench-" + Guid.NewGuid().ToString("N")) }) start.ArgumentList.Add(a);
start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
start.Environment["Runtime__Keys__Master"] = Guid.NewGuid().ToString("N");
start.Environment["Runtime__Keys__Function"] = Guid.NewGuid().ToString("N");
start.Environment["Logging__LogLevel__Default"] = "Warning";
using var runtime = Process.Start(start)!;
runtime.OutputDataReceived += (_, _) => { };
runtime.ErrorDataReceived += (_, _) => { };
runtime.BeginOutputReadLine();
runtime.BeginErrorReadLine();
try
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    var url = $"api/catalog/services/{Code}";
    for (var i = 0; ; i++)
    {
        try { if ((await http.GetAsync(url)).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
        if (i > 600 || runtime.HasExited) throw new InvalidOperationException("Runtime did not become ready.");
        await Task.Delay(100);
    }

    var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("CatalogServices");
    async Task<(double Rps, long Errors, double[] Latencies, long PeakRss)> Load(Func<Task<bool>> op, bool sampleRss)
    {
        async Task Run(TimeSpan duration, List<double>? lat, long[] counters)
        {
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                var local = new List<double>();
                while (Stopwatch.GetTimestamp() < end)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    bool ok;
                    try { ok = await op(); } catch { ok = false; }
                    local.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    Interlocked.Increment(ref counters[ok ? 0 : 1]);
                }
                if (lat is not null) lock (lat) lat.AddRange(local);
            })));
        }
        await Run(TimeSpan.FromSeconds(2), null, new long[2]); // warm-up
        var latencies = new List<double>();
        var counts = new long[2];
        long peak = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampler = sampleRss ? Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested) { peak = Math.Max(peak, Rss(runtime.Id)); await Task.Delay(250); }
        }) : Task.CompletedTask;
        var sw = Stopwatch.StartNew();
        await Run(TimeSpan.FromSeconds(seconds), latencies, counts);
        var elapsed = sw.Elapsed.TotalSeconds;
        stopSampling.Cancel();
        await sampler;
        var sorted = latencies.Order().ToArray();
        return (counts[0] / elapsed, counts[1], sorted, peak);
    }

    await Task.Delay(2000);
    var idleRss = Rss(runtime.Id);
    var baseline = await Load(async () => (await table.GetEntityAsync<TableEntity>("service", Code, ["Document"])).Value is not null, false);
    var through = await Load(async () =>
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
        return response.IsSuccessStatusCode;
    }, true);

    double P(double[] s, double q) => s.Length == 0 ? 0 : s[Math.Min(s.Length - 1, (int)(q * s.Length))];
    var ratio = through.Rps / baseline.Rps;
    Console.WriteLine($"""
        Catalogue point read, {concurrency} concurrent, {seconds} s each, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}
          baseline  raw Azurite (Tables SDK)   {baseline.Rps,8:F0} req/s   p50 {P(baseline.Latencies, .5),6:F1} ms  p95 {P(baseline.Latencies, .95),6:F1} ms  p99 {P(baseline.Latencies, .99),6:F1} ms  errors {baseline.Errors}
          runtime   GET {url}   {through.Rps,8:F0} req/s   p50 {P(through.Latencies, .5),6:F1} ms  p95 {P(through.Latencies, .95),6:F1} ms  p99 {P(through.Latencies, .99),6:F1} ms  errors {through.Errors}
          ratio     runtime / baseline = {ratio:F2}  (goal >= 0.70: {(ratio >= 0.7 ? "PASS" : "BELOW GOAL")})
          runtime resident memory: idle {idleRss / 1048576.0:F0} MiB, peak under load {through.PeakRss / 1048576.0:F0} MiB
        """);
    return baseline.Errors + through.Errors == 0 ? 0 : 1;
}
finally
{
    try { runtime.Kill(entireProcessTree: true); await runtime.WaitForExitAsync(); } catch { }
}

static long Rss(int pid)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
    catch (IOException) { return 0; }
}
