using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// The <c>certificates</c> mode: SM2 against ECDSA P-256 for signing and offline verification of certificate QRs, and
/// status-list look-ups through the runtime against a static blob read of the same list. See <see cref="CertificateBenchmarkOptions.Usage"/>.
/// </summary>
static class CertificateBenchmark
{
    public static async Task<int> RunAsync(CertificateBenchmarkOptions o, CancellationToken ct)
    {
        var machine = Bench.ThisMachine();
        Console.WriteLine(Bench.MachineLine(machine));

        // ---- 1. Crypto: same payload, same encoding, two signature schemes ----
        var sm2 = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = new CertificatePayload("J440106-2026-000123", CertificatePayload.MarriageKind, ["张*", "欧阳**"], new DateOnly(2026, 5, 20),
            "office-440106", "01JBENCHLIST0000000000000", 4242, sm2.KeyId);
        string SignP256() => CertificateQr.Sign(payload, signed => p256.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var sm2Qr = CertificateQr.Sign(payload, sm2);
        var p256Qr = SignP256();
        var sm2Public = sm2.PublicKey;
        PublishedKey[] published = [PublishedKey.Of(sm2Public, DateTimeOffset.UtcNow, null)];
        var list = StatusListDocument.Sign(payload.StatusListId, 1, DateTimeOffset.UtcNow, new StatusBitstring(), sm2);
        if (CertificateVerifier.Verify(sm2Qr, published, list).Outcome != VerificationOutcome.Valid) throw new InvalidOperationException("The SM2 QR does not verify.");

        bool VerifySm2(string qr) => CertificateQr.TryParse(qr) is { } parsed && sm2Public.Verify(parsed.SignedBytes, parsed.Signature);
        bool VerifyP256(string qr) => CertificateQr.TryParse(qr) is { } parsed
            && p256.VerifyData(parsed.SignedBytes, parsed.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (!VerifySm2(sm2Qr) || !VerifyP256(p256Qr) || VerifySm2(p256Qr)) throw new InvalidOperationException("Self-check of the verify loops failed.");

        var cryptoDuration = TimeSpan.FromSeconds(o.CryptoSeconds);
        Console.WriteLine($"Crypto    one thread per loop, {o.CryptoSeconds:0.#} s each after a 1 s warm-up; QR text {sm2Qr.Length} characters (SM2), {p256Qr.Length} (P-256)");
        var sm2Sign = Loop("SM2-SM3 sign QR", () => CertificateQr.Sign(payload, sm2).Length > 0, cryptoDuration, ct);
        var p256Sign = Loop("ECDSA P-256 sign QR", () => SignP256().Length > 0, cryptoDuration, ct);
        var sm2Verify = Loop("SM2-SM3 verify QR", () => VerifySm2(sm2Qr), cryptoDuration, ct);
        var p256Verify = Loop("ECDSA P-256 verify QR", () => VerifyP256(p256Qr), cryptoDuration, ct);
        var fullCheck = Loop("CertificateVerifier.Verify with status list", () => CertificateVerifier.Verify(sm2Qr, published, list).Outcome == VerificationOutcome.Valid,
            cryptoDuration, ct);

        // ---- 2. Status-list look-ups: runtime GET against a static blob read ----
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct);
        var azuritePids = Program.AzuritePidsToKill = azurite.ProcessIds;
        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, o.RuntimeEnvironment);
        Program.RuntimeToKill = runtime;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = o.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/public/keys", UriKind.Relative), ct);
        Console.WriteLine($"Ready     after {startup.Elapsed.TotalSeconds:F1} s (pid {runtime.Id}, http://127.0.0.1:{port}/)");

        // Fill a list as the registry would: the application's issuer on the runtime's storage and key file.
        var noRetry = new TableClientOptions { Transport = new HttpClientTransport(new SocketsHttpHandler { UseProxy = false }) };
        var tables = new Tables(new TableServiceClient(azurite.ConnectionString, noRetry));
        var blobOptions = new BlobClientOptions { Transport = new HttpClientTransport(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = o.Concurrency }) };
        blobOptions.Retry.MaxRetries = 0;
        var blobs = new BlobServiceClient(azurite.ConnectionString, blobOptions);
        var signing = new CertificateSigningKeys(new KeyRing(new LocalKeyFileStore(Path.Combine(runtime.DataDirectory, "master-keys.json"))));
        var options = MsOptions.Create(new CivilAffairs.Application.Marriage.Certificates.CertificateOptions());
        var lists = new StatusListRepository(tables, blobs, signing, options, TimeProvider.System, NullLogger<StatusListRepository>.Instance);
        var issuer = new CertificateIssuer(new CertificateRepository(tables), lists, signing, options, TimeProvider.System, NullLogger<CertificateIssuer>.Instance);
        var fill = Stopwatch.StartNew();
        var issued = new List<IssuedCertificate>();
        for (var i = 0; i < o.Certificates; i++)
            issued.Add(await issuer.IssueAsync(new CertificateIssueRequest(CertificateKind.Marriage, $"JBENCH-{i:D6}", $"bench-{i}", ["张伟", "李娜"],
                new DateOnly(2026, 5, 20), "office-440106"), ct));
        var flipped = issued.Where((_, i) => i % 10 == 0).ToList();
        foreach (var c in flipped)
            await issuer.SetStateAsync(c.CertificateNumber, CertificateState.Ended, ct);
        var listId = issued[0].StatusListId;
        Console.WriteLine($"Filled    {issued.Count} certificates issued and {flipped.Count} flipped to ended in {fill.Elapsed.TotalSeconds:F1} s; list {listId} holds {issued.Count(c => c.StatusListId == listId)}");

