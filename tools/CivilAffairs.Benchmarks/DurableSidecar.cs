using DurableTask.AzureStorage;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// Where a baseline runs: the runtime's own sidecar (<see cref="DurableSidecarHost"/>, the same backend settings as the
/// runtime's defaults) with its own task hub on the benchmark's Azurite, and a DurableTaskWorker with the baseline's tasks
/// and a DurableTaskClient over gRPC, in this process. The runtime's worker serves only the app's [Function]s, so a
/// baseline cannot share the runtime's sidecar; it runs on an identical one.
/// </summary>
sealed class DurableSidecar : IAsyncDisposable
{
    readonly WebApplication sidecar;
    readonly IHost worker;
    readonly GrpcChannel channel;

    DurableSidecar(WebApplication sidecar, IHost worker, GrpcChannel channel)
    {
        this.sidecar = sidecar; this.worker = worker; this.channel = channel;
        Client = worker.Services.GetRequiredService<DurableTaskClient>();
    }

    public DurableTaskClient Client { get; }

    public static async Task<DurableSidecar> StartAsync(string storage, string taskHub, string workerId, TimeSpan maxQueuePolling, int partitionCount,
        Action<DurableTaskRegistry> register, CancellationToken ct)
    {
        var grpcPort = Azurite.FreePort();
        var sidecar = await DurableSidecarHost.StartAsync(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(storage),
            WorkerId = workerId,
            MaxQueuePollingInterval = maxQueuePolling,
            PartitionCount = partitionCount,
            ControlQueueVisibilityTimeout = TimeSpan.FromMinutes(5),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromMinutes(5),
        }, grpcPort, Environments.Development, null, ct);
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        IHost? worker = null;
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddDurableTaskWorker(b =>
            {
                b.UseGrpc(channel);
                b.AddTasks(register);
            });
            builder.Services.AddDurableTaskClient(b => b.UseGrpc(channel));
            worker = builder.Build();
            await worker.StartAsync(ct);
            return new DurableSidecar(sidecar, worker, channel);
        }
        catch
        {
            worker?.Dispose();
            channel.Dispose();
            await StopAsync(sidecar);
            throw;
        }
    }

    static async Task StopAsync(WebApplication sidecar)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await sidecar.StopAsync(timeout.Token); }
        catch (Exception) { /* stopping anyway */ }
        await sidecar.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try { await worker.StopAsync(timeout.Token); }
            catch (Exception) { /* stopping anyway */ }
        }
        worker.Dispose();
        channel.Dispose();
        await StopAsync(sidecar);
    }
}
