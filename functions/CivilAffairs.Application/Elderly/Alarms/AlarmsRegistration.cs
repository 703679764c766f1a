using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Elderly.WelfareChecks;
using CivilAffairs.Application.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Elderly.Alarms;

public static class AlarmsRegistration
{
    /// <summary>
    /// 平安通: terminals (in the platform device registry), terminal events, alarms and their desks, welfare checks and the SLA
    /// report (sections <c>Elderly:Alarms</c>, <c>Elderly:Terminals</c>). The workflow port <see cref="IAlarmWorkflow"/> is
    /// registered with the orchestrations. Needs the elders aggregate (<c>ElderRepository</c>, <c>ElderService</c>).
    /// </summary>
    public static IServiceCollection AddElderlyAlarms(this IServiceCollection services, IConfiguration configuration)
    {
        // Defaults are applied after binding (a bound list would otherwise be appended to the default one).
        services.AddOptions<AlarmOptions>().Bind(configuration.GetSection(AlarmOptions.SectionName))
            .PostConfigure(o => { if (o.Desks.Count == 0) o.Desks[o.Company] = AlarmOptions.DemoDesk(); });
        services.AddOptions<TerminalOptions>().Bind(configuration.GetSection(TerminalOptions.SectionName));
        services.AddSingleton<AlarmRepository>();
        services.AddSingleton<AlarmDesks>();
        services.AddSingleton<AlarmService>();
        services.AddSingleton<AlarmReportService>();
        services.AddSingleton<TerminalService>();
        services.AddSingleton<TerminalEventService>();
        services.AddSingleton<WelfareCheckService>();
        // Read models and pushes first, then the workflow: a relayed event updates the desks before the workflow moves on.
        services.AddSingleton<IOutboxHandler, AlarmReadModelRelay>();
        services.AddSingleton<IOutboxHandler, AlarmWorkflowRelay>();
        return services;
    }
}
