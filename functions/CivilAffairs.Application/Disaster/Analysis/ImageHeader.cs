using System.Buffers.Binary;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// Reads the pixel size of a JPEG or PNG from its header, without decoding, so that oversized images
/// (decompression bombs) are refused before any pixel memory is allocated and large photos can be
/// decoded at a reduced scale.
/// </summary>
public static class ImageHeader
{
    /// <summary>The stored size (before any EXIF rotation), or false for other formats or a malformed header.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        if (data.Length >= 24 && data[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })
            && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4)), (uint)int.MaxValue);
            height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4)), (uint)int.MaxValue);
            return width > 0 && height > 0;
        }
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) return false;

        var i = 2;
        while (i + 4 <= data.Length)
        {
            if (data[i] != 0xFF) return false;
            var marker = data[i + 1];
            if (marker == 0xFF) { i++; continue; }                 // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { i += 2; continue; } // markers without a length
            if (marker is 0xD9 or 0xDA) return false;              // end of image / start of scan before any frame header
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 2, 2));
            if (length < 2) return false;
            // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 9 > data.Length) return false;
                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 7, 2));
                return width > 0 && height > 0;
            }
            i += 2 + length;
        }
        return false;
    }
}
