namespace CivilAffairs.Domain.Platform;

public enum DivisionLevel
{
    City,
    District,
    Street,
    Community,
}

/// <summary>An administrative division (GB/T 2260 six digits for city/district, nine for street, twelve for community).</summary>
public sealed record Division(string Code, string Name, string? Parent)
{
    public DivisionLevel Level => Jurisdiction.LevelOf(Code);
}

/// <summary>Jurisdiction arithmetic on division codes: city &gt; district &gt; street &gt; community.</summary>
public static class Jurisdiction
{
    public static bool IsWellFormed(string? code) =>
        code is { Length: 6 or 9 or 12 } && code.All(char.IsAsciiDigit);

    public static DivisionLevel LevelOf(string code) => code.Length switch
    {
        6 when code.EndsWith("00", StringComparison.Ordinal) => DivisionLevel.City,
        6 => DivisionLevel.District,
        9 => DivisionLevel.Street,
        12 => DivisionLevel.Community,
        _ => throw new ArgumentException("Not a division code.", nameof(code)),
    };

    /// <summary>The prefix every code inside the division starts with (a city 440100 covers 4401xx…).</summary>
    public static string Prefix(string code) => LevelOf(code) == DivisionLevel.City ? code[..4] : code;

    /// <summary>True when <paramref name="inner"/> is <paramref name="outer"/> or lies inside it.</summary>
    public static bool Contains(string outer, string inner) =>
        IsWellFormed(outer) && IsWellFormed(inner) && inner.StartsWith(Prefix(outer), StringComparison.Ordinal);
}
