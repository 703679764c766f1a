using CivilAffairs.Application.Disaster.Supplies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Disaster.Dispatching;

public static class DispatchRegistration
{
    /// <summary>Relief warehouses, the stock ledger and the dispatch process (section <c>Disaster:Dispatch</c>).</summary>
    public static IServiceCollection AddDisasterDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>().Bind(configuration.GetSection("Disaster:Dispatch"));
        services.AddSingleton<StockLedger>();
        services.AddSingleton<ReliefWarehouses>();
        services.AddSingleton<DispatchService>();
        services.AddSingleton<IDispatchStarter, DispatchStarter>();
        return services;
    }
}
