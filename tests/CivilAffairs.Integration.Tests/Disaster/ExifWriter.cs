using System.Buffers.Binary;
using System.Text;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// Writes an EXIF APP1 segment (little-endian TIFF: IFD0 → Exif IFD and GPS IFD) into a JPEG, independently of the
/// code under test, so tests can check what the reader gets back. (A copy of the Application tests' helper.)
/// </summary>
internal static class ExifWriter
{
    const ushort Byte = 1, Ascii = 2, Long = 4, Rational = 5;

    public sealed record Gps(
        char LatRef, (uint, uint)[] Lat, char LonRef, (uint, uint)[] Lon,
        byte? AltRef = null, (uint, uint)? Alt = null,
        char? DirRef = null, (uint, uint)? Dir = null,
        string? DateStamp = null, (uint, uint)[]? TimeStamp = null);

    /// <summary>(Copy of tests/CivilAffairs.Application.Tests/Disaster/Analysis/ExifWriter.cs.)
/// Inserts an APP1 EXIF segment right after SOI.</summary>
    public static byte[] Insert(byte[] jpeg, Gps? gps, string? dateTimeOriginal = null, string? offsetTimeOriginal = null)
    {
        var tiff = Tiff(gps, dateTimeOriginal, offsetTimeOriginal);
        var app1 = new byte[2 + 2 + 6 + tiff.Length];
        app1[0] = 0xFF;
        app1[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(2 + 6 + tiff.Length));
        "Exif\0\0"u8.CopyTo(app1.AsSpan(4));
        tiff.CopyTo(app1.AsSpan(10));
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    static byte[] Tiff(Gps? gps, string? dateTimeOriginal, string? offsetTimeOriginal)
    {
        var exif = new List<Entry>();
        if (dateTimeOriginal is not null) exif.Add(AsciiEntry(0x9003, dateTimeOriginal));
        if (offsetTimeOriginal is not null) exif.Add(AsciiEntry(0x9011, offsetTimeOriginal));

        var gpsEntries = new List<Entry>();
        if (gps is not null)
        {
            gpsEntries.Add(new Entry(0x0000, Byte, 4, [2, 3, 0, 0]));
            gpsEntries.Add(AsciiEntry(0x0001, gps.LatRef.ToString()));
            gpsEntries.Add(RationalEntry(0x0002, gps.Lat));
            gpsEntries.Add(AsciiEntry(0x0003, gps.LonRef.ToString()));
            gpsEntries.Add(RationalEntry(0x0004, gps.Lon));
            if (gps.AltRef is { } altRef) gpsEntries.Add(new Entry(0x0005, Byte, 1, [altRef]));
            if (gps.Alt is { } alt) gpsEntries.Add(RationalEntry(0x0006, [alt]));
            if (gps.TimeStamp is { } time) gpsEntries.Add(RationalEntry(0x0007, time));
            if (gps.DirRef is { } dirRef) gpsEntries.Add(AsciiEntry(0x0010, dirRef.ToString()));
            if (gps.Dir is { } dir) gpsEntries.Add(RationalEntry(0x0011, [dir]));
            if (gps.DateStamp is { } date) gpsEntries.Add(AsciiEntry(0x001D, date));
        }

        // Layout: header (8) | IFD0 | Exif IFD | GPS IFD, each IFD followed by its out-of-line values.
        var ifd0 = new List<Entry>();
        const int ifd0Offset = 8;
        var ifd0Size = Size(2);
        var exifOffset = ifd0Offset + ifd0Size;
        var exifSize = exif.Count > 0 ? Size(exif) : 0;
        var gpsOffset = exifOffset + exifSize;
        if (exif.Count > 0) ifd0.Add(LongEntry(0x8769, (uint)exifOffset));
        if (gpsEntries.Count > 0) ifd0.Add(LongEntry(0x8825, (uint)gpsOffset));
        while (ifd0.Count < 2) ifd0.Add(LongEntry(0x0131 + ifd0.Count, 0)); // filler tags keep IFD0's size fixed

        var output = new List<byte>();
        output.AddRange("II"u8.ToArray());
        output.AddRange(U16(42));
        output.AddRange(U32(ifd0Offset));
        Write(output, ifd0.OrderBy(e => e.Tag).ToList(), ifd0Offset);
        if (exif.Count > 0) Write(output, exif, exifOffset);
        if (gpsEntries.Count > 0) Write(output, gpsEntries, gpsOffset);
        return [.. output];
    }

    sealed record Entry(int Tag, ushort Type, uint Count, byte[] Value);

    static Entry AsciiEntry(int tag, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text + "\0");
        return new Entry(tag, Ascii, (uint)bytes.Length, bytes);
    }

    static Entry RationalEntry(int tag, (uint Num, uint Den)[] values) =>
        new(tag, Rational, (uint)values.Length, values.SelectMany(v => U32(v.Num).Concat(U32(v.Den))).ToArray());

    static Entry LongEntry(int tag, uint value) => new(tag, Long, 1, U32(value));

    static int Size(int entries) => 2 + 12 * entries + 4;

    static int Size(List<Entry> entries) => Size(entries.Count) + entries.Where(e => e.Value.Length > 4).Sum(e => e.Value.Length + e.Value.Length % 2);

    static void Write(List<byte> output, List<Entry> entries, int offset)
    {
        if (output.Count != offset) throw new InvalidOperationException("IFD layout mismatch.");
        var dataOffset = offset + Size(entries.Count);
        var data = new List<byte>();
        output.AddRange(U16((ushort)entries.Count));
        foreach (var entry in entries.OrderBy(e => e.Tag))
        {
            output.AddRange(U16((ushort)entry.Tag));
            output.AddRange(U16(entry.Type));
            output.AddRange(U32(entry.Count));
            if (entry.Value.Length <= 4)
            {
                output.AddRange(entry.Value);
                output.AddRange(new byte[4 - entry.Value.Length]);
            }
            else
            {
                output.AddRange(U32((uint)(dataOffset + data.Count)));
                data.AddRange(entry.Value);
                if (entry.Value.Length % 2 == 1) data.Add(0);
            }
        }
        output.AddRange(U32(0)); // no next IFD
        output.AddRange(data);
    }

    static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    static IEnumerable<byte> U32(int v) => U32((uint)v);
}
