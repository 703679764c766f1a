using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Funeral.Memorials;

public static class MemorialsRegistration
{
    /// <summary>Online memorials and proxy grave sweeping (section <c>Funeral:Memorials</c>).</summary>
    public static IServiceCollection AddFuneralMemorials(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MemorialOptions>().Bind(configuration.GetSection(MemorialOptions.SectionName))
            .PostConfigure(o => { if (o.Cemeteries.Count == 0) o.Cemeteries = MemorialOptions.DemoCemeteries(); });
        services.AddSingleton<MemorialRepository>();
        services.AddSingleton<MemorialService>();
        services.AddSingleton<SweepingOrderRepository>();
        services.AddSingleton<SweepingOrderService>();
        return services;
    }
}
