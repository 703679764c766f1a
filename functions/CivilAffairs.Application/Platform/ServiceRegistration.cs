using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Platform.Configuration;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Platform;

/// <summary>
/// The application's services, registered identically by the Azure Functions host
/// (<c>Program.cs</c>) and by the one-machine runtime.
/// </summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddCivilAffairs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => JsonDefaults.Configure(o.JsonSerializerOptions));

        // Storage: one connection (AzureWebJobsStorage) for triggers, Durable and the system of record.
        services.AddSingleton(_ => StorageConnection.FromConfiguration(configuration, SettingNames.StorageConnection));
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient());
        services.AddSingleton<Tables>();

        // Catalog
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection("Catalog"));
        services.AddSingleton<CatalogRepository>();
        services.AddSingleton<PreReviewService>();
        services.AddSingleton<PreReviewStatisticsService>();
        services.AddSingleton<PreReviewExpiryScheduler>();
        return services;
    }
}
