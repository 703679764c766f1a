using System.Reflection;
using DurableTask.AzureStorage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// The lifetime the Durable Task sidecar sees. The sidecar stops its dispatchers (and the
/// Azure Storage backend) when <see cref="ApplicationStopping"/> fires; the backend throws if
/// stopped before it was started, on a thread nobody awaits, which would bring the process
/// down. So stopping is signalled only once the backend has started, and shutdown waits
/// (bounded) for it to release its partition leases so the next process takes over at once.
/// </summary>
sealed class SidecarLifetime(IHostApplicationLifetime host) : IHostApplicationLifetime
{
    readonly CancellationTokenSource stopping = new();

    public CancellationToken ApplicationStarted => host.ApplicationStarted;
    public CancellationToken ApplicationStopping => stopping.Token;
    public CancellationToken ApplicationStopped => host.ApplicationStopped;
    public void StopApplication() => host.StopApplication();

    public void SignalStopping() => stopping.Cancel();
}

/// <summary>Registered first so that it stops last, after the worker and listeners.</summary>
sealed class SidecarShutdown(SidecarLifetime lifetime, AzureStorageOrchestrationService service, ILogger<SidecarShutdown> logger) : IHostedService
{
    static readonly FieldInfo? IsStarted = typeof(AzureStorageOrchestrationService).GetField("isStarted", BindingFlags.NonPublic | BindingFlags.Instance);

    bool Started => IsStarted?.GetValue(service) is true;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (IsStarted is null)
        {
            logger.LogWarning("Cannot observe the Durable backend state; stopping it directly");
            lifetime.SignalStopping();
            return;
        }
        // A backend that is still starting gets a moment to finish, so it can be stopped cleanly.
        for (var i = 0; i < 50 && !Started; i++) await Task.Delay(100, CancellationToken.None);
        if (!Started) return;
        lifetime.SignalStopping();
        for (var i = 0; i < 100 && Started; i++) await Task.Delay(100, CancellationToken.None);
    }
}
