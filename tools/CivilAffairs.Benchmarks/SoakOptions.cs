namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>soak</c> mode (all optional).</summary>
sealed record SoakOptions
{
    public double Minutes { get; init; } = 30;
    public double WindowMinutes { get; init; } = 5;
    public double WarmupMinutes { get; init; } = 2;
    public double HouseholdsPerMinute { get; init; } = 2;
    public double PreReviewsPerMinute { get; init; } = 20;
    public double NeedsPerMinute { get; init; } = 6;
    public double FeedReadsPerMinute { get; init; } = 30;
    public double AuditReadsPerMinute { get; init; } = 4;
    public int MinMembers { get; init; } = 2;
    public int MaxMembers { get; init; } = 4;
    public int MinLatencyMs { get; init; } = 20;
    public int MaxLatencyMs { get; init; } = 200;
    public int PartnerPollMs { get; init; } = 500;
    public int PollMs { get; init; } = 1000;
    public int DeadlineSeconds { get; init; } = 3600;
    public double DurableMaxPollSeconds { get; init; } = 30;
    public int Warehouses { get; init; } = 10;
    public string Level { get; init; } = "II";
    public int MaxInFlight { get; init; } = 32;
    public double DrainSeconds { get; init; } = 600;
    public int TablesShown { get; init; } = 6;
    public int Seed { get; init; } = 30;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public bool KeepData { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public int Windows => (int)Math.Round(Minutes / WindowMinutes);

    public const string Usage = """
        CivilAffairs.Benchmarks soak — steady mixed load for a long time on ONE runtime process and ONE persistent
        Azurite (data on disk in a temporary folder), to see whether the one-machine platform slows down or stalls as
        its tables grow. Operations arrive open loop at fixed rates (each kind evenly spaced, whatever happened to the
        earlier ones): households submitted, accepted and verified by all 60 partner units (the partner simulator
        answers), catalogue pre-reviews, disaster needs reported and dispatched, audit-log pages read by the auditor
        (audit entries are appended by the writes), and public disaster feeds read. Reported per window: completed
        operations, throughput and p50/p95 per kind, CPU cores of the runtime and Azurite, row counts of the biggest
        tables (the Durable task hub's History and Instances always), errors and the runtime's partition-table
        timeouts. At the end the arrivals stop and the benchmark waits (bounded) until every household is verified
        and every need dispatched.

        Options:
          --minutes M            measured time, a whole number of windows (default 30)
          --window M             window length in minutes (default 5); at least two windows
          --warmup M             load before the first window, not reported (default 2; 0 = none)
          --households-per-min R households submitted and accepted per minute (default 2)
          --prereviews-per-min R catalogue pre-reviews per minute (default 20)
          --needs-per-min R      disaster needs reported per minute (default 6)
          --feeds-per-min R      public feed reads per minute (alerts, alerts.cap, an incident's alert.cap;
                                 default 30)
          --audit-per-min R      audit-log pages read per minute (default 4)
          --members MIN-MAX      household size (default 2-4)
          --latency MIN-MAX      partner reply latency in ms (default 20-200)
          --partner-poll-ms N    longest idle poll interval of the partner simulator per unit queue (default 500)
          --poll-ms N            how often the benchmark reads the status of each unfinished household and need
                                 (default 1000)
          --deadline S           per-unit verification deadline (default 3600: nothing times out)
          --durable-max-poll S   maxQueuePollingInterval of the Durable backend (default 30, the runtime's default)
          --warehouses N         relief warehouses with stock (default 10)
          --level I|II|III|IV    response level of the soak's incident (default II)
          --max-in-flight N      requests outstanding at once before arrivals wait (default 32)
          --drain S              at the end, wait at most S seconds for unfinished work (default 600)
          --tables N             biggest tables listed per window besides History and Instances (default 6)
          --seed N               generator seed (default 30)
          --out FILE             also write the report as JSON to FILE
          --keep-data            keep Azurite's data folder (its path is printed)
          --runtime DLL          path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build             do not build the runtime when its dll is missing
          --env KEY=VALUE        extra environment variable for the runtime process (repeatable)
          --help                 this text

        Exit code: 0 when every verdict passes (last window within 20 % of the first, nothing unfinished, no
        partition-table timeouts, no errors), 1 when one fails, 2 when the run could not be made.
        """;

    public static SoakOptions Parse(string[] args)
    {
        var o = new SoakOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--minutes" or "-m": o = o with { Minutes = a.Number(0.1, 24 * 60) }; break;
                case "--window" or "-w": o = o with { WindowMinutes = a.Number(0.05, 24 * 60) }; break;
                case "--warmup": o = o with { WarmupMinutes = a.Number(0, 60) }; break;
                case "--households-per-min": o = o with { HouseholdsPerMinute = a.Number(0, 600) }; break;
                case "--prereviews-per-min": o = o with { PreReviewsPerMinute = a.Number(0, 60_000) }; break;
                case "--needs-per-min": o = o with { NeedsPerMinute = a.Number(0, 6_000) }; break;
                case "--feeds-per-min": o = o with { FeedReadsPerMinute = a.Number(0, 60_000) }; break;
                case "--audit-per-min": o = o with { AuditReadsPerMinute = a.Number(0, 6_000) }; break;
                case "--members": { var (min, max) = a.Range(1, 20); o = o with { MinMembers = min, MaxMembers = max }; break; }
                case "--latency": { var (min, max) = a.Range(0, 600_000); o = o with { MinLatencyMs = min, MaxLatencyMs = max }; break; }
                case "--partner-poll-ms": o = o with { PartnerPollMs = a.Int(50, 60_000) }; break;
                case "--poll-ms": o = o with { PollMs = a.Int(100, 60_000) }; break;
                case "--deadline": o = o with { DeadlineSeconds = a.Int(10, 7 * 86400) }; break;
                case "--durable-max-poll": o = o with { DurableMaxPollSeconds = a.Number(0.1, 600) }; break;
                case "--warehouses": o = o with { Warehouses = a.Int(1, 500) }; break;
                case "--level":
                {
                    var v = a.Value().ToUpperInvariant();
                    o = v is "I" or "II" or "III" or "IV" ? o with { Level = v } : throw new ArgumentException($"--level must be I, II, III or IV (got '{v}').");
                    break;
                }
                case "--max-in-flight": o = o with { MaxInFlight = a.Int(1, 4096) }; break;
                case "--drain": o = o with { DrainSeconds = a.Number(0, 36_000) }; break;
                case "--tables": o = o with { TablesShown = a.Int(0, 100) }; break;
                case "--seed": o = o with { Seed = a.Int(0, int.MaxValue) }; break;
                case "--out" or "-o": o = o with { Out = a.Value() }; break;
                case "--keep-data": o = o with { KeepData = true }; break;
                case "--runtime": o = o with { RuntimeDll = a.Value() }; break;
                case "--no-build": o = o with { NoBuild = true }; break;
                case "--env": o = o with { RuntimeEnvironment = a.WithEnv(o.RuntimeEnvironment) }; break;
                case "--help" or "-h" or "-?": throw new HelpRequested();
                default: throw a.Unknown();
            }
        }
        var windows = o.Minutes / o.WindowMinutes;
        if (Math.Abs(windows - Math.Round(windows)) > 1e-6)
            throw new ArgumentException($"--minutes ({o.Minutes:0.##}) must be a whole number of windows of --window ({o.WindowMinutes:0.##}) minutes.");
        if (o.Windows < 2)
            throw new ArgumentException("At least two windows are needed to compare the last with the first (e.g. --minutes 6 --window 2).");
        if (o.HouseholdsPerMinute + o.PreReviewsPerMinute + o.NeedsPerMinute + o.FeedReadsPerMinute + o.AuditReadsPerMinute <= 0)
            throw new ArgumentException("All rates are zero: nothing to run.");
        return o;
    }
}
