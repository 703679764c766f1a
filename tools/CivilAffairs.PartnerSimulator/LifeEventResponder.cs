using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Funeral.Deaths;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.PartnerSimulator;

/// <summary>
/// The partner units' side of life events on one machine: each subscribed unit reads its queue <c>partner-{code}-events</c>,
/// opens the sealed details with its key (as the unit's own system would, to close the pension, the account, the household
/// registration…), and answers with an acknowledgement receipt on <c>partner-event-receipts</c>: a CloudEvent of type
/// <see cref="CloudEvents.ReceiptType"/>, subject the event id, data <c>{"ciphertext":…}</c> = the <see cref="EventReceipt"/> sealed
/// with the unit's key, carrying the unit's own reference. Units named in <c>LateUnits</c> take the message but never answer
/// (the Tell Us Once page then shows them late); a copy of an event already answered is answered again (receipts are idempotent).
/// </summary>
public sealed class LifeEventResponder : IAsyncDisposable
{
    readonly QueueServiceClient queues;
    readonly PartnerCodec codec;
    readonly IReadOnlySet<string> late;
    readonly TimeSpan delay;
    readonly TimeSpan maxPoll;
    readonly ILogger logger;
    readonly CancellationTokenSource stopping = new();
    readonly List<Task> loops = [];
    long answered, seen;

    public LifeEventResponder(QueueServiceClient queues, PartnerCodec codec, IReadOnlyList<string> units, IReadOnlySet<string> lateUnits, TimeSpan delay, TimeSpan maxPoll, ILogger logger)
    {
        this.queues = queues;
        this.codec = codec;
        late = lateUnits;
        this.delay = delay;
        this.maxPoll = maxPoll;
        this.logger = logger;
        foreach (var unit in units) loops.Add(Task.Run(() => RunAsync(unit)));
    }

    public long Answered => Interlocked.Read(ref answered);
    public long Seen => Interlocked.Read(ref seen);

    async Task RunAsync(string unit)
    {
        var token = stopping.Token;
        var queue = queues.GetQueueClient(LifeEventQueues.Partner(unit));
        var receipts = queues.GetQueueClient(QueueNames.PartnerEventReceipts);
        try
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: token);
            await receipts.CreateIfNotExistsAsync(cancellationToken: token);
        }
        catch (OperationCanceledException) { return; }
        var idle = TimeSpan.FromMilliseconds(100);
        while (!token.IsCancellationRequested)
        {
            try
            {
                var messages = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromSeconds(60), token)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, token);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, maxPoll.Ticks));
                    continue;
                }
                idle = TimeSpan.FromMilliseconds(100);
                foreach (var message in messages) await HandleAsync(queue, receipts, unit, message, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Unit {Unit}: reading its life events failed ({Error}); retrying", unit, e.GetType().Name);
                try { await Task.Delay(TimeSpan.FromSeconds(1), token); } catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task HandleAsync(QueueClient queue, QueueClient receipts, string unit, QueueMessage message, CancellationToken token)
    {
        Interlocked.Increment(ref seen);
        OutboxEvent e;
        try
        {
            (e, var sealedDetails) = CloudEvents.Parse(message.MessageText);
            // The unit's system reads what it must act on; a death arrives with the person's details sealed for this unit only.
            if (e.Type == LifeEventTypes.PersonDied && sealedDetails is not null)
                _ = await codec.OpenEventAsync<PersonDiedDetails>(sealedDetails, unit, e.Type, e.Id, token);
        }
        catch (Exception x) when (x is CloudEventException or PartnerEnvelopeException)
        {
            logger.LogWarning("Unit {Unit}: life event message {MessageId} rejected ({Error}); deleted", unit, message.MessageId, x.Message);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
            return;
        }
        if (late.Contains(unit))
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
            return;
        }
        if (delay > TimeSpan.Zero) await Task.Delay(delay, token);
        var now = DateTimeOffset.UtcNow;
        var reference = $"{unit.ToUpperInvariant()}-{now:yyyyMMdd}-{Math.Abs(e.Id.GetHashCode()) % 1_000_000:D6}";
        var sealedReceipt = await codec.SealEventAsync(new EventReceipt(e.Id, unit, reference, now), unit, CloudEvents.ReceiptType, e.Id, token);
        var receipt = new JsonObject
        {
            ["specversion"] = CloudEvents.SpecVersion,
            ["id"] = Guid.NewGuid().ToString("N"),
            ["source"] = CloudEvents.ReceiptSource(unit),
            ["type"] = CloudEvents.ReceiptType,
            ["subject"] = e.Id,
            ["time"] = now.ToString("O"),
            ["datacontenttype"] = "application/json",
            ["data"] = new JsonObject { ["ciphertext"] = sealedReceipt },
        };
        await receipts.SendMessageAsync(receipt.ToJsonString(), token);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token);
        Interlocked.Increment(ref answered);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try { await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { /* stopping */ }
        stopping.Dispose();
    }
}
