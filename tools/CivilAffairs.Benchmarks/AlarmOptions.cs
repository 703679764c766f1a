namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>alarms</c> mode (all optional).</summary>
sealed record AlarmOptions
{
    public int Terminals { get; init; } = 1000;
    public int Elders { get; init; } = 100;
    public double PressesPerSecond { get; init; } = 50;
    public double Seconds { get; init; } = 60;
    public int Warmup { get; init; } = 50;
    public int HeartbeatSeconds { get; init; } = 60;
    public double TimeoutSeconds { get; init; } = 600;
    public int Seed { get; init; } = 2026;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        CivilAffairs.Benchmarks alarms — 平安通 presses through the whole platform to the alarm centre's console, against a
        bare SignalR hub broadcast on the same machine in the same run. The runtime runs as a separate process on an
        in-memory Azurite; terminals are enrolled over HTTP (elders, then terminals with their secrets) and driven by the
        terminal simulator (tools/CivilAffairs.TerminalSimulator): every terminal heartbeats, presses arrive open loop at a
        fixed rate from random terminals. An operator's real SignalR client (negotiated as pat-operator-1, hub alarms, its
        company's group) times each press from just before the terminal's request to the arrival of the alarm on the
        console. Afterwards every alarm is answered by the operator it rings at, recorded as a false alarm and closed, and
        each must read closed (its workflow finished). Baseline: an HTTP endpoint that broadcasts to a SignalR group of an
        ASP.NET Core hub in this process, driven at the same rate with the same client library. Same machine clock.

        Options:
          --terminals N        simulated terminals (default 1000)
          --elders N           elders the terminals are bound to (default 100)
          --rate R             presses per second (default 50)
          --seconds S          how long presses arrive (default 60)
          --warmup N           presses per phase before the measured ones, discarded (default 50)
          --heartbeat S        heartbeat interval of every terminal, seconds (default 60)
          --timeout S          give up waiting for pushes and closings S seconds after the presses end (default 600)
          --seed N             random seed (which terminal presses)
          --out FILE           also write the report as JSON to FILE
          --runtime DLL        path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build           do not build the runtime when its dll is missing
          --env KEY=VALUE      extra environment variable for the runtime process (repeatable)
          --help               this text
        """;

    public static AlarmOptions Parse(string[] args)
    {
        var o = new AlarmOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--terminals" or "-t": o = o with { Terminals = a.Int(1, 100_000) }; break;
                case "--elders": o = o with { Elders = a.Int(1, 10_000) }; break;
                case "--rate" or "-r": o = o with { PressesPerSecond = a.Number(0.1, 10_000) }; break;
                case "--seconds" or "-s": o = o with { Seconds = a.Number(1, 3600) }; break;
                case "--warmup": o = o with { Warmup = a.Int(0, 10_000) }; break;
                case "--heartbeat": o = o with { HeartbeatSeconds = a.Int(1, 86_400) }; break;
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
        if (o.Elders > o.Terminals) o = o with { Elders = o.Terminals };
        return o;
    }
}
