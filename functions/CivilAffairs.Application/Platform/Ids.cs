namespace CivilAffairs.Application.Platform;

/// <summary>Random, time-ordered, non-sequential identifiers (ULID) for everything a citizen sees.</summary>
public static class Ids
{
    public static string New(TimeProvider clock) => Ulid.NewUlid(clock.GetUtcNow()).ToString();

    /// <summary>
    /// The id of something named by outside keys (a terminal's event): the same <paramref name="scope"/> and parts give the same id,
    /// so a replay finds what the first delivery made without a lookup row. It has the shape of the others (a ULID, 26 characters)
    /// and is as unguessable as its inputs; its time part carries no meaning. Parts must not be personal identifiers.
    /// </summary>
    public static string Derived(string scope, params string[] parts)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(scope + "\n" + string.Join("\n", parts)));
        return new Ulid(hash.AsSpan(0, 16)).ToString();
    }

    /// <summary>Parses an id produced by <see cref="New"/>; false for anything else.</summary>
    public static bool TryParse(string? value, out DateTimeOffset createdAt)
    {
        createdAt = default;
        if (value is null || value.Length != 26 || !Ulid.TryParse(value, out var ulid)) return false;
        createdAt = ulid.Time;
        return true;
    }
}
