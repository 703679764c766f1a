using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>The SM3 hash function (GB/T 32905-2016), 256-bit output.</summary>
public static class Sm3
{
    /// <summary>Digest size in bytes.</summary>
    public const int HashSize = 32;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var hash = new byte[HashSize];
        digest.DoFinal(hash);
        return hash;
    }

    /// <summary>SM3 of the UTF-8 encoding of <paramref name="text"/>, as lower-case hex.</summary>
    public static string HashHex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToHexStringLower(Hash(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>HMAC (RFC 2104) over SM3.</summary>
public static class HmacSm3
{
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var mac = new HMac(new SM3Digest());
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(data);
        var result = new byte[Sm3.HashSize];
        mac.DoFinal(result);
        return result;
    }
}
