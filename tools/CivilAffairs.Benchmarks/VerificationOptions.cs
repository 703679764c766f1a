using System.Globalization;

namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>verification</c> mode (all optional).</summary>
sealed record VerificationOptions
{
    public int Households { get; init; } = 20;
    public int Concurrency { get; init; } = 4;
    public int Warmup { get; init; } = -1; // -1: as many as the concurrency
    public int MinMembers { get; init; } = 2;
    public int MaxMembers { get; init; } = 4;
    public int MinLatencyMs { get; init; } = 20;
    public int MaxLatencyMs { get; init; } = 200;
    public int PartnerPollMs { get; init; } = 500;
    public int PollMs { get; init; } = 100;
    public int DeadlineSeconds { get; init; } = 3600;
    public double DurableMaxPollSeconds { get; init; } = 30;
    public double TimeoutSeconds { get; init; } = 300;
    public int Seed { get; init; } = 11643;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public int WarmupHouseholds => Warmup < 0 ? Concurrency : Warmup;

    public const string Usage = """
        CivilAffairs.Benchmarks verification — household economic verification through the whole platform
        (HTTP submit + accept, the case orchestration, 60 partner units answered by the partner simulator,
        status polled over HTTP) against a bare Durable Task orchestration of the same width on the same
        Azure Storage backend (Azurite), in the same run.

        Options:
          --households N      measured households per phase (default 20)
          --concurrency N     households in verification at once, closed loop (default 4)
          --warmup N          households per phase run before the measured ones and discarded
                              (default: the concurrency)
          --members MIN-MAX   household size (default 2-4)
          --latency MIN-MAX   partner reply latency in ms, platform and baseline alike (default 20-200)
          --partner-poll-ms N longest idle poll interval of the partner simulator per unit queue (default 500)
          --poll-ms N         status polling interval of the benchmark, both phases (default 100)
          --deadline S        per-unit verification deadline, both phases (default 3600: nothing times out)
          --durable-max-poll S  maxQueuePollingInterval of the Durable backend, both task hubs (default 30,
                              the runtime's default)
          --timeout S         give up on a household after S seconds (default 300)
          --seed N            household generator seed (default 11643)
          --out FILE          also write the report as JSON to FILE
          --runtime DLL       path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build          do not build the runtime when its dll is missing
          --env KEY=VALUE     extra environment variable for the runtime process (repeatable)
          --help              this text
        """;

    public static VerificationOptions Parse(string[] args)
    {
        var o = new VerificationOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int(int min, int max)
            {
                var name = args[i];
                var v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n : throw new ArgumentException($"{name} must be an integer from {min} to {max} (got '{v}').");
            }
            double Number(double min, double max)
            {
                var name = args[i];
                var v = Value();
                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n : throw new ArgumentException($"{name} must be a number from {min} to {max} (got '{v}').");
            }
            (int, int) Range(int min, int max)
            {
                var name = args[i];
                var v = Value();
                var parts = v.Split('-');
                return parts.Length == 2
                    && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
                    && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
                    && a >= min && b <= max && a <= b
                    ? (a, b) : throw new ArgumentException($"{name} must be MIN-MAX within {min}-{max} (got '{v}').");
            }
            switch (args[i])
            {
                case "--households" or "-n": o = o with { Households = Int(1, 100_000) }; break;
                case "--concurrency" or "-c": o = o with { Concurrency = Int(1, 1024) }; break;
                case "--warmup": o = o with { Warmup = Int(0, 10_000) }; break;
                case "--members": { var (a, b) = Range(1, 20); o = o with { MinMembers = a, MaxMembers = b }; break; }
                case "--latency": { var (a, b) = Range(0, 600_000); o = o with { MinLatencyMs = a, MaxLatencyMs = b }; break; }
                case "--partner-poll-ms": o = o with { PartnerPollMs = Int(50, 60_000) }; break;
                case "--poll-ms": o = o with { PollMs = Int(10, 10_000) }; break;
                case "--deadline": o = o with { DeadlineSeconds = Int(10, 7 * 86400) }; break;
                case "--durable-max-poll": o = o with { DurableMaxPollSeconds = Number(0.1, 600) }; break;
                case "--timeout": o = o with { TimeoutSeconds = Number(1, 36_000) }; break;
                case "--seed": o = o with { Seed = Int(0, int.MaxValue) }; break;
                case "--out" or "-o": o = o with { Out = Value() }; break;
                case "--runtime": o = o with { RuntimeDll = Value() }; break;
                case "--no-build": o = o with { NoBuild = true }; break;
                case "--env": o = o with { RuntimeEnvironment = WithEnv(o.RuntimeEnvironment, Value()) }; break;
                case "--help" or "-h" or "-?": throw new HelpRequested();
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        return o;
    }

    static Dictionary<string, string> WithEnv(IReadOnlyDictionary<string, string> current, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--env needs KEY=VALUE (got '{pair}').");
        return new Dictionary<string, string>(current) { [pair[..eq]] = pair[(eq + 1)..] };
    }
}
