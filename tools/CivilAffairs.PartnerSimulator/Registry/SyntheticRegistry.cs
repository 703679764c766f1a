using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.PartnerSimulator.Registry;

/// <summary>A synthetic resident (demo, tests, benchmarks). <see cref="ToString"/> masks the name and ID number.</summary>
public sealed record RegistryResident(string HouseholdId, string Name, string IdNumber, Relationship Relationship)
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("HouseholdId = ").Append(HouseholdId)
            .Append(", Name = ").Append(Masking.MaskName(Name))
            .Append(", IdNumber = ").Append(Masking.MaskIdNumber(IdNumber))
            .Append(", Relationship = ").Append(Relationship);
        return true;
    }
}

/// <summary>A synthetic household living in <paramref name="Jurisdiction"/> (a community code).</summary>
public sealed record RegistryHousehold(string Id, EconomicTier Tier, string Jurisdiction, IReadOnlyList<RegistryResident> Members);

/// <summary>
/// The partner simulator's synthetic population: what the 60 units know about people, deterministic from a seed.
/// </summary>
/// <remarks>
/// <para>Everyone's records are a pure function of (seed, ID number): <see cref="Lookup(int, string)"/> gives the
/// same answer for a registry resident and for any other valid number, so any household gets stable answers.
/// The economic tier comes from a hash of the number; the registry's households are built from numbers whose
/// tier matches the household's, so a household is coherent (all poor, all affluent…). The members of
/// <see cref="DemoHouseholds"/> have fixed records whatever the seed.</para>
/// <para>Ages are taken on <see cref="ReferenceDate"/> so answers do not change with the calendar.</para>
/// </remarks>
public sealed class SyntheticRegistry
{
    public const int DefaultSeed = 20250701;
    public const int DefaultResidents = 2000;

    /// <summary>The date ages are computed on.</summary>
    public static readonly DateOnly ReferenceDate = new(2025, 7, 1);

    static readonly Lazy<DivisionDirectory> Divisions = new(() => new DivisionDirectory());

    static readonly (EconomicTier, double)[] TierWeights =
    [
        (EconomicTier.Destitute, 12), (EconomicTier.Poor, 23), (EconomicTier.LowIncome, 25), (EconomicTier.Middle, 28), (EconomicTier.Affluent, 12),
    ];

    readonly Dictionary<string, RegistryResident> byId;
    readonly ConcurrentDictionary<string, RegistryPerson> people = new(StringComparer.Ordinal);

