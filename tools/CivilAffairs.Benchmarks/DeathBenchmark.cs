using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// <c>deaths</c> mode: death registrations through the platform fanned out as <c>person.died</c> to every partner unit and
/// acknowledged by the partner simulator (Tell Us Once), against a bare table-write + 9-queue fan-out + receipts on the same
/// Azurite in the same run. See README.md and <see cref="DeathOptions.Usage"/>.
/// </summary>
static class DeathBenchmark
{
    const string Officer = "shipai-officer";
    const string Jurisdiction = "440106008001";

    /// <summary>The partner units subscribed to <c>person.died</c> (the platform's default subscriptions).</summary>
    static readonly string[] Units = [.. LifeEventOptions.DefaultPartners.Where(p => p.Value.Contains(LifeEventTypes.PersonDied)).Select(p => p.Key).Order(StringComparer.Ordinal)];

    /// <summary>One death: when it was sent (wall clock and stopwatch), the request's outcome, its last acknowledgement.</summary>
    sealed class Death
    {
        public int Index;
        public string IdNumber = "";
        public DateTimeOffset SentAtUtc;
        public long SentAt;
        public double? RequestMs;
        public string? DeathId;
        public string? EventId;
        public string? Error;
        public DateTimeOffset? LastAckUtc;
        public long? LastAckTicks;   // baseline: stopwatch time of the 9th receipt
        public int Acknowledged;
        public bool Complete => LastAckUtc is not null || LastAckTicks is not null;
        public double? EndToEndMs => LastAckTicks is { } t ? Stopwatch.GetElapsedTime(SentAt, t).TotalMilliseconds
            : LastAckUtc is { } a ? (a - SentAtUtc).TotalMilliseconds : null;
    }

