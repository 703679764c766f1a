using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Domain.Funeral.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Funeral.Services;

public static class ServicesRegistration
{
    /// <summary>Funeral service orders and the fee exemption (section <c>Funeral:Services</c>), with the assistance status query they read.</summary>
    public static IServiceCollection AddFuneralServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FuneralServiceOptions>().Bind(configuration.GetSection(FuneralServiceOptions.SectionName))
            .Validate(o => ServiceCatalogue.Validate(o.Catalogue()).Count == 0, "Funeral:Services prices are invalid (negative, more than two decimals, or a quantity below 1).");
        services.TryAddSingleton<AssistanceStatus>();
        services.AddSingleton<ServiceOrderRepository>();
        services.AddSingleton<ServiceOrderService>();
        return services;
    }
}
