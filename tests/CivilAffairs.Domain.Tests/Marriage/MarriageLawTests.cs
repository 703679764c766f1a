using CivilAffairs.Domain.Marriage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Marriage;

public class MarriageLawTests
{
    static readonly DateOnly On = new(2026, 5, 20);

    /// <summary>A valid ID number of a person born on <paramref name="birth"/> (odd 17th digit: male).</summary>
    public static string Id(DateOnly birth, bool male, string division = "440106")
    {
        var first17 = $"{division}{birth:yyyyMMdd}01{(male ? 1 : 2)}";
        return first17 + IdNumber.ComputeCheckCharacter(first17);
    }

    static PartyFacts Party(string label, string id, bool verified = true, bool married = false, bool noSpouse = true, bool noKinship = true) =>
        new(label, id, verified, married, noSpouse, noKinship);

    [Theory]
    [InlineData(true, 22, 0, true)]    // a man on his 22nd birthday
    [InlineData(true, 22, -1, false)]  // a man one day short of 22
    [InlineData(false, 20, 0, true)]   // a woman on her 20th birthday
    [InlineData(false, 20, -1, false)]
    [InlineData(false, 21, 0, true)]
    [InlineData(true, 21, 0, false)]   // 21 is old enough for a woman, not for a man
    public void The_legal_age_is_22_for_men_and_20_for_women_on_the_registration_date(bool male, int years, int daysFromBirthday, bool passes)
    {
        var birth = On.AddYears(-years).AddDays(-daysFromBirthday);
        var check = MarriageLaw.Age("男方", Id(birth, male), On);
        Assert.Equal(MarriageLaw.AgeCode, check.Code);
        Assert.Equal(passes, check.Passed);
        if (!passes) Assert.Contains($"未满 {(male ? 22 : 20)} 周岁", check.Reason);
    }

    [Fact]
    public void A_couple_that_meets_every_rule_passes_each_check_with_a_reason()
    {
        var report = MarriageLaw.CheckMarriage(Party("男方", Id(new(1995, 1, 1), true)), Party("女方", Id(new(1997, 1, 1), false)), bothPresent: true, On);
        Assert.True(report.Passed);
        Assert.Empty(report.Failed);
        Assert.All(report.Checks, c => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", c.Reason));
        Assert.Equal(12, report.Checks.Count); // couple, 5 per party (age, identity, not married, two statements), presence
    }

    [Fact]
    public void Every_failed_check_is_named_at_once()
    {
        var report = MarriageLaw.CheckMarriage(
            Party("男方", Id(new(2005, 1, 1), true), married: true),
            Party("女方", Id(new(1997, 1, 1), false), verified: false, noSpouse: false, noKinship: false),
            bothPresent: false, On);
        Assert.False(report.Passed);
        Assert.Equal(
            [MarriageLaw.AgeCode, MarriageLaw.MarriedCode, MarriageLaw.IdentityCode, MarriageLaw.NoSpouseCode, MarriageLaw.NoKinshipCode, MarriageLaw.PresentCode],
            report.Failed.Select(c => c.Code));
        Assert.Contains("有配偶", report.Failed.Single(c => c.Code == MarriageLaw.MarriedCode).Reason);
        Assert.Contains("本人亲自到场", report.Failed.Single(c => c.Code == MarriageLaw.PresentCode).Reason);
    }

    [Fact]
    public void Two_men_or_the_same_person_twice_cannot_marry()
    {
        var man = Id(new(1990, 1, 1), true);
        Assert.Contains(MarriageLaw.CheckMarriage(Party("男方", man), Party("男方", Id(new(1991, 1, 1), true)), true, On).Failed, c => c.Code == MarriageLaw.CoupleCode);
        Assert.Contains(MarriageLaw.CheckMarriage(Party("男方", man), Party("男方", man), true, On).Failed, c => c.Code == MarriageLaw.CoupleCode);
    }

    [Fact]
    public void An_invalid_id_number_fails_the_identity_check_instead_of_the_age()
    {
        var check = MarriageLaw.Age("女方", "440106199701011234", On);
        Assert.False(check.Passed);
        Assert.Equal(MarriageLaw.IdentityCode, check.Code);
    }

    [Fact]
    public void Certificate_numbers_name_the_kind_district_and_year_and_are_recognised()
    {
        var marriage = RecordRules.CertificateNumber(false, "440106", 2026, 1234);
        Assert.Equal("J440106-2026-00001234", marriage);
        Assert.StartsWith("L440104-2026-", RecordRules.CertificateNumber(true, "440104", 2026, 99_999_999));
        Assert.True(RecordRules.IsCertificateNumber(marriage));
        Assert.False(RecordRules.IsCertificateNumber("J440106-2026-123"));
        Assert.True(RecordRules.IsCurrent(RecordStatus.Registering));
        Assert.False(RecordRules.IsCurrent(RecordStatus.Divorced));
        Assert.Null(RecordRules.CanEnd(RecordStatus.Married));
        Assert.Equal("MARRIAGE_NOT_CURRENT", RecordRules.CanEnd(RecordStatus.EndedByDeath)!.Code);
        Assert.Equal("RECORD_NOT_REGISTERED", RecordRules.CanReplace(RecordStatus.Registering)!.Code);
        Assert.Null(RecordRules.CanReplace(RecordStatus.Divorced));
    }
}
