using CivilAffairs.Domain.Funeral.Memorials;

namespace CivilAffairs.Domain.Tests.Funeral.Memorials;

public class MemorialRulesTests
{
    static readonly DateOnly Today = new(2026, 4, 4);
    static readonly DateTimeOffset Now = new(2026, 4, 4, 9, 0, 0, TimeSpan.FromHours(8));

    static MemorialDraft Draft(MemorialPrivacy? privacy = MemorialPrivacy.Public, bool consent = true, IReadOnlyList<ConsentScope>? scope = null, string? biography = null,
        DateOnly? born = null, DateOnly? died = null) =>
        new("李秀英", born ?? new DateOnly(1938, 5, 1), died ?? new DateOnly(2026, 3, 20), biography, privacy, false, "王磊", "子女", consent,
            scope ?? [ConsentScope.NameAndDates, ConsentScope.Messages]);

    static Memorial Memorial(MemorialPrivacy privacy) => new()
    {
        Id = "01J00000000000000000000000", Name = "李秀英", DiedOn = new DateOnly(2026, 3, 20), Privacy = privacy, OwnerPersonId = "owner", CreatedAt = Now,
        Consent = new MemorialConsent("owner", "王磊", "子女", Now, [ConsentScope.NameAndDates, ConsentScope.Messages], privacy),
        Family = [new FamilyMember("owner", "王磊", "子女", true, Now), new FamilyMember("sister", "王芳", "子女", false, Now)],
    };

    [Fact]
    public void A_complete_draft_with_consent_passes() => Assert.Empty(MemorialRules.Check(Draft(), Today));

    [Fact]
    public void A_memorial_without_consent_is_refused()
    {
        var r = Assert.Single(MemorialRules.Check(Draft(consent: false), Today));
        Assert.Equal("MEMORIAL_CONSENT_REQUIRED", r.Code);
        Assert.Equal("MEMORIAL_CONSENT_REQUIRED", Assert.Single(MemorialRules.Check(Draft(scope: []), Today)).Code);
        Assert.Equal("MEMORIAL_CONSENT_REQUIRED", Assert.Single(MemorialRules.Check(Draft(scope: [ConsentScope.Messages]), Today)).Code);
    }

    [Fact]
    public void A_biography_needs_consent_to_it() =>
        Assert.Equal("MEMORIAL_CONSENT_SCOPE", Assert.Single(MemorialRules.Check(Draft(biography: "一生勤劳。"), Today)).Code);

    [Fact]
    public void Dates_must_be_in_order_and_not_in_the_future()
    {
        Assert.Equal("MEMORIAL_DATES_INVALID", Assert.Single(MemorialRules.Check(Draft(died: Today.AddDays(1)), Today)).Code);
        Assert.Equal("MEMORIAL_DATES_INVALID", Assert.Single(MemorialRules.Check(Draft(born: new DateOnly(2026, 3, 21)), Today)).Code);
        Assert.Equal("MEMORIAL_PRIVACY_REQUIRED", Assert.Single(MemorialRules.Check(Draft(privacy: null), Today)).Code);
    }

    [Fact]
    public void Public_and_link_only_pages_are_read_by_anyone_family_only_by_the_family()
    {
        Assert.True(MemorialRules.MayRead(Memorial(MemorialPrivacy.Public), null));
        Assert.True(MemorialRules.MayRead(Memorial(MemorialPrivacy.LinkOnly), "stranger"));
        Assert.False(MemorialRules.MayRead(Memorial(MemorialPrivacy.FamilyOnly), null));
        Assert.False(MemorialRules.MayRead(Memorial(MemorialPrivacy.FamilyOnly), "stranger"));
        Assert.True(MemorialRules.MayRead(Memorial(MemorialPrivacy.FamilyOnly), "sister"));
        Assert.True(MemorialRules.IsListed(Memorial(MemorialPrivacy.Public)));
        Assert.False(MemorialRules.IsListed(Memorial(MemorialPrivacy.LinkOnly)));
        Assert.True(MemorialRules.IsPubliclyCacheable(Memorial(MemorialPrivacy.LinkOnly)));
        Assert.False(MemorialRules.IsPubliclyCacheable(Memorial(MemorialPrivacy.FamilyOnly)));
    }

