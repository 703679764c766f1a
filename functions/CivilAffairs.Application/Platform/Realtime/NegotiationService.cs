using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>The SignalR negotiate answer: the official clients follow <c>url</c> with <c>accessToken</c>.</summary>
public sealed record RealtimeNegotiation(string Url, string AccessToken);

/// <summary>
/// Connects staff to a realtime hub: the connection's user is the caller's subject, and the caller's group memberships in
/// the hub become exactly their jurisdiction's group (<c>jur_&lt;code&gt;</c>), so they receive the events of their area and
/// the areas below it.
/// </summary>
public sealed class NegotiationService(IRealtimeService realtime, ILogger<NegotiationService> logger)
{
    /// <summary>Hubs clients may connect to.</summary>
    public static readonly IReadOnlyList<string> Hubs = [RealtimeNames.DashboardHub, RealtimeNames.AlarmsHub];

    public async Task<Result<RealtimeNegotiation>> NegotiateAsync(CallContext call, string? hub)
    {
        if (hub is null || !Hubs.Contains(hub, StringComparer.OrdinalIgnoreCase))
            return Problem.Invalid("hub", $"请指定集线器：{string.Join("、", Hubs)}。");
        var caller = call.Caller;
        hub = hub.ToLowerInvariant();
        var alarmDesk = caller.Role is Role.AlarmOperator or Role.AlarmSupervisor;
        // The alarm desks' hub is for the alarm centre's people only, each in their company's group; the dashboard is for staff.
        if (alarmDesk != (hub == RealtimeNames.AlarmsHub))
            return Problem.Forbidden(alarmDesk ? "平安通坐席请连接集线器 alarms。" : "集线器 alarms 只供平安通呼叫中心坐席使用。", "REALTIME_HUB_NOT_ALLOWED", "不能连接该集线器");
        // Staff always carry a jurisdiction (the guard refuses staff tokens without one); alarm desks a company (channel).
        IReadOnlyCollection<string> groups = alarmDesk
            ? caller.Channel is { Length: > 0 } company ? [RealtimeNames.AlarmCompanyGroup(company)] : []
            : caller.Jurisdiction is { } j && Jurisdiction.IsWellFormed(j) ? [RealtimeNames.JurisdictionGroup(j)] : [];
        try
        {
            var info = await realtime.NegotiateAsync(hub, caller.Subject, groups, call.Cancellation);
            return Result.Ok(new RealtimeNegotiation(info.Url, info.AccessToken));
        }
        catch (RealtimeException e)
        {
            logger.LogWarning("Realtime negotiate failed in {Operation} (status {Status})", e.Operation, e.Status);
            return Problem.Unavailable("REALTIME_UNAVAILABLE", "实时推送服务暂不可用", "请稍后重试；页面数据仍可手动刷新。");
        }
    }
}
