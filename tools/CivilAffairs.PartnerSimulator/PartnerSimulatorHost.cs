using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Domain.Platform;
using CivilAffairs.PartnerSimulator.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivilAffairs.PartnerSimulator;

/// <summary>
/// Simulates the 60 partner units of household economic-status verification: polls every
/// <c>partner-&lt;code&gt;-requests</c> queue, opens each request with the unit's key, looks the person up in a
/// synthetic registry (<see cref="SyntheticRegistry"/>), answers the categories the unit supplies after a random
/// latency, and sends the sealed reply to <c>partner-replies</c>.
/// </summary>
/// <remarks>
/// Messages are base64, as Azure Functions queue triggers expect. A malformed message, or one that does not open
/// with the unit's key, is logged (ids and error kind only) and deleted. Outcomes are deterministic per
/// (seed, unit, request id) — latency, silence, failure and the reply content — and a redelivered request is
/// answered again with the same reply. The host reads no configuration files or environment variables.
/// </remarks>
public sealed class PartnerSimulatorHost : IAsyncDisposable
{
    const int MaxRemembered = 200_000;
    static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(50);

    readonly PartnerSimulatorOptions options;
    readonly PartnerCatalogue catalogue;
    readonly PartnerCodec codec;
    readonly QueueServiceClient queues;
    readonly QueueClient replies;
    readonly TimeProvider clock;
    readonly ILogger logger;
    readonly CancellationTokenSource stopping = new();
    readonly SemaphoreSlim slots;
    readonly ConcurrentDictionary<string, Lazy<Decision>> decisions = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<Task, byte> inFlight = new();
    readonly List<Task> pollers = [];
    TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long lastWakeTicks;
    long requestsSeen, repliesSent, silent, errors, malformed, redelivered, pollFailures;
    int disposed;

    PartnerSimulatorHost(PartnerSimulatorOptions options, PartnerCatalogue catalogue, IReadOnlyList<string> units, PartnerCodec codec,
        QueueServiceClient queues, SyntheticRegistry registry, ILogger logger)
    {
        this.options = options;
        this.catalogue = catalogue;
        this.codec = codec;
        this.queues = queues;
        this.logger = logger;
        Units = units;
        Registry = registry;
        replies = queues.GetQueueClient(PartnerQueues.Replies);
        clock = options.Clock ?? TimeProvider.System;
        slots = new SemaphoreSlim(options.MaxConcurrentRequests);
    }

    /// <summary>The simulated units.</summary>
    public IReadOnlyList<string> Units { get; }

    /// <summary>The synthetic population answers come from.</summary>
    public SyntheticRegistry Registry { get; }

    /// <summary>A snapshot of the counters.</summary>
    public SimulatorStats Stats => new(
        Interlocked.Read(ref requestsSeen), Interlocked.Read(ref repliesSent), Interlocked.Read(ref silent),
        Interlocked.Read(ref errors), Interlocked.Read(ref malformed), Interlocked.Read(ref redelivered), Interlocked.Read(ref pollFailures));

    /// <summary>The records the simulator holds about a person under <paramref name="seed"/> (same as <see cref="SyntheticRegistry.Lookup(int, string)"/>).</summary>
    public static RegistryPerson Lookup(int seed, string idNumber) => SyntheticRegistry.Lookup(seed, idNumber);

    /// <summary>The three fixed demo households (see <see cref="PartnerSimulator.Registry.DemoHouseholds"/>).</summary>
    public static IReadOnlyList<DemoHousehold> DemoHouseholds => PartnerSimulator.Registry.DemoHouseholds.All;