        // Both sources must serve the same signed list, and it must verify a flipped certificate as ended.
        var keysJson = await http.GetStringAsync("api/public/keys", ct);
        var served = StatusListDocument.Parse(await http.GetStringAsync($"api/public/marriage/status-lists/{listId}", ct))!;
        var blob = blobs.GetBlobContainerClient(CertificateStorage.StatusListContainer).GetBlobClient($"{listId}.json");
        var stored = StatusListDocument.Parse((await blob.DownloadContentAsync(ct)).Value.Content.ToString())!;
        if (served.Signature != stored.Signature || CertificateVerifier.Verify(issued[0].QrText, PublishedKeySet.Parse(keysJson)!.Keys, served).Outcome != VerificationOutcome.Ended)
            throw new InvalidOperationException("The runtime and the blob do not serve the same verifiable list.");

        var listUri = new Uri($"api/public/marriage/status-lists/{listId}", UriKind.Relative);
        async Task<string?> ThroughRuntime(byte[] buffer, CancellationToken token)
        {
            using var response = await http.GetAsync(listUri, HttpCompletionOption.ResponseHeadersRead, token);
            await using var body = await response.Content.ReadAsStreamAsync(token);
            long length = 0;
            for (int n; (n = await body.ReadAsync(buffer, token)) > 0;) length += n;
            return response.StatusCode != HttpStatusCode.OK ? $"HTTP {(int)response.StatusCode}" : length == 0 ? "empty body" : null;
        }
        async Task<string?> StaticBlob(byte[] buffer, CancellationToken token)
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: token);
            await using var body = response.Value.Content;
            long length = 0;
            for (int n; (n = await body.ReadAsync(buffer, token)) > 0;) length += n;
            return response.GetRawResponse().Status != 200 ? $"HTTP {response.GetRawResponse().Status}" : length == 0 ? "empty body" : null;
        }
        Console.WriteLine($"Load      {o.Concurrency} concurrent, {o.WarmupSeconds:0.#} s warm-up + {o.Seconds:0.#} s measured per phase in {o.Rounds} alternating slices…");
        var results = await LoadRunner.RunAsync(
            [new("static blob read from Azurite (Blobs SDK)", StaticBlob), new($"GET /{listUri} through the runtime", ThroughRuntime)],
            o.Concurrency, TimeSpan.FromSeconds(o.WarmupSeconds), TimeSpan.FromSeconds(o.Seconds), o.Rounds,
            () => CpuSnapshot.Take(runtime.Id, azuritePids), ct);
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");

        var warnings = results.Select(p => Bench.DisturbedWarning(p.Name, p.CpuCores)).OfType<string>().ToList();
        var report = new CertificateReport(DateTimeOffset.Now, machine, o, served.EncodedList.Length,
            sm2Sign, p256Sign, Ratio(sm2Sign, p256Sign), sm2Verify, p256Verify, Ratio(sm2Verify, p256Verify), fullCheck,
            results[0], results[1], Math.Round(results[1].RequestsPerSecond / Math.Max(1, results[0].RequestsPerSecond), 3), warnings);
        Console.WriteLine();
        Console.WriteLine(Format(report));
        await Bench.WriteReportAsync(o.Out, report, ct);
        return results.Sum(r => r.Errors) == 0 ? 0 : 1;
    }

    static double Ratio(CryptoResult a, CryptoResult b) => Math.Round(a.PerSecond / Math.Max(1e-9, b.PerSecond), 3);

    /// <summary>Runs <paramref name="operation"/> on this thread for 1 s (discarded), then for <paramref name="duration"/>.</summary>
    static CryptoResult Loop(string name, Func<bool> operation, TimeSpan duration, CancellationToken ct)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(1)) if (!operation()) throw new InvalidOperationException($"{name} failed.");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < duration)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < 16; i++) if (!operation()) throw new InvalidOperationException($"{name} failed.");
            count += 16;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cores = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / seconds;
        var result = new CryptoResult(name, count, Math.Round(seconds, 2), Math.Round(count / seconds, 1), Math.Round(seconds * 1e6 / count, 1), Math.Round(cores, 2));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"          {name,-46} {result.PerSecond,10:F0} /s  ({result.MicrosecondsEach:F1} µs each)"));
        return result;
    }

    static string Format(CertificateReport r)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Marriage certificates — crypto {r.Settings.CryptoSeconds:0.#} s per loop; look-ups {r.Settings.Concurrency} concurrent, {r.Settings.Seconds:0.#} s measured after {r.Settings.WarmupSeconds:0.#} s warm-up ({r.Settings.Rounds} alternating slices), {RuntimeLocator.Configuration} build");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine();
        s.AppendLine("  crypto (one thread)                              ops/s    µs each");
        foreach (var c in new[] { r.Sm2Sign, r.P256Sign, r.Sm2Verify, r.P256Verify, r.FullOfflineCheck })
            s.AppendLine(CultureInfo.InvariantCulture, $"    {c.Name,-44} {c.PerSecond,8:F0} {c.MicrosecondsEach,10:F1}");
        s.AppendLine(CultureInfo.InvariantCulture, $"    ratio SM2 / P-256: sign {r.SignRatio:F2}, verify {r.VerifyRatio:F2}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"  status-list look-ups (encodedList {r.EncodedListChars} characters)   req/s     p50 ms   p95 ms   p99 ms   max ms   requests  errors   CPU cores: bench / runtime / azurite / other");
        foreach (var (label, p) in new[] { ("baseline (static blob)", r.Blob), ("runtime (HTTP GET)", r.Runtime) })
            s.AppendLine(CultureInfo.InvariantCulture,
                $"    {label,-48} {p.RequestsPerSecond,8:F0} {p.LatencyMs.P50,10:F2} {p.LatencyMs.P95,8:F2} {p.LatencyMs.P99,8:F2} {p.LatencyMs.Max,8:F1} {p.Requests,10} {p.Errors,7}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}");
        foreach (var p in new[] { r.Blob, r.Runtime })
            if (p.Errors > 0) s.AppendLine(CultureInfo.InvariantCulture, $"    errors in {p.Name}: {string.Join(", ", p.ErrorKinds.Select(kv => $"{kv.Key} × {kv.Value}"))}");
        s.Append(CultureInfo.InvariantCulture, $"    ratio runtime / static blob = {r.LookupRatio:F2}");
        foreach (var w in r.Warnings) s.AppendLine().Append("  WARNING: ").Append(w);
        return s.ToString();
    }
}

sealed record CryptoResult(string Name, long Operations, double Seconds, double PerSecond, double MicrosecondsEach, double CpuCores);

sealed record CertificateReport(
    DateTimeOffset Date,
    Machine Machine,
    CertificateBenchmarkOptions Settings,
    int EncodedListChars,
    CryptoResult Sm2Sign,
    CryptoResult P256Sign,
    double SignRatio,
    CryptoResult Sm2Verify,
    CryptoResult P256Verify,
    double VerifyRatio,
    CryptoResult FullOfflineCheck,
    PhaseResult Blob,
    PhaseResult Runtime,
    double LookupRatio,
    IReadOnlyList<string> Warnings);
