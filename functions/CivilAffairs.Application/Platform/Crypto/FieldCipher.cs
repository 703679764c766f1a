using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// Field-level encryption of personal data with SM4-GCM (authenticated; 96-bit random nonce,
/// 128-bit tag). A token is <c>sm4gcm.&lt;keyId&gt;.&lt;base64url(nonce | ciphertext | tag)&gt;</c>:
/// encryption uses the current key, decryption the key named in the token, so keys can rotate.
/// </summary>
/// <remarks>
/// The associated data binds a token to its place, e.g. <c>person/{id}/idNumber</c>: a token copied
/// to another row or field does not decrypt there. Thread-safe.
/// </remarks>
public sealed class FieldCipher
{
    const string Scheme = "sm4gcm";
    const int NonceSize = 12;
    const int TagSize = 16;

    readonly IReadOnlyDictionary<string, byte[]> keys;

    public FieldCipher(MasterKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        this.keys = keys.FieldKeys.ToDictionary(k => k.Key, k => k.Value.ToArray(), StringComparer.Ordinal);
        CurrentKeyId = keys.CurrentFieldKeyId;
    }

    /// <summary>The id of the key new tokens are encrypted with.</summary>
    public string CurrentKeyId { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> (UTF-8) bound to <paramref name="associatedData"/>.</summary>
    public string Encrypt(string plaintext, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(associatedData);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var payload = new byte[NonceSize + input.Length + TagSize];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        var gcm = Create(forEncryption: true, keys[CurrentKeyId], nonce, associatedData);
        var written = gcm.ProcessBytes(input, payload.AsSpan(NonceSize));
        gcm.DoFinal(payload.AsSpan(NonceSize + written));
        CryptographicOperations.ZeroMemory(input);
        return $"{Scheme}.{CurrentKeyId}.{Base64Url.EncodeToString(payload)}";
    }

    /// <summary>Decrypts a token made by <see cref="Encrypt"/> with the same associated data.</summary>
    /// <exception cref="FieldDecryptionException">
    /// The token is malformed, names an unknown key, or fails authentication (wrong associated data,
    /// tampering).
    /// </exception>
    public string Decrypt(string token, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(associatedData);
        if (!TryParse(token, out var keyId, out var payload))
            throw new FieldDecryptionException(FieldDecryptionFailure.Malformed, "The value is not a well-formed field-encryption token.");
        if (!keys.TryGetValue(keyId, out var key))
            throw new FieldDecryptionException(FieldDecryptionFailure.UnknownKey, $"The token's key '{keyId}' is not a known field-encryption key.");

        var gcm = Create(forEncryption: false, key, payload.AsSpan(0, NonceSize), associatedData);
        var sealedPart = payload.AsSpan(NonceSize);
        var output = new byte[sealedPart.Length - TagSize];
        try
        {
            var written = gcm.ProcessBytes(sealedPart, output);
            gcm.DoFinal(output.AsSpan(written));
            return Encoding.UTF8.GetString(output);
        }
        catch (InvalidCipherTextException)
        {
            throw new FieldDecryptionException(FieldDecryptionFailure.AuthenticationFailed,
                "The token failed authentication: wrong associated data, wrong key or altered token.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }

    /// <summary>True when <paramref name="value"/> has the shape of a field-encryption token (no key is needed).</summary>
    public static bool IsEncrypted([NotNullWhen(true)] string? value) => value is not null && TryParse(value, out _, out _);

    static GcmBlockCipher Create(bool forEncryption, byte[] key, ReadOnlySpan<byte> nonce, string associatedData)
    {
        var gcm = new GcmBlockCipher(new SM4Engine());
        gcm.Init(forEncryption, new AeadParameters(new KeyParameter(key), TagSize * 8, nonce.ToArray(), Encoding.UTF8.GetBytes(associatedData)));
        return gcm;
    }

    static bool TryParse(string token, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out byte[]? payload)
    {
        keyId = null;
        payload = null;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Scheme || !MasterKeys.IsValidKeyId(parts[1])) return false;
        var encoded = parts[2];
        if (!Base64Url.IsValid(encoded, out var length) || length < NonceSize + TagSize) return false;
        keyId = parts[1];
        payload = Base64Url.DecodeFromChars(encoded);
        return true;
    }
}

/// <summary>Why a field-encryption token could not be decrypted.</summary>
public enum FieldDecryptionFailure
{
    /// <summary>Not a token of the expected shape.</summary>
    Malformed,
    /// <summary>The token names a key this process does not have.</summary>
    UnknownKey,
    /// <summary>The tag did not verify: wrong associated data or key, or the token was altered.</summary>
    AuthenticationFailed,
}

/// <summary>A field-encryption token could not be decrypted. Messages never contain the token or plaintext.</summary>
public sealed class FieldDecryptionException : CryptographicException
{
    public FieldDecryptionException(FieldDecryptionFailure failure, string message) : base(message) => Failure = failure;

    public FieldDecryptionFailure Failure { get; }
}
