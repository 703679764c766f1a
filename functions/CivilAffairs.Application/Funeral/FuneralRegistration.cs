using CivilAffairs.Application.Funeral.Services;
using CivilAffairs.Application.Funeral.Memorials;
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
        Deaths.DeathsRegistration.AddFuneralDeaths(services, configuration);

        // Custody of remains, funeral service orders and subsidies
        Custody.CustodyRegistration.AddFuneralCustody(services, configuration);
        services.AddFuneralServices(configuration);

        // Online memorials
        services.AddFuneralMemorials(configuration);

        return services;
    }
}
