using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Marriage.Records;
using CivilAffairs.Application.Marriage.Statistics;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Marriage;

public static class MarriageRegistration
{
    /// <summary>
    /// The marriage-registration area: offices and appointments, pre-collection, registration, divorce, archive, certificates
    /// (section <c>Marriage</c>). The divorce workflow port <see cref="IDivorceWorkflow"/> is registered with the orchestrations;
    /// the certificate side (<see cref="ICertificateIssuer"/>) by <c>AddMarriageCertificates</c>.
    /// </summary>
    public static IServiceCollection AddMarriage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMarriageCertificates(configuration);
        // Defaults after binding (a bound dictionary would otherwise be merged into the default one).
        services.AddOptions<MarriageOptions>().Bind(configuration.GetSection(MarriageOptions.SectionName))
            .PostConfigure(o => { if (o.Archive.Institutions.Count == 0) o.Archive.Institutions = MarriageOptions.DemoInstitutions(); });
        services.TryAddSingleton(HolidayCalendar.Default);
        services.AddSingleton<MarriageParties>();
        services.AddSingleton<OfficeRepository>();
        services.AddSingleton<OfficeService>();
        services.AddSingleton<BookingRepository>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<RecordRepository>();
        services.AddSingleton<RecordService>();
        services.AddSingleton<RegistrationService>();
        services.AddSingleton<DivorceRepository>();
        services.AddSingleton<DivorceService>();
        services.AddSingleton<MarriageStatistics>();
        services.AddSingleton<IOutboxHandler, DivorceWorkflowRelay>();
        services.AddSingleton<ILifeEventSubscriber, MarriageDeathSubscriber>();
        return services;
    }
}
