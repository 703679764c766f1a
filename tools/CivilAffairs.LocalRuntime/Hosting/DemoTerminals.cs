using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using CivilAffairs.TerminalSimulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>
    /// The demo's live terminals (<c>Runtime:TerminalSimulator</c>): registers <c>Terminals</c> (default 5) terminals for 李建国's
    /// home — his one-button terminal's siblings: a phone app and smart sensors — with demo secrets, and starts the terminal
    /// simulator on them: heartbeats every <c>HeartbeatSeconds</c> (default 60) and urgent events at <c>UrgentEventsPerHour</c>
    /// (default 2), so the alarm console has something to answer. <c>Enabled=false</c> starts nothing. The caller disposes the
    /// simulator before the runtime stops.
    /// </summary>
    public static async Task<TerminalSimulatorHost?> StartTerminalSimulatorAsync(FunctionsRuntime runtime, TextWriter log, CancellationToken ct = default)
    {
        var section = runtime.Services.GetRequiredService<IConfiguration>().GetSection("Runtime:TerminalSimulator");
        if (!section.GetValue("Enabled", true)) return null;
        var count = Math.Clamp(section.GetValue("Terminals", 5), 1, 1000);
        var heartbeat = Math.Max(5, section.GetValue("HeartbeatSeconds", 60));
        var rate = Math.Max(0, section.GetValue("UrgentEventsPerHour", 2.0));
        if (await runtime.Services.GetRequiredService<ElderRepository>().GetAsync(DemoElders.LiJianguoElderId, ct) is not { } elder) return null;

        var devices = runtime.Services.GetRequiredService<DeviceService>();
        var terminals = runtime.Services.GetRequiredService<TerminalService>();
        var installer = new Caller("demo-data", "演示数据导入", Role.CityAdministrator, "440100", null, null, "local");
        var simulated = new List<SimulatedTerminal>();
        for (var i = 1; i <= count; i++)
        {
            var id = $"pat-sim-{i:D2}";
            var secret = $"demo-{id}-secret";
            var kind = i == 1 ? TerminalKind.PhoneApp : TerminalKind.SmartSensor;
            if (await devices.FindAsync(id, ct) is null)
                await terminals.RegisterForAsync(new CallContext(installer, "demo-data", ct), elder, kind,
                    kind == TerminalKind.PhoneApp ? "李建国手机应用（模拟）" : $"李建国家智能传感器 {i - 1}（模拟）", heartbeat, id, secret);
            simulated.Add(new SimulatedTerminal(id, secret, TimeSpan.FromSeconds(heartbeat), 23.1221, 113.2716));
        }
        var host = await TerminalSimulatorHost.StartAsync(new TerminalSimulatorOptions
        {
            BaseAddress = runtime.BaseAddress, Terminals = simulated, UrgentEventsPerHour = rate,
        }, ct);
        log.WriteLine($"Terminal simulator: {count} terminals of 李建国's home (pat-sim-01…), heartbeat every {heartbeat} s, about {rate:0.#} urgent events an hour.");
        return host;
    }
}
