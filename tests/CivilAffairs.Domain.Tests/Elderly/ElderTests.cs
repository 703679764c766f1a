using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class ElderTests
{
    readonly ManualClock _clock = new(Fixtures.T0);

    [Theory]
    [InlineData("1966-07-20", 60)]
    [InlineData("1966-07-21", 59)]
    [InlineData("1946-07-19", 80)]
    public void Age_counts_completed_years(string birth, int expected) =>
        Assert.Equal(expected, ElderRules.AgeOn(DateOnly.Parse(birth), Fixtures.Today));

    [Fact]
    public void Born_on_29_February_turns_a_year_older_on_1_March_in_common_years()
    {
        var birth = new DateOnly(1964, 2, 29);
        Assert.Equal(61, ElderRules.AgeOn(birth, new DateOnly(2026, 2, 28)));
        Assert.Equal(62, ElderRules.AgeOn(birth, new DateOnly(2026, 3, 1)));
        Assert.Equal(60, ElderRules.AgeOn(birth, new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public void Sixty_on_the_birthday_itself_counts_as_senior()
    {
        Assert.True(ElderRules.IsSenior(new DateOnly(1966, 7, 20), _clock));
        Assert.False(ElderRules.IsSenior(new DateOnly(1966, 7, 21), _clock));
    }

    [Fact]
    public void Under_sixty_is_rejected()
    {
        var outcome = ElderRules.Validate(Fixtures.Elder(birth: new DateOnly(1970, 1, 1)), _clock);
        Assert.Equal("ELDER_UNDER_60", outcome.Rejection!.Code);
        Assert.Contains("56岁", outcome.Rejection.Reason);
    }

    [Fact]
    public void Age_category_must_match_the_age()
    {
        Assert.Equal("ELDER_CATEGORY_AGE_MISMATCH", ElderRules.Validate(Fixtures.Elder(ElderCategory.Aged80Plus, birth: new DateOnly(1950, 1, 1)), _clock).Rejection!.Code);
        Assert.Equal("ELDER_CATEGORY_AGE_MISMATCH", ElderRules.Validate(Fixtures.Elder(ElderCategory.Aged60To79, birth: new DateOnly(1940, 1, 1)), _clock).Rejection!.Code);
        Assert.True(ElderRules.Validate(Fixtures.Elder(ElderCategory.MinimumLiving, birth: new DateOnly(1940, 1, 1)), _clock).Accepted);
    }

    [Fact]
    public void District_code_and_consent_time_are_checked_together()
    {
        var elder = Fixtures.Elder(district: "4401") with { Contacts = [new ElderContact("c-9", "张先生", ContactRole.Relative, "1", true, null)] };
        Assert.Equal(["ELDER_DISTRICT_INVALID", "CONTACT_CONSENT_TIME_REQUIRED"], ElderRules.Validate(elder, _clock).Rejections.Select(r => r.Code));
    }

    [Fact]
    public void Contact_without_consent_cannot_be_notified()
    {
        var outcome = ElderRules.CheckNotifiable(Fixtures.Daughter(consented: false), Fixtures.T0);
        Assert.Equal(("CONTACT_WITHOUT_CONSENT", "contactId"), (outcome.Rejection!.Code, outcome.Rejection.Field));
        Assert.Contains("李女士", outcome.Rejection.Reason);
    }

    [Fact]
    public void Consent_given_after_the_moment_does_not_count()
    {
        var contact = Fixtures.Daughter() with { ConsentedAt = Fixtures.T0.AddMinutes(1) };
        Assert.Equal("CONTACT_WITHOUT_CONSENT", ElderRules.CheckNotifiable(contact, Fixtures.T0).Rejection!.Code);
        Assert.True(ElderRules.CheckNotifiable(contact, Fixtures.T0.AddMinutes(1)).Accepted);
    }

    [Fact]
    public void Notifiable_contacts_are_the_consenting_ones_relatives_first()
    {
        var elder = Fixtures.Elder() with { Contacts = [Fixtures.Worker(), Fixtures.Daughter(consented: false), Fixtures.Daughter() with { Id = "c-3", Name = "陈先生" }] };
        Assert.Equal(["c-3", "c-2"], ElderRules.NotifiableContacts(elder, Fixtures.T0).Select(c => c.Id));
    }

    [Fact]
    public void Categories_have_chinese_names()
    {
        Assert.Equal(["特困", "低保", "低收入", "80岁以上", "60–79岁"], Enum.GetValues<ElderCategory>().Select(c => c.ChineseName()));
    }

    [Fact]
    public void Death_is_recorded_once_and_not_in_the_future()
    {
        var elder = Fixtures.Elder();
        Assert.Equal("DEATH_DATE_IN_FUTURE", ElderRules.RecordDeath(elder, Fixtures.Today.AddDays(1), _clock).Rejection!.Code);
        var dead = ElderRules.RecordDeath(elder, Fixtures.Today.AddDays(-2), _clock).Value;
        Assert.Equal(Fixtures.Today.AddDays(-2), dead.DiedOn);
        Assert.Same(dead, ElderRules.RecordDeath(dead, Fixtures.Today.AddDays(-2), _clock).Value);
        Assert.Equal("DEATH_ALREADY_RECORDED", ElderRules.RecordDeath(dead, Fixtures.Today, _clock).Rejection!.Code);
    }

    [Fact]
    public void Death_before_birth_is_rejected() =>
        Assert.Equal("DEATH_DATE_BEFORE_BIRTH", ElderRules.RecordDeath(Fixtures.Elder(), new DateOnly(1950, 1, 1), _clock).Rejection!.Code);

    [Fact]
    public void Reading_the_value_of_a_rejection_throws_with_the_codes()
    {
        var ex = Assert.Throws<ElderlyRuleException>(() => ElderRules.CheckNotifiable(Fixtures.Daughter(consented: false), Fixtures.T0).Value);
        Assert.Equal("CONTACT_WITHOUT_CONSENT", Assert.Single(ex.Rejections).Code);
    }
}
