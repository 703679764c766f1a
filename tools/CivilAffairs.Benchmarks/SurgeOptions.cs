namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>surge</c> mode (all optional).</summary>
sealed record SurgeOptions
{
    public int Needs { get; init; } = 1000;
    public double Seconds { get; init; } = 60;
    public int Warehouses { get; init; } = 20;
    public int Warmup { get; init; } = 20;
    public int MaxInFlight { get; init; } = 256;
    public string Level { get; init; } = "II";
    public double DurableMaxPollSeconds { get; init; } = 30;
    public double TimeoutSeconds { get; init; } = 600;
    public int Seed { get; init; } = 2024;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        CivilAffairs.Benchmarks surge — a surge of disaster needs through the whole platform (each need reported with
        POST /api/disaster/needs, which starts its dispatch orchestration: plan over the warehouses, reserve stock with
        ETags, assign the street team), against a bare Durable Task orchestration with the same steps on the same Azure
        Storage backend (Azurite), in the same run. Needs arrive open loop, evenly spread over the surge window.
        Report-to-dispatch time: from just before the report is sent to the moment the team is assigned (the
        dispatch trail's teamAssigned time; in the baseline the end of its third activity). Same machine clock.

        Options:
          --needs N            needs per phase (default 1000)
          --seconds S          surge window: the needs arrive evenly over S seconds (default 60; 0 = all at once)
          --warehouses N       relief warehouses, spread over the city with stock for every category (default 20)
          --warmup N           needs per phase reported and dispatched before the surge, discarded (default 20)
          --max-in-flight N    reports or starts outstanding at once before the sender waits (default 256)
          --level I|II|III|IV  response level of the incident (default II)
          --durable-max-poll S maxQueuePollingInterval of the Durable backend, both task hubs (default 30, the
                               runtime's default)
          --timeout S          give up waiting for dispatches S seconds after the surge ends (default 600)
          --seed N             need generator seed (default 2024)
          --out FILE           also write the report as JSON to FILE
          --runtime DLL        path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build           do not build the runtime when its dll is missing
          --env KEY=VALUE      extra environment variable for the runtime process (repeatable)
          --help               this text
        """;

    public static SurgeOptions Parse(string[] args)
    {
        var o = new SurgeOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--needs" or "-n": o = o with { Needs = a.Int(1, 100_000) }; break;
                case "--seconds" or "-s": o = o with { Seconds = a.Number(0, 3600) }; break;
                case "--warehouses" or "-w": o = o with { Warehouses = a.Int(1, 500) }; break;
                case "--warmup": o = o with { Warmup = a.Int(0, 10_000) }; break;
                case "--max-in-flight": o = o with { MaxInFlight = a.Int(1, 4096) }; break;
                case "--level":
                {
                    var v = a.Value().ToUpperInvariant();
                    o = v is "I" or "II" or "III" or "IV" ? o with { Level = v } : throw new ArgumentException($"--level must be I, II, III or IV (got '{v}').");
                    break;
                }
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
