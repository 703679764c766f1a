using System.Text;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// Keyed hashes of personal identifiers for equality look-ups without storing the plaintext
/// (e.g. "find the person with this ID number"). Deterministic by design: the same purpose and
/// value always give the same index, so use it only on normalized values and only where an exact
/// match is needed.
/// </summary>
public sealed class BlindIndex
{
    readonly byte[] key;

    public BlindIndex(MasterKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        key = keys.BlindIndexKey.ToArray();
    }

    /// <summary>
    /// Lower-case hex HMAC-SM3(blind-index key, purpose + "\n" + value). The purpose (e.g.
    /// <c>person.idNumber</c>) separates index spaces, so equal values of different kinds do not
    /// collide. The caller normalizes the value (e.g. <c>IdNumber.Normalize</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The purpose is empty or contains a line feed.</exception>
    public string Compute(string purpose, string normalizedValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ArgumentNullException.ThrowIfNull(normalizedValue);
        if (purpose.Contains('\n')) throw new ArgumentException("The purpose must not contain a line feed.", nameof(purpose));
        return Convert.ToHexStringLower(HmacSm3.Compute(key, Encoding.UTF8.GetBytes(purpose + "\n" + normalizedValue)));
    }
}
