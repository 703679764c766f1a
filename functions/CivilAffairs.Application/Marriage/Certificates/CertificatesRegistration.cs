using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Marriage.Certificates;

public static class CertificatesRegistration
{
    /// <summary>Certificates of the marriage area: SM2 signing keys, QR payloads and status lists (<see cref="ICertificateIssuer"/>).</summary>
    public static IServiceCollection AddMarriageCertificates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CertificateOptions>().Bind(configuration.GetSection("Marriage:Certificates"))
            .Validate(o => o.CertificatesPerList is >= 1 and <= 32_768, "Marriage:Certificates:CertificatesPerList must be 1–32768.")
            .Validate(o => o.StatusListCacheSeconds >= 0 && o.KeysCacheSeconds >= 0, "Marriage:Certificates cache lifetimes must not be negative.");
        services.AddSingleton<CertificateSigningKeys>();
        services.AddSingleton<CertificateRepository>();
        services.AddSingleton<StatusListRepository>();
        services.AddSingleton<CertificateIssuer>();
        services.AddSingleton<ICertificateIssuer>(sp => sp.GetRequiredService<CertificateIssuer>());
        services.AddSingleton<PublicCertificateService>();
        return services;
    }
}
