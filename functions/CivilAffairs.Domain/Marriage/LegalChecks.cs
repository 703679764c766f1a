using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Marriage;

/// <summary>What the registry knows about one party when the registrar runs the checks.</summary>
/// <param name="Label">How the reasons name the party (男方 / 女方, 申请人).</param>
/// <param name="IdNumber">The ID number the party filled in (and showed).</param>
/// <param name="IdentityVerified">Name and ID number match the person index (身份核验).</param>
/// <param name="CurrentlyMarried">The register holds a current marriage of this party.</param>
/// <param name="StatesNoSpouse">The party signed, with their own account, that they have no spouse (本人无配偶).</param>
/// <param name="StatesNoKinship">The party signed that there is no prohibited kinship with the other party (无直系血亲和三代以内旁系血亲关系).</param>
public sealed record PartyFacts(string Label, string? IdNumber, bool IdentityVerified, bool CurrentlyMarried, bool StatesNoSpouse, bool StatesNoKinship);

/// <summary>One legal check: a stable code (upper snake case, used as the problem code when it fails) and the reason in Chinese.</summary>
public sealed record LegalCheck(string Code, bool Passed, string Reason);

public sealed record LegalCheckReport(IReadOnlyList<LegalCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
    public IReadOnlyList<LegalCheck> Failed => [.. Checks.Where(c => !c.Passed)];
}

/// <summary>
/// The legal checks before a marriage is registered (婚姻登记条例, 民法典 婚姻家庭编), each with a Chinese reason, evaluated
/// together so a refusal names every check that failed:
/// <list type="bullet">
/// <item>男女双方 (Civil Code Art. 1049 with the registration regulation's 男女双方);</item>
/// <item>the legal age on the registration date, from the ID number: 22 for men, 20 for women (Art. 1047);</item>
/// <item>neither party currently married in the register (Art. 1041 一夫一妻, Art. 1051);</item>
/// <item>each party's signed statements of no spouse and no prohibited kinship (Art. 1048);</item>
/// <item>both parties present in person, attested by the registrar (Art. 1049 亲自到婚姻登记机关);</item>
/// <item>each party's identity checked against the person index.</item>
/// </list>
/// </summary>
public static class MarriageLaw
{
    public const string AgeCode = "AGE_BELOW_LEGAL_MINIMUM";
    public const string MarriedCode = "PARTY_ALREADY_MARRIED";
    public const string NoSpouseCode = "STATEMENT_NO_SPOUSE_MISSING";
    public const string NoKinshipCode = "STATEMENT_NO_KINSHIP_MISSING";
    public const string PresentCode = "NOT_PRESENT_IN_PERSON";
    public const string IdentityCode = "IDENTITY_NOT_VERIFIED";
    public const string CoupleCode = "NOT_A_MAN_AND_A_WOMAN";

    /// <summary>法定婚龄: 22 for men, 20 for women (Civil Code Art. 1047).</summary>
    public static int MinimumAge(Sex sex) => sex == Sex.Male ? 22 : 20;

    /// <summary>The party's age on the registration date against the legal minimum for their sex (both from the ID number).</summary>
    public static LegalCheck Age(string label, string? idNumber, DateOnly registrationDate)
    {
        var id = IdNumber.Validate(idNumber, registrationDate);
        if (!id.IsValid) return new(IdentityCode, false, $"{label}身份证号码无效：{id.Message}");
        var age = id.AgeOn(registrationDate);
        var minimum = MinimumAge(id.Sex);
        var who = id.Sex == Sex.Male ? "男" : "女";
        return age >= minimum
            ? new(AgeCode, true, $"{label}登记之日已满 {age} 周岁（{who}性法定婚龄 {minimum} 周岁）。")
            : new(AgeCode, false, $"{label}登记之日{registrationDate:yyyy年M月d日}未满 {minimum} 周岁（现 {age} 周岁），未达{who}性法定婚龄（《民法典》第一千零四十七条），不予登记。");
    }

    public static LegalCheckReport CheckMarriage(PartyFacts a, PartyFacts b, bool bothPresent, DateOnly registrationDate)
    {
        var checks = new List<LegalCheck>();
        var idA = IdNumber.Validate(a.IdNumber, registrationDate);
        var idB = IdNumber.Validate(b.IdNumber, registrationDate);
        if (idA.IsValid && idB.IsValid)
            checks.Add(idA.Normalized != idB.Normalized && idA.Sex != idB.Sex
                ? new(CoupleCode, true, "双方为一男一女。")
                : new(CoupleCode, false, "结婚登记须由男女双方共同申请（《婚姻登记条例》），双方身份证件显示的性别不符合。"));
        foreach (var p in new[] { a, b })
        {
            checks.Add(Age(p.Label, p.IdNumber, registrationDate));
            checks.Add(p.IdentityVerified
                ? new(IdentityCode, true, $"{p.Label}身份已与人口信息核验一致。")
                : new(IdentityCode, false, $"{p.Label}的姓名与身份证号码未能与人口信息核验一致，请核对身份证件。"));
            checks.Add(p.CurrentlyMarried
                ? new(MarriedCode, false, $"{p.Label}在婚姻登记记录中尚有存续的婚姻，属于有配偶，不予登记（《民法典》第一千零四十一条、第一千零五十一条）。")
                : new(MarriedCode, true, $"婚姻登记记录中{p.Label}无存续婚姻。"));
            checks.Add(p.StatesNoSpouse
                ? new(NoSpouseCode, true, $"{p.Label}已本人签署无配偶声明。")
                : new(NoSpouseCode, false, $"{p.Label}尚未本人签署“本人无配偶”的声明。"));
            checks.Add(p.StatesNoKinship
                ? new(NoKinshipCode, true, $"{p.Label}已本人签署与对方无禁止结婚的亲属关系声明。")
                : new(NoKinshipCode, false, $"{p.Label}尚未本人签署“与对方没有直系血亲和三代以内旁系血亲关系”的声明（《民法典》第一千零四十八条）。"));
        }
        checks.Add(bothPresent
            ? new(PresentCode, true, "登记员确认双方本人到场。")
            : new(PresentCode, false, "结婚登记须男女双方本人亲自到场（《民法典》第一千零四十九条），登记员未确认双方到场。"));
        return new(checks);
    }
}
