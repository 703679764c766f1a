using CivilAffairs.Application.Platform.Devices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Disaster.Uploads;

public static class DisasterUploadsRegistration
{
    /// <summary>
    /// Field devices and resumable uploads: <see cref="DeviceService"/>, <see cref="UploadService"/>, <see cref="UploadAnalysisService"/>.
    /// Needs <c>IImageAnalyzer</c> and <c>DashboardFeed</c>; uses every registered <c>IAnalysisFindingSink</c> and the first
    /// <see cref="IIncidentDirectory"/>, if any.
    /// </summary>
    public static IServiceCollection AddDisasterUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadOptions>()
            .Bind(configuration.GetSection(UploadOptions.SectionName))
            .Validate(o => o.DefaultBlockSize is >= BlockMath.MinBlockSize and <= BlockMath.MaxBlockSize, "Disaster:Uploads:DefaultBlockSize must be 256 KiB–16 MiB.")
            .Validate(o => o.MaxFileBytes > 0 && o.DefaultDeviceQuotaBytes > 0 && o.SessionLifetime > TimeSpan.Zero, "Disaster:Uploads limits must be positive.");
        services.AddSingleton<DeviceService>();
        services.AddSingleton<UploadService>();
        services.AddTransient<UploadAnalysisService>(); // transient: the Azure engine is a typed HttpClient
        return services;
    }
}
