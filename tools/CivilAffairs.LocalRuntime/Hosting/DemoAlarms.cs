using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>The demo 平安通 terminal (fixed id and secret, so the README's requests work on every fresh run).</summary>
public static class DemoAlarms
{
    /// <summary>李建国's one-button terminal; the development identity provider's <c>device-pat-button-01</c> is this device.</summary>
    public const string TerminalId = "pat-button-01";

    /// <summary>Its secret for <c>POST /api/devices/token</c> — a demo value, published in the README; never use fixed secrets outside the demo.</summary>
    public const string TerminalSecret = "demo-pat-button-01-secret";
}

public static partial class DemoData
{
    /// <summary>Registers 李建国's one-button terminal (heartbeat every 24 h). A second run changes nothing.</summary>
    static async Task SeedAlarmTerminalsAsync(FunctionsRuntime runtime, CancellationToken ct)
    {
        if (await runtime.Services.GetRequiredService<DeviceService>().FindAsync(DemoAlarms.TerminalId, ct) is not null) return;
        if (await runtime.Services.GetRequiredService<ElderRepository>().GetAsync(DemoElders.LiJianguoElderId, ct) is not { } elder) return;
        var installer = new Caller("demo-data", "演示数据导入", Role.CityAdministrator, "440100", null, null, "local");
        await runtime.Services.GetRequiredService<TerminalService>().RegisterForAsync(new CallContext(installer, "demo-data", ct), elder,
            TerminalKind.OneButton, "李建国家一键呼叫终端（演示）", null, DemoAlarms.TerminalId, DemoAlarms.TerminalSecret);
    }
}