    public static async Task<int> RunAsync(DeathOptions o, CancellationToken ct)
    {
        var dll = await RuntimeLocator.LocateAsync(o.RuntimeDll, o.NoBuild, ct);
        Console.WriteLine($"Runtime   {dll} (built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})");
        var machine = Bench.ThisMachine();
        Console.WriteLine(Bench.MachineLine(machine));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Load      {o.Deaths} deaths open loop at {o.PerMinute:0.#}/min (at most {o.MaxInFlight} in flight) after {o.Warmup} warm-up deaths; {Units.Length} partner units: {string.Join(", ", Units)}"));

        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0, ct);
        var azuritePids = Program.AzuritePidsToKill = azurite.ProcessIds;
        Console.WriteLine($"Azurite   in memory (node pids {string.Join('/', azuritePids)} for blob/queue/table)");

        var (platform, messageChars) = await PlatformPhaseAsync(o, dll, azurite, ct);
        DeathPhase? baseline = null;
        if (!o.SkipBaseline) baseline = await BaselinePhaseAsync(o, azurite, messageChars, ct);

        var warnings = new List<string>();
        foreach (var p in new[] { platform, baseline }.OfType<DeathPhase>())
            if (Bench.DisturbedWarning(p.Name, p.CpuCores) is { } disturbed) warnings.Add(disturbed);
        static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 2) : 0;
        var report = new DeathReport(DateTimeOffset.Now, machine,
            new DeathSettings(o.Deaths, o.PerMinute, o.TimeoutSeconds, o.MaxInFlight, o.Warmup, o.ReceiptDelayMs, o.PartnerPollMs, Units.Length, messageChars,
                RuntimeLocator.Configuration, dll),
            platform, baseline,
            baseline is null ? null : Ratio(platform.EndToEndMs.P50, baseline.EndToEndMs.P50),
            baseline is null ? null : Ratio(platform.EndToEndMs.P95, baseline.EndToEndMs.P95), warnings);
        Console.WriteLine();
        Console.WriteLine(Format(report));
        Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        await Bench.WriteReportAsync(o.Out, report, ct);
        var failed = platform.Errors + (platform.Deaths - platform.Complete) + (baseline is null ? 0 : baseline.Errors + baseline.Deaths - baseline.Complete);
        return failed == 0 ? 0 : 1;
    }

    // ---------------- platform ----------------

    static async Task<(DeathPhase Phase, int MessageChars)> PlatformPhaseAsync(DeathOptions o, string dll, Azurite azurite, CancellationToken ct)
    {
        var poll = o.PartnerPollMs.ToString(CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string>
        {
            ["Runtime__WeChatSimulatorPort"] = "0",
            ["Runtime__TerminalSimulator__Enabled"] = "false",
            ["Runtime__PartnerSimulator__Enabled"] = "true",
            ["Runtime__PartnerSimulator__LateEventUnits"] = "",
            ["Runtime__PartnerSimulator__SilentUnits"] = "",
            ["Runtime__PartnerSimulator__FailureRate"] = "0",
            ["Runtime__PartnerSimulator__SilenceRate"] = "0",
            ["Runtime__PartnerSimulator__EventReceiptDelayMs"] = o.ReceiptDelayMs.ToString(CultureInfo.InvariantCulture),
            ["Runtime__PartnerSimulator__MaxPollIntervalMs"] = poll,
            // Nothing should be resent or marked late while the run is still draining: the deadline is beyond any timeout.
            ["Funeral__TellUsOnce__AcknowledgementDeadline"] = TimeSpan.FromSeconds(o.TimeoutSeconds + 3600).ToString("c", CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in o.RuntimeEnvironment) settings[k] = v;
        var port = Azurite.FreePort();
        await using var runtime = RuntimeProcess.Start(dll, port, azurite.ConnectionString, settings);
        Program.RuntimeToKill = runtime;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, MaxConnectionsPerServer = o.MaxInFlight })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromSeconds(120),
        };
        var startup = Stopwatch.StartNew();
        await Program.WaitUntilReadyAsync(http, runtime, new Uri("api/catalog/services/GZ-SA-001", UriKind.Relative), ct);
        Console.WriteLine($"Platform  runtime pid {runtime.Id}, http://127.0.0.1:{port}/, ready after {startup.Elapsed.TotalSeconds:F1} s");
        var token = (await Bench.TokensAsync(http, [Officer], ct))[Officer];

        // Set-up (not timed): the deceased-to-be in the person index.
        var all = Enumerable.Range(0, o.Warmup + o.Deaths).Select(i => new Death { Index = i, IdNumber = IdNumberOf(i) }).ToList();
        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (d, token2) =>
        {
            using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/persons", token, new
            {
                name = "基准逝者" + ToChineseNumber(d.Index), idNumber = d.IdNumber, jurisdiction = Jurisdiction, address = "天河路 " + (d.Index + 1) + " 号",
            }, token2);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"person {d.Index}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token2)}");
        });
        Console.WriteLine($"Platform  {all.Count} persons registered over HTTP in {setup.Elapsed.TotalSeconds:F1} s");

        var tables = new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Transport = new HttpClientTransport(new SocketsHttpHandler { UseProxy = false }) });
        var events = tables.GetTableClient(TableNames.LifeEvents);

        async Task Send(Death d, CancellationToken token2)
        {
            d.SentAtUtc = DateTimeOffset.UtcNow;
            d.SentAt = Stopwatch.GetTimestamp();
            try
            {
                using var response = await Bench.SendAsync(http, HttpMethod.Post, "api/funeral/deaths", token, new
                {
                    idNumber = d.IdNumber,
                    dateOfDeath = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    placeOfDeath = "广州市第一人民医院",
                    certificate = new { kind = "medical", number = "YXB" + d.Index.ToString("D8", CultureInfo.InvariantCulture), issuedBy = "广州市第一人民医院" },
                }, token2);
                d.RequestMs = Stopwatch.GetElapsedTime(d.SentAt).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Created) { d.Error = $"HTTP {(int)response.StatusCode}"; return; }
                d.DeathId = (await response.Content.ReadFromJsonAsync<JsonElement>(token2)).GetProperty("id").GetString();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token2.IsCancellationRequested)
            {
                d.Error = e.GetType().Name;
            }
        }

        // The acknowledgements as the platform recorded them, read from the LifeEvents table for the deaths not yet complete.
        async Task CheckAsync(Death d, CancellationToken token2)
        {
            if (d.DeathId is null || d.Complete) return;
            if (d.EventId is null)
            {
                await foreach (var row in events.QueryAsync<TableEntity>(x => x.PartitionKey == $"s|{LifeEventTypes.PersonDied}|{d.DeathId}", maxPerPage: 1, select: ["RowKey"], cancellationToken: token2))
                {
                    d.EventId = row.RowKey;
                    break;
                }
                if (d.EventId is null) return;
            }
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {d.EventId} and RowKey ge {"partner|"} and RowKey lt {"partner}"}");
            var acks = new List<DateTimeOffset>();
            await foreach (var row in events.QueryAsync<TableEntity>(filter, select: ["AcknowledgedAt"], cancellationToken: token2))
                if (row.GetDateTimeOffset("AcknowledgedAt") is { } at) acks.Add(at);
            d.Acknowledged = acks.Count;
            if (acks.Count >= Units.Length) d.LastAckUtc = acks.Max();
        }

        // Warm-up (discarded); meanwhile one event is peeked on a partner queue for the baseline's message size.
        var warm = all.Take(o.Warmup).ToList();
        var measured = all.Skip(o.Warmup).ToList();
        var messageChars = 0;
        if (warm.Count > 0)
        {
            Console.WriteLine($"  platform: warm-up, {warm.Count} deaths…");
            var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            using var peeking = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var peek = Task.Run(async () =>
            {
                while (!peeking.IsCancellationRequested && messageChars == 0)
                {
                    foreach (var unit in Units)
                    {
                        try
                        {
                            var peeked = await queues.GetQueueClient(LifeEventQueues.Partner(unit)).PeekMessagesAsync(1, peeking.Token);
                            if (peeked.Value.Length > 0) { messageChars = peeked.Value[0].MessageText.Length; break; }
                        }
                        catch (RequestFailedException) { }
                        catch (OperationCanceledException) { return; }
                    }
                    try { await Task.Delay(5, peeking.Token); } catch (OperationCanceledException) { return; }
                }
            }, CancellationToken.None);
            foreach (var d in warm) await Send(d, ct);
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(120) && warm.Any(d => d.DeathId is not null && !d.Complete))
            {
                await Task.Delay(500, ct);
                foreach (var d in warm) await CheckAsync(d, ct);
            }
            await peeking.CancelAsync();
            await peek;
            var done = warm.Where(d => d.Complete).Select(d => d.EndToEndMs!.Value).ToList();
            Console.WriteLine($"  platform: warm-up {done.Count} of {warm.Count} acknowledged by all units" + (done.Count > 0 ? $" (max {done.Max():F0} ms)" : "")
                + (warm.FirstOrDefault(d => d.Error is not null)?.Error is { } we ? $"; error {we}" : ""));
        }
        if (messageChars == 0)
        {
            // Not caught on a queue: a CloudEvent of this shape with its sealed details is about this long.
            messageChars = 900;
            Console.WriteLine($"  platform: no partner message peeked; the baseline uses {messageChars} characters");
        }
        else Console.WriteLine($"  platform: a partner's person.died CloudEvent is {messageChars} characters; the baseline sends the same size");

        var phase = await RunArrivalsAsync("platform", o, measured, Send, (d, t) => CheckAsync(d, t), () => CpuSnapshot.Take(runtime.Id, azurite.ProcessIds),
            runtime, ct);
        if (runtime.HasExited) throw new InvalidOperationException($"The runtime exited during the run (code {runtime.ExitCode}).{Environment.NewLine}{runtime.Tail()}");
        Program.RuntimeToKill = null;
        return (phase, messageChars);
    }

    // ---------------- baseline ----------------

    static async Task<DeathPhase> BaselinePhaseAsync(DeathOptions o, Azurite azurite, int messageChars, CancellationToken ct)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 };
        var transport = new HttpClientTransport(handler);
        var tables = new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Transport = transport });
        var queues = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { Transport = transport, MessageEncoding = QueueMessageEncoding.Base64 }); // as the platform's queues
        var deathsTable = tables.GetTableClient("BenchBareDeaths");
        await deathsTable.CreateIfNotExistsAsync(ct);
        var unitQueues = Units.Select(u => queues.GetQueueClient($"bench-bare-{u}")).ToArray();
        var receipts = queues.GetQueueClient("bench-bare-receipts");
        foreach (var q in unitQueues.Append(receipts)) await q.CreateIfNotExistsAsync(cancellationToken: ct);
        Console.WriteLine($"Baseline  runtime stopped; bare fan-out on the same Azurite: table BenchBareDeaths, queues bench-bare-{{unit}} × {Units.Length}, bench-bare-receipts");

        var byId = new ConcurrentDictionary<string, Death>(StringComparer.Ordinal);
        var maxPoll = TimeSpan.FromMilliseconds(o.PartnerPollMs);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // parallel: handle a batch's messages at once (as a Functions queue trigger does), else one after the other (as the simulator does).
        async Task PollLoop(QueueClient queue, int batch, bool parallel, Func<Azure.Storage.Queues.Models.QueueMessage, CancellationToken, Task> handle)
        {
            var idle = TimeSpan.FromMilliseconds(100);
            var token = stopping.Token;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var messages = (await queue.ReceiveMessagesAsync(batch, TimeSpan.FromSeconds(60), token)).Value;
                    if (messages.Length == 0)
                    {
                        await Task.Delay(idle, token);
                        idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, maxPoll.Ticks));
                        continue;
                    }
                    idle = TimeSpan.FromMilliseconds(100);
                    async Task One(Azure.Storage.Queues.Models.QueueMessage m)
                    {
                        await handle(m, token);
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, token);
                    }
                    if (parallel) await Task.WhenAll(messages.Select(One));
                    else foreach (var m in messages) await One(m);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested) { return; }
                catch (RequestFailedException) { await Task.Delay(100, CancellationToken.None); }
            }
        }
        // One bare responder per unit queue: read the event, answer with a receipt on the one receipts queue.
        var loops = new List<Task>();
        for (var u = 0; u < Units.Length; u++)
        {
            var unit = Units[u];
            loops.Add(Task.Run(() => PollLoop(unitQueues[Array.IndexOf(Units, unit)], 16, false, async (m, token) =>
            {
                var e = JsonNode.Parse(m.MessageText)!;
                if (o.ReceiptDelayMs > 0) await Task.Delay(o.ReceiptDelayMs, token);
                var receipt = new JsonObject
                {
                    ["specversion"] = "1.0", ["id"] = Guid.NewGuid().ToString("N"), ["source"] = "urn:bench:partner:" + unit, ["type"] = "bench.receipt",
                    ["subject"] = e["subject"]!.GetValue<string>(), ["time"] = DateTimeOffset.UtcNow.ToString("O"), ["datacontenttype"] = "application/json",
                    ["data"] = new JsonObject { ["unit"] = unit, ["reference"] = unit.ToUpperInvariant() + "-" + m.MessageId[..8] },
                };
                await receipts.SendMessageAsync(receipt.ToJsonString(), token);
            }), CancellationToken.None));
        }
        // The bare consumer: counts receipts per death, the 9th completes it (batches of 32 handled in parallel).
        loops.Add(Task.Run(() => PollLoop(receipts, 32, true, (m, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            var subject = JsonNode.Parse(m.MessageText)!["subject"]!.GetValue<string>();
            if (byId.TryGetValue(subject, out var d) && Interlocked.Increment(ref d.Acknowledged) == Units.Length)
            {
                d.LastAckTicks = now;
                d.LastAckUtc = DateTimeOffset.UtcNow;
            }
            return Task.CompletedTask;
        }), CancellationToken.None));

        async Task Send(Death d, CancellationToken token)
        {
            var id = Guid.NewGuid().ToString("N");
            d.DeathId = id;
            byId[id] = d;
            d.SentAtUtc = DateTimeOffset.UtcNow;
            d.SentAt = Stopwatch.GetTimestamp();
            try
            {
                var cloudEvent = new JsonObject
                {
                    ["specversion"] = "1.0", ["id"] = Guid.NewGuid().ToString("N"), ["source"] = "urn:bench:deaths", ["type"] = "person.died", ["subject"] = id,
                    ["time"] = d.SentAtUtc.ToString("O"), ["datacontenttype"] = "application/json",
                    ["data"] = new JsonObject { ["deathId"] = id, ["dateOfDeath"] = "2026-12-04", ["jurisdiction"] = Jurisdiction },
                };
                var bare = cloudEvent.ToJsonString();
                cloudEvent["padding"] = new string('x', Math.Max(0, messageChars - bare.Length - 13));
                var message = cloudEvent.ToJsonString();
                await deathsTable.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(id, "death") { ["DateOfDeath"] = "2026-12-04", ["Jurisdiction"] = Jurisdiction }),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(id, "event") { ["Type"] = "person.died", ["Data"] = message }),
                ], token);
                await Task.WhenAll(unitQueues.Select(q => q.SendMessageAsync(message, token)));
                d.RequestMs = Stopwatch.GetElapsedTime(d.SentAt).TotalMilliseconds;
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
                d.Error = e.GetType().Name;
            }
        }

        var all = Enumerable.Range(0, o.Warmup + o.Deaths).Select(i => new Death { Index = i }).ToList();
        if (o.Warmup > 0)
        {
            var warm = all.Take(o.Warmup).ToList();
            foreach (var d in warm) await Send(d, ct);
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(60) && warm.Any(d => d.Error is null && !d.Complete)) await Task.Delay(100, ct);
            Console.WriteLine($"  baseline: warm-up {warm.Count(d => d.Complete)} of {warm.Count} complete");
        }
        try
        {
            return await RunArrivalsAsync("baseline", o, all.Skip(o.Warmup).ToList(), Send, null, () => CpuSnapshot.Take(null, azurite.ProcessIds), null, ct);
        }
        finally
        {
            await stopping.CancelAsync();
            try { await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None); } catch (Exception) { /* stopping */ }
        }
    }

    // ---------------- shared ----------------

    /// <summary>Open-loop arrivals at the rate (bounded in flight), then waiting for completion up to the timeout.</summary>
    static async Task<DeathPhase> RunArrivalsAsync(string name, DeathOptions o, IReadOnlyList<Death> deaths, Func<Death, CancellationToken, Task> send,
        Func<Death, CancellationToken, Task>? check, Func<CpuSnapshot> cpu, RuntimeProcess? runtime, CancellationToken ct)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {deaths.Count} deaths at {o.PerMinute:0.#}/min…"));
        using var gate = new SemaphoreSlim(o.MaxInFlight);
        var from = cpu();
        var start = Stopwatch.GetTimestamp();
        var startUtc = DateTimeOffset.UtcNow;
        var sends = new List<Task>(deaths.Count);
        double heldBack = 0;

        // Completion checks (platform only) every 2 s for the deaths registered but not yet complete, 4 at a time.
        using var checking = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var checker = check is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!checking.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(2000, checking.Token);
                    var open = deaths.Where(d => d.DeathId is not null && !d.Complete).ToList();
                    await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = checking.Token }, async (d, t) =>
                    {
                        try { await check(d, t); } catch (RequestFailedException) { }
                    });
                }
                catch (OperationCanceledException) { return; }
            }
        }, CancellationToken.None);

        for (var i = 0; i < deaths.Count; i++)
        {
            var due = TimeSpan.FromMinutes(i / o.PerMinute) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            await gate.WaitAsync(ct);
            // How far behind its schedule this arrival went out (the gate's waits add up).
            heldBack = Math.Max(heldBack, (Stopwatch.GetElapsedTime(start) - TimeSpan.FromMinutes(i / o.PerMinute)).TotalSeconds);
            var d = deaths[i];
            sends.Add(Task.Run(async () => { try { await send(d, ct); } finally { gate.Release(); } }, CancellationToken.None));
        }
        await Task.WhenAll(sends);
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var ok = deaths.Count(d => d.Error is null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {ok} of {deaths.Count} registered in {sendSeconds:F1} s; waiting for the acknowledgements (at most {o.TimeoutSeconds:0} s)…"));

        var waited = Stopwatch.StartNew();
        var lastReport = 0;
        while (waited.Elapsed < TimeSpan.FromSeconds(o.TimeoutSeconds) && deaths.Any(d => d.Error is null && !d.Complete))
        {
            if (runtime is { HasExited: true }) break;
            await Task.Delay(250, ct);
            if ((int)waited.Elapsed.TotalSeconds / 15 > lastReport)
            {
                lastReport = (int)waited.Elapsed.TotalSeconds / 15;
                Console.WriteLine($"  {name}: {deaths.Count(d => d.Complete)} of {ok} complete after {waited.Elapsed.TotalSeconds:F0} s…");
            }
        }
        await checking.CancelAsync();
        await checker;
        if (check is not null)
            foreach (var d in deaths.Where(d => d.Error is null && !d.Complete))
                try { await check(d, ct); } catch (RequestFailedException) { }
        var to = cpu();

        var complete = deaths.Where(d => d.Complete).ToList();
        var endToEnd = complete.Select(d => d.EndToEndMs!.Value).ToList();
        var requests = deaths.Where(d => d.RequestMs is not null && d.Error is null).Select(d => d.RequestMs!.Value).ToList();
        // Acknowledgements per second: every unit's receipt of the complete deaths, from the first arrival to the last receipt.
        var lastAck = complete.Count > 0 ? complete.Max(d => d.LastAckUtc!.Value) : startUtc;
        var ackSeconds = Math.Max(0.001, (lastAck - startUtc).TotalSeconds);
        var acks = deaths.Sum(d => Math.Min(d.Acknowledged, Units.Length));
        var errors = deaths.Where(d => d.Error is not null).GroupBy(d => d.Error!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var phase = new DeathPhase(name, deaths.Count, ok, complete.Count, deaths.Count - ok, errors,
            Math.Round(ok / sendSeconds * 60, 1), Math.Round(sendSeconds, 1), Math.Round(heldBack, 1),
            Bench.Percentiles(requests.Count > 0 ? requests : [0]), Bench.Percentiles(endToEnd.Count > 0 ? endToEnd : [0]),
            acks, Math.Round(acks / ackSeconds, 1), Math.Round(ackSeconds, 1), Bench.Cores(from, to),
            runtime?.PartitionTableTimeouts ?? 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {phase.Complete} of {phase.Deaths} acknowledged by all {Units.Length} units; registration → last acknowledgement p50 {phase.EndToEndMs.P50:F0} ms, p95 {phase.EndToEndMs.P95:F0} ms, max {phase.EndToEndMs.Max:F0} ms; {phase.AcknowledgementsPerSecond:F1} acks/s"));
        return phase;
    }

    static string IdNumberOf(int i)
    {
        var birth = new DateOnly(1935, 1, 1).AddDays(i);
        var first17 = "440106" + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (100 + i % 900).ToString(CultureInfo.InvariantCulture);
        return first17 + IdNumber.ComputeCheckCharacter(first17);
    }

    static string ToChineseNumber(int i) => string.Concat(i.ToString(CultureInfo.InvariantCulture).Select(c => "零一二三四五六七八九"[c - '0']));

    static string Format(DeathReport r)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Death fan-out (Tell Us Once) — {r.Settings.Deaths} deaths at {r.Settings.PerMinute:0.#}/min, {r.Settings.Units} partner units, CloudEvent {r.Settings.MessageChars} characters, {r.Settings.Configuration} build");
        s.AppendLine(Bench.MachineLine(r.Machine));
        s.AppendLine("              deaths  registered  complete  errors  rate/min  sent in s   request p50/p95/max ms    to last ack p50 / p95 / max ms   acks/s   CPU cores: bench / runtime / azurite / other");
        foreach (var p in new[] { r.Platform, r.Baseline }.OfType<DeathPhase>())
            s.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p.Name,-10} {p.Deaths,7} {p.Registered,11} {p.Complete,9} {p.Errors,7} {p.RatePerMinute,9:F0} {p.SendSeconds,10:F1}   {p.RequestMs.P50,6:F0} / {p.RequestMs.P95,5:F0} / {p.RequestMs.Max,6:F0}    {p.EndToEndMs.P50,8:F0} / {p.EndToEndMs.P95,6:F0} / {p.EndToEndMs.Max,6:F0}   {p.AcknowledgementsPerSecond,7:F1}   {p.CpuCores.Benchmark:F2} / {p.CpuCores.Runtime:F2} / {p.CpuCores.Azurite:F2} / {p.CpuCores.OtherProcesses:F2}"));
        if (r.P50Ratio is { } p50 && r.P95Ratio is { } p95)
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  registration → last acknowledgement, platform / bare fan-out: p50 {p50:F2}, p95 {p95:F2}"));
        foreach (var p in new[] { r.Platform, r.Baseline }.OfType<DeathPhase>())
        {
            foreach (var (kind, n) in p.ErrorKinds) s.AppendLine($"  {p.Name} errors: {kind} × {n}");
            if (p.HeldBackSeconds > 5) s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  warning: {p.Name} arrivals fell up to {p.HeldBackSeconds:F1} s behind their schedule, held back by --max-in-flight (not open loop any more)"));
        }
        if (r.Platform.PartitionTableTimeouts > 0) s.AppendLine($"  platform: {r.Platform.PartitionTableTimeouts} Durable partition-table timeouts logged");
        foreach (var w in r.Warnings) s.AppendLine($"  warning: {w}");
        return s.ToString();
    }
}

sealed record DeathSettings(int Deaths, double PerMinute, double TimeoutSeconds, int MaxInFlight, int Warmup, int ReceiptDelayMs, int PartnerPollMs, int Units,
    int MessageChars, string Configuration, string RuntimeDll);

sealed record DeathPhase(string Name, int Deaths, int Registered, int Complete, int Errors, IReadOnlyDictionary<string, int> ErrorKinds, double RatePerMinute,
    double SendSeconds, double HeldBackSeconds, Latency RequestMs, Latency EndToEndMs, int Acknowledgements, double AcknowledgementsPerSecond,
    double AcknowledgementSeconds, CpuUse CpuCores, long PartitionTableTimeouts);

sealed record DeathReport(DateTimeOffset At, Machine Machine, DeathSettings Settings, DeathPhase Platform, DeathPhase? Baseline, double? P50Ratio, double? P95Ratio,
    IReadOnlyList<string> Warnings);
