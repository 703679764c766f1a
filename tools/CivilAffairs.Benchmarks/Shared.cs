using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CivilAffairs.Benchmarks;

/// <summary>Reads command-line options one after the other: the option name at <see cref="Name"/>, its value after it.</summary>
sealed class Args(string[] args)
{
    int i = -1;

    /// <summary>Moves to the next option; false at the end.</summary>
    public bool Next() => ++i < args.Length;

    public string Name => args[i];

    public string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");

    public int Int(int min, int max)
    {
        var name = Name;
        var v = Value();
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new ArgumentException($"{name} must be an integer from {min} to {max} (got '{v}').");
    }

    public double Number(double min, double max)
    {
        var name = Name;
        var v = Value();
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new ArgumentException($"{name} must be a number from {min} to {max} (got '{v}').");
    }

    public (int Min, int Max) Range(int min, int max)
    {
        var name = Name;
        var v = Value();
        var parts = v.Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
            && a >= min && b <= max && a <= b
            ? (a, b) : throw new ArgumentException($"{name} must be MIN-MAX within {min}-{max} (got '{v}').");
    }

    /// <summary>Adds the KEY=VALUE that follows to <paramref name="current"/> (for <c>--env</c>).</summary>
    public Dictionary<string, string> WithEnv(IReadOnlyDictionary<string, string> current)
    {
        var pair = Value();
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--env needs KEY=VALUE (got '{pair}').");
        return new Dictionary<string, string>(current) { [pair[..eq]] = pair[(eq + 1)..] };
    }

    public Exception Unknown() => new ArgumentException($"Unknown option '{Name}'.");
}

/// <summary>Helpers the benchmark modes share.</summary>
static class Bench
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One API request as a signed-in user (bearer token), JSON body if any.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string token, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, ct);
    }

    /// <summary>Bearer tokens of demo accounts from the runtime's development identity provider (POST /api/dev/token).</summary>
    public static async Task<Dictionary<string, string>> TokensAsync(HttpClient http, IEnumerable<string> accounts, CancellationToken ct)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            if (tokens.ContainsKey(account)) continue;
            using var response = await http.PostAsJsonAsync("api/dev/token", new { account }, ct);
            response.EnsureSuccessStatusCode();
            tokens[account] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
        }
        return tokens;
    }

    /// <summary>CPU cores used by unrelated processes above which a phase is reported as disturbed.</summary>
    const double OtherLoadWarning = 0.2;

    /// <summary>A warning when other processes kept the machine busy during a phase, else null.</summary>
    public static string? DisturbedWarning(string phase, CpuUse cpu) => cpu.OtherProcesses > OtherLoadWarning
        ? $"other processes kept {cpu.OtherProcesses:F2} of {Environment.ProcessorCount} cores busy during '{phase}': the figures are disturbed, run again on a quiet machine"
        : null;

    public static string MachineLine(Machine m) =>
        string.Create(CultureInfo.InvariantCulture, $"Machine: {m.ProcessorCount} logical CPUs ({m.CpuModel}), {m.MemoryMiB:F0} MiB, {m.Os} {m.Architecture}, {m.Framework}");

    public static Machine ThisMachine() => new(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.OSArchitecture.ToString(),
        RuntimeInformation.FrameworkDescription, ProcStats.CpuModel(), Math.Round(ProcStats.MemTotalBytes() / 1048576.0));

    /// <summary>Writes the report as indented camelCase JSON when <paramref name="path"/> is given.</summary>
    public static async Task WriteReportAsync<T>(string? path, T report, CancellationToken ct)
    {
        if (path is null) return;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, JsonSerializer.Serialize(report, Json) + Environment.NewLine, ct);
        Console.WriteLine($"Report written to {full}");
    }

    /// <summary>Nearest-rank percentiles of unsorted values.</summary>
    public static Latency Percentiles(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return LoadRunner.Percentiles(sorted);
    }

    /// <summary>Average cores each process used between two snapshots, and the rest of the machine.</summary>
    public static CpuUse Cores(CpuSnapshot from, CpuSnapshot to)
    {
        var wall = Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp).TotalSeconds;
        double C(TimeSpan t) => wall <= 0 ? 0 : Math.Round(t.TotalSeconds / wall, 2);
        var benchmark = to.Benchmark - from.Benchmark;
        var runtime = to.Runtime - from.Runtime;
        var azurite = to.Azurite - from.Azurite;
        return new CpuUse(C(benchmark), C(runtime), C(azurite), Math.Max(0, C(to.Machine - from.Machine - benchmark - runtime - azurite)));
    }
}
