using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// The embedded storage: Azurite (npm package pinned in the repository's package.json), started on the given or
/// free ports and stopped with the runtime. One node process per service (blob, queue, table), each with the same
/// data folder: node runs one request at a time per process, and in a single process a long table scan held up every
/// queue poll behind it — under load the partner units' and the runtime's receives waited tens of seconds. Apart,
/// queue traffic is served while a table query runs, and the three use both cores of a small machine. Two scripts
/// correct Azurite where it does not scale: azurite-table-index.js (partition queries from the index, not a scan) and
/// azurite-queue.js (message-body garbage collection in one batch, a queue's messages found through the queueName
/// index, and removals of no or a few messages without rebuilding every index); azurite-autosave.js saves on-disk
/// stores every 30 s instead of every 5 s.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    static readonly string[] Services = ["blob", "queue", "table"];

    /// <summary>
    /// How often Azurite's on-disk stores save (Azurite's own 5 s serialised every row every 5 s under load, slower as the
    /// tables grew); a clean stop saves everything (see <see cref="DisposeAsync"/>).
    /// </summary>
    const int AutosaveMilliseconds = 30_000;
    readonly List<Process> processes;

    readonly bool persistent;

    Azurite(List<Process> processes, bool persistent, int blobPort, int queuePort, int tablePort)
    {
        this.processes = processes;
        this.persistent = persistent;
        BlobPort = blobPort; QueuePort = queuePort; TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    /// <summary>The node processes serving blob, queue and table, in that order (for CPU and memory figures).</summary>
    public IReadOnlyList<int> ProcessIds => processes.Select(p => p.Id).ToList();

    /// <summary>
    /// The connection string every client of this Azurite uses: the endpoints and an account SAS (all services, resource
    /// types and permissions), not the account key. With the key, Azure.Data.Tables signs each request with a new
    /// <c>HMACSHA256</c> it never disposes (its <c>TableSharedKeyCredential.ComputeHMACSHA256</c>), so every table call
    /// left an OpenSSL HMAC context to the finalizer thread: 12 % of the runtime's CPU in the verification benchmark went to
    /// <c>SafeHmacCtxHandle.ReleaseHandle</c> there. A SAS is computed once. (In Azure the platform uses its managed
    /// identity, not a key.)
    /// </summary>
    public string ConnectionString => connectionString ??=
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;SharedAccessSignature={AccountSas()}";

    string? connectionString;

    /// <summary>An account SAS over the development account for a year (renewed at every start).</summary>
    static string AccountSas() =>
        new Azure.Storage.Sas.AccountSasBuilder(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddDays(365),
                Azure.Storage.Sas.AccountSasServices.All, Azure.Storage.Sas.AccountSasResourceTypes.All)
            { Protocol = Azure.Storage.Sas.SasProtocol.HttpsAndHttp, StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5) }
            .ToSasQueryParameters(new Azure.Storage.StorageSharedKeyCredential("devstoreaccount1", AccountKey)).ToString();

    /// <summary>Finds Azurite's entry script (node_modules/azurite/dist/src/azurite.js) in or above <paramref name="start"/>.</summary>
    public static string? FindScript(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "node_modules", "azurite", "dist", "src", "azurite.js");
            if (File.Exists(script)) return script;
        }
        return null;
    }

    /// <summary>A script loaded into Azurite (azurite-table-index.js, azurite-request-stats.js), copied next to the runtime's assembly.</summary>
    static string Shim(string name) =>
        new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Azurite).Assembly.Location) ?? "" }
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is missing next to CivilAffairs.LocalRuntime.dll; rebuild tools/CivilAffairs.LocalRuntime.");

    static readonly Lazy<string?> Setsid = new(() => OperatingSystem.IsWindows() ? null
        : new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists));

    /// <summary>Starts Azurite with its data in <paramref name="location"/> (null: in memory); port 0 picks a free one.</summary>
    /// <param name="requestStatsDirectory">
    /// When set, each process writes <c>azurite-&lt;service&gt;.json</c> there every 2 s: requests by kind and resource with
    /// their time in Azurite, and the event loop's lag (azurite-request-stats.js; used by the benchmarks).
    /// </param>
    public static async Task<Azurite> StartAsync(string? location, int blobPort = 0, int queuePort = 0, int tablePort = 0, CancellationToken ct = default,
        string? requestStatsDirectory = null)
    {
        // Ports picked here are free when picked, but another process (a test class starting beside this one) can take one
        // before Azurite binds it: then pick again. Ports the caller chose are never changed.
        var picked = blobPort == 0 && queuePort == 0 && tablePort == 0;
        for (var attempt = 1; ; attempt++)
        {
            try { return await StartOnceAsync(location, blobPort, queuePort, tablePort, ct, requestStatsDirectory); }
            catch (PortTakenException) when (picked && attempt < 5) { }
        }
    }

    sealed class PortTakenException(string message) : InvalidOperationException(message);

    static async Task<Azurite> StartOnceAsync(string? location, int blobPort, int queuePort, int tablePort, CancellationToken ct,
        string? requestStatsDirectory)
    {
        var script = FindScript(AppContext.BaseDirectory) ?? FindScript(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("Azurite is not installed: run 'npm ci' in the repository root (./run.sh and ./test.sh do this).");
        blobPort = blobPort == 0 ? FreePort() : blobPort;
        queuePort = queuePort == 0 ? FreePort() : queuePort;
        tablePort = tablePort == 0 ? FreePort() : tablePort;
        int[] ports = [blobPort, queuePort, tablePort];
        foreach (var port in ports)
            if (await IsOpenAsync(port))
                throw new PortTakenException($"Port {port} is already in use; stop the other Azurite or choose other ports (Runtime:Azurite:BlobPort/QueuePort/TablePort).");
        if (location is not null) Directory.CreateDirectory(location);

        // Keep the last lines Azurite wrote, so a failed start says why.
        var output = new Queue<string>();
        void Keep(string service, string? line)
        {
            if (line is null) return;
            lock (output)
            {
                output.Enqueue(service + ": " + line);
                if (output.Count > 30) output.Dequeue();
            }
        }
        var processes = new List<Process>();
        var azurite = new Azurite(processes, location is not null, blobPort, queuePort, tablePort);
        try
        {
            for (var i = 0; i < Services.Length; i++)
            {
                var service = Services[i];
                var main = Path.Combine(Path.GetDirectoryName(script)!, service, "main.js");
                // In a session of its own where setsid exists: Ctrl-C in the terminal signals the whole foreground process group,
                // and an Azurite that shut down at the same moment as the runtime left the runtime's services retrying against it
                // and the runtime hanging. Started this way only the runtime gets the signal; it stops Azurite after its services.
                // setsid execs node in place (the child is not a group leader), so the process id stays node's.
                var setsid = Setsid.Value;
                var start = new ProcessStartInfo(setsid ?? "node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                if (setsid is not null) start.ArgumentList.Add("node");
                if (location is not null)
                {
                    start.ArgumentList.Add("--require");
                    start.ArgumentList.Add(Shim("azurite-autosave.js"));
                    start.Environment["AZURITE_DIST"] = Path.GetDirectoryName(script)!;
                    start.Environment["AZURITE_AUTOSAVE_MS"] = AutosaveMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                if (requestStatsDirectory is not null)
                {
                    Directory.CreateDirectory(requestStatsDirectory);
                    start.ArgumentList.Add("--require");
                    start.ArgumentList.Add(Shim("azurite-request-stats.js"));
                    start.Environment["AZURITE_REQUEST_STATS"] = Path.Combine(requestStatsDirectory, $"azurite-{service}.json");
                    start.Environment["AZURITE_SERVICE"] = service;
                }
                if (service == "queue")
                {
                    // Batched garbage collection, indexed queue lookups, removals without index rebuilds (see the script).
                    start.ArgumentList.Add("--require");
                    start.ArgumentList.Add(Shim("azurite-queue.js"));
                    start.Environment["AZURITE_DIST"] = Path.GetDirectoryName(script)!;
                }
                if (service == "table")
                {
                    // Partition queries answered from Azurite's own PartitionKey index instead of a scan of the whole table.
                    start.ArgumentList.Add("--require");
                    start.ArgumentList.Add(Shim("azurite-table-index.js"));
                    start.Environment["AZURITE_DIST"] = Path.GetDirectoryName(script)!;
                }
                foreach (var arg in new[] { main, "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry",
                             $"--{service}Host", "127.0.0.1", $"--{service}Port", ports[i].ToString(System.Globalization.CultureInfo.InvariantCulture) })
                    start.ArgumentList.Add(arg);
                if (location is null) start.ArgumentList.Add("--inMemoryPersistence");
                else
                {
                    start.ArgumentList.Add("--location");
                    start.ArgumentList.Add(location);
                }
                var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
                processes.Add(process);
                process.OutputDataReceived += (_, e) => Keep(service, e.Data);
                process.ErrorDataReceived += (_, e) => Keep(service, e.Data);
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(await IsOpenAsync(blobPort) && await IsOpenAsync(queuePort) && await IsOpenAsync(tablePort)))
            {
                var exited = processes.FirstOrDefault(p => p.HasExited);
                if (exited is not null || DateTime.UtcNow > deadline)
                {
                    var outcome = exited is not null ? $"{Services[processes.IndexOf(exited)]} exited with code {exited.ExitCode}" : "not listening after 30 s";
                    string said;
                    lock (output) said = string.Join(Environment.NewLine, output);
                    var message = $"Azurite did not start on ports {blobPort}/{queuePort}/{tablePort} ({outcome}).{Environment.NewLine}{said}";
                    throw said.Contains("EADDRINUSE", StringComparison.Ordinal) ? new PortTakenException(message) : new InvalidOperationException(message);
                }
                await Task.Delay(100, ct);
            }
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task<bool> IsOpenAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromMilliseconds(500));
            return true;
        }
        catch { return false; }
    }

    /// <summary>
    /// Stops the three processes: with data on disk as Ctrl-C would (SIGINT: Azurite closes its stores, which save what
    /// changed), killing any that has not exited after 15 s; in memory there is nothing to save and they are killed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in persistent ? processes : [])
        {
            try
            {
                if (!process.HasExited && !OperatingSystem.IsWindows()) Interrupt(process.Id);
            }
            catch (Exception) { /* gone, or no signals here: killed below */ }
        }
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    // Only a process that was interrupted is given time to save and exit; in memory it is killed at once.
                    if (persistent)
                    {
                        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)); }
                        catch (TimeoutException) { }
                    }
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    }
                }
            }
            catch (Exception) { /* already gone */ }
            process.Dispose();
        }
    }

    /// <summary>Sends SIGINT (what Ctrl-C sends) to one process.</summary>
    static void Interrupt(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit(5000);
    }
}
