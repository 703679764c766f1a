namespace CivilAffairs.Application.Platform;

/// <summary>Random, time-ordered, non-sequential identifiers (ULID) for everything a citizen sees.</summary>
public static class Ids
{
    public static string New(TimeProvider clock) => Ulid.NewUlid(clock.GetUtcNow()).ToString();

    /// <summary>Parses an id produced by <see cref="New"/>; false for anything else.</summary>
    public static bool TryParse(string? value, out DateTimeOffset createdAt)
    {
        createdAt = default;
        if (value is null || value.Length != 26 || !Ulid.TryParse(value, out var ulid)) return false;
        createdAt = ulid.Time;
        return true;
    }
}
