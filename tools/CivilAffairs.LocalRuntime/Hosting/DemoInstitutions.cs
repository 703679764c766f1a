using CivilAffairs.Application.Elderly.Institutions;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>
    /// Three care institutions with inspections, staffing and one substantiated complaint, so the public listing shows stars
    /// (5★, 4★ and a 2★ capped by a serious violation), for the demo only (<c>--demo</c>). Booked through the application
    /// services as the city administrator (the complaint as a citizen), so everything is stored, audited and rated as in
    /// production. A demo institution whose name is already registered is left as it is.
    /// </summary>
    public static async Task SeedInstitutionsAsync(FunctionsRuntime runtime, TextWriter log, CancellationToken ct = default)
    {
        var institutions = runtime.Services.GetRequiredService<InstitutionService>();
        var staff = new CallContext(new Caller("demo-seed", "演示数据", Role.CityAdministrator, "440100", null, null, "demo"), "demo-seed", ct);
        var existing = (await institutions.ListAsync(staff, null)).Value!.Items.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var citizen = new CallContext(new Caller("citizen-zhang", "张伟（市民）", Role.Citizen, null, DevelopmentIdentityProvider.DemoPersons.ZhangWei, null, "demo"), "demo-seed", ct);
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var demo = new (RegisterInstitutionRequest Registry, int Score, bool Serious, string Findings, int CareStaff, int Residents, string? Complaint)[]
        {
            (new("天河区社会福利院", "粤民养备 440106-0001", today.AddYears(3), 300, "440106", "广州市天河区龙口西路 1 号", InstitutionOwnership.Public),
                93, false, "消防、膳食、护理记录规范。", 80, 240, null),
            (new("石牌街颐康护养院", "粤民养备 440106-0087", today.AddYears(2), 120, "440106008", "广州市天河区石牌东路 18 号", InstitutionOwnership.Private),
                84, false, "个别护理记录填写不完整，已当场整改。", 22, 100, "夜间呼叫后护理员半小时才到，老人摔倒无人及时处理。"),
            (new("越秀区长者颐养中心", "粤民养备 440104-0032", today.AddYears(1), 80, "440104", "广州市越秀区解放北路 66 号", InstitutionOwnership.Private),
                76, true, "消防通道堆放杂物（重大违规），限期整改。", 10, 60, null),
        };
        var added = 0;
        foreach (var d in demo)
        {
            if (existing.Contains(d.Registry.Name!)) continue;
            added++;
            var registered = await institutions.RegisterAsync(staff, d.Registry);
            if (registered.Value is not { } institution) continue;
            await institutions.RecordInspectionAsync(staff, institution.Id, new InspectionRequest(today.AddMonths(-2), d.Score, d.Serious, d.Findings));
            await institutions.RecordStaffingAsync(staff, institution.Id, new StaffingRequest(today.AddDays(-7), d.CareStaff, d.Residents));
            if (d.Complaint is { } text && (await institutions.LodgeComplaintAsync(citizen, institution.Id, new ComplaintRequest(text))).Value is { } receipt)
                await institutions.DecideComplaintAsync(staff, institution.Id, receipt.Id, new ComplaintDecisionRequest(true, "经调取监控核实，夜班人手不足，已责令整改。"));
        }
        log.WriteLine(added > 0
            ? $"Demo data: {added} care institutions with inspections, staffing and star ratings."
            : "Demo data: care institutions already present.");
    }
}
