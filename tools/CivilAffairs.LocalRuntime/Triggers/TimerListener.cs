using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace CivilAffairs.LocalRuntime.Triggers;

/// <summary>
/// Serves timer-triggered functions as the Functions host does: six-field NCRONTAB (or
/// TimeSpan) schedules, <c>%Setting%</c> references, <c>RunOnStartup</c>, schedule status kept
/// in blob storage so a missed occurrence is run with <c>IsPastDue</c>, and a blob lease so
/// that only one runner per function exists across processes sharing the storage.
/// </summary>
sealed class TimerListener(
    IReadOnlyList<FunctionDescriptor> functions,
    IServiceProvider services,
    IConfiguration configuration,
    BlobServiceClient blobs,
    TimeProvider clock,
    ILoggerFactory loggers) : BackgroundService
{
    static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    string HostId => configuration["Runtime:HostId"] ?? "civilaffairs-local";

    /// <summary>Parses a schedule the way the host does; throws with the function's name when invalid.</summary>
    public static Func<DateTime, DateTime> ParseSchedule(string functionName, string expression)
    {
        if (TimeSpan.TryParse(expression, System.Globalization.CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
            return last => last + interval;
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidOperationException($"Function '{functionName}': timer schedule '{expression}' is not a six-field NCRONTAB expression or TimeSpan.");
        return cron.GetNextOccurrence;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var container = blobs.GetBlobContainerClient("azure-webjobs-hosts");
        for (var attempt = 0; ; attempt++)
        {
            try { await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken); break; }
            catch (Exception) when (attempt < 30 && !stoppingToken.IsCancellationRequested) { await Task.Delay(1000, stoppingToken); }
        }
        await Task.WhenAll(functions.Where(f => f.Kind == TriggerKind.Timer).Select(f => Task.Run(() => RunAsync(f, container, stoppingToken), stoppingToken)));
    }

    sealed record Status(DateTime Last, DateTime Next, DateTime LastUpdated);

    async Task RunAsync(FunctionDescriptor f, BlobContainerClient container, CancellationToken stop)
    {
        var trigger = (TimerTriggerAttribute)f.Trigger;
        var logger = loggers.CreateLogger("Function." + f.Name);
        var expression = Settings.Resolve(trigger.Schedule, configuration);
        var next = ParseSchedule(f.Name, expression);
        var statusBlob = container.GetBlobClient($"timers/{HostId}/{f.EntryPoint}/status");
        var lockBlob = container.GetBlobClient($"locks/{HostId}/{f.EntryPoint}.Listener");
        var lease = lockBlob.GetBlobLeaseClient();
        try
        {
            // One runner per schedule: hold a renewable lease; wait while another process holds it.
            await AcquireAsync(lockBlob, lease, logger, stop);
            using var renew = new CancellationTokenSource();
            var renewal = RenewAsync(lease, logger, CancellationTokenSource.CreateLinkedTokenSource(stop, renew.Token).Token);

            var now = clock.GetUtcNow().UtcDateTime;
            var status = await ReadStatusAsync(statusBlob, stop);
            if (trigger.RunOnStartup)
                await InvokeAsync(f, logger, statusBlob, new TimerInfo { IsPastDue = false, ScheduleStatus = ToScheduleStatus(status) }, next, stop);
            else if (status is not null && status.Next < now)
                await InvokeAsync(f, logger, statusBlob, new TimerInfo { IsPastDue = true, ScheduleStatus = ToScheduleStatus(status) }, next, stop);

            logger.LogInformation("Timer {Function} scheduled '{Schedule}', next at {Next:O}", f.Name, expression, next(clock.GetUtcNow().UtcDateTime));
            while (!stop.IsCancellationRequested)
            {
                var due = next(clock.GetUtcNow().UtcDateTime);
                var wait = due - clock.GetUtcNow().UtcDateTime;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, stop);
                var current = await ReadStatusAsync(statusBlob, stop);
                await InvokeAsync(f, logger, statusBlob, new TimerInfo { IsPastDue = clock.GetUtcNow().UtcDateTime - due > TimeSpan.FromSeconds(30), ScheduleStatus = ToScheduleStatus(current) }, next, stop);
            }
            renew.Cancel();
            await renewal;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally
        {
            try { await lease.ReleaseAsync(); } catch (RequestFailedException) { }
        }
    }

    async Task InvokeAsync(FunctionDescriptor f, ILogger logger, BlobClient statusBlob, TimerInfo info, Func<DateTime, DateTime> next, CancellationToken stop)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new RuntimeFunctionContext(f, scope.ServiceProvider, stop);
        var started = clock.GetUtcNow().UtcDateTime;
        try
        {
            var arguments = f.Parameters.Select(p => p.Source switch
            {
                ParameterSource.TimerInfo => info,
                ParameterSource.FunctionContext => context,
                ParameterSource.CancellationToken => (object)stop,
                ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"Unexpected timer parameter source {p.Source}."),
            }).ToArray();
            await f.InvokeAsync(scope.ServiceProvider, arguments);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            logger.LogError(e, "Timer function {Function} failed (invocation {InvocationId})", f.Name, context.InvocationId);
        }
        var status = new Status(started, next(clock.GetUtcNow().UtcDateTime), clock.GetUtcNow().UtcDateTime);
        await statusBlob.UploadAsync(BinaryData.FromObjectAsJson(status), overwrite: true, CancellationToken.None);
    }

    static ScheduleStatus? ToScheduleStatus(Status? s) =>
        s is null ? null : new ScheduleStatus { Last = s.Last, Next = s.Next, LastUpdated = s.LastUpdated };

    static async Task<Status?> ReadStatusAsync(BlobClient blob, CancellationToken stop)
    {
        try
        {
            var content = await blob.DownloadContentAsync(stop);
            return JsonSerializer.Deserialize<Status>(content.Value.Content.ToStream());
        }
        catch (RequestFailedException e) when (e.Status == 404) { return null; }
    }

    static async Task AcquireAsync(BlobClient lockBlob, BlobLeaseClient lease, ILogger logger, CancellationToken stop)
    {
        if (!await lockBlob.ExistsAsync(stop))
            try { await lockBlob.UploadAsync(BinaryData.FromString(""), overwrite: false, stop); } catch (RequestFailedException e) when (e.Status is 409 or 412) { }
        var warned = false;
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: stop);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                if (!warned) logger.LogInformation("Another runner holds the timer lock {Blob}; waiting", lockBlob.Name);
                warned = true;
                await Task.Delay(LeaseDuration / 3, stop);
            }
        }
    }

    static async Task RenewAsync(BlobLeaseClient lease, ILogger logger, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(LeaseDuration / 3, stop);
                await lease.RenewAsync(cancellationToken: stop);
            }
            catch (OperationCanceledException) { return; }
            catch (RequestFailedException e) { logger.LogWarning("Renewing timer lease failed: {Error}", e.Message); }
        }
    }
}
