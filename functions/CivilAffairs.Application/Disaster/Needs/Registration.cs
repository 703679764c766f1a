using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Application.Disaster.Public;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Disaster.Needs;

public static class DisasterNeedsRegistration
{
    /// <summary>
    /// Incidents, needs, the analysis-finding sink (the one <see cref="IAnalysisFindingSink"/>) and the public feed.
    /// <see cref="IDispatchStarter"/> is not registered here: the dispatch side registers it; needs are created without a
    /// dispatch when there is none.
    /// </summary>
    public static IServiceCollection AddDisasterNeeds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DisasterPublicOptions>().Bind(configuration.GetSection("Disaster:Public"));
        services.AddSingleton<IncidentService>();
        services.AddSingleton<CivilAffairs.Application.Disaster.Uploads.IIncidentDirectory, IncidentDirectory>();
        services.AddSingleton<NeedService>();
        services.AddSingleton<AnalysisFindingSink>();
        services.AddSingleton<IAnalysisFindingSink>(sp => sp.GetRequiredService<AnalysisFindingSink>());
        services.AddSingleton<PublicFeed>();
        services.AddSingleton<CivilAffairs.Application.Platform.Events.IOutboxHandler, NeedDispatchHandler>();
        return services;
    }
}
