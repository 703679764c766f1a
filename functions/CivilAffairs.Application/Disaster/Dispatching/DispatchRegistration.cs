using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Disaster.Teams;
using CivilAffairs.Application.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Disaster.Dispatching;

public static class DispatchRegistration
{
    /// <summary>
    /// Relief warehouses, the stock ledger, field teams and the dispatch process (section <c>Disaster:Dispatch</c>). The
    /// workflow port <see cref="IDispatchWorkflow"/> is registered with the orchestrations.
    /// </summary>
    public static IServiceCollection AddDisasterDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>().Bind(configuration.GetSection("Disaster:Dispatch"));
        services.AddSingleton<StockLedger>();
        services.AddSingleton<WarehouseService>();
        services.AddSingleton<DispatchLists>();
        services.AddSingleton<TeamService>();
        services.AddSingleton<DispatchService>();
        services.AddSingleton<IDispatchStarter, DispatchStarter>();
        services.AddSingleton<IOutboxHandler, DispatchWorkflowRelay>();
        return services;
    }
}
