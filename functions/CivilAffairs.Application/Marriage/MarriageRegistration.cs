using CivilAffairs.Application.Marriage.Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Marriage;

public static class MarriageRegistration
{
    /// <summary>The marriage-registration area: offices and appointments, pre-collection, registration, divorce, archive, certificates.</summary>
    public static IServiceCollection AddMarriage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMarriageCertificates(configuration);
        return services;
    }
}