    [Fact]
    public void Only_the_owner_and_named_moderators_moderate()
    {
        var m = Memorial(MemorialPrivacy.Public);
        Assert.True(MemorialRules.IsModerator(m, "owner"));
        Assert.False(MemorialRules.IsModerator(m, "sister"));
        Assert.False(MemorialRules.IsModerator(m, "stranger"));
        Assert.False(MemorialRules.IsModerator(m, null));
        Assert.Equal("MEMORIAL_OWNER_UNCHANGED", MemorialRules.CheckFamilyChange(m, "owner", "子女")!.Code);
        Assert.Equal("MEMORIAL_RELATION_INVALID", MemorialRules.CheckFamilyChange(m, "cousin", "朋友")!.Code);
        Assert.Null(MemorialRules.CheckFamilyChange(m, "cousin", "其他亲属"));
    }

    [Fact]
    public void Messages_go_to_moderation_unless_auto_publish_and_offensive_ones_are_refused()
    {
        Assert.Null(MessageRules.InitialStatus(ScreenVerdict.Offensive, autoPublish: true));
        Assert.Equal(MessageStatus.Pending, MessageRules.InitialStatus(ScreenVerdict.Borderline, autoPublish: true));
        Assert.Equal(MessageStatus.Pending, MessageRules.InitialStatus(ScreenVerdict.Clean, autoPublish: false));
        Assert.Equal(MessageStatus.Approved, MessageRules.InitialStatus(ScreenVerdict.Clean, autoPublish: true));
        Assert.Null(MessageRules.CheckDecision(MessageStatus.Pending, MessageStatus.Approved));
        Assert.Null(MessageRules.CheckDecision(MessageStatus.Approved, MessageStatus.Approved));
        Assert.Equal("MEMORIAL_MESSAGE_DECIDED", MessageRules.CheckDecision(MessageStatus.Approved, MessageStatus.Rejected)!.Code);
    }
}

public class SweepingRulesTests
{
    static readonly DateOnly Today = new(2026, 4, 1);

    static SweepingOrder Order(SweepingStatus status) => new()
    {
        Id = "o1", MemorialId = "m1", Site = "gz-yinhe", Date = Today.AddDays(3), Services = [SweepingTask.CleanTombstone], Plot = "3 区 12 排 8 号",
        OrderedBy = "citizen", OrderedAt = DateTimeOffset.UnixEpoch, Status = status,
    };

    [Fact]
    public void An_order_needs_a_known_cemetery_a_date_ahead_services_and_the_plot()
    {
        Assert.Empty(SweepingRules.CheckOrder(true, Today.AddDays(1), [SweepingTask.PresentFlowers], "3 区 12 排 8 号", null, Today));
        var codes = SweepingRules.CheckOrder(false, Today, [], " ", null, Today).Select(r => r.Code).ToList();
        Assert.Equal(["SWEEPING_SITE_UNKNOWN", "SWEEPING_DATE_INVALID", "SWEEPING_SERVICES_REQUIRED", "SWEEPING_PLOT_REQUIRED"], codes);
        Assert.Equal("SWEEPING_DATE_INVALID", Assert.Single(SweepingRules.CheckOrder(true, Today.AddDays(SweepingRules.MaxDaysAhead + 1), [SweepingTask.BowOnBehalf], "A1", null, Today)).Code);
    }

    [Fact]
    public void An_order_is_completed_once_with_photo_proof()
    {
        Assert.Null(SweepingRules.CheckCompletion(Order(SweepingStatus.Ordered), 2));
        Assert.Equal("SWEEPING_PHOTO_REQUIRED", SweepingRules.CheckCompletion(Order(SweepingStatus.Ordered), 0)!.Code);
        Assert.Equal("SWEEPING_PHOTO_REQUIRED", SweepingRules.CheckCompletion(Order(SweepingStatus.Ordered), SweepingRules.MaxPhotos + 1)!.Code);
        var again = SweepingRules.CheckCompletion(Order(SweepingStatus.Completed), 1)!;
        Assert.Equal("SWEEPING_ALREADY_COMPLETED", again.Code);
        Assert.Equal(MemorialRejectionKind.State, again.Kind);
    }
}
