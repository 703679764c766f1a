using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Functions.Platform;

/// <summary>
/// The function app's composition root, used alike by the Azure Functions host (<c>Program.cs</c>) and the one-machine
/// runtime: the application's services, the workflow ports beside the orchestrations, and the HTTP layer (access guard,
/// the trigger helper, JSON conventions).
/// </summary>
public static class Composition
{
    public static IServiceCollection AddCivilAffairsFunctionApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCivilAffairs(configuration);
        services.AddCivilAffairsWorkflows();
        services.AddSingleton<AccessGuard>();
        services.AddSingleton<HttpEndpoint>();
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => JsonDefaults.Configure(o.JsonSerializerOptions));
        return services;
    }
}
