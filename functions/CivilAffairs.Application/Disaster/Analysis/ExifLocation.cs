using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Jpeg;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// Where and when a photo was taken, from its EXIF block: used when a drone or field device sends a photo
/// without a position of its own.
/// </summary>
/// <param name="Latitude">Decimal degrees, WGS-84 as EXIF records it (north positive). Maps in mainland China use
/// GCJ-02; convert before drawing on such a map.</param>
/// <param name="Longitude">Decimal degrees, WGS-84 (east positive).</param>
/// <param name="AltitudeMeters">Metres above (negative: below) sea level, if recorded.</param>
/// <param name="Heading">Direction the camera pointed, degrees 0–360 clockwise from north (GPSImgDirection), if recorded.</param>
/// <param name="HeadingReference"><c>T</c> true north or <c>M</c> magnetic north, as recorded.</param>
/// <param name="TakenAt">DateTimeOriginal; with its offset when the photo records one (OffsetTimeOriginal), otherwise read as China Standard Time (UTC+8).</param>
/// <param name="TakenAtOffsetKnown">Whether <paramref name="TakenAt"/>'s offset came from the photo.</param>
/// <param name="GpsTimeUtc">GPSDateStamp + GPSTimeStamp (UTC), if recorded.</param>
public sealed record ExifLocation(
    double Latitude,
    double Longitude,
    double? AltitudeMeters,
    double? Heading,
    string? HeadingReference,
    DateTimeOffset? TakenAt,
    bool TakenAtOffsetKnown,
    DateTimeOffset? GpsTimeUtc)
{
    private const int TagDateTimeOriginal = 0x9003;
    private const int TagOffsetTimeOriginal = 0x9011;
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>
    /// Reads the GPS position (and altitude, heading, capture time) from a JPEG's EXIF block. False when there is no
    /// EXIF, no GPS position, an impossible one (|lat| &gt; 90, |lon| &gt; 180, 0/0 placeholders) or the data is malformed;
    /// never throws for bad input.
    /// </summary>
    public static bool TryRead(BinaryData jpeg, out ExifLocation? location)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        location = null;
        IReadOnlyList<MetadataExtractor.Directory> directories;
        try
        {
            using var stream = jpeg.ToStream();
            directories = JpegMetadataReader.ReadMetadata(stream, [new ExifReader()]);
        }
        catch (Exception ex) when (ex is JpegProcessingException or ImageProcessingException or IOException or MetadataException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }

        var gps = directories.OfType<GpsDirectory>().FirstOrDefault();
        GeoLocation? position;
        try
        {
            position = gps?.GetGeoLocation();
        }
        catch (Exception ex) when (ex is MetadataException or ArgumentException or OverflowException or DivideByZeroException)
        {
            return false;
        }
        if (gps is null || position is null) return false;
        var (lat, lon) = (position.Latitude, position.Longitude);
        if (double.IsNaN(lat) || double.IsNaN(lon) || Math.Abs(lat) > 90 || Math.Abs(lon) > 180 || (lat == 0 && lon == 0))
            return false;

        double? altitude = null;
        if (gps.TryGetRational(GpsDirectory.TagAltitude, out var alt) && alt.Denominator != 0)
        {
            altitude = alt.ToDouble();
            if (gps.TryGetInt32(GpsDirectory.TagAltitudeRef, out var altRef) && altRef == 1) altitude = -altitude;
        }

        double? heading = null;
        if (gps.TryGetRational(GpsDirectory.TagImgDirection, out var dir) && dir.Denominator != 0 && dir.ToDouble() is >= 0 and <= 360 and var degrees)
            heading = degrees;
        var headingRef = gps.GetString(GpsDirectory.TagImgDirectionRef)?.Trim() is { Length: > 0 } r ? r.ToUpperInvariant() : null;

        DateTimeOffset? gpsTime = null;
        try
        {
            if (gps.TryGetGpsDate(out var gpsDate)) gpsTime = new DateTimeOffset(DateTime.SpecifyKind(gpsDate, DateTimeKind.Utc));
        }
        catch (Exception ex) when (ex is MetadataException or ArgumentException or FormatException or OverflowException)
        {
            gpsTime = null;
        }

        var (takenAt, offsetKnown) = TakenTime(directories);
        location = new ExifLocation(Math.Round(lat, 7), Math.Round(lon, 7), altitude is { } a ? Math.Round(a, 2) : null,
            heading is { } h ? Math.Round(h, 2) : null, heading is null ? null : headingRef, takenAt, offsetKnown, gpsTime);
        return true;
    }

    private static (DateTimeOffset? TakenAt, bool OffsetKnown) TakenTime(IReadOnlyList<MetadataExtractor.Directory> directories)
    {
        var exif = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var text = exif?.GetString(TagDateTimeOriginal)?.Trim('\0', ' ');
        if (text is null || !DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return (null, false);

        var offsetText = exif!.GetString(TagOffsetTimeOriginal)?.Trim('\0', ' ');
        if (offsetText is { Length: 6 } && (offsetText[0] is '+' or '-')
            && TimeSpan.TryParseExact(offsetText[1..], @"hh\:mm", CultureInfo.InvariantCulture, out var magnitude)
            && magnitude <= TimeSpan.FromHours(14))
            return (new DateTimeOffset(local, offsetText[0] == '-' ? -magnitude : magnitude), true);

        return (new DateTimeOffset(local, ChinaStandardTime), false);
    }
}
