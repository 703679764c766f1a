using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Application.Platform.Health;
using CivilAffairs.Orchestrations.Assistance;
using CivilAffairs.Orchestrations.Catalog;
using CivilAffairs.Orchestrations.Disaster;
using CivilAffairs.Orchestrations.Elderly;
using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Application.Marriage.Divorces;
using CivilAffairs.Orchestrations.Marriage;
using CivilAffairs.Application.Funeral.TellUsOnce;
using CivilAffairs.Orchestrations.Funeral;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Orchestrations.Platform;

public static class WorkflowRegistration
{
    /// <summary>The workflow ports of every area, implemented over the invocation's durable client (<see cref="WorkflowClient"/>).</summary>
    public static IServiceCollection AddCivilAffairsWorkflows(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowClient>();
        services.AddSingleton<IHealthProbe, WorkflowBackendProbe>();
        services.AddSingleton<WorkflowHistoryPurge>();
        services.TryAddSingleton<IPreReviewWorkflow, PreReviewWorkflow>();
        services.TryAddSingleton<IAssistanceCaseWorkflow, AssistanceCaseWorkflow>();
        services.TryAddSingleton<IDispatchWorkflow, DispatchWorkflow>();
        services.TryAddSingleton<IAlarmWorkflow, AlarmWorkflow>();
        services.TryAddSingleton<IDivorceWorkflow, DivorceWorkflow>();
        services.TryAddSingleton<ITellUsOnceWorkflow, TellUsOnceWorkflow>();
        return services;
    }
}
