using CivilAffairs.Domain.Elderly;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Domain.Tests.Elderly;

/// <summary>A clock the test moves by hand.</summary>
sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    public void Advance(TimeSpan by) => Now += by;
}

static class Fixtures
{
    /// <summary>2026-07-20 10:00 China time.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 7, 20, 10, 0, 0, TimeSpan.FromHours(8));
    public static readonly DateOnly Today = new(2026, 7, 20);
    public const string Tianhe = "440106";
    public const string Yuexiu = "440104";

    /// <summary>Home of the test elder (天河区).</summary>
    public static readonly GeoPoint Home = new(23.13, 113.33);

    /// <summary>A point <paramref name="northMetres"/> north of <see cref="Home"/>.</summary>
    public static GeoPoint North(double northMetres) => new(Home.Latitude + northMetres / 111_195.08, Home.Longitude);

    public static ElderContact Daughter(bool consented = true) => new("c-1", "李女士", ContactRole.Relative, "13800000001", consented, consented ? T0.AddDays(-30) : null);
    public static ElderContact Worker() => new("c-2", "王社工", ContactRole.CommunityWorker, "13800000002", true, T0.AddDays(-30));

    public static Elder Elder(ElderCategory category = ElderCategory.Aged60To79, string district = Tianhe, DateOnly? birth = null, DateOnly? diedOn = null) => new()
    {
        Id = "elder-1",
        Name = "陈伯",
        BirthDate = birth ?? (category == ElderCategory.Aged80Plus ? new DateOnly(1940, 3, 1) : new DateOnly(1955, 5, 1)),
        Category = category,
        LivesAlone = true,
        Community = "石牌街道南社区",
        DistrictCode = district,
        Home = Home,
        Contacts = [Daughter(), Worker()],
        DiedOn = diedOn,
    };
}
