using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CivilAffairs.Certificates.Platform;

/// <summary>The meaning of a status value, published with the list.</summary>
public sealed record StatusMessage(string Status, string Message);

/// <summary>
/// A published, SM2-signed status list (<c>GET /api/public/marriage/status-lists/{listId}</c>): the bitstring of one
/// issuance batch (<see cref="EncodedList"/>, see <see cref="StatusBitstring"/>), its <see cref="Version"/> (raised on every
/// change) and when it was issued, signed by the key <see cref="Kid"/>. A cached or saved copy is checked offline with the
/// published keys (<see cref="Check"/>). The signature covers the UTF-8 bytes of
/// <code>CASL1\n{listId}\n{version}\n{issuedAt}\n{statusSize}\n{size}\n{kid}\n{encodedList}</code>
/// (<see cref="SigningInput"/>; <c>issuedAt</c> exactly as written), so no JSON canonicalisation is needed to verify it.
/// </summary>
public sealed record StatusListDocument(
    string ListId,
    string Kid,
    int StatusSize,
    int Size,
    long Version,
    string IssuedAt,
    string EncodedList,
    IReadOnlyList<StatusMessage> StatusMessages,
    string Signature)
{
    /// <summary>Format tag at the start of the signing input.</summary>
    public const string Format = "CASL1";

    /// <summary>Status values and their meaning.</summary>
    public static readonly IReadOnlyList<StatusMessage> Messages =
        [new("0x0", "valid"), new("0x1", "ended"), new("0x2", "revoked")];

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Signs <paramref name="bits"/> as version <paramref name="version"/> of list <paramref name="listId"/>.</summary>
    public static StatusListDocument Sign(string listId, long version, DateTimeOffset issuedAt, StatusBitstring bits, Sm2SigningKey key)
    {
        if (!IsValidListId(listId)) throw new ArgumentException("A list id is 1–64 characters of A–Z, a–z, 0–9 and '-'.", nameof(listId));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        var issued = issuedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var encoded = bits.Encode();
        var input = SigningInput(listId, version, issued, StatusBitstring.StatusSize, bits.Size, key.KeyId, encoded);
        return new StatusListDocument(listId, key.KeyId, StatusBitstring.StatusSize, bits.Size, version, issued, encoded, Messages,
            Base64Url.EncodeToString(key.Sign(input)));
    }

    /// <summary>The bytes the signature covers.</summary>
    public static byte[] SigningInput(string listId, long version, string issuedAt, int statusSize, int size, string kid, string encodedList) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Format}\n{listId}\n{version}\n{issuedAt}\n{statusSize}\n{size}\n{kid}\n{encodedList}"));

    /// <summary>
    /// Checks the list offline: signed by a published key, untouched, well-formed. On success <paramref name="bits"/> is
    /// the decoded bitstring.
    /// </summary>
    public StatusListCheck Check(IEnumerable<PublishedKey> keys, out StatusBitstring? bits)
    {
        bits = null;
        if (!IsValidListId(ListId) || StatusSize != StatusBitstring.StatusSize || Kid is null || EncodedList is null || Signature is null || IssuedAt is null)
            return StatusListCheck.Malformed;
        var key = keys.FirstOrDefault(k => k.Kid == Kid)?.ToSm2();
        if (key is null) return StatusListCheck.UnknownKey;
        byte[] signature;
        try { signature = Base64Url.DecodeFromChars(Signature); }
        catch (FormatException) { return StatusListCheck.SignatureInvalid; }
        if (!key.Verify(SigningInput(ListId, Version, IssuedAt, StatusSize, Size, Kid, EncodedList), signature))
            return StatusListCheck.SignatureInvalid;
        bits = StatusBitstring.TryDecode(EncodedList, Size);
        return bits is null ? StatusListCheck.Malformed : StatusListCheck.Ok;
    }

    /// <summary>Reads the JSON answer of the status-list endpoint; null when it is not a status list.</summary>
    public static StatusListDocument? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<StatusListDocument>(json, Json) is { ListId: not null, Kid: not null, EncodedList: not null, Signature: not null, IssuedAt: not null } doc
                ? doc : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static bool IsValidListId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}

/// <summary>The outcome of checking a status list offline.</summary>
public enum StatusListCheck { Ok, UnknownKey, SignatureInvalid, Malformed }
