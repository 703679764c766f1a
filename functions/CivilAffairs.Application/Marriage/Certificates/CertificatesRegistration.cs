using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Marriage.Certificates;

public static class CertificatesRegistration
{
    /// <summary>Certificates of the marriage area: SM2 signing keys, QR payloads and status lists (<see cref="ICertificateIssuer"/>).</summary>
    public static IServiceCollection AddMarriageCertificates(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
