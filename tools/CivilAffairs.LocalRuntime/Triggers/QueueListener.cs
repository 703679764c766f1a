using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Triggers;

/// <summary>
/// Serves Storage-queue-triggered functions as the Functions host does: polls with back-off up
/// to <c>maxPollingInterval</c>, takes batches of <c>batchSize</c> and fetches the next batch
/// when in-flight messages drop to <c>newBatchThreshold</c>; a failed message becomes visible
/// again after <c>visibilityTimeout</c>; after <c>maxDequeueCount</c> attempts it is moved,
/// content unchanged, to <c>&lt;queue&gt;-poison</c>.
/// </summary>
sealed class QueueListener(
    IReadOnlyList<FunctionDescriptor> functions,
    IServiceProvider services,
    IConfiguration configuration,
    HostSettings host,
    ILoggerFactory loggers) : BackgroundService
{
    static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan InvisibleWhileProcessing = TimeSpan.FromMinutes(10);
    static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(functions.Where(f => f.Kind == TriggerKind.Queue).Select(f => Task.Run(() => ListenAsync(f, stoppingToken), stoppingToken)));

    async Task ListenAsync(FunctionDescriptor f, CancellationToken stop)
    {
        var trigger = (QueueTriggerAttribute)f.Trigger;
        var logger = loggers.CreateLogger("Function." + f.Name);
        var settings = host.Queues;
        var queueName = Settings.Resolve(trigger.QueueName, configuration);
        // Raw client: the listener decodes base64 itself so a poisoned message is copied byte for byte.
        var raw = StorageConnection.FromConfiguration(configuration, trigger.Connection ?? "AzureWebJobsStorage").CreateQueueServiceClient(QueueMessageEncoding.None);
        var queue = raw.GetQueueClient(queueName);
        var poison = raw.GetQueueClient(queueName + "-poison");
        await CreateWithRetryAsync(queue, logger, stop);
        logger.LogInformation("Listening on queue {Queue} (batch {Batch}, max dequeue {Max})", queueName, settings.BatchSize, settings.MaxDequeueCount);

        var inFlight = 0;
        using var slot = new SemaphoreSlim(0);
        var delay = MinPollingInterval;
        var running = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            if (Volatile.Read(ref inFlight) > settings.NewBatchThreshold)
            {
                try { await slot.WaitAsync(stop); } catch (OperationCanceledException) { break; }
                continue;
            }
            QueueMessage[] batch;
            try
            {
                // Not cancelled by the stop token: a receive abandoned mid-request would still dequeue its messages
                // on the server, hiding them for the whole processing lease. Received during shutdown, they are released.
                using var receiveTimeout = new CancellationTokenSource(ReceiveTimeout);
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, InvisibleWhileProcessing, receiveTimeout.Token)).Value;
            }
            catch (Exception e)
            {
                if (stop.IsCancellationRequested) break;
                logger.LogWarning("Receiving from {Queue} failed: {Error}", queueName, e.Message);
                batch = [];
            }
            if (stop.IsCancellationRequested)
            {
                await ReleaseAsync(queue, batch, logger);
                break;
            }
            if (batch.Length == 0)
            {
                try { await Task.Delay(delay, stop); } catch (OperationCanceledException) { break; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(settings.MaxPollingInterval.Ticks, MinPollingInterval.Ticks)));
                continue;
            }
            delay = MinPollingInterval;
            running.RemoveAll(t => t.IsCompleted);
            foreach (var message in batch)
            {
                Interlocked.Increment(ref inFlight);
                running.Add(Task.Run(async () =>
                {
                    try { await ProcessAsync(f, queue, poison, message, settings, logger, stop); }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                        slot.Release();
                    }
                }, CancellationToken.None));
            }
        }
        await Task.WhenAll(running);
    }

    async Task ProcessAsync(FunctionDescriptor f, QueueClient queue, QueueClient poison, QueueMessage message, QueueSettings settings, ILogger logger, CancellationToken stop)
    {
        byte[] body;
        try
        {
            body = settings.Base64 ? Convert.FromBase64String(message.MessageText) : Encoding.UTF8.GetBytes(message.MessageText);
        }
        catch (FormatException)
        {
            logger.LogError("Message {MessageId} on {Queue} is not valid base64; moving it to {Poison}", message.MessageId, queue.Name, poison.Name);
            await MoveToPoisonAsync(queue, poison, message);
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var context = new RuntimeFunctionContext(f, scope.ServiceProvider, stop, new Dictionary<string, object?>
        {
            ["Id"] = message.MessageId,
            ["DequeueCount"] = message.DequeueCount,
            ["InsertionTime"] = message.InsertedOn,
            ["ExpirationTime"] = message.ExpiresOn,
            ["QueueTrigger"] = Encoding.UTF8.GetString(body),
        });
        try
        {
            var arguments = f.Parameters.Select(p => p.Source switch
            {
                ParameterSource.QueueMessage => BindMessage(body, p.Type),
                ParameterSource.QueueId => message.MessageId,
                ParameterSource.QueueDequeueCount => p.Type == typeof(int) ? (object)(int)message.DequeueCount : message.DequeueCount,
                ParameterSource.QueueInsertionTime => message.InsertedOn,
                ParameterSource.FunctionContext => context,
                ParameterSource.CancellationToken => stop,
                ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"Unexpected queue parameter source {p.Source}."),
            }).ToArray();
            await f.InvokeAsync(scope.ServiceProvider, arguments);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning("Function {Function} failed on message {MessageId} (attempt {Attempt} of {Max}, invocation {InvocationId}): {Error}",
                f.Name, message.MessageId, message.DequeueCount, settings.MaxDequeueCount, context.InvocationId, e.Message);
            try
            {
                if (message.DequeueCount >= settings.MaxDequeueCount)
                    await MoveToPoisonAsync(queue, poison, message);
                else
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
            catch (Exception inner)
            {
                // The message becomes visible again when its processing lease runs out.
                logger.LogWarning("Could not release message {MessageId}: {Error}", message.MessageId, inner.Message);
            }
        }
    }

    static object BindMessage(byte[] body, Type type)
    {
        if (type == typeof(byte[])) return body;
        if (type == typeof(BinaryData)) return new BinaryData(body);
        if (type == typeof(string)) return Encoding.UTF8.GetString(body);
        return JsonSerializer.Deserialize(body, type, JsonDefaults.Options)
            ?? throw new JsonException($"Queue message is null; expected {type.Name}.");
    }

    /// <summary>Makes messages received but not processed visible again at once (their dequeue count stays raised).</summary>
    static async Task ReleaseAsync(QueueClient queue, IEnumerable<QueueMessage> messages, ILogger logger)
    {
        foreach (var message in messages)
        {
            try { await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero); }
            catch (Exception e) { logger.LogWarning("Could not release message {MessageId}: {Error}", message.MessageId, e.Message); }
        }
    }

    static async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message)
    {
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(message.MessageText);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
    }

    static async Task CreateWithRetryAsync(QueueClient queue, ILogger logger, CancellationToken stop)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stop);
                return;
            }
            catch (Exception e) when (!stop.IsCancellationRequested && attempt < 30)
            {
                logger.LogWarning("Queue {Queue} not reachable yet ({Error}); retrying", queue.Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
    }
}

/// <summary>Resolves %Setting% references in trigger arguments, as the Functions host does.</summary>
static class Settings
{
    public static string Resolve(string value, IConfiguration configuration) =>
        System.Text.RegularExpressions.Regex.Replace(value, "%([^%]+)%", m =>
            configuration[m.Groups[1].Value.Replace("__", ":")] ?? configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"Setting '{m.Groups[1].Value}' referenced by '{value}' is not configured."));
}
