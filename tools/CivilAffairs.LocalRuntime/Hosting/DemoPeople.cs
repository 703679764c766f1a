using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>A demo resident (fictitious; ID numbers are well-formed but not real).</summary>
    public sealed record DemoPerson(string Id, string Name, string IdNumber, string? Phone, string Address, string Jurisdiction);

    public static readonly IReadOnlyList<DemoPerson> People =
    [
        new(DevelopmentIdentityProvider.DemoPersons.ZhangWei, "张伟", "440106195803121235", "13800138001", "广州市天河区石牌街道华师社区中山大道西 55 号", "440106008001"),
        new(DevelopmentIdentityProvider.DemoPersons.LiuFang, "刘芳", "440106198506072346", "13800138002", "广州市天河区五山街道华工社区五山路 381 号", "440106005001"),
        new(DevelopmentIdentityProvider.DemoPersons.LiJianguo, "李建国", "440104194211203459", "13800138003", "广州市越秀区北京街道盐运西社区盐运西路 12 号", "440104002001"),
        new(DevelopmentIdentityProvider.DemoPersons.LiNa, "李娜", "440104199002154569", "13800138004", "广州市越秀区北京街道惠新社区惠新西街 8 号", "440104002002"),
        new(DevelopmentIdentityProvider.DemoPersons.ZhangXiaoming, "张小明", "440106201509015675", null, "广州市天河区石牌街道华师社区中山大道西 55 号", "440106008001"),
        new(DevelopmentIdentityProvider.DemoPersons.ChenXiuying, "陈秀英", "440105197001016786", "13800138006", "广州市海珠区赤岗街道赤岗社区赤岗路 20 号", "440105001001"),
        new(DevelopmentIdentityProvider.DemoPersons.WangLei, "王磊", "440106199505081237", "13800138007", "广州市天河区石牌街道华师社区中山大道西 80 号", "440106008001"),
        new(DevelopmentIdentityProvider.DemoPersons.ChenJing, "陈静", "440106199709201245", "13800138008", "广州市天河区五山街道华工社区五山路 12 号", "440106005001"),
        new(DevelopmentIdentityProvider.DemoPersons.LiuYang, "刘洋", "440104200603150016", "13800138009", "广州市越秀区北京街道惠新社区惠新西街 20 号", "440104002002"),
        new(DevelopmentIdentityProvider.DemoPersons.SunLi, "孙丽", "440105199402185627", "13800138010", "广州市海珠区赤岗街道赤岗社区赤岗路 66 号", "440105001001"),
        new(DevelopmentIdentityProvider.DemoPersons.WangJianhua, "王建华", "440106194803151237", "13800138011", "广州市天河区石牌街道华师社区中山大道西 80 号", "440106008001"),
    ];

    /// <summary>WeChat simulator users bound to demo people (citizen-wang is left unbound to show real-name binding).</summary>
    static readonly IReadOnlyDictionary<string, string> BoundCitizens = new Dictionary<string, string>
    {
        ["citizen-zhang"] = DevelopmentIdentityProvider.DemoPersons.ZhangWei,
        ["citizen-li"] = DevelopmentIdentityProvider.DemoPersons.LiNa,
    };

    static async Task SeedPeopleAsync(FunctionsRuntime runtime, CancellationToken ct)
    {
        var persons = runtime.Services.GetRequiredService<PersonIndex>();
        var importer = new Caller("demo-data", "演示数据导入", Role.CityAdministrator, "440100", null, null, "local");
        foreach (var p in People)
            await persons.ImportAsync(importer, p.Id, new PersonRegistration { Name = p.Name, IdNumber = p.IdNumber, Phone = p.Phone, Address = p.Address, Jurisdiction = p.Jurisdiction }, "demo-data", ct);

        if (runtime.WeChatUsers is { } users)
        {
            var accounts = runtime.Services.GetRequiredService<CitizenAccounts>();
            foreach (var (key, personId) in BoundCitizens)
                if (users.FirstOrDefault(u => u.Key == key) is { } user)
                    await accounts.EnsureAccountAsync(user.OpenId, personId, ct);
        }
    }
}
