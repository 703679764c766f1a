using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>The demo elders of the elderly-care area (fixed ids, so the README's requests work on every fresh run).</summary>
public static class DemoElders
{
    /// <summary>李建国 (born 1942, 越秀区北京街道盐运西社区, 80岁以上, lives alone): alarm service, meal subsidy, home care.</summary>
    public const string LiJianguoElderId = "01JCZ8DEME0000000000000001";
}

public static partial class DemoData
{
    /// <summary>
    /// Enrols 李建国 as an elder with two consenting contacts — his daughter 李娜 (who has the citizen account
    /// <c>citizen-li</c>, so alerts reach her inbox) and the 盐运西社区 community worker — and one contact who has not
    /// consented (never notified). A second run changes nothing.
    /// </summary>
    static async Task SeedEldersAsync(FunctionsRuntime runtime, CancellationToken ct)
    {
        var elders = runtime.Services.GetRequiredService<ElderService>();
        var importer = new Caller("demo-data", "演示数据导入", Role.CityAdministrator, "440100", null, null, "local");
        var result = await elders.ImportAsync(new CallContext(importer, "demo-data", ct), DemoElders.LiJianguoElderId, new ElderEnrolment(
            DevelopmentIdentityProvider.DemoPersons.LiJianguo, ElderCategory.Aged80Plus, LivesAlone: true, new PositionBody(23.1221, 113.2716),
            [
                new ContactRequest("李娜", ContactRole.Relative, "13800138004", Consented: true, DevelopmentIdentityProvider.DemoPersons.LiNa),
                new ContactRequest("黄丽萍", ContactRole.CommunityWorker, "13900139001", Consented: true, null),
                new ContactRequest("李建华", ContactRole.Relative, "13700137005", Consented: false, null),
            ],
            [ElderCareService.AlarmService, ElderCareService.MealSubsidy, ElderCareService.HomeCareBudget]));
        if (result.Problem is { Code: not "ELDER_ALREADY_ENROLLED" } problem)
            throw new InvalidOperationException($"Demo elder not enrolled: {problem.Code} {problem.Detail}");
    }
}
