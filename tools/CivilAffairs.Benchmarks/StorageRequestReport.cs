using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CivilAffairs.Benchmarks;

/// <summary>One line of Azurite's request statistics (azurite-request-stats.js): requests of one kind on one resource.</summary>
sealed record StorageRequestKind(string Service, string Kind, string Resource, long Count, double TotalSeconds, double MeanMs, double MaxMs, long Over1s,
    IReadOnlyList<string> Examples);

/// <summary>The event loop's lag in one Azurite process: how long a request could wait behind the one being served.</summary>
sealed record AzuriteLag(string Service, long Samples, long Over100ms, long Over1s, long Over10s, double MaxMs);

/// <summary>What Azurite served during a phase, by kind and resource, read from the files its processes write.</summary>
sealed record StorageRequestSnapshot(IReadOnlyList<StorageRequestKind> Requests, IReadOnlyList<AzuriteLag> Lag)
{
    public static StorageRequestSnapshot Read(string directory)
    {
        var requests = new List<StorageRequestKind>();
        var lag = new List<AzuriteLag>();
        foreach (var file in Directory.Exists(directory) ? Directory.GetFiles(directory, "azurite-*.json") : [])
        {
            JsonDocument doc;
            try { doc = JsonDocument.Parse(File.ReadAllText(file)); }
            catch (Exception e) when (e is IOException or JsonException) { continue; }
            using (doc)
            {
                var root = doc.RootElement;
                var service = root.GetProperty("service").GetString()!;
                var l = root.GetProperty("lag");
                lag.Add(new AzuriteLag(service, l.GetProperty("samples").GetInt64(), l.GetProperty("over100ms").GetInt64(), l.GetProperty("over1s").GetInt64(),
                    l.GetProperty("over10s").GetInt64(), l.GetProperty("maxMs").GetDouble()));
                foreach (var r in root.GetProperty("requests").EnumerateArray())
                {
                    var count = r.GetProperty("count").GetInt64();
                    var total = r.GetProperty("totalMs").GetDouble();
                    var over1s = r.GetProperty("histogram").EnumerateObject().Where(b => b.Name is "<10s" or ">=10s").Sum(b => b.Value.GetInt64());
                    requests.Add(new StorageRequestKind(service, r.GetProperty("kind").GetString()!, r.GetProperty("resource").GetString()!, count,
                        total / 1000, count > 0 ? total / count : 0, r.GetProperty("maxMs").GetDouble(), over1s,
                        r.TryGetProperty("examples", out var ex) ? ex.EnumerateArray().Select(e => e.GetString()!).ToList() : []));
                }
            }
        }
        return new StorageRequestSnapshot(requests, lag);
    }

    /// <summary>What happened between <paramref name="before"/> and this snapshot (maxima are over the whole run).</summary>
    public StorageRequestSnapshot Since(StorageRequestSnapshot before)
    {
        var earlier = before.Requests.ToDictionary(r => (r.Service, r.Kind, r.Resource));
        var requests = Requests.Select(r => earlier.TryGetValue((r.Service, r.Kind, r.Resource), out var b)
                ? r with { Count = r.Count - b.Count, TotalSeconds = r.TotalSeconds - b.TotalSeconds, Over1s = r.Over1s - b.Over1s,
                    MeanMs = r.Count - b.Count > 0 ? (r.TotalSeconds - b.TotalSeconds) * 1000 / (r.Count - b.Count) : 0 }
                : r)
            .Where(r => r.Count > 0).ToList();
        var lagBefore = before.Lag.ToDictionary(l => l.Service);
        var lag = Lag.Select(l => lagBefore.TryGetValue(l.Service, out var b)
            ? l with { Samples = l.Samples - b.Samples, Over100ms = l.Over100ms - b.Over100ms, Over1s = l.Over1s - b.Over1s, Over10s = l.Over10s - b.Over10s }
            : l).ToList();
        return new StorageRequestSnapshot(requests, lag);
    }

    /// <summary>The kinds that took the most time in Azurite, and each process's event-loop lag.</summary>
    public string Format(string title, int top = 15)
    {
        var s = new StringBuilder();
        var total = Requests.Sum(r => r.TotalSeconds);
        s.AppendLine(CultureInfo.InvariantCulture, $"{title}: {Requests.Sum(r => r.Count)} requests, {total:F0} s in Azurite");
        s.AppendLine("  service kind                   resource                                 count   total s  mean ms   max ms  >1 s");
        foreach (var r in Requests.OrderByDescending(r => r.TotalSeconds).Take(top))
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  {r.Service,-7} {r.Kind,-22} {Trim(r.Resource, 40),-40} {r.Count,6} {r.TotalSeconds,9:F1} {r.MeanMs,8:F1} {r.MaxMs,8:F0} {r.Over1s,5}");
        foreach (var r in Requests.Where(r => r.Kind == "query (scan)").OrderByDescending(r => r.TotalSeconds).Take(5))
            s.AppendLine(CultureInfo.InvariantCulture, $"  scans of {r.Resource}: {string.Join(" | ", r.Examples)}");
        foreach (var l in Lag.OrderBy(l => l.Service, StringComparer.Ordinal))
            s.AppendLine(CultureInfo.InvariantCulture,
                $"  event-loop lag ({l.Service}): {l.Over100ms} samples over 100 ms, {l.Over1s} over 1 s, {l.Over10s} over 10 s of {l.Samples}; max {l.MaxMs:F0} ms");
        return s.ToString();
    }

    static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
