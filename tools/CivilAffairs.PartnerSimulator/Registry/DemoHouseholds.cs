using System.Text;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.PartnerSimulator.Registry;

/// <summary>A member of a demo household. <see cref="ToString"/> masks the name and ID number.</summary>
public sealed record DemoMember(string Name, string IdNumber, Relationship Relationship)
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Masking.MaskName(Name))
            .Append(", IdNumber = ").Append(Masking.MaskIdNumber(IdNumber))
            .Append(", Relationship = ").Append(Relationship);
        return true;
    }
}

/// <summary>A fixed demo household for the minimum living allowance (低保).</summary>
/// <param name="Key">Stable handle: <c>zhang</c>, <c>li-chen</c>, <c>li-huang</c>.</param>
/// <param name="Jurisdiction">Community code where the household lives.</param>
/// <param name="ExpectedEligible">Whether the household qualifies for 低保 at Guangzhou's standard (1368 元).</param>
/// <param name="SilentUnits">Units that never answer about these members, to show an unanswered request.</param>
public sealed record DemoHousehold(string Key, string Title, string Jurisdiction, IReadOnlyList<DemoMember> Members,
    bool ExpectedEligible, IReadOnlyList<string> SilentUnits, string Description);

/// <summary>
/// Three fixed households whose partner records do not depend on the simulator's seed: one clearly eligible
/// for 低保, one clearly not, and one eligible household about whom a unit (<c>housing-fund</c>) never answers.
/// The applicants are the local runtime's demo residents 张伟, 李娜 and 李建国; the other members are added here.
/// All data is fictitious.
/// </summary>
public static class DemoHouseholds
{
    /// <summary>The unit that stays silent about <see cref="EligibleWithSilentUnit"/>.</summary>
    public const string SilentUnit = "housing-fund";

    static readonly string WangXiulan = Id("44010619600514042");
    static readonly string ChenZhiqiang = Id("44010419880723031");
    static readonly string ChenSitong = Id("44010420190611028");
    static readonly string HuangGuifang = Id("44010419450318066");

    /// <summary>张伟's household in 天河区石牌街道华师社区: two small pensions, a grandson, one flat, modest savings.</summary>
    public static DemoHousehold Eligible { get; } = new(
        "zhang", "张伟家（符合低保条件）", "440106008001",
        [
            new("张伟", "440106195803121235", Relationship.Applicant),
            new("王秀兰", WangXiulan, Relationship.Spouse),
            new("张小明", "440106201509015675", Relationship.Grandchild),
        ],
        ExpectedEligible: true, SilentUnits: [],
        "月人均收入约 557 元，人均金融资产约 8,167 元，自有住房 1 套，无车辆、无经营。");

    /// <summary>李娜's household in 越秀区北京街道惠新社区: two salaries, two flats, a car, a company, large savings.</summary>
    public static DemoHousehold Ineligible { get; } = new(
        "li-chen", "李娜家（不符合低保条件）", "440104002002",
        [
            new("李娜", "440104199002154569", Relationship.Applicant),
            new("陈志强", ChenZhiqiang, Relationship.Spouse),
            new("陈思彤", ChenSitong, Relationship.Child),
        ],
        ExpectedEligible: false, SilentUnits: [],
        "月人均收入约 17,000 元，存款、理财、证券合计逾百万元，住房 2 套，机动车 1 辆，经营企业 1 家。");

    /// <summary>李建国's household in 越秀区北京街道盐运西社区: an elderly couple on small pensions; the housing fund never answers.</summary>
    public static DemoHousehold EligibleWithSilentUnit { get; } = new(
        "li-huang", "李建国家（符合条件，住房公积金中心未答复）", "440104002001",
        [
            new("李建国", "440104194211203459", Relationship.Applicant),
            new("黄桂芳", HuangGuifang, Relationship.Spouse),
        ],
        ExpectedEligible: true, SilentUnits: [SilentUnit],
        "月人均收入 865 元，人均金融资产 6,100 元，自有住房 1 套；广州住房公积金管理中心不答复，结论为暂定。");

    public static IReadOnlyList<DemoHousehold> All { get; } = [Eligible, Ineligible, EligibleWithSilentUnit];

    static readonly Dictionary<string, RegistryPerson> Profiles = BuildProfiles();

