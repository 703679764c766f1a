using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Funeral.Custody;

public static class CustodyRegistration
{
    /// <summary>Custody of remains and ashes (section <c>Funeral:Custody</c>; demo sites when none are configured).</summary>
    public static IServiceCollection AddFuneralCustody(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CustodyOptions>().Bind(configuration.GetSection(CustodyOptions.SectionName))
            .PostConfigure(o => { if (o.Sites.Count == 0) o.Sites = CustodyOptions.DemoSites(); });
        services.AddSingleton<CustodyRepository>();
        services.AddSingleton<CustodyService>();
        return services;
    }
}
