namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>deaths</c> mode (all optional).</summary>
sealed record DeathOptions
{
    public int Deaths { get; init; } = 1000;
    public double PerMinute { get; init; } = 1000;
    public double TimeoutSeconds { get; init; } = 600;
    public bool SkipBaseline { get; init; }
    public int MaxInFlight { get; init; } = 64;
    public int Warmup { get; init; } = 5;
    public int ReceiptDelayMs { get; init; }
    public int PartnerPollMs { get; init; } = 500;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        CivilAffairs.Benchmarks deaths — death registrations fanned out to the partner units (Tell Us Once, issue 15), against a
        bare fan-out of the same width on the same Azurite in the same run.

        1. Platform: the runtime as a separate process on an in-memory Azurite, its partner simulator answering for every unit
           (no late units, no failures). N persons are registered over HTTP first (not timed), then N deaths arrive open loop
           at the rate (POST /api/funeral/deaths as shipai-officer, medical certificate, no informant; at most --max-in-flight
           outstanding). Per death: the registration's HTTP latency and the time from just before the request to the last
           partner acknowledgement (max AcknowledgedAt of the LifeEvents rows partner|{code}, found through s|person.died|{deathId}).
        2. Baseline (same Azurite, runtime stopped): per death one transaction writing a death row and an event row, then the
           same-size CloudEvent sent to 9 Storage queues; one bare responder per queue sends a receipt to one receipts queue, read
           by a bare consumer that records it. Time from before the write to the 9th receipt. No runtime, Durable or encryption.

        Options:
          --deaths N           deaths registered (default 1000)
          --per-minute R       arrival rate of the deaths per minute (default 1000)
          --timeout S          wait at most S seconds after the last arrival for the acknowledgements (default 600)
          --skip-baseline      only the platform phase
          --max-in-flight N    registrations (or baseline writes) outstanding at most (default 64)
          --warmup N           deaths per phase before the measured ones, discarded (default 5)
          --receipt-delay-ms M delay of the simulator's and the bare responders' answer (default 0)
          --partner-poll-ms M  longest idle poll interval of the responders, platform and baseline (default 500)
          --out FILE           also write the report as JSON to FILE
          --runtime DLL        path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build           do not build the runtime when its dll is missing
          --env KEY=VALUE      extra environment variable for the runtime process (repeatable)
          --help               this text
        """;

    public static DeathOptions Parse(string[] args)
    {
        var o = new DeathOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--deaths" or "-n": o = o with { Deaths = a.Int(1, 100_000) }; break;
                case "--per-minute" or "-r": o = o with { PerMinute = a.Number(1, 1_000_000) }; break;
                case "--timeout": o = o with { TimeoutSeconds = a.Number(1, 36_000) }; break;
                case "--skip-baseline": o = o with { SkipBaseline = true }; break;
                case "--max-in-flight": o = o with { MaxInFlight = a.Int(1, 4096) }; break;
                case "--warmup": o = o with { Warmup = a.Int(0, 1000) }; break;
                case "--receipt-delay-ms": o = o with { ReceiptDelayMs = a.Int(0, 600_000) }; break;
                case "--partner-poll-ms": o = o with { PartnerPollMs = a.Int(100, 60_000) }; break;
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