    /// <summary>The fixed records of a demo member, or null.</summary>
    public static RegistryPerson? Profile(string normalizedIdNumber) => Profiles.GetValueOrDefault(normalizedIdNumber);

    static string Id(string first17) => first17 + IdNumber.ComputeCheckCharacter(first17);

    static Dictionary<string, RegistryPerson> BuildProfiles()
    {
        var people = new[]
        {
            // 张伟家
            Adult("440106195803121235", EconomicTier.Poor, pension: 1050, homes: 1, married: true)
                .Figure("bank-icbc", "deposits", 11200.00m).Figure("bank-grcb", "deposits", 6800.50m)
                .Figure("medical-security", "medical-expenses", 3600),
            Adult(WangXiulan, EconomicTier.Poor, pension: 620, married: true)
                .Figure("bank-psbc", "deposits", 6500.00m)
                .Figure("medical-security", "medical-expenses", 12400)
                .Fact("disabled-fed", "disability", "持第二代残疾人证：肢体残疾三级"),
            Child("440106201509015675", EconomicTier.Poor).Figure("medical-security", "medical-expenses", 300),

            // 李娜家
            Adult("440104199002154569", EconomicTier.Affluent, wages: 18500, homes: 1, providentFund: 86000, married: true)
                .Figure("bank-cmb", "deposits", 180000.00m).Figure("bank-cmb", "wealth-products", 300000)
                .Figure("bank-gzcb", "deposits", 80000.00m)
                .Figure("csdc", "securities", 120000)
                .Figure("ins-pingan", "commercial-insurance", 45000)
                .Figure("medical-security", "medical-expenses", 800),
            Adult(ChenZhiqiang, EconomicTier.Affluent, wages: 22000, taxDeclared: 6000, rental: 4500, homes: 1, vehicles: 1, businesses: 1, providentFund: 120000, married: true)
                .Figure("bank-icbc", "deposits", 95000.00m).Figure("bank-icbc", "wealth-products", 200000)
                .Figure("ins-chinalife", "commercial-insurance", 60000)
                .Figure("medical-security", "medical-expenses", 1500),
            Child(ChenSitong, EconomicTier.Affluent)
                .Figure("bank-cmb", "deposits", 30000.00m)
                .Figure("ins-pingan", "commercial-insurance", 12000)
                .Figure("medical-security", "medical-expenses", 600),

            // 李建国家 (the housing fund never answers)
            Adult("440104194211203459", EconomicTier.Poor, pension: 1280, homes: 1, married: true)
                .Figure("bank-boc", "deposits", 9000.00m)
                .Figure("medical-security", "medical-expenses", 8800)
                .Silent(SilentUnit),
            Adult(HuangGuifang, EconomicTier.Poor, pension: 450, married: true)
                .Figure("bank-grcb", "deposits", 3200.00m)
                .Figure("medical-security", "medical-expenses", 15600)
                .Silent(SilentUnit),
        };
        return people.Select(p => p.Build()).ToDictionary(p => p.IdNumber, StringComparer.Ordinal);
    }

    /// <summary>An adult as the government units know them: every income, property and registration figure stated, zero where none.</summary>
    static ProfileBuilder Adult(string id, EconomicTier tier, decimal wages = 0, decimal pension = 0, decimal taxDeclared = 0, decimal rental = 0,
        int homes = 0, int vehicles = 0, int businesses = 0, decimal providentFund = 0, bool married = false) =>
        new ProfileBuilder(id, tier, isDemo: true)
            .Fact("police", "household-registration", $"户籍在册（{SyntheticRegistry.DistrictName(id)}）")
            .Figure("police", "vehicles", vehicles)
            .Figure("hrss", "wages", wages).Figure("hrss", "pensions", pension).Figure("hrss", "unemployment-benefits", 0)
            .Figure("tax-state", "tax-declared-income", taxDeclared)
            .Figure("tax-local", "rental-income", rental)
            .Figure("land", "real-estate", homes)
            .Figure("market", "business-registration", businesses)
            .Figure("housing-fund", "provident-fund", providentFund)
            .Fact("civil-affairs", "marriage", married ? "婚姻状况：已婚" : "婚姻状况：未婚");

    static ProfileBuilder Child(string id, EconomicTier tier) =>
        new ProfileBuilder(id, tier, isDemo: true)
            .Fact("police", "household-registration", $"户籍在册（{SyntheticRegistry.DistrictName(id)}）");
}
