namespace CivilAffairs.Domain.Platform;

/// <summary>Business dates are in China Standard Time (UTC+8, no daylight saving).</summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateTimeOffset ToChina(DateTimeOffset instant) => instant.ToOffset(Offset);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToChina(clock.GetUtcNow()).DateTime);

    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToChina(instant).DateTime);
}
