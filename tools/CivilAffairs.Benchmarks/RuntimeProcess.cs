using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;

namespace CivilAffairs.Benchmarks;

/// <summary>The one-machine runtime started as a child process (so that its resident memory can be measured).</summary>
sealed class RuntimeProcess : IAsyncDisposable
{
    const int TailLines = 200;
    readonly Process process;
    readonly Queue<string> tail = new();
    long lines, partitionTableTimeouts;

    RuntimeProcess(Process process, string dataDirectory, int port)
    {
        this.process = process; DataDirectory = dataDirectory; Port = port;
    }

    public int Id => process.Id;
    public int Port { get; }
    public string DataDirectory { get; }
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;
    /// <summary>Lines the runtime has written to stdout/stderr so far (drained continuously so it never blocks on a full pipe).</summary>
    public long OutputLines => Interlocked.Read(ref lines);

    /// <summary>"Operation to read and write the partition table exceeded the … timeout" warnings of the durable backend so far.</summary>
    public long PartitionTableTimeouts => Interlocked.Read(ref partitionTableTimeouts);

    /// <summary>Called with every line the runtime writes (on the thread that drains its output; keep it short).</summary>
    public event Action<string>? LineWritten;

    public string Tail()
    {
        lock (tail) return string.Join(Environment.NewLine, tail);
    }

    /// <summary>Settings passed as environment variables (in addition to the storage connection and keys).</summary>
    public static IReadOnlyDictionary<string, string> Overrides { get; } = new Dictionary<string, string>
    {
        // The public endpoints are rate-limited per client address (240/min by default); every benchmark
        // request comes from 127.0.0.1, so the limit would turn the run into a 429 measurement.
        ["Security__RateLimit__PublicPerMinute"] = "100000000",
    };

    public static RuntimeProcess Start(string dll, int port, string storageConnection, IReadOnlyDictionary<string, string> extraEnvironment)
    {
        var data = Path.Combine(Path.GetTempPath(), "ca-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = data,
        };
        foreach (var a in new[] { dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--data", data })
            start.ArgumentList.Add(a);
        start.Environment["AzureWebJobsStorage"] = storageConnection;
        start.Environment["Runtime__Keys__Master"] = NewKey();
        start.Environment["Runtime__Keys__Function"] = NewKey();
        foreach (var (key, value) in Overrides) start.Environment[key] = value;
        foreach (var (key, value) in extraEnvironment) start.Environment[key] = value;
        // Make sure nothing inherited sends the runtime's storage traffic anywhere but Azurite on loopback.
        foreach (var proxy in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy" })
            start.Environment.Remove(proxy);

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'dotnet'.");
        var runtime = new RuntimeProcess(process, data, port);
        process.OutputDataReceived += (_, e) => runtime.Record(e.Data);
        process.ErrorDataReceived += (_, e) => runtime.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runtime;
    }

    void Record(string? line)
    {
        if (line is null) return;
        Interlocked.Increment(ref lines);
        if (line.Contains("partition table exceeded", StringComparison.Ordinal)) Interlocked.Increment(ref partitionTableTimeouts);
        lock (tail)
        {
            tail.Enqueue(line);
            while (tail.Count > TailLines) tail.Dequeue();
        }
        LineWritten?.Invoke(line);
    }

    static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    /// <summary>Kills the runtime and its children; safe to call more than once and from a signal handler.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { /* already gone */ }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException) { }
        process.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>Finds CivilAffairs.LocalRuntime.dll, preferring the configuration this benchmark was built with.</summary>
static class RuntimeLocator
{
    public const string DllName = "CivilAffairs.LocalRuntime.dll";
    const string ProjectDir = "tools/CivilAffairs.LocalRuntime";

    public static string Configuration { get; } =
        typeof(RuntimeLocator).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Release";

    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CivilAffairs.Functions.sln")))
                    return dir.FullName;
        return null;
    }

    public static async Task<string> LocateAsync(string? explicitPath, bool noBuild, CancellationToken ct)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new FileNotFoundException($"Runtime not found: {explicitPath}");

        var root = RepositoryRoot();
        string? InRepository() => root is null ? null : Path.Combine(root, ProjectDir, "bin", Configuration, "net10.0", DllName);
        // 1. the runtime's own output in the same configuration (what run.sh serves, with its appsettings.json);
        // 2. the copy next to this benchmark (the project reference builds it in the same configuration).
        var candidates = new[] { InRepository(), Path.Combine(AppContext.BaseDirectory, DllName) };
        foreach (var c in candidates)
            if (c is not null && File.Exists(c) && File.Exists(Path.ChangeExtension(c, ".runtimeconfig.json")))
                return c;

        if (root is null || noBuild)
            throw new FileNotFoundException($"{DllName} ({Configuration}) not found; build it first: dotnet build -c {Configuration} {ProjectDir}");

        Console.WriteLine($"Runtime not built in {Configuration}; running: dotnet build -c {Configuration} {ProjectDir}");
        var build = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = root };
        foreach (var a in new[] { "build", "-c", Configuration, ProjectDir, "-nologo", "-v", "quiet" }) build.ArgumentList.Add(a);
        using var p = Process.Start(build) ?? throw new InvalidOperationException("Could not start 'dotnet build'.");
        try { await p.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } throw; }
        var built = InRepository()!;
        return p.ExitCode == 0 && File.Exists(built) ? built : throw new InvalidOperationException($"Building the runtime failed (exit code {p.ExitCode}).");
    }
}
