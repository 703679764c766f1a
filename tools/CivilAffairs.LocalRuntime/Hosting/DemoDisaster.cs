using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Disaster.Teams;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>
    /// A few relief warehouses in Guangzhou with stock and the field teams of the demo streets, for the demo only
    /// (<c>--demo</c>; tests seed their own). Booked through the application services as the city administrator, so the
    /// ledger, head and registry are written as in production. What already exists is left as it is.
    /// </summary>
    public static async Task SeedDisasterAsync(FunctionsRuntime runtime, TextWriter log, CancellationToken ct = default)
    {
        var warehouses = runtime.Services.GetRequiredService<WarehouseService>();
        var teams = runtime.Services.GetRequiredService<TeamService>();
        var call = new CallContext(new Caller("demo-seed", "演示数据", Role.CityAdministrator, "440100", null, null, "demo"), "demo-seed", ct);
        var expiry = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddYears(1);
        var demo = new (string Id, string Name, double Lat, double Lon, string Jurisdiction, (string Item, string Lot, DateOnly? Expiry, decimal Qty)[] Stock)[]
        {
            ("GZ-CITY-01", "广州市救灾物资储备中心", 23.1800, 113.3300, "440100",
                [("TENT", "T-2025-01", null, 200), ("QUILT", "Q-2025-01", null, 500), ("COT", "C-2025-01", null, 150), ("GENERATOR", "G-2025-01", null, 10)]),
            ("GZ-TH-01", "天河区救灾物资储备库", 23.1291, 113.3612, "440106",
                [("TENT", "T-2025-07", null, 60), ("WATER", "W-2025-11", expiry, 300), ("FOOD", "F-2025-11", expiry, 200), ("FIRSTAID", "A-2025-09", expiry, 80)]),
            ("GZ-TH-SP", "石牌街道应急物资储备点", 23.1368, 113.3440, "440106008",
                [("QUILT", "Q-2025-03", null, 40), ("WATER", "W-2025-12", expiry, 60), ("LAMP", "L-2025-02", null, 30)]),
            ("GZ-YX-01", "越秀区救灾物资储备库", 23.1290, 113.2668, "440104",
                [("TENT", "T-2025-05", null, 40), ("FAMILYKIT", "K-2025-04", expiry, 120), ("LIFEJACKET", "J-2025-01", null, 100)]),
        };
        var added = 0;
        foreach (var w in demo)
        {
            var created = await warehouses.CreateAsync(call, new WarehouseRequest(w.Id, w.Name, new PositionBody(w.Lat, w.Lon), w.Jurisdiction));
            if (!created.IsSuccess) continue;
            foreach (var s in w.Stock)
                await warehouses.ReceiveAsync(call, w.Id, new ReceiptRequest(s.Item, s.Lot, s.Expiry, s.Qty, "demo-" + s.Lot));
            added++;
        }
        // The street teams of the demo accounts: a need in a Tianhe or Yuexiu incident reaches a team member's task list.
        var demoTeams = new TeamRequest[]
        {
            new("TH-SHIPAI-TEAM", "石牌街道救灾队", "440106008", new PositionBody(23.1368, 113.3440), ["huashi-worker", "shipai-officer"], 3),
            new("TH-WUSHAN-TEAM", "五山街道救灾队", "440106005", new PositionBody(23.1560, 113.3520), ["wushan-officer"], 3),
            new("YX-BEIJING-TEAM", "北京街道救灾队", "440104002", new PositionBody(23.1262, 113.2702), ["yanyunxi-worker", "beijing-officer"], 3),
        };
        var teamsAdded = 0;
        foreach (var t in demoTeams)
            if ((await teams.CreateAsync(call, t)).IsSuccess) teamsAdded++;
        log.WriteLine(added + teamsAdded > 0
            ? $"Demo data: {added} relief warehouses with stock, {teamsAdded} field teams."
            : "Demo data: relief warehouses and field teams already present.");
    }
}
