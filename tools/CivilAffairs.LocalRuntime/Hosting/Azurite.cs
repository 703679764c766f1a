using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// The embedded storage: Azurite (npm package pinned in the repository's package.json),
/// started as a child process on the given or free ports and stopped with the runtime.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    readonly Process process;

    Azurite(Process process, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        BlobPort = blobPort; QueuePort = queuePort; TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>Finds the repository root (the folder with package.json and node_modules/azurite) above <paramref name="start"/>.</summary>
    public static string? FindScript(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "node_modules", "azurite", "dist", "src", "azurite.js");
            if (File.Exists(script)) return script;
        }
        return null;
    }

    static readonly Lazy<string?> Setsid = new(() => OperatingSystem.IsWindows() ? null
        : new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists));

    /// <summary>Starts Azurite with its data in <paramref name="location"/> (null: in memory); port 0 picks a free one.</summary>
    public static async Task<Azurite> StartAsync(string? location, int blobPort = 0, int queuePort = 0, int tablePort = 0, CancellationToken ct = default)
    {
        var script = FindScript(AppContext.BaseDirectory) ?? FindScript(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("Azurite is not installed: run 'npm ci' in the repository root (./run.sh and ./test.sh do this).");
        blobPort = blobPort == 0 ? FreePort() : blobPort;
        queuePort = queuePort == 0 ? FreePort() : queuePort;
        tablePort = tablePort == 0 ? FreePort() : tablePort;
        foreach (var port in new[] { blobPort, queuePort, tablePort })
            if (await IsOpenAsync(port))
                throw new InvalidOperationException($"Port {port} is already in use; stop the other Azurite or choose other ports (Runtime:Azurite:BlobPort/QueuePort/TablePort).");

        // In a session of its own where setsid exists: Ctrl-C in the terminal signals the whole foreground process group, and an
        // Azurite that shut down at the same moment as the runtime left the runtime's services retrying against it and the
        // runtime hanging. Started this way only the runtime gets the signal; it stops Azurite itself after its services.
        // setsid execs node in place (the child is not a group leader), so the process id stays Azurite's.
        var setsid = Setsid.Value;
        var start = new ProcessStartInfo(setsid ?? "node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (setsid is not null) start.ArgumentList.Add("node");
        foreach (var arg in new[] { script, "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", blobPort.ToString(), "--queuePort", queuePort.ToString(), "--tablePort", tablePort.ToString() })
            start.ArgumentList.Add(arg);
        if (location is null) start.ArgumentList.Add("--inMemoryPersistence");
        else
        {
            Directory.CreateDirectory(location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        // Keep the last lines Azurite wrote, so a failed start says why.
        var output = new Queue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            lock (output)
            {
                output.Enqueue(line);
                if (output.Count > 20) output.Dequeue();
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, blobPort, queuePort, tablePort);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await IsOpenAsync(blobPort) && await IsOpenAsync(queuePort) && await IsOpenAsync(tablePort)))
        {
            var exited = process.HasExited;
            if (exited || DateTime.UtcNow > deadline)
            {
                var outcome = exited ? $"exit code {process.ExitCode}" : "not listening after 30 s";
                await azurite.DisposeAsync();
                string said;
                lock (output) said = string.Join(Environment.NewLine, output);
                throw new InvalidOperationException($"Azurite did not start on ports {blobPort}/{queuePort}/{tablePort} ({outcome}).{Environment.NewLine}{said}");
            }
            await Task.Delay(100, ct);
        }
        return azurite;
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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception) { /* already gone */ }
        process.Dispose();
    }
}
