using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Realtime;

public static class RealtimeRegistration
{
    /// <summary>
    /// Registers <see cref="RealtimeOptions"/> (section <c>SignalR</c>) and <see cref="IRealtimeService"/>
    /// (<see cref="SignalRRestService"/> as a typed HttpClient). The endpoint is checked when the
    /// service is first used, so an app without real-time configuration still starts; its
    /// negotiate answers 503.
    /// </summary>
    /// <remarks>
    /// The HttpClientFactory request loggers are removed: request URLs carry user ids, and the
    /// client logs operations and statuses itself. Without an access key, REST calls authenticate
    /// with DefaultAzureCredential (the app's managed identity, <c>AZURE_CLIENT_ID</c>).
    /// </remarks>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RealtimeOptions>()
            .Bind(configuration.GetSection(RealtimeOptions.SectionName))
            .Validate(o => o.Timeout > TimeSpan.Zero && o.ClientTokenLifetime > TimeSpan.Zero && o.RestTokenLifetime > TimeSpan.Zero,
                "SignalR timeouts and token lifetimes must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiVersion), "SignalR:ApiVersion must not be empty.");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SignalRTokens(
            sp.GetRequiredService<IOptions<RealtimeOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            () => new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] })));
        services.AddHttpClient<IRealtimeService, SignalRRestService>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        return services;
    }
}
