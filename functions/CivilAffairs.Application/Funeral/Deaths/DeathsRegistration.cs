using CivilAffairs.Application.Funeral.TellUsOnce;
using CivilAffairs.Application.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Funeral.Deaths;

public static class DeathsRegistration
{
    /// <summary>Death registration and Tell Us Once (sections <c>Funeral:TellUsOnce</c>).</summary>
    public static IServiceCollection AddFuneralDeaths(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DeathService>();
        services.AddSingleton<IPartnerEventDetails>(sp => sp.GetRequiredService<DeathService>());
        services.AddOptions<TellUsOnceOptions>().Bind(configuration.GetSection("Funeral:TellUsOnce"));
        services.AddSingleton<TellUsOnceService>();
        // After the life-event relay (registered by the platform first): the units are told before the workflow waits for them.
        services.AddSingleton<IOutboxHandler, TellUsOnceStarter>();
        services.AddSingleton<IEventReceiptHandler, TellUsOnceReceipts>();
        return services;
    }
}
