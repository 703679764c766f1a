using CivilAffairs.Application.Elderly.HomeCare;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Elderly.Meals;

public static class MealsRegistration
{
    /// <summary>
    /// Meals (长者饭堂: meal points, till transactions, settlement, reconciliation, attendance; section <c>Elderly:Meals</c>) and
    /// home-care orders (居家服务: orders, EVV, confirmation, billing; section <c>Elderly:HomeCare</c>).
    /// </summary>
    public static IServiceCollection AddElderlyMealsAndHomeCare(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MealsOptions>().Bind(configuration.GetSection("Elderly:Meals"));
        services.AddSingleton<MealPointService>();
        services.AddSingleton<MealLedger>();
        services.AddSingleton<MealTransactionService>();
        services.AddSingleton<MealSettlementService>();
        services.AddSingleton<MealAbsenceService>();
        services.AddOptions<HomeCareOptions>().Bind(configuration.GetSection("Elderly:HomeCare"));
        services.AddSingleton<HomeCareBillingLedger>();
        services.AddSingleton<HomeCareOrderService>();
        return services;
    }
}
