namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options (all optional).</summary>
sealed record Options
{
    public int Concurrency { get; init; } = 32;
    public double Seconds { get; init; } = 10;
    public double WarmupSeconds { get; init; } = 2;
    public int Rounds { get; init; } = 1;
    public string Code { get; init; } = "GZ-SA-001";
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    /// <summary>Extra environment variables for the runtime process (experiments such as DOTNET_gcServer=0).</summary>
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        CivilAffairs.Benchmarks — GET /api/catalog/services/{code} through the one-machine runtime
        (a separate process) against raw Azurite point reads of the same entity.
        Other mode: `verification --help` (household verification through the platform against a bare
        Durable Task orchestration of the same width).

        Options:
          --concurrency N     concurrent requests in flight (default 32)
          --seconds S         measured duration of each phase (default 10)
          --warmup S          warm-up before each phase (default 2)
          --rounds N          split each phase's measured time into N slices run alternately
                              (baseline, runtime, runtime, baseline, …) so background load on a
                              shared machine affects both alike (default 1: baseline, then runtime)
          --code CODE         service code to read (default GZ-SA-001)
          --out FILE          also write the report as JSON to FILE
          --runtime DLL       path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build          do not build the runtime when its dll is missing
          --env KEY=VALUE     extra environment variable for the runtime process (repeatable),
                              e.g. --env DOTNET_gcServer=0 to compare workstation GC
          --help              this text
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        var a = new Args(args);
        while (a.Next())
            o = a.Name switch
            {
                "--concurrency" or "-c" => o with { Concurrency = a.Int(1, 4096) },
                "--seconds" or "-s" => o with { Seconds = a.Number(0.5, 3600) },
                "--warmup" => o with { WarmupSeconds = a.Number(0, 600) },
                "--rounds" => o with { Rounds = a.Int(1, 100) },
                "--code" => o with { Code = a.Value() },
                "--out" or "-o" => o with { Out = a.Value() },
                "--runtime" => o with { RuntimeDll = a.Value() },
                "--no-build" => o with { NoBuild = true },
                "--env" => o with { RuntimeEnvironment = a.WithEnv(o.RuntimeEnvironment) },
                "--help" or "-h" or "-?" => throw new HelpRequested(),
                _ => throw a.Unknown(),
            };
        return o;
    }
}

sealed class HelpRequested : Exception;