    /// <summary>Builds <paramref name="residents"/> synthetic residents in households for <paramref name="seed"/>.</summary>
    public SyntheticRegistry(int seed = DefaultSeed, int residents = DefaultResidents)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(residents);
        Seed = seed;
        Households = Generate(seed, residents);
        Residents = Households.SelectMany(h => h.Members).ToList();
        byId = Residents.ToDictionary(r => r.IdNumber, StringComparer.Ordinal);
    }

    public int Seed { get; }

    public IReadOnlyList<RegistryHousehold> Households { get; }

    public IReadOnlyList<RegistryResident> Residents { get; }

    /// <summary>The registry resident with this ID number, or null (people outside the registry still have records, see <see cref="Lookup(string)"/>).</summary>
    public RegistryResident? Find(string idNumber) => byId.GetValueOrDefault(IdNumber.Normalize(idNumber));

    /// <summary>The person's records (cached).</summary>
    public RegistryPerson Lookup(string idNumber) => people.GetOrAdd(IdNumber.Normalize(idNumber), id => Lookup(Seed, id));

    /// <summary>
    /// The records of the person with <paramref name="idNumber"/> under <paramref name="seed"/>: fixed for demo
    /// members, otherwise derived from a hash of (seed, number).
    /// </summary>
    public static RegistryPerson Lookup(int seed, string idNumber)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        var id = IdNumber.Normalize(idNumber);
        return DemoHouseholds.Profile(id) ?? Generate(seed, id);
    }

    /// <summary>The economic tier of a (non-demo) person: a hash of (seed, number).</summary>
    public static EconomicTier TierOf(int seed, string normalizedIdNumber) =>
        DeterministicRandom.For(seed, "tier", normalizedIdNumber).Pick<EconomicTier>(TierWeights);

    /// <summary>
    /// The household economic report the platform should arrive at when every unit answers as simulated (except
    /// <paramref name="silentUnits"/> and units silent about any member, which do not answer the household's request):
    /// members are <c>m1</c>, <c>m2</c>… in order.
    /// </summary>
    public static HouseholdEconomicReport ExpectedReport(IReadOnlyList<RegistryPerson> members, PartnerCatalogue catalogue,
        IReadOnlySet<string>? silentUnits = null, DateTimeOffset? answeredAt = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(catalogue);
        var when = answeredAt ?? new DateTimeOffset(ReferenceDate.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
        var figures = new List<ReportedFigure>();
        var notAnswered = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var unit in catalogue.Units)
        {
            // A unit answers about the whole household or not at all.
            if (silentUnits?.Contains(unit.Code) == true || members.Any(m => m.SilentUnits.Contains(unit.Code)))
            {
                notAnswered.Add(unit.Code);
                continue;
            }
            var subjects = members.Select((m, i) =>
            {
                var answer = m.AnswerFor(unit);
                return new SubjectReply($"m{i + 1}", answer.Status, answer.Figures, answer.Facts);
            }).ToList();
            figures.AddRange(catalogue.ReportedFigures(new VerificationReply($"expected-{unit.Code}", "expected", unit.Code, subjects, when), "expected"));
        }
        return HouseholdEconomicReport.Build(members.Count, figures, catalogue.Units.Select(u => u.Code).ToList(), notAnswered.ToList(), []);
    }

    // ---- people ----

    static RegistryPerson Generate(int seed, string id)
    {
        var tier = TierOf(seed, id);
        var rng = DeterministicRandom.For(seed, "person", id);
        var catalogue = PartnerCatalogue.Load();
        var age = AgeOf(id) ?? 40;
        var child = age < 18;
        var elderly = age >= 60;
        var adult = !child;
        var p = new ProfileBuilder(id, tier);

        // Police: household registration for everyone, vehicles for adults.
        p.Fact("police", "household-registration", $"户籍在册（{DistrictName(id)}）");

        // Incomes (hrss, tax).
        decimal wages = 0, pension = 0, unemployment = 0;
        if (adult && !elderly)
        {
            wages = tier switch
            {
                EconomicTier.Destitute => 0,
                EconomicTier.Poor => rng.Chance(0.5) ? rng.Yuan(600, 1500) : 0,
                EconomicTier.LowIncome => rng.Chance(0.85) ? rng.Yuan(2300, 3600) : 0,
                EconomicTier.Middle => rng.Chance(0.9) ? rng.Yuan(6000, 16000) : 0,
                _ => rng.Chance(0.85) ? rng.Yuan(18000, 60000) : 0,
            };
            if (wages == 0 && tier is EconomicTier.Poor or EconomicTier.LowIncome && rng.Chance(tier == EconomicTier.Poor ? 0.2 : 0.4))
                unemployment = 2070; // 90% of Guangzhou's minimum wage (illustrative)
        }
        if (elderly)
        {
            pension = tier switch
            {
                EconomicTier.Destitute => rng.Chance(0.6) ? rng.Yuan(180, 400) : 0,
                EconomicTier.Poor => rng.Yuan(300, 1100),
                EconomicTier.LowIncome => rng.Yuan(1300, 2600),
                EconomicTier.Middle => rng.Yuan(3500, 7000),
                _ => rng.Yuan(7000, 13000),
            };
        }
        if (adult)
        {
            p.Figure("hrss", "wages", wages).Figure("hrss", "pensions", pension).Figure("hrss", "unemployment-benefits", unemployment);
            p.Figure("tax-state", "tax-declared-income", tier switch
            {
                EconomicTier.Middle => rng.Chance(0.2) ? rng.Yuan(500, 3000) : 0,
                EconomicTier.Affluent => rng.Chance(0.5) ? rng.Yuan(3000, 30000) : 0,
                _ => 0,
            });
            p.Figure("tax-local", "rental-income", tier switch
            {
                EconomicTier.LowIncome => rng.Chance(0.03) ? rng.Yuan(300, 800) : 0,
                EconomicTier.Middle => rng.Chance(0.25) ? rng.Yuan(1500, 4500) : 0,
                EconomicTier.Affluent => rng.Chance(0.6) ? rng.Yuan(4000, 25000) : 0,
                _ => 0,
            });
        }

        // Property, vehicles, businesses, provident fund.
        if (adult)
        {
            var homes = tier switch
            {
                EconomicTier.Destitute => rng.Chance(0.08) ? 1 : 0,
                EconomicTier.Poor => rng.Chance(0.35) ? 1 : 0,
                EconomicTier.LowIncome => rng.Chance(0.55) ? 1 : 0,
                EconomicTier.Middle => rng.Pick<int>([(0, 15), (1, 65), (2, 20)]),
                _ => rng.Between(2, 4),
            };
            p.Figure("land", "real-estate", homes);
            var cars = age > 75 ? 0 : tier switch
            {
                EconomicTier.LowIncome => rng.Chance(0.03) ? 1 : 0,
                EconomicTier.Middle => rng.Chance(0.5) ? 1 : 0,
                EconomicTier.Affluent => rng.Chance(0.85) ? rng.Between(1, 3) : 0,
                _ => 0,
            };
            p.Figure("police", "vehicles", cars);
            if (tier == EconomicTier.Affluent && rng.Chance(0.03)) p.Figure("maritime", "vehicles", 1);
            p.Figure("market", "business-registration", tier switch
            {
                EconomicTier.LowIncome => rng.Chance(0.03) ? 1 : 0,
                EconomicTier.Middle => rng.Chance(0.1) ? 1 : 0,
                EconomicTier.Affluent => rng.Chance(0.45) ? rng.Between(1, 2) : 0,
                _ => 0,
            });
            p.Figure("housing-fund", "provident-fund", wages == 0 ? 0 : tier switch
            {
                EconomicTier.LowIncome => rng.Yuan(2000, 20000),
                EconomicTier.Middle => rng.Yuan(20000, 220000),
                EconomicTier.Affluent => rng.Yuan(80000, 600000),
                _ => 0,
            });
            if (tier is EconomicTier.Destitute or EconomicTier.Poor or EconomicTier.LowIncome && homes == 0
                && rng.Chance(tier switch { EconomicTier.Destitute => 0.25, EconomicTier.Poor => 0.2, _ => 0.1 }))
                p.Fact("housing", "housing-security", rng.Chance(0.6) ? "公共租赁住房在租" : "领取住房租赁补贴");
        }

        // Financial assets: deposits and wealth products at a few banks, securities, insurance.
        var deposits = child
            ? tier switch
            {
                EconomicTier.Middle => rng.Chance(0.5) ? rng.YuanFen(2000, 50000) : 0,
                EconomicTier.Affluent => rng.Chance(0.5) ? rng.YuanFen(2000, 200000) : 0,
                EconomicTier.Poor or EconomicTier.LowIncome => rng.Chance(0.2) ? rng.YuanFen(200, 3000) : 0,
                _ => 0,
            }
            : tier switch
            {
                EconomicTier.Destitute => rng.YuanFen(0, 3000),
                EconomicTier.Poor => rng.YuanFen(1000, 15000),
                EconomicTier.LowIncome => rng.YuanFen(5000, 40000),
                EconomicTier.Middle => rng.YuanFen(40000, 350000),
                _ => rng.YuanFen(300000, 3000000),
            };
        var wealth = child ? 0 : tier switch
        {
            EconomicTier.LowIncome => rng.Chance(0.05) ? rng.Yuan(10000, 30000) : 0,
            EconomicTier.Middle => rng.Chance(0.4) ? rng.Yuan(50000, 300000) : 0,
            EconomicTier.Affluent => rng.Chance(0.8) ? rng.Yuan(200000, 2000000) : 0,
            _ => 0,
        };
        if (deposits > 0 || wealth > 0)
        {
            var count = tier switch
            {
                EconomicTier.Destitute or EconomicTier.Poor => 1,
                EconomicTier.LowIncome => rng.Between(1, 2),
                EconomicTier.Middle => rng.Between(1, 3),
                _ => rng.Between(2, 4),
            };
            var banks = Choose(rng, catalogue.Units.Where(u => u.Kind == PartnerKind.Bank).Select(u => u.Code), PopularBanks, child ? 1 : count);
            p.Spread(banks, "deposits", deposits, rng);
            if (wealth > 0) p.Figure(rng.Pick(banks), "wealth-products", wealth);
        }
        if (adult)
        {
            var securities = tier switch
            {
                EconomicTier.LowIncome => rng.Chance(0.03) ? rng.Yuan(2000, 20000) : 0,
                EconomicTier.Middle => rng.Chance(0.25) ? rng.Yuan(10000, 250000) : 0,
                EconomicTier.Affluent => rng.Chance(0.6) ? rng.Yuan(100000, 5000000) : 0,
                _ => 0,
            };
            p.FigureIfAny("csdc", "securities", securities);
        }
        var insurance = tier switch
        {
            EconomicTier.Poor or EconomicTier.LowIncome when adult => rng.Chance(0.1) ? rng.Yuan(1000, 10000) : 0,
            EconomicTier.Middle => rng.Chance(child ? 0.3 : 0.45) ? rng.Yuan(child ? 5000 : 10000, child ? 50000 : 120000) : 0,
            EconomicTier.Affluent => rng.Chance(child ? 0.3 : 0.75) ? rng.Yuan(child ? 5000 : 50000, child ? 50000 : 600000) : 0,
            _ => 0,
        };
        if (insurance > 0)
        {
            var insurers = Choose(rng, catalogue.Units.Where(u => u.Kind == PartnerKind.Insurer).Select(u => u.Code), PopularInsurers, rng.Between(1, 2));
            p.Spread(insurers, "commercial-insurance", insurance, rng);
        }

        // Medical expenses, benefits and facts.
        var medical = rng.Chance(0.04) ? rng.Yuan(30000, 150000) : child ? rng.Yuan(0, 2000) : elderly ? rng.Yuan(1500, 30000) : rng.Yuan(0, 6000);
        p.Figure("medical-security", "medical-expenses", medical);
        if (adult && age >= 40 && rng.Chance(0.02)) p.Figure("veterans", "veteran-benefits", rng.Yuan(1200, 3500));
        if (MaritalStatusOf(seed, id, age) is { } marital) p.Fact("civil-affairs", "marriage", $"婚姻状况：{marital}");
        var disabilityRate = (child ? 0.01 : elderly ? 0.08 : 0.03) * (tier is EconomicTier.Destitute or EconomicTier.Poor ? 2 : 1);
        if (rng.Chance(disabilityRate))
            p.Fact("disabled-fed", "disability", $"持第二代残疾人证：{rng.Pick(DisabilityTypes)}残疾{rng.Pick(Grades)}级");
        if (tier == EconomicTier.Destitute && rng.Chance(0.45) || tier == EconomicTier.Poor && rng.Chance(0.25))
            p.Fact("civil-affairs", "assistance-status", $"在享最低生活保障（{rng.Between(2018, 2024)}年起）");
        if (tier == EconomicTier.LowIncome && wages > 0 && rng.Chance(0.08))
            p.Fact("trade-union", "assistance-status", "在档困难职工（帮扶中）");
        if (adult && rng.Chance(0.02))
            p.Fact("court", "court-enforcement", rng.Chance(0.25) ? "列入失信被执行人名单；未结执行案件1件" : $"被执行人：未结执行案件{rng.Between(1, 2)}件");
        if (adult && !elderly && rng.Chance(0.004))
        {
            if (rng.Chance(0.5)) p.Fact("police", "detention", "刑事拘留，看守所羁押中");
            else p.Fact("prisons", "detention", $"在监服刑，刑期至{ReferenceDate.Year + rng.Between(1, 6)}年");
        }
        if (age >= 80 && rng.Chance(0.01))
        {
            var date = ReferenceDate.AddDays(-rng.Between(10, 300)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            p.Fact("civil-affairs", "death-records", $"已办理死亡注销（{date}）");
            p.Fact("health", "death-records", $"已签发居民死亡医学证明（{date}）");
            p.Fact("funeral", "death-records", $"遗体已火化（{date}）");
        }
        return p.Build();
    }

    static readonly string[] PopularBanks = ["bank-icbc", "bank-abc", "bank-boc", "bank-ccb", "bank-psbc", "bank-grcb", "bank-gzcb", "bank-cmb", "bank-bocom"];
    static readonly string[] PopularInsurers = ["ins-chinalife", "ins-pingan", "ins-cpic", "ins-taiping", "ins-newchina"];
    static readonly string[] DisabilityTypes = ["肢体", "视力", "听力", "言语", "智力", "精神"];
    static readonly string[] Grades = ["一", "二", "三", "四"];

    /// <summary>Distinct codes, popular ones five times as likely.</summary>
    static List<string> Choose(DeterministicRandom rng, IEnumerable<string> codes, IReadOnlyCollection<string> popular, int count)
    {
        var pool = codes.Select(c => (c, popular.Contains(c) ? 5.0 : 1.0)).ToList();
        var chosen = new List<string>();
        while (chosen.Count < count && pool.Count > 0)
        {
            var pick = rng.Pick<string>(pool);
            chosen.Add(pick);
            pool.RemoveAll(x => x.c == pick);
        }
        return chosen;
    }

    /// <summary>未婚/已婚/离婚/丧偶 from a hash of (seed, number); null under 20. Registry couples are drawn among 已婚 numbers.</summary>
    static string? MaritalStatusOf(int seed, string id, int age)
    {
        if (age < 20) return null;
        var rng = DeterministicRandom.For(seed, "marriage", id);
        return age < 30
            ? rng.Pick<string>([("未婚", 50), ("已婚", 47), ("离婚", 3)])
            : age < 70
                ? rng.Pick<string>([("未婚", 8), ("已婚", 80), ("离婚", 9), ("丧偶", 3)])
                : rng.Pick<string>([("已婚", 65), ("离婚", 5), ("丧偶", 30)]);
    }

    internal static int? AgeOf(string id)
    {
        var result = IdNumber.Validate(id, new DateOnly(2100, 1, 1));
        if (!result.IsValid) return null;
        return result.BirthDate > ReferenceDate ? 0 : result.AgeOn(ReferenceDate);
    }

    internal static string DistrictName(string id)
    {
        var code = id.Length >= 6 ? id[..6] : "";
        return Divisions.Value.Find(code) is { } district ? Divisions.Value.FullName(district.Code) : "外省市迁入";
    }

    // ---- households ----

    static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "梁",
        "郑", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹", "曾", "彭", "萧", "蔡", "潘", "田", "董", "袁", "叶", "蒋", "杜",
        "苏", "魏", "程", "吕", "丁", "沈", "任", "卢", "钟", "谭", "廖", "欧阳", "麦", "区", "冼", "邝", "关", "司徒", "黎", "赖",
    ];
    static readonly string[] MaleGiven = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "华", "建国", "志强", "国华", "俊杰", "家豪", "浩然", "子轩", "文辉", "永康", "锦荣", "伟明", "嘉俊", "志成", "耀祖"];
    static readonly string[] FemaleGiven = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂芳", "玉兰", "淑珍", "美玲", "丽华", "雅婷", "欣怡", "梓涵", "思彤", "嘉欣", "凤仪", "慧琳", "婉仪", "翠华", "少芬"];

    /// <param name="Married">True: must be 已婚; false: must not be; null: any.</param>
    sealed record Role(Relationship Relationship, int MinAge, int MaxAge, Sex? Sex, bool? Married = null);

    static IReadOnlyList<RegistryHousehold> Generate(int seed, int target)
    {
        var rng = DeterministicRandom.For(seed, "registry");
        var communities = Divisions.Value.All.Where(d => d.Level == DivisionLevel.Community).Select(d => d.Code)
            .Where(c => c.StartsWith("4401", StringComparison.Ordinal)).ToList();
        if (communities.Count == 0) communities = ["440106008001"];
        var used = new HashSet<string>(StringComparer.Ordinal);
        var households = new List<RegistryHousehold>();
        var count = 0;
        while (count < target)
        {
            var size = Math.Min(rng.Pick<int>([(1, 20), (2, 30), (3, 30), (4, 15), (5, 5)]), target - count);
            var tier = rng.Pick<EconomicTier>(TierWeights);
            var community = rng.Pick(communities);
            var householdId = $"h{households.Count + 1:D5}";
            var surname = rng.Pick(Surnames);
            var members = new List<RegistryResident>();
            foreach (var role in Roles(rng, size))
            {
                var sex = role.Sex ?? (rng.Chance(0.5) ? Sex.Male : Sex.Female);
                var ownSurname = role.Relationship is Relationship.Spouse || (role.Relationship == Relationship.Parent && sex == Sex.Female)
                    ? rng.Pick(Surnames) : surname;
                var name = ownSurname + rng.Pick(sex == Sex.Male ? MaleGiven : FemaleGiven);
                var id = NewIdNumber(rng, seed, community[..6], rng.Between(role.MinAge, role.MaxAge), sex, tier, role.Married, used);
                members.Add(new RegistryResident(householdId, name, id, role.Relationship));
            }
            households.Add(new RegistryHousehold(householdId, tier, community, members));
            count += size;
        }
        return households;
    }

    static IEnumerable<Role> Roles(DeterministicRandom rng, int size)
    {
        var applicantSex = rng.Chance(0.5) ? Sex.Male : Sex.Female;
        var spouseSex = applicantSex == Sex.Male ? Sex.Female : Sex.Male;
        Role Applicant(int min, int max, bool married = true) => new(Relationship.Applicant, min, max, applicantSex, married);
        Role Spouse(int min, int max) => new(Relationship.Spouse, min, max, spouseSex, true);
        return size switch
        {
            1 => rng.Chance(0.5) ? [Applicant(60, 90, married: false)] : [Applicant(22, 59, married: false)],
            2 => rng.Pick<Role[]>([
                ([Applicant(60, 88), Spouse(58, 88)], 45),
                ([Applicant(25, 59), Spouse(25, 59)], 35),
                ([Applicant(25, 50, married: false), new(Relationship.Child, 1, 17, null)], 20)]),
            3 => rng.Pick<Role[]>([
                ([Applicant(28, 50), Spouse(28, 50), new(Relationship.Child, 0, 17, null)], 75),
                ([Applicant(30, 50, married: false), new(Relationship.Child, 1, 17, null), new(Relationship.Child, 1, 17, null)], 10),
                ([Applicant(60, 80), Spouse(58, 80), new(Relationship.Grandchild, 3, 15, null)], 15)]),
            4 => rng.Pick<Role[]>([
                ([Applicant(30, 50), Spouse(30, 50), new(Relationship.Child, 0, 17, null), new(Relationship.Child, 0, 17, null)], 60),
                ([Applicant(30, 55), Spouse(30, 55), new(Relationship.Child, 0, 17, null), new(Relationship.Parent, 62, 88, null)], 40)]),
            _ => [Applicant(30, 50), Spouse(30, 50), new(Relationship.Child, 0, 17, null), new(Relationship.Child, 0, 17, null), new(Relationship.Parent, 62, 88, null)],
        };
    }

    /// <summary>
    /// A valid GB 11643 number born <paramref name="age"/> years before the reference date whose tier under the seed is
    /// <paramref name="tier"/> and whose marital status fits <paramref name="married"/> (best effort after 400 tries).
    /// </summary>
    static string NewIdNumber(DeterministicRandom rng, int seed, string district, int age, Sex sex, EconomicTier tier, bool? married, HashSet<string> used)
    {
        for (var attempt = 0; ; attempt++)
        {
            var birth = ReferenceDate.AddYears(-age).AddDays(-rng.Next(365) - 1 - attempt / 100);
            var sequence = rng.Next(500) * 2 + (sex == Sex.Male ? 1 : 0);
            var first17 = $"{district}{birth:yyyyMMdd}{sequence:D3}";
            var id = first17 + IdNumber.ComputeCheckCharacter(first17);
            if (used.Contains(id) || DemoHouseholds.Profile(id) is not null) continue;
            if (attempt < 400 && (TierOf(seed, id) != tier
                || married is { } m && (MaritalStatusOf(seed, id, AgeOf(id) ?? age) == "已婚") != m)) continue;
            used.Add(id);
            return id;
        }
    }
}
