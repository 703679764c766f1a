using CivilAffairs.Application.Funeral.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Funeral;

public static class FuneralRegistration
{
    /// <summary>
    /// The funeral-services area (section <c>Funeral</c>): death registration and Tell Us Once (Funeral/Deaths, Funeral/TellUsOnce),
    /// custody of remains and service orders (Funeral/Custody, Funeral/Services), online memorials (Funeral/Memorials).
    /// Each part registers itself below.
    /// </summary>
    public static IServiceCollection AddFuneral(this IServiceCollection services, IConfiguration configuration)
    {
        // Deaths and Tell Us Once
        services.AddSingleton<CivilAffairs.Application.Funeral.Deaths.DeathService>();
        services.AddSingleton<CivilAffairs.Application.Platform.Events.IPartnerEventDetails>(sp => sp.GetRequiredService<CivilAffairs.Application.Funeral.Deaths.DeathService>());
        services.AddOptions<CivilAffairs.Application.Funeral.TellUsOnce.TellUsOnceOptions>().Bind(configuration.GetSection("Funeral:TellUsOnce"));
        services.AddSingleton<CivilAffairs.Application.Funeral.TellUsOnce.TellUsOnceService>();
        services.AddSingleton<CivilAffairs.Application.Platform.Events.IOutboxHandler, CivilAffairs.Application.Funeral.TellUsOnce.TellUsOnceStarter>();
        services.AddSingleton<CivilAffairs.Application.Platform.Events.IEventReceiptHandler, CivilAffairs.Application.Funeral.TellUsOnce.TellUsOnceReceipts>();

        // Custody of remains, funeral service orders and subsidies
        Custody.CustodyRegistration.AddFuneralCustody(services, configuration);
        services.AddFuneralServices(configuration);

        // Online memorials

        return services;
    }
}
