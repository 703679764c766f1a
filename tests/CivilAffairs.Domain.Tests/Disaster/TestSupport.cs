using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

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

    /// <summary>A square around central Guangzhou (lat 23.10–23.20, lon 113.20–113.40).</summary>
    public static GeoPolygon Square() => GeoPolygon.Create(
    [
        new GeoPoint(23.10, 113.20), new GeoPoint(23.10, 113.40), new GeoPoint(23.20, 113.40), new GeoPoint(23.20, 113.20),
    ]).Value;

    public static Incident Incident(ManualClock clock, ResponseLevel level = ResponseLevel.III, string id = "inc-1") =>
        CivilAffairs.Domain.Disaster.Incident.Declare(id, new IncidentDeclaration("2026年第7号台风“海鸥”", IncidentType.Typhoon, level, Square(), clock.GetUtcNow().AddHours(-2), "440106", "staff-1"), clock).Value;

    /// <summary>A point <paramref name="northMetres"/> north of (23.15, 113.30), inside <see cref="Square"/>.</summary>
    public static GeoPoint Near(double northMetres = 0) => new(23.15 + northMetres / 111_195.08, 113.30);
}
