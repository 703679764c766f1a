using System.Text.Json;
using System.Text.Json.Serialization;

namespace CivilAffairs.Certificates.Platform;

/// <summary>
/// A verification key as the platform publishes it (<c>GET /api/public/keys</c>): key id, algorithm, curve, the public key
/// (base64url of the uncompressed point), the signer id used in Z<sub>A</sub>, and when it signed: from
/// <see cref="ValidFrom"/> until <see cref="SignsUntil"/> (null while it is the current key). A retired key stays
/// published, so certificates it signed keep verifying; a key withdrawn because it was compromised is no longer published,
/// and what it signed then fails as "unknown key id".
/// </summary>
public sealed record PublishedKey(
    string Kid,
    string Algorithm,
    string Curve,
    string PublicKey,
    string UserId,
    DateTimeOffset ValidFrom,
    DateTimeOffset? SignsUntil)
{
    /// <summary>The published form of <paramref name="key"/>.</summary>
    public static PublishedKey Of(Sm2PublicKey key, DateTimeOffset validFrom, DateTimeOffset? signsUntil) =>
        new(key.KeyId, Sm2.Algorithm, Sm2.Curve, key.ToBase64Url(), Sm2.DefaultUserId, validFrom, signsUntil);

    /// <summary>
    /// The usable SM2 key, or null when this entry is not one this verifier understands (another algorithm, curve or
    /// signer id, a malformed point, or a key id that does not belong to the key).
    /// </summary>
    public Sm2PublicKey? ToSm2()
    {
        if (Algorithm != Sm2.Algorithm || Curve != Sm2.Curve || UserId != Sm2.DefaultUserId) return null;
        return Sm2PublicKey.TryParse(PublicKey) is { } key && key.KeyId == Kid ? key : null;
    }
}

/// <summary>The published key set (<c>{"keys":[…]}</c>), as saved by an offline verifier.</summary>
public sealed record PublishedKeySet(IReadOnlyList<PublishedKey> Keys)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Reads the JSON answer of <c>GET /api/public/keys</c>; null when it is not a key set.</summary>
    public static PublishedKeySet? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PublishedKeySet>(json, Json) is { Keys: not null } set && set.Keys.All(k => k is { Kid: not null, PublicKey: not null })
                ? set : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
