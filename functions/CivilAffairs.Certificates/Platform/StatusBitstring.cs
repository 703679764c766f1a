using System.Buffers.Text;
using System.IO.Compression;

namespace CivilAffairs.Certificates.Platform;

/// <summary>What a status entry says about a certificate: 0 valid, 1 ended (the marriage ended), 2 revoked (replaced).</summary>
public enum CertificateStatus { Valid = 0, Ended = 1, Revoked = 2 }

/// <summary>
/// A W3C Bitstring Status List style bitstring with <see cref="StatusSize"/> = 2 bits per entry, so an entry can say
/// valid (0), ended (1) or revoked (2). Entry <c>i</c> occupies bits <c>2i</c> and <c>2i+1</c> counted from the left-most
/// (most significant) bit of the first byte, the first of them the more significant. Encoded as the specification's
/// <c>encodedList</c>: GZIP, then multibase base64url without padding (a leading <c>u</c>).
/// </summary>
public sealed class StatusBitstring
{
    /// <summary>Bits per entry.</summary>
    public const int StatusSize = 2;
    /// <summary>
    /// Entries per list: 65,536 × 2 bits = 16 KB uncompressed, the specification's minimum for group privacy (a verifier
    /// fetching the list does not reveal which certificate it checks among this many).
    /// </summary>
    public const int DefaultSize = 65_536;

    readonly byte[] bits;

    public StatusBitstring(int size = DefaultSize)
    {
        if (size <= 0 || size % 8 != 0 || size > 1 << 22) throw new ArgumentOutOfRangeException(nameof(size), "The size must be a positive multiple of 8, at most 4,194,304.");
        Size = size;
        bits = new byte[size * StatusSize / 8];
    }

    StatusBitstring(int size, byte[] bytes)
    {
        Size = size;
        bits = bytes;
    }

    /// <summary>Number of entries.</summary>
    public int Size { get; }

    /// <summary>The raw bitstring (a copy).</summary>
    public byte[] ToBytes() => bits.ToArray();

    /// <summary>The bitstring from raw bytes (<paramref name="size"/> × 2 bits).</summary>
    public static StatusBitstring FromBytes(int size, ReadOnlySpan<byte> bytes)
    {
        var list = new StatusBitstring(size);
        if (bytes.Length != list.bits.Length) throw new ArgumentException($"Expected {list.bits.Length} bytes for {size} entries.", nameof(bytes));
        bytes.CopyTo(list.bits);
        return list;
    }

    public CertificateStatus this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
            var value = 0;
            for (var b = 0; b < StatusSize; b++)
            {
                var bit = index * StatusSize + b;
                value = (value << 1) | ((bits[bit >> 3] >> (7 - (bit & 7))) & 1);
            }
            return (CertificateStatus)value;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value));
            var v = (int)value;
            for (var b = 0; b < StatusSize; b++)
            {
                var bit = index * StatusSize + b;
                var mask = (byte)(1 << (7 - (bit & 7)));
                var on = ((v >> (StatusSize - 1 - b)) & 1) == 1;
                bits[bit >> 3] = (byte)(on ? bits[bit >> 3] | mask : bits[bit >> 3] & ~mask);
            }
        }
    }

    /// <summary>The <c>encodedList</c>: <c>u</c> + base64url (no padding) of the GZIP-compressed bitstring.</summary>
    public string Encode()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(bits);
        return "u" + Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <summary>Decodes an <c>encodedList</c> of <paramref name="size"/> entries; null when it is not exactly that (bad base64url, bad GZIP, wrong length).</summary>
    public static StatusBitstring? TryDecode(string? encodedList, int size)
    {
        if (encodedList is not ['u', ..] || size <= 0 || size % 8 != 0 || size > 1 << 22) return null;
        var expected = size * StatusSize / 8;
        try
        {
            var compressed = Base64Url.DecodeFromChars(encodedList.AsSpan(1));
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            var bytes = new byte[expected];
            var read = 0;
            while (read < expected && gzip.Read(bytes, read, expected - read) is var n and > 0) read += n;
            if (read != expected || gzip.ReadByte() != -1) return null; // too short or too long (no unbounded inflation)
            return new StatusBitstring(size, bytes);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
