using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// The Durable Task gRPC sidecar of the one-machine runtime: <c>TaskHubGrpcServer</c> over the Azure Storage backend on
/// loopback HTTP/2, with the task hub created before workers connect and a shutdown that waits for the backend to release
/// its leases (<see cref="SidecarLifetime"/>). Public so that the benchmarks' baselines run on the very same sidecar.
/// </summary>
public static class DurableSidecarHost
{
    /// <param name="settings">Backend settings; the logger factory is set here.</param>
    public static async Task<WebApplication> StartAsync(AzureStorageOrchestrationServiceSettings settings, int grpcPort, string environmentName,
        Action<ILoggingBuilder>? configureLogging, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = environmentName });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);
        foreach (var noisy in new[] { "Microsoft.AspNetCore", "Grpc", "DurableTask", "Microsoft.DurableTask", "Azure" })
            builder.Logging.AddFilter(noisy, LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2));

        var services = builder.Services;
        services.AddGrpc();
        services.AddSingleton(sp =>
        {
            settings.LoggerFactory = sp.GetRequiredService<ILoggerFactory>();
            return new AzureStorageOrchestrationService(settings);
        });
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<AzureStorageOrchestrationService>());
        services.AddSingleton<SidecarLifetime>();
        services.AddSingleton(sp => new TaskHubGrpcServer(
            sp.GetRequiredService<SidecarLifetime>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IOrchestrationService>(),
            sp.GetRequiredService<IOrchestrationServiceClient>(),
            Microsoft.Extensions.Options.Options.Create(new TaskHubGrpcServerOptions())));
        services.AddHostedService<SidecarShutdown>();
        services.AddHostedService<DurableBackendInitializer>();

        var sidecar = builder.Build();
        sidecar.MapGrpcService<TaskHubGrpcServer>();
        await sidecar.StartAsync(ct);
        return sidecar;
    }
}

/// <summary>Creates the task hub (queues, tables, containers) before the worker connects.</summary>
sealed class DurableBackendInitializer(IOrchestrationService service, ILogger<DurableBackendInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await service.CreateIfNotExistsAsync();
                return;
            }
            catch (Exception e) when (attempt < 10)
            {
                logger.LogWarning("Durable backend not ready ({Error}); retrying", e.Message);
                await Task.Delay(1000, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
