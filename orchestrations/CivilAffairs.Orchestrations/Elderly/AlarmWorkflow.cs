using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Orchestrations.Platform;

namespace CivilAffairs.Orchestrations.Elderly;

/// <summary>The alarms' <see cref="IAlarmWorkflow"/>: one <see cref="AlarmOrchestration"/> instance per alarm.</summary>
public sealed class AlarmWorkflow(WorkflowClient workflows) : IAlarmWorkflow
{
    public Task StartAsync(AlarmInput input, CancellationToken ct) =>
        workflows.StartOnceAsync(AlarmFlow.Orchestrator, AlarmFlow.InstanceId(input.AlarmId), input, ct);

    public Task AnsweredAsync(string alarmId, AlarmNotice notice, CancellationToken ct) => RaiseAsync(alarmId, AlarmFlow.AnsweredEvent, notice, ct);

    public Task OutcomeRecordedAsync(string alarmId, AlarmNotice notice, CancellationToken ct) => RaiseAsync(alarmId, AlarmFlow.OutcomeEvent, notice, ct);

    public Task ClosedAsync(string alarmId, AlarmNotice notice, CancellationToken ct) => RaiseAsync(alarmId, AlarmFlow.ClosedEvent, notice, ct);

    Task RaiseAsync(string alarmId, string name, AlarmNotice notice, CancellationToken ct) =>
        workflows.Current.RaiseEventAsync(AlarmFlow.InstanceId(alarmId), name, notice, ct);
}
