using System.Security.Cryptography;
using System.Text;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// A certificate-signing key's secret (32 random bytes from which the SM2 private key is made) and when it was created.
/// The newest signs; older ones stay published for verification.
/// </summary>
public sealed record CertificateSigningSecret(byte[] Secret, DateTimeOffset CreatedAt)
{
    public override string ToString() => $"CertificateSigningSecret {{ CreatedAt = {CreatedAt:O} }}";
}

/// <summary>
/// The platform's master key material: SM4 field-encryption keys by id (the current one encrypts,
/// all of them decrypt), the blind-index key and the certificate-signing secrets (SM2; the newest signs,
/// all of them are published for verification). <see cref="ToString"/> shows key ids only.
/// </summary>
public sealed class MasterKeys
{
    /// <summary>SM4 key size in bytes.</summary>
    public const int FieldKeySize = 16;
    /// <summary>Blind-index key size in bytes.</summary>
    public const int BlindIndexKeySize = 32;
    /// <summary>Certificate-signing secret size in bytes.</summary>
    public const int CertificateSigningSecretSize = 32;

    /// <param name="fieldKeys">SM4 keys (16 bytes) by id; ids are 1–64 characters of A–Z, a–z, 0–9, '-' and '_'.</param>
    /// <param name="currentFieldKeyId">The id of the key that encrypts new values; must be in <paramref name="fieldKeys"/>.</param>
    /// <param name="blindIndexKey">32 bytes.</param>
    /// <param name="certificateSigning">Certificate-signing secrets (32 bytes each), in any order; none when the store has none.</param>
    /// <exception cref="ArgumentException">A key has the wrong size, an id is malformed, or the current id is missing.</exception>
    public MasterKeys(IReadOnlyDictionary<string, byte[]> fieldKeys, string currentFieldKeyId, byte[] blindIndexKey,
        IEnumerable<CertificateSigningSecret>? certificateSigning = null)
    {
        ArgumentNullException.ThrowIfNull(fieldKeys);
        ArgumentNullException.ThrowIfNull(currentFieldKeyId);
        ArgumentNullException.ThrowIfNull(blindIndexKey);
        var copy = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, key) in fieldKeys)
        {
            if (!IsValidKeyId(id)) throw new ArgumentException("A field key id is malformed.", nameof(fieldKeys));
            if (key is not { Length: FieldKeySize }) throw new ArgumentException($"Field key '{id}' must be {FieldKeySize} bytes.", nameof(fieldKeys));
            copy[id] = key.ToArray();
        }
        if (!copy.ContainsKey(currentFieldKeyId))
            throw new ArgumentException("The current field key id is not among the field keys.", nameof(currentFieldKeyId));
        if (blindIndexKey.Length != BlindIndexKeySize)
            throw new ArgumentException($"The blind-index key must be {BlindIndexKeySize} bytes.", nameof(blindIndexKey));
        var signing = (certificateSigning ?? []).ToList();
        if (signing.Any(k => k?.Secret is not { Length: CertificateSigningSecretSize }))
            throw new ArgumentException($"A certificate-signing secret must be {CertificateSigningSecretSize} bytes.", nameof(certificateSigning));
        FieldKeys = copy;
        CurrentFieldKeyId = currentFieldKeyId;
        BlindIndexKey = blindIndexKey.ToArray();
        CertificateSigning = signing.Select(k => k with { Secret = k.Secret.ToArray() }).OrderBy(k => k.CreatedAt).ToList();
    }

    /// <summary>SM4 keys by id. Treat the arrays as read-only.</summary>
    public IReadOnlyDictionary<string, byte[]> FieldKeys { get; }

    public string CurrentFieldKeyId { get; }

    /// <summary>The HMAC-SM3 key of <see cref="BlindIndex"/>. Treat as read-only.</summary>
    public byte[] BlindIndexKey { get; }

    /// <summary>Certificate-signing secrets, oldest first: the last one signs. Treat the arrays as read-only.</summary>
    public IReadOnlyList<CertificateSigningSecret> CertificateSigning { get; }

    /// <summary>
    /// A key for a separate use (e.g. signing citizen tokens): HKDF-SHA256 over the blind-index key with
    /// the UTF-8 purpose as info. Stable for a purpose; independent across purposes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not 1–8160.</exception>
    public byte[] DeriveKey(string purpose, int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * 32);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, BlindIndexKey, length, salt: [], info: Encoding.UTF8.GetBytes(purpose));
    }

    public override string ToString() =>
        $"MasterKeys {{ CurrentFieldKeyId = {CurrentFieldKeyId}, FieldKeyIds = [{string.Join(", ", FieldKeys.Keys.Order(StringComparer.Ordinal))}], CertificateSigningKeys = {CertificateSigning.Count} }}";

    internal static bool IsValidKeyId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
