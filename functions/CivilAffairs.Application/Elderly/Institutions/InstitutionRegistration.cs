using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Elderly.Institutions;

public static class InstitutionRegistration
{
    /// <summary>Care institutions and their star rating (section <c>Elderly:Institutions</c>: weights, public cache lifetime).</summary>
    public static IServiceCollection AddElderlyInstitutions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InstitutionOptions>().Bind(configuration.GetSection("Elderly:Institutions"))
            .Validate(o => o.InspectionWeight + o.StaffingWeight + o.ComplaintsWeight == 1m, "Elderly:Institutions weights must add up to 1.")
            .Validate(o => o.PublicCacheSeconds >= 0, "Elderly:Institutions:PublicCacheSeconds must not be negative.");
        services.AddSingleton<InstitutionRepository>();
        services.AddSingleton<InstitutionRatingService>();
        services.AddSingleton<InstitutionService>();
        services.AddSingleton<PublicInstitutionService>();
        return services;
    }
}
