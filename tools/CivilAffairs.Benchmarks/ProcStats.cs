using System.Diagnostics;
using System.Globalization;

namespace CivilAffairs.Benchmarks;

/// <summary>Resident memory and CPU time of a process, read from /proc (Linux).</summary>
static class ProcStats
{
    /// <summary>A field of /proc/&lt;pid&gt;/status in bytes (VmRSS: resident now, VmHWM: resident high-water mark); 0 if unavailable.</summary>
    public static long StatusBytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    // "VmRSS:	  123456 kB"
                    var parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * (parts.Length > 1 && parts[1] == "kB" ? 1024 : 1);
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return 0;
    }

    public static long Rss(int pid) => StatusBytes(pid, "VmRSS");
    public static long HighWaterMark(int pid) => StatusBytes(pid, "VmHWM");

    /// <summary>User + system CPU time of a process (zero if it is gone).</summary>
    public static TimeSpan CpuTime(int? pid)
    {
        if (pid is null) return TimeSpan.Zero;
        try
        {
            using var p = Process.GetProcessById(pid.Value);
            return p.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { return TimeSpan.Zero; }
    }

    /// <summary>User + system CPU time of several processes together (Azurite's blob, queue and table processes).</summary>
    public static TimeSpan CpuTime(IReadOnlyList<int>? pids) =>
        pids is null ? TimeSpan.Zero : pids.Aggregate(TimeSpan.Zero, (sum, pid) => sum + CpuTime(pid));

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    public static long MemTotalBytes() => StatusLikeBytes("/proc/meminfo", "MemTotal");

    static long StatusLikeBytes(string file, string field)
    {
        try
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            if (line is null) return 0;
            var parts = line[(field.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or FormatException) { return 0; }
    }
}

/// <summary>CPU time of the three processes involved, to see which one is the bottleneck.</summary>
readonly record struct CpuSnapshot(TimeSpan Benchmark, TimeSpan Runtime, TimeSpan Azurite, TimeSpan Machine, long Timestamp)
{
    public static CpuSnapshot Take(int? runtimePid, IReadOnlyList<int>? azuritePids) =>
        new(Process.GetCurrentProcess().TotalProcessorTime, ProcStats.CpuTime(runtimePid), ProcStats.CpuTime(azuritePids), MachineBusy(), Stopwatch.GetTimestamp());

    /// <summary>Busy CPU time of the whole machine (first line of /proc/stat, in USER_HZ = 1/100 s ticks).</summary>
    static TimeSpan MachineBusy()
    {
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            long T(int i) => i < f.Length ? long.Parse(f[i], CultureInfo.InvariantCulture) : 0;
            return TimeSpan.FromSeconds((T(1) + T(2) + T(3) + T(6) + T(7) + T(8)) / 100.0);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException) { return TimeSpan.Zero; }
    }
}

/// <summary>Average number of cores busy in each process, and in all other processes of the machine.</summary>
sealed record CpuUse(double Benchmark, double Runtime, double Azurite, double OtherProcesses);
