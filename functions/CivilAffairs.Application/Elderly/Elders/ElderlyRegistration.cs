using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Elderly.Elders;

public static class ElderlyRegistration
{
    /// <summary>Elders of the elderly-care area: <see cref="ElderRepository"/>, <see cref="ElderService"/>.</summary>
    public static IServiceCollection AddElderlyElders(this IServiceCollection services)
    {
        services.AddSingleton<ElderRepository>();
        services.AddSingleton<ElderService>();
        return services;
    }
}
