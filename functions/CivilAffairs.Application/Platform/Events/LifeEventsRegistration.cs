using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Platform.Events;

public static class LifeEventsRegistration
{
    /// <summary>Life events as a platform capability (section <c>Platform:Events</c>): relay, in-app inbox, partner delivery and receipts.</summary>
    public static IServiceCollection AddLifeEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LifeEventOptions>().Bind(configuration.GetSection("Platform:Events"));
        services.AddSingleton<LifeEventLog>();
        services.AddSingleton<PartnerEvents>();
        services.AddSingleton<IPartnerEvents>(sp => sp.GetRequiredService<PartnerEvents>());
        services.TryAddSingleton<IPartnerEventTransport, StorageQueuePartnerEventTransport>();
        services.AddSingleton<LifeEventRelay>();
        services.AddSingleton<IOutboxHandler>(sp => sp.GetRequiredService<LifeEventRelay>());
        services.AddSingleton<ILifeEventInbox, LifeEventInbox>();
        services.AddSingleton<PartnerEventReceipts>();
        return services;
    }
}
