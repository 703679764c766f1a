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
    /// <summary>Run the baseline only in the platform's durable shape, not also in the per-reply one.</summary>
    public bool PerUnitOnly { get; init; }
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
          --per-unit-only     run the baseline only in the platform's durable shape (one send activity, one event
                              per unit); by default it also runs in the per-reply shape the platform had until
                              2026-12-03 (one send activity per unit, one event per partner reply), for comparison
          --out FILE          also write the report as JSON to FILE
          --runtime DLL       path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build          do not build the runtime when its dll is missing
          --env KEY=VALUE     extra environment variable for the runtime process (repeatable)
          --help              this text
        """;

    public static VerificationOptions Parse(string[] args)
    {
        var o = new VerificationOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--households" or "-n": o = o with { Households = a.Int(1, 100_000) }; break;
                case "--concurrency" or "-c": o = o with { Concurrency = a.Int(1, 1024) }; break;
                case "--warmup": o = o with { Warmup = a.Int(0, 10_000) }; break;
                case "--members": { var (min, max) = a.Range(1, 20); o = o with { MinMembers = min, MaxMembers = max }; break; }
                case "--latency": { var (min, max) = a.Range(0, 600_000); o = o with { MinLatencyMs = min, MaxLatencyMs = max }; break; }
                case "--partner-poll-ms": o = o with { PartnerPollMs = a.Int(50, 60_000) }; break;
                case "--poll-ms": o = o with { PollMs = a.Int(10, 10_000) }; break;
                case "--per-unit-only": o = o with { PerUnitOnly = true }; break;
                case "--deadline": o = o with { DeadlineSeconds = a.Int(10, 7 * 86400) }; break;
                case "--durable-max-poll": o = o with { DurableMaxPollSeconds = a.Number(0.1, 600) }; break;
                case "--timeout": o = o with { TimeoutSeconds = a.Number(1, 36_000) }; break;
                case "--seed": o = o with { Seed = a.Int(0, int.MaxValue) }; break;
                case "--out" or "-o": o = o with { Out = a.Value() }; break;
                case "--runtime": o = o with { RuntimeDll = a.Value() }; break;
                case "--no-build": o = o with { NoBuild = true }; break;
                case "--env": o = o with { RuntimeEnvironment = a.WithEnv(o.RuntimeEnvironment) }; break;
                case "--help" or "-h" or "-?": throw new HelpRequested();
                default: throw a.Unknown();
            }
        }
        return o;
    }
}