    /// <summary>Creates the queues if needed, loads (or creates) the key file, and starts polling.</summary>
    /// <exception cref="ArgumentException">Invalid options (unknown unit, rates outside 0–1, latency range…).</exception>
    public static async Task<PartnerSimulatorHost> StartAsync(PartnerSimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.StorageConnectionString)) throw new ArgumentException("StorageConnectionString is required.", nameof(options));
        if (string.IsNullOrWhiteSpace(options.KeyFilePath)) throw new ArgumentException("KeyFilePath is required.", nameof(options));
        if (options.MinLatency < TimeSpan.Zero || options.MaxLatency < options.MinLatency)
            throw new ArgumentException("Latency must satisfy 0 ≤ MinLatency ≤ MaxLatency.", nameof(options));
        if (options.FailureRate is < 0 or > 1 || options.SilenceRate is < 0 or > 1 || double.IsNaN(options.FailureRate) || double.IsNaN(options.SilenceRate))
            throw new ArgumentException("FailureRate and SilenceRate must be between 0 and 1.", nameof(options));
        if (options.Residents < 0) throw new ArgumentException("Residents must not be negative.", nameof(options));
        if (options.MaxConcurrentRequests < 1) throw new ArgumentException("MaxConcurrentRequests must be at least 1.", nameof(options));
        if (options.MaxPollInterval < MinPollInterval) throw new ArgumentException("MaxPollInterval must be at least 50 ms.", nameof(options));
        if (options.ReceiveTimeout < TimeSpan.FromMilliseconds(100)) throw new ArgumentException("ReceiveTimeout must be at least 100 ms.", nameof(options));

        var catalogue = PartnerCatalogue.Load();
        var units = (options.Units ?? catalogue.Units.Select(u => u.Code).ToList()).Distinct(StringComparer.Ordinal).ToList();
        var unknown = units.Concat(options.SilentUnits ?? new HashSet<string>()).Where(u => catalogue.Find(u) is null).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown partner units: {string.Join(", ", unknown)}.", nameof(options));

        var logger = options.LoggerFactory?.CreateLogger<PartnerSimulatorHost>() ?? (ILogger)NullLogger.Instance;
        var keyStore = new LocalPartnerKeyStore(options.KeyFilePath, catalogue.Units.Select(u => u.Code));
        var codec = new PartnerCodec(keyStore);
        await codec.WarmUpAsync(units, ct);

        PartnerSimulatorHost? host = null;
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        // Messages that are not base64 never reach the receive result; count, log and delete them here.
        queueOptions.MessageDecodingFailed += async args =>
        {
            if (args.ReceivedMessage is not { } message) return;
            host?.Malformed(args.Queue.Name, message.MessageId, "not base64");
            if (args.IsRunningSynchronously) args.Queue.DeleteMessage(message.MessageId, message.PopReceipt, args.CancellationToken);
            else await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken);
        };
        var queues = new QueueServiceClient(options.StorageConnectionString, queueOptions);
        await Task.WhenAll(units.Select(u => queues.GetQueueClient(PartnerQueues.RequestQueue(u)).CreateIfNotExistsAsync(cancellationToken: ct))
            .Append(queues.GetQueueClient(PartnerQueues.Replies).CreateIfNotExistsAsync(cancellationToken: ct)));

        host = new PartnerSimulatorHost(options, catalogue, units, codec, queues, new SyntheticRegistry(options.Seed, options.Residents), logger);
        foreach (var unit in units) host.pollers.Add(Task.Run(() => host.PollAsync(unit)));
        var eventUnits = options.EventUnits ?? CivilAffairs.Application.Platform.Events.LifeEventOptions.DefaultPartners.Keys.Order(StringComparer.Ordinal).ToList();
        if (eventUnits.Count > 0)
        {
            await codec.WarmUpAsync(eventUnits, ct);
            host.events = new LifeEventResponder(queues, codec, eventUnits, options.LateEventUnits, options.EventReceiptDelay, options.MaxPollInterval, logger);
        }
        logger.LogInformation("Partner simulator started: {Units} units, seed {Seed}, {Residents} residents, silent units [{Silent}]",
            units.Count, options.Seed, options.Residents, string.Join(",", options.SilentUnits ?? new HashSet<string>()));
        return host;
    }

    async Task PollAsync(string unit)
    {
        var token = stopping.Token;
        var queue = queues.GetQueueClient(PartnerQueues.RequestQueue(unit));
        var visibility = options.MaxLatency + TimeSpan.FromSeconds(60);
        var delay = MinPollInterval;
        var wokenPoll = false; // this poll was asked for by another poller (see WakeOthers)
        while (!token.IsCancellationRequested)
        {
            try
            {
                var free = Math.Min(32, Math.Max(1, slots.CurrentCount));
                // Not cancelled by the stop token: an abandoned receive still dequeues on the server and would hide
                // its messages for the whole lease. Messages received while stopping are released at once.
                QueueMessage[] messages;
                using (var receiveTimeout = new CancellationTokenSource(options.ReceiveTimeout))
                    messages = (await queue.ReceiveMessagesAsync(free, visibility, receiveTimeout.Token)).Value;
                if (token.IsCancellationRequested)
                {
                    foreach (var m in messages) await ReleaseAsync(queue, m);
                    break;
                }
                if (messages.Length == 0)
                {
                    // Idle: back off (with jitter, so the 60 pollers do not poll in step), unless another unit's queue
                    // has just had a request (see WakeOthers): then poll at once, keeping the backoff.
                    delay = TimeSpan.FromTicks(Math.Clamp(delay.Ticks * 2, MinPollInterval.Ticks, options.MaxPollInterval.Ticks));
                    var woken = Volatile.Read(ref wake).Task;
                    var jittered = delay * (0.5 + Random.Shared.NextDouble());
                    wokenPoll = await Task.WhenAny(Task.Delay(jittered, token), woken) == woken;
                    token.ThrowIfCancellationRequested();
                    continue;
                }
                // A full batch: there may be more, poll again at once. Fewer: the queue is drained, so keep backing off;
                // a poller that was idle tells the others (the platform asks every unit at once).
                if (messages.Length == free) delay = TimeSpan.Zero;
                else if (!wokenPoll) WakeOthers();
                wokenPoll = false;
                for (var i = 0; i < messages.Length; i++)
                {
                    var message = messages[i];
                    try { await slots.WaitAsync(token); }
                    catch (OperationCanceledException)
                    {
                        foreach (var m in messages.Skip(i)) await ReleaseAsync(queue, m);
                        throw;
                    }
                    var task = Task.Run(() => HandleAsync(queue, unit, message, token), CancellationToken.None);
                    inFlight.TryAdd(task, 0);
                    _ = task.ContinueWith(t => inFlight.TryRemove(t, out _), TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Nothing but stopping ends a unit's poller. A receive that ran past its own timeout (Azurite busy for
                // longer, which happens on one machine under load) surfaces as a cancellation that is not ours; letting
                // it escape ended the poller and the unit went silent for good, stalling every household it was asked about.
                // The messages such a receive took reappear when their lease ends.
                Interlocked.Increment(ref pollFailures);
                logger.LogWarning("Unit {Unit}: polling {Queue} failed ({Error}); retrying", unit, queue.Name, e.GetType().Name);
                try { await Task.Delay(TimeSpan.FromSeconds(1), token); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>
    /// Ends the idle wait of every other unit's poller. The platform asks all units at once (one request per unit and
    /// household), so a request found on one idle queue means the others have theirs too; without this each round
    /// waited for the slowest of 60 backed-off pollers (up to the longest poll interval) on top of the simulated latency.
    /// At most once per shortest poll interval, so a round's 60 receives do not wake each other again.
    /// </summary>
    void WakeOthers()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastWakeTicks);
        if (now - last < MinPollInterval.TotalMilliseconds || Interlocked.CompareExchange(ref lastWakeTicks, now, last) != last) return;
        Interlocked.Exchange(ref wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    async Task ReleaseAsync(QueueClient queue, QueueMessage message)
    {
        try { await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero); }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException or TimeoutException)
        {
            logger.LogWarning("Message {MessageId} on {Queue} not released ({Error}); it reappears when its lease ends", message.MessageId, queue.Name, e.GetType().Name);
        }
    }

    async Task HandleAsync(QueueClient queue, string unitCode, QueueMessage message, CancellationToken token)
    {
        try
        {
            Interlocked.Increment(ref requestsSeen);
            VerificationRequest request;
            try
            {
                var envelope = PartnerCodec.Parse(message.Body.ToString());
                request = await codec.OpenRequestAsync(envelope, unitCode, token);
            }
            catch (PartnerEnvelopeException e)
            {
                Malformed(queue.Name, message.MessageId, e.Error.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                return;
            }

            var key = unitCode + "|" + request.RequestId;
            var fresh = false;
            var decision = decisions.GetOrAdd(key, _ =>
            {
                fresh = true;
                return new Lazy<Decision>(() => Decide(unitCode, request));
            }).Value;
            if (!fresh) Interlocked.Increment(ref redelivered);
            if (decisions.Count > MaxRemembered) decisions.Clear();

            if (decision.Reply is null)
            {
                Interlocked.Increment(ref silent);
                logger.LogDebug("Unit {Unit}: request {RequestId} left unanswered (silent)", unitCode, request.RequestId);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
                return;
            }

            await Task.Delay(decision.Latency, token);
            var sealedReply = await codec.SealReplyAsync(decision.Reply, token);
            await replies.SendMessageAsync(PartnerCodec.Serialize(sealedReply), token);
            Interlocked.Increment(ref repliesSent);
            if (decision.Reply.Subjects.Any(r => r.Status == ReplyStatus.Error)) Interlocked.Increment(ref errors);
            logger.LogDebug("Unit {Unit}: replied to request {RequestId} about {Members} member(s)", unitCode, request.RequestId, decision.Reply.Subjects.Count);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: the message is made visible again and answered (identically) next time.
            await ReleaseAsync(queue, message);
        }
        catch (Exception e)
        {
            logger.LogWarning("Unit {Unit}: message {MessageId} not handled ({Error}); it will be redelivered", unitCode, message.MessageId, e.GetType().Name);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Latency, silence, failure and reply content for one request: deterministic per (seed, unit, request id).</summary>
    Decision Decide(string unitCode, VerificationRequest request)
    {
        var unit = catalogue.Find(unitCode)!;
        var rng = DeterministicRandom.For(options.Seed, "delivery", unitCode, request.RequestId);
        var latency = options.MinLatency + (options.MaxLatency - options.MinLatency) * rng.NextDouble();
        var silenceDraw = rng.NextDouble();
        var failureDraw = rng.NextDouble();

        var validOn = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1);
        var people = request.Subjects.Select(subject =>
        {
            var id = IdNumber.Validate(subject.IdNumber, validOn);
            return (subject.MemberRef, Person: id.IsValid ? Registry.Lookup(id.Normalized) : null);
        }).ToList();
        // A unit answers a request whole or not at all: silent about anyone in it, it does not answer.
        if ((options.SilentUnits?.Contains(unitCode) ?? false) || people.Any(p => p.Person?.SilentUnits.Contains(unitCode) ?? false) || silenceDraw < options.SilenceRate)
            return new Decision(latency, null);

        var answeredAt = ChinaTime.ToChina(clock.GetUtcNow() + latency);
        var failed = failureDraw < options.FailureRate;
        var subjects = people.Select(p =>
        {
            if (failed) return new SubjectReply(p.MemberRef, ReplyStatus.Error, new Dictionary<string, decimal>(), new Dictionary<string, string>());
            if (p.Person is null) return new SubjectReply(p.MemberRef, ReplyStatus.NotFound, new Dictionary<string, decimal>(), new Dictionary<string, string>());
            var answer = p.Person.AnswerFor(unit, request.Categories);
            return new SubjectReply(p.MemberRef, answer.Status, answer.Figures, answer.Facts);
        }).ToList();
        return new Decision(latency, new VerificationReply(request.RequestId, request.CorrelationId, unitCode, subjects, answeredAt));
    }

    void Malformed(string queueName, string messageId, string reason)
    {
        Interlocked.Increment(ref malformed);
        logger.LogWarning("Queue {Queue}: malformed request message {MessageId} deleted ({Reason})", queueName, messageId, reason);
    }

    sealed record Decision(TimeSpan Latency, VerificationReply? Reply);

    /// <summary>Stops polling and waits for requests in hand (those not finished are redelivered later).</summary>
    LifeEventResponder? events;

    /// <summary>The life-event side (receipts of Tell Us Once), if any unit answers events.</summary>
    public LifeEventResponder? Events => events;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await stopping.CancelAsync();
        if (events is not null) await events.DisposeAsync();
        try
        {
            await Task.WhenAll(pollers.Concat(inFlight.Keys)).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception)
        {
            // Stopping: handlers end with cancellation; nothing to report.
        }
        stopping.Dispose();
        logger.LogInformation("Partner simulator stopped: {Stats}", Stats);
    }
}
