using Azure.Identity;
using CivilAffairs.Application.Platform.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Disaster.Analysis;

public static class ImageAnalysisRegistration
{
    /// <summary>
    /// Registers <see cref="IImageAnalyzer"/>: <see cref="AzureVisionImageAnalyzer"/> when <c>Vision:Endpoint</c>
    /// (app setting <c>Vision__Endpoint</c>) is set, otherwise <see cref="LocalImageAnalyzer"/>. Both engines'
    /// options are bound (<see cref="VisionOptions"/>, <see cref="LocalImageAnalysisOptions"/>).
    /// </summary>
    /// <remarks>
    /// The Azure engine is a typed HttpClient with the standard resilience handler (retries on 408/429/5xx honouring
    /// Retry-After, attempt and total timeouts, circuit breaker) sized by <see cref="VisionOptions"/>. Without
    /// <c>Vision:Key</c> it authenticates with a <see cref="VisionCredential"/> — <c>DefaultAzureCredential</c> with the
    /// managed identity in <c>AZURE_CLIENT_ID</c> unless the caller registered another one first.
    /// </remarks>
    public static IServiceCollection AddImageAnalysis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<VisionOptions>()
            .Bind(configuration.GetSection(VisionOptions.SectionName))
            .Validate(o => !o.IsConfigured || (Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"),
                "Vision:Endpoint must be an absolute http(s) URL.")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.TotalTimeout >= o.AttemptTimeout, "Vision:AttemptTimeout must be positive and not longer than Vision:TotalTimeout.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "Vision:MaxRetries must be between 0 and 10.")
            .Validate(o => o.MinPersonConfidence is >= 0 and <= 1, "Vision:MinPersonConfidence must be between 0 and 1.");
        services.AddOptions<LocalImageAnalysisOptions>()
            .Bind(configuration.GetSection(LocalImageAnalysisOptions.SectionName))
            .Validate(o => o.MaxAnalysisSide >= 128, "Vision:Local:MaxAnalysisSide must be at least 128.")
            .Validate(o => o.MinPersonConfidence is >= 0 and <= 1 && o.NmsOverlap is > 0 and <= 1, "Vision:Local confidences and overlap must be between 0 and 1.");

        var endpoint = configuration[SettingNames.VisionEndpoint.Replace("__", ":", StringComparison.Ordinal)];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            services.TryAddSingleton<LocalImageAnalyzer>();
            services.TryAddSingleton<IImageAnalyzer>(sp => sp.GetRequiredService<LocalImageAnalyzer>());
            return services;
        }

        services.TryAddSingleton(_ => new VisionCredential(new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = configuration[SettingNames.AzureClientId] is { Length: > 0 } clientId ? clientId : null,
        })));
        services.AddHttpClient<AzureVisionImageAnalyzer>((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<VisionOptions>>().Value.EndpointUri();
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler owns the timeouts
            })
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) =>
            {
                var vision = sp.GetRequiredService<IOptions<VisionOptions>>().Value;
                resilience.AttemptTimeout.Timeout = vision.AttemptTimeout;
                resilience.TotalRequestTimeout.Timeout = vision.TotalTimeout;
                resilience.CircuitBreaker.SamplingDuration = vision.AttemptTimeout * 2 > TimeSpan.FromSeconds(30) ? vision.AttemptTimeout * 2 : TimeSpan.FromSeconds(30);
                resilience.Retry.Delay = vision.RetryDelay;
                if (vision.MaxRetries == 0)
                    resilience.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
                else
                    resilience.Retry.MaxRetryAttempts = vision.MaxRetries;
            });
        services.TryAddTransient<IImageAnalyzer>(sp => sp.GetRequiredService<AzureVisionImageAnalyzer>());
        return services;
    }
}
