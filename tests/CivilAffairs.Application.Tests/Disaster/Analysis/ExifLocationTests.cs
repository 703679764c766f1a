using CivilAffairs.Application.Disaster.Analysis;
using OpenCvSharp;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

public class ExifLocationTests
{
    static byte[] PlainJpeg()
    {
        using var image = TestImages.Checkerboard(160, 120);
        return TestImages.Jpeg(image).ToArray();
    }

    // Guangzhou, Haizhu Square: 23°7'44.40"N 113°15'52.80"E
    static readonly ExifWriter.Gps Guangzhou = new(
        'N', [(23, 1), (7, 1), (4440, 100)],
        'E', [(113, 1), (15, 1), (5280, 100)],
        AltRef: 0, Alt: (355, 10),
        DirRef: 'T', Dir: (27125, 100),
        DateStamp: "2025:07:01", TimeStamp: [(1, 1), (30, 1), (15, 1)]);

    [Fact]
    public void Reads_position_altitude_heading_and_times_written_into_the_jpeg()
    {
        var jpeg = ExifWriter.Insert(PlainJpeg(), Guangzhou, dateTimeOriginal: "2025:07:01 09:30:15", offsetTimeOriginal: "+08:00");

        Assert.True(ExifLocation.TryRead(new BinaryData(jpeg), out var location));

        Assert.NotNull(location);
        Assert.Equal(23 + 7 / 60.0 + 44.4 / 3600, location.Latitude, 6);   // 23.129
        Assert.Equal(113 + 15 / 60.0 + 52.8 / 3600, location.Longitude, 6); // 113.264667
        Assert.Equal(35.5, location.AltitudeMeters);
        Assert.Equal(271.25, location.Heading);
        Assert.Equal("T", location.HeadingReference);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 9, 30, 15, TimeSpan.FromHours(8)), location.TakenAt);
        Assert.True(location.TakenAtOffsetKnown);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 1, 30, 15, TimeSpan.Zero), location.GpsTimeUtc);
    }

    [Fact]
    public void South_west_and_below_sea_level_are_negative()
    {
        var gps = new ExifWriter.Gps('S', [(33, 1), (51, 1), (54, 1)], 'W', [(70, 1), (40, 1), (30, 1)], AltRef: 1, Alt: (12, 1));
        var jpeg = ExifWriter.Insert(PlainJpeg(), gps);

        Assert.True(ExifLocation.TryRead(new BinaryData(jpeg), out var location));

        Assert.Equal(-(33 + 51 / 60.0 + 54 / 3600.0), location!.Latitude, 6);
        Assert.Equal(-(70 + 40 / 60.0 + 30 / 3600.0), location.Longitude, 6);
        Assert.Equal(-12, location.AltitudeMeters);
        Assert.Null(location.Heading);
        Assert.Null(location.HeadingReference);
        Assert.Null(location.TakenAt);
        Assert.Null(location.GpsTimeUtc);
    }

    [Fact]
    public void Capture_time_without_an_offset_is_read_as_China_Standard_Time()
    {
        var jpeg = ExifWriter.Insert(PlainJpeg(), Guangzhou, dateTimeOriginal: "2025:07:01 09:30:15");

        Assert.True(ExifLocation.TryRead(new BinaryData(jpeg), out var location));

        Assert.Equal(new DateTimeOffset(2025, 7, 1, 9, 30, 15, TimeSpan.FromHours(8)), location!.TakenAt);
        Assert.False(location.TakenAtOffsetKnown);
    }

    [Fact]
    public void No_exif_or_no_gps_gives_false()
    {
        Assert.False(ExifLocation.TryRead(new BinaryData(PlainJpeg()), out var none));
        Assert.Null(none);
        Assert.False(ExifLocation.TryRead(new BinaryData(ExifWriter.Insert(PlainJpeg(), gps: null, dateTimeOriginal: "2025:07:01 09:30:15")), out _));
    }

    [Fact]
    public void Zero_zero_placeholder_position_is_not_a_position()
    {
        var gps = new ExifWriter.Gps('N', [(0, 1), (0, 1), (0, 1)], 'E', [(0, 1), (0, 1), (0, 1)]);

        Assert.False(ExifLocation.TryRead(new BinaryData(ExifWriter.Insert(PlainJpeg(), gps)), out _));
    }

    [Fact]
    public void Malformed_input_gives_false_without_throwing()
    {
        var jpeg = ExifWriter.Insert(PlainJpeg(), Guangzhou, "2025:07:01 09:30:15");
        var truncated = jpeg[..40];
        var corrupted = (byte[])jpeg.Clone();
        for (var i = 14; i < 60; i++) corrupted[i] = 0xEE; // smash the TIFF header and IFD0

        Assert.False(ExifLocation.TryRead(new BinaryData(truncated), out _));
        Assert.False(ExifLocation.TryRead(new BinaryData(corrupted), out _));
        Assert.False(ExifLocation.TryRead(BinaryData.FromString("definitely not a jpeg"), out _));
        Assert.False(ExifLocation.TryRead(BinaryData.Empty, out _));
    }

    [Fact]
    public async Task A_jpeg_with_exif_still_analyses()
    {
        var jpeg = ExifWriter.Insert(PlainJpeg(), Guangzhou, "2025:07:01 09:30:15");
        var analyzer = new LocalImageAnalyzer(Microsoft.Extensions.Options.Options.Create(new LocalImageAnalysisOptions()), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalImageAnalyzer>.Instance);

        var result = await analyzer.AnalyzeAsync(new BinaryData(jpeg), CancellationToken.None);

        Assert.Equal((160, 120), (result.Width, result.Height));
    }
}
