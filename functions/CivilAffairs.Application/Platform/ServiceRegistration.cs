using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Materials;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Assistance.Payments;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Disaster.Analysis;
using CivilAffairs.Application.Disaster.Needs;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Configuration;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Health;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Application.Platform.WeChat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Platform;

/// <summary>
/// The application's services. The function app's composition root (<c>AddCivilAffairsFunctionApp</c>) adds them with the
/// workflow ports and the HTTP layer, identically for the Azure Functions host (<c>Program.cs</c>) and the one-machine runtime.
/// </summary>
public static class ServiceRegistration
{
    public static IServiceCollection AddCivilAffairs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);

        // Storage: one connection (AzureWebJobsStorage) for triggers, Durable and the system of record.
        services.AddSingleton(_ => StorageConnection.FromConfiguration(configuration, SettingNames.StorageConnection));
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient());
        services.AddSingleton<Tables>();
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection("Platform:Outbox"));
        services.AddSingleton<Outbox>();
        services.AddLifeEvents(configuration);
        services.AddServiceBusPartnerEvents(configuration);
        services.AddSingleton<HealthService>();

        // Security: identity, access policy, audit
        services.AddCivilAffairsCrypto(configuration);
        services.AddSingleton(sp => new PlatformSigningKey(async ct =>
            (await sp.GetRequiredService<KeyRing>().GetAsync(ct)).DeriveKey("civilaffairs/platform-token/v1", 32)));
        services.AddSingleton<PlatformTokenIssuer>();
        services.AddSingleton<ITrustedIssuer>(sp => sp.GetRequiredService<PlatformTokenIssuer>());
        services.AddSingleton<DivisionDirectory>();
        services.AddSingleton<PersonIndex>();
        services.AddSingleton<CitizenAccounts>();
        services.AddSingleton<CitizenBindings>();
        services.AddSingleton<ICallerRevalidation>(sp => sp.GetRequiredService<CitizenBindings>());
        services.AddOptions<RealNameOptions>().Bind(configuration.GetSection("Security:RealName"));
        services.AddSingleton<RealNameBinding>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<TokenValidator>();
        services.AddOptions<LockoutOptions>().Bind(configuration.GetSection("Security:Lockout"));
        services.AddSingleton<Lockout>();
        if (EntraIssuer.IsConfigured(configuration))
            services.AddSingleton<ITrustedIssuer, EntraIssuer>();

        services.AddCivilAffairsWeChat(configuration);
        services.AddSingleton<DeathRegister>();
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection("Notifications"));
        services.AddSingleton<NotificationService>();
        services.AddSms(configuration);
        services.AddRealtime(configuration);
        services.AddSingleton<NegotiationService>();

        // Catalog
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection("Catalog"));
        services.AddSingleton<CatalogRepository>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<PreReviewService>();
        services.AddSingleton<PreReviewStatisticsService>();

        // Social assistance
        services.AddPartnerIntegration(configuration);
        services.AddOptions<AssistanceOptions>().Bind(configuration.GetSection("Assistance"));
        services.AddOptions<VerificationOptions>().Bind(configuration.GetSection("Assistance:Verification"));
        services.AddOptions<CaseOptions>().Bind(configuration.GetSection("Assistance:Case"));
        services.AddSingleton<ApplicationRepository>();
        services.AddSingleton<AssistanceApplicationService>();
        services.AddSingleton<MaterialService>();
        services.AddSingleton<VerificationService>();
        services.AddSingleton<CaseService>();
        services.AddSingleton<IOutboxHandler, CaseWorkflowRelay>();
        services.AddSingleton<PaymentService>();
        CivilAffairs.Application.Assistance.LifeEvents.AssistanceLifeEventsRegistration.AddAssistanceLifeEvents(services);

        // Disaster relief
        services.AddImageAnalysis(configuration);
        services.AddSingleton<CivilAffairs.Application.Disaster.DashboardFeed>();
        services.AddDisasterNeeds(configuration);

        // Elderly care (Elderly/Elders)
        CivilAffairs.Application.Elderly.Elders.ElderlyRegistration.AddElderlyElders(services);

        // Disaster relief: resumable uploads from field devices (Disaster/Uploads; the registry is Platform/Devices)
        services.AddDisasterUploads(configuration);
        CivilAffairs.Application.Disaster.Dispatching.DispatchRegistration.AddDisasterDispatch(services, configuration);
        CivilAffairs.Application.Elderly.Alarms.AlarmsRegistration.AddElderlyAlarms(services, configuration);
        CivilAffairs.Application.Elderly.Institutions.InstitutionRegistration.AddElderlyInstitutions(services, configuration);
        CivilAffairs.Application.Elderly.Meals.MealsRegistration.AddElderlyMealsAndHomeCare(services, configuration);
        CivilAffairs.Application.Elderly.LifeEvents.ElderlyLifeEventsRegistration.AddElderlyLifeEvents(services);

        // Marriage registration (Marriage/)
        CivilAffairs.Application.Marriage.MarriageRegistration.AddMarriage(services, configuration);

        // Funeral services and life events (Funeral/; the life-event platform is Platform/Events)
        CivilAffairs.Application.Funeral.FuneralRegistration.AddFuneral(services, configuration);
        return services;
    }
}
