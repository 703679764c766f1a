namespace CivilAffairs.Benchmarks;

/// <summary>Command-line options of the <c>certificates</c> mode (all optional).</summary>
sealed record CertificateBenchmarkOptions
{
    public double CryptoSeconds { get; init; } = 10;
    public int Concurrency { get; init; } = 16;
    public double Seconds { get; init; } = 30;
    public double WarmupSeconds { get; init; } = 3;
    public int Rounds { get; init; } = 4;
    public int Certificates { get; init; } = 200;
    public string? Out { get; init; }
    public string? RuntimeDll { get; init; }
    public bool NoBuild { get; init; }
    public IReadOnlyDictionary<string, string> RuntimeEnvironment { get; init; } = new Dictionary<string, string>();

    public const string Usage = """
        CivilAffairs.Benchmarks certificates — marriage certificate QR codes and status lists, each against a baseline in the
        same run on the same machine.

        1. Crypto (this process, one thread each, in turn): signing a certificate QR (payload JSON, base64url, signature) and
           verifying one offline (parse + signature check with the published key), SM2 with SM3 (BouncyCastle, GM/T 0009
           default user id) against ECDSA P-256 with SHA-256 (.NET System.Security.Cryptography, IEEE P1363 r‖s) over the
           very same bytes. Also reported: CertificateVerifier.Verify as a verifier app calls it per scan (key lookup, QR
           signature, the status list's own signature and entry).
        2. Status-list look-ups: GET /api/public/marriage/status-lists/{listId} through the one-machine runtime (a separate
           process on an in-memory Azurite) against a static read of the same list's blob (marriage-status-lists/{listId}.json)
           straight from Azurite with the Blobs SDK; closed loop, same concurrency and duration, alternating slices. The list
           is filled first: certificates issued with the application's CertificateIssuer against the runtime's storage and
           key file, a tenth of them flipped to ended.

        Options:
          --crypto-seconds S   measured time of each crypto loop (default 10)
          --concurrency N      requests in flight in the look-up phases (default 16)
          --seconds S          measured time of each look-up phase (default 30)
          --warmup S           warm-up of each look-up phase, discarded (default 3)
          --rounds N           alternating slices per look-up phase (default 4)
          --certificates N     certificates issued into the list before the look-ups (default 200)
          --out FILE           also write the report as JSON to FILE
          --runtime DLL        path of CivilAffairs.LocalRuntime.dll (default: found in the repository)
          --no-build           do not build the runtime when its dll is missing
          --env KEY=VALUE      extra environment variable for the runtime process (repeatable)
          --help               this text
        """;

    public static CertificateBenchmarkOptions Parse(string[] args)
    {
        var o = new CertificateBenchmarkOptions();
        var a = new Args(args);
        while (a.Next())
        {
            switch (a.Name)
            {
                case "--crypto-seconds": o = o with { CryptoSeconds = a.Number(0.1, 3600) }; break;
                case "--concurrency" or "-c": o = o with { Concurrency = a.Int(1, 1024) }; break;
                case "--seconds" or "-s": o = o with { Seconds = a.Number(0.5, 3600) }; break;
                case "--warmup" or "-w": o = o with { WarmupSeconds = a.Number(0, 600) }; break;
                case "--rounds": o = o with { Rounds = a.Int(1, 100) }; break;
                case "--certificates": o = o with { Certificates = a.Int(1, 32_768) }; break;
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
