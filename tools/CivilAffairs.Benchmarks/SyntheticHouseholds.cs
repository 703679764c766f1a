using System.Globalization;
using System.Text.Json;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Benchmarks;

/// <summary>A generated household: who submits, which street officer accepts, and the application body.</summary>
sealed record BenchHousehold(string Jurisdiction, string Officer, IReadOnlyList<BenchMember> Members, string BankAccount)
{
    public object ApplicationBody() => new
    {
        program = "minimumLivingAllowance",
        jurisdiction = Jurisdiction,
        bankAccount = BankAccount,
        members = Members.Select(m => new
        {
            name = m.Name,
            idNumber = m.IdNumber,
            relationship = JsonNamingPolicy.CamelCase.ConvertName(m.Relationship.ToString()),
            consentSigned = true,
        }),
    };
}

sealed record BenchMember(string Name, string IdNumber, Relationship Relationship);

/// <summary>
/// Households for the benchmark: random but reproducible (seeded) valid GB 11643 numbers with Guangzhou division
/// prefixes, living in one of the six communities whose street has a demo officer (石牌, 五山, 北京街道), so that
/// officer can accept. The partner simulator derives everyone's records from (its seed, the number), so every
/// household gets answers from all 60 units; about a third come out eligible (publicity), the rest go to the
/// district (awaitingDecision) — both leave <c>verifying</c>.
/// </summary>
static class SyntheticHouseholds
{
    static readonly (string Community, string Officer)[] Communities =
    [
        ("440106008001", "shipai-officer"), ("440106008002", "shipai-officer"),
        ("440106005001", "wushan-officer"), ("440106005002", "wushan-officer"),
        ("440104002001", "beijing-officer"), ("440104002002", "beijing-officer"),
    ];
    /// <summary>Guangzhou's district codes (GB/T 2260), used as the registration place of members born elsewhere in the city.</summary>
    static readonly string[] Districts = ["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118"];
    static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "梁"];
    static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "建国", "小红", "志强", "海燕"];

    public static IReadOnlyList<BenchHousehold> Generate(int count, int seed, int minMembers, int maxMembers, DateOnly today)
    {
        var rng = new Random(seed);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<BenchHousehold>(count);
        for (var h = 0; h < count; h++)
        {
            var (community, officer) = Communities[rng.Next(Communities.Length)];
            var size = rng.Next(minMembers, maxMembers + 1);
            var surname = Surnames[rng.Next(Surnames.Length)];
            var members = new List<BenchMember>(size);
            for (var i = 0; i < size; i++)
            {
                var (relationship, minAge, maxAge) = i switch
                {
                    0 => (Relationship.Applicant, 25, 80),
                    1 => (Relationship.Spouse, 25, 80),
                    _ => (rng.Next(4) == 0 ? Relationship.Grandchild : Relationship.Child, 0, 17),
                };
                // Most members were registered in the household's district, some elsewhere in the city.
                var division = rng.Next(4) == 0 ? Districts[rng.Next(Districts.Length)] : community[..6];
                var id = NewIdNumber(rng, division, today.AddYears(-rng.Next(minAge, maxAge + 1)).AddDays(-rng.Next(1, 365)), used);
                var name = (relationship == Relationship.Spouse ? Surnames[rng.Next(Surnames.Length)] : surname) + Given[rng.Next(Given.Length)];
                members.Add(new BenchMember(name, id, relationship));
            }
            var bank = "6222" + rng.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
            result.Add(new BenchHousehold(community, officer, members, bank));
        }
        return result;
    }

    static string NewIdNumber(Random rng, string division, DateOnly birth, HashSet<string> used)
    {
        while (true)
        {
            var first17 = division + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + rng.Next(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
            var id = first17 + IdNumber.ComputeCheckCharacter(first17);
            if (used.Add(id)) return id;
        }
    }
}
