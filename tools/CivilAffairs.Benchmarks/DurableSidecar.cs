using System.Net;
using System.Reflection;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Benchmarks;

/// <summary>
/// A Durable Task gRPC sidecar for the baselines, configured as the runtime configures its own
/// (tools/CivilAffairs.LocalRuntime/Hosting/LocalRuntime.cs): TaskHubGrpcServer over AzureStorageOrchestrationService
/// with the given task hub, partition count and polling, on the benchmark's Azurite.
/// </summary>
static class DurableSidecar
{
    
    public static async Task<WebApplication> StartAsync(string storage, string taskHub, string workerId, TimeSpan maxQueuePolling, int partitionCount, int grpcPort, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = Environments.Development });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2));
        var services = builder.Services;
        services.AddGrpc();
        services.AddSingleton(sp => new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(storage),
            WorkerId = workerId,
            MaxQueuePollingInterval = maxQueuePolling,
            PartitionCount = partitionCount,
            ControlQueueVisibilityTimeout = TimeSpan.FromMinutes(5),
            WorkItemQueueVisibilityTimeout = TimeSpan.FromMinutes(5),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
        }));
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        services.AddSingleton<StoppableLifetime>();
        services.AddSingleton(sp => new TaskHubGrpcServer(
            sp.GetRequiredService<StoppableLifetime>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IOrchestrationService>(),
            sp.GetRequiredService<IOrchestrationServiceClient>(),
            Microsoft.Extensions.Options.Options.Create(new TaskHubGrpcServerOptions())));
        services.AddHostedService<BackendStopper>();
        services.AddHostedService<BackendCreator>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(ct);
        return app;
    }

    public static async Task StopAsync(WebApplication sidecar)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await sidecar.StopAsync(timeout.Token); }
        catch (Exception) { /* stopping anyway */ }
        await sidecar.DisposeAsync();
    }

    /// <summary>The lifetime the sidecar sees: stopping is signalled only once the backend has started (as in the runtime).</summary>
    sealed class StoppableLifetime(IHostApplicationLifetime host) : IHostApplicationLifetime
    {
        readonly CancellationTokenSource stopping = new();
        public CancellationToken ApplicationStarted => host.ApplicationStarted;
        public CancellationToken ApplicationStopping => stopping.Token;
        public CancellationToken ApplicationStopped => host.ApplicationStopped;
        public void StopApplication() => host.StopApplication();
        public void SignalStopping() => stopping.Cancel();
    }

    sealed class BackendStopper(StoppableLifetime lifetime, AzureStorageOrchestrationService service) : IHostedService
    {
        static readonly FieldInfo? IsStarted = typeof(AzureStorageOrchestrationService).GetField("isStarted", BindingFlags.NonPublic | BindingFlags.Instance);
        bool Started => IsStarted?.GetValue(service) is true;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (IsStarted is null) { lifetime.SignalStopping(); return; }
            for (var i = 0; i < 50 && !Started; i++) await Task.Delay(100, CancellationToken.None);
            if (!Started) return;
            lifetime.SignalStopping();
            for (var i = 0; i < 100 && Started; i++) await Task.Delay(100, CancellationToken.None);
        }
    }

    sealed class BackendCreator(IOrchestrationService service) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try { await service.CreateIfNotExistsAsync(); return; }
                catch (Exception) when (attempt < 10) { await Task.Delay(1000, cancellationToken); }
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
