using CivilAffairs.Application.Disaster.Analysis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenCvSharp;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

public class LocalImageAnalyzerTests
{
    static readonly DateTimeOffset Now = new(2025, 7, 1, 9, 30, 0, TimeSpan.Zero);

    static LocalImageAnalyzer Analyzer(LocalImageAnalysisOptions? options = null) =>
        new(Options.Create(options ?? new LocalImageAnalysisOptions()), new FakeTimeProvider(Now), NullLogger<LocalImageAnalyzer>.Instance);

    static Task<ImageAnalysisResult> Analyze(BinaryData image) => Analyzer().AnalyzeAsync(image, CancellationToken.None);

    [Fact]
    public async Task Sharp_checkerboard_is_sharp_bright_enough_and_has_no_people()
    {
        using var board = TestImages.Checkerboard();

        var result = await Analyze(TestImages.Png(board));

        Assert.Equal("local-opencv", result.Engine);
        Assert.Equal((640, 480), (result.Width, result.Height));
        Assert.NotNull(result.Quality);
        Assert.False(result.Quality.IsBlurry);
        Assert.True(result.Quality.Sharpness > 1000, $"sharpness {result.Quality.Sharpness}");
        Assert.InRange(result.Quality.MeanBrightness, 120, 135); // half black, half white
        Assert.False(result.Quality.IsDark);
        Assert.Equal(0, result.PeopleCount);
        Assert.Empty(result.TextLines);
        Assert.Equal(Now, result.AnalyzedAt);
    }

    [Fact]
    public async Task Blurred_checkerboard_is_blurry_and_asks_for_a_reshoot()
    {
        using var board = TestImages.Checkerboard();
        using var blurred = TestImages.Blurred(board);

        var result = await Analyze(TestImages.Jpeg(blurred));

        Assert.True(result.Quality!.IsBlurry, $"sharpness {result.Quality.Sharpness}");
        Assert.True(result.Quality.Sharpness < 100);
        Assert.False(result.Quality.IsDark);
        Assert.True(AnalysisPriority.Evaluate(result).NeedsReshoot);
    }

    [Fact]
    public async Task Black_image_is_dark_and_tagged_night()
    {
        using var black = TestImages.Solid(Scalar.All(0));

        var result = await Analyze(TestImages.Jpeg(black));

        Assert.True(result.Quality!.IsDark);
        Assert.InRange(result.Quality.MeanBrightness, 0, 2);
        var night = Assert.Single(result.Tags);
        Assert.Equal("night", night.Name);
        Assert.InRange(night.Confidence, 0.85, 0.9);
        var effect = AnalysisPriority.Evaluate(result);
        Assert.True(effect.NeedsReshoot);
        Assert.Contains("unusable:dark", effect.Signals);
    }

    [Fact]
    public async Task Blue_lower_half_is_tagged_water_and_raises_the_priority()
    {
        // Grey sky above, rippled blue water below.
        using var scene = TestImages.Solid(new Scalar(190, 190, 190));
        using (var water = new Mat(scene, new Rect(0, 200, 640, 280)))
            water.SetTo(new Scalar(170, 90, 30));
        for (var y = 210; y < 480; y += 12)
            Cv2.Line(scene, new Point(0, y), new Point(639, y + 4), new Scalar(220, 140, 60), 2);
        using var noisy = TestImages.WithNoise(scene, 12);

        var result = await Analyze(TestImages.Jpeg(noisy));

        var water2 = Assert.Single(result.Tags, t => t.Name == "water");
        Assert.InRange(water2.Confidence, 0.75, 0.8);
        Assert.DoesNotContain(result.Tags, t => t.Name == "vegetation");
        Assert.False(result.Quality!.IsBlurry, $"sharpness {result.Quality.Sharpness}");
        var effect = AnalysisPriority.Evaluate(result);
        Assert.Equal(1, effect.Delta);
        Assert.Equal(["hazard:flood"], effect.Signals);
    }

    [Fact]
    public async Task Blue_sky_above_grey_ground_is_not_water()
    {
        using var scene = TestImages.Solid(new Scalar(110, 110, 110));
        using (var sky = new Mat(scene, new Rect(0, 0, 640, 240)))
            sky.SetTo(new Scalar(230, 160, 80));
        using var noisy = TestImages.WithNoise(scene, 12);

        var result = await Analyze(TestImages.Jpeg(noisy));

        Assert.DoesNotContain(result.Tags, t => t.Name == "water");
    }

    [Fact]
    public async Task Green_field_is_vegetation_not_a_hazard()
    {
        using var field = TestImages.Solid(new Scalar(40, 150, 60));
        using var noisy = TestImages.WithNoise(field, 20);

        var result = await Analyze(TestImages.Jpeg(noisy));

        var vegetation = Assert.Single(result.Tags);
        Assert.Equal("vegetation", vegetation.Name);
        Assert.Equal(0.8, vegetation.Confidence);
        Assert.Equal(0, AnalysisPriority.Evaluate(result).Delta);
    }

    [Fact]
    public async Task Bright_orange_patch_is_tagged_fire_or_flame()
    {
        using var scene = TestImages.Solid(new Scalar(60, 60, 60));
        Cv2.Ellipse(scene, new RotatedRect(new Point2f(320, 300), new Size2f(260, 200), 0), new Scalar(20, 140, 255), -1);
        using var noisy = TestImages.WithNoise(scene, 10);

        var result = await Analyze(TestImages.Png(noisy));

        var fire = Assert.Single(result.Tags, t => t.Name == "fire-or-flame");
        Assert.InRange(fire.Confidence, 0.6, 0.7); // about 13 % of the frame
        Assert.Contains("hazard:fire", AnalysisPriority.Evaluate(result).Signals);
    }

    [Fact]
    public async Task Uniform_noise_texture_has_no_people()
    {
        using var grey = TestImages.Solid(Scalar.All(128), 800, 600);
        using var texture = TestImages.WithNoise(grey, 100);

        var result = await Analyze(TestImages.Png(texture));

        Assert.Equal(0, result.PeopleCount);
        Assert.Empty(result.People);
    }

    [Fact]
    public async Task Finds_each_upright_pedestrian_once()
    {
        var (image, centres) = TestImages.Pedestrians(3);
        using var _ = image;

        var result = await Analyze(TestImages.Png(image));

        Assert.Equal(3, result.PeopleCount);
        foreach (var centre in centres)
        {
            var person = Assert.Single(result.People, p => new Rect(p.X, p.Y, p.Width, p.Height).Contains(centre));
            Assert.InRange(person.Confidence, 0.5, 1.0);
            Assert.InRange(person.Height, 150, 400);
        }
        Assert.Equal(1, AnalysisPriority.Evaluate(result).Delta);
    }

    [Fact]
    public async Task Large_photo_is_analysed_at_reduced_size_but_boxes_are_in_photo_pixels()
    {
        var (image, centres) = TestImages.Pedestrians(3, scale: 4); // 2200 x 1600 px, decoded at 1/4
        using var _ = image;

        var result = await Analyzer(new LocalImageAnalysisOptions { MaxAnalysisSide = 500 }).AnalyzeAsync(TestImages.Jpeg(image), CancellationToken.None);

        Assert.Equal((2200, 1600), (result.Width, result.Height));
        Assert.Equal(3, result.PeopleCount);
        foreach (var centre in centres)
            Assert.Single(result.People, p => new Rect(p.X, p.Y, p.Width, p.Height).Contains(centre));
        Assert.All(result.People, p => Assert.InRange(p.Height, 600, 1600));
    }

    [Fact]
    public async Task Bytes_that_are_not_an_image_are_refused()
    {
        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() => Analyze(BinaryData.FromString("not an image at all, just text")));

        Assert.Equal(ImageAnalysisFailure.InvalidImage, ex.Kind);
    }

    [Fact]
    public async Task Empty_and_tiny_images_are_refused()
    {
        using var tiny = TestImages.Solid(Scalar.All(128), 20, 20);

        Assert.Equal(ImageAnalysisFailure.InvalidImage, (await Assert.ThrowsAsync<ImageAnalysisException>(() => Analyze(BinaryData.Empty))).Kind);
        Assert.Equal(ImageAnalysisFailure.InvalidImage, (await Assert.ThrowsAsync<ImageAnalysisException>(() => Analyze(TestImages.Png(tiny)))).Kind);
    }

    [Fact]
    public async Task Header_claiming_a_huge_image_is_refused_before_decoding()
    {
        // A valid PNG whose IHDR is rewritten to 40000 x 40000 (a decompression bomb's header).
        using var small = TestImages.Solid(Scalar.All(128), 64, 64);
        var png = TestImages.Png(small).ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 40000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 40000);

        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() => Analyze(new BinaryData(png)));

        Assert.Equal(ImageAnalysisFailure.InvalidImage, ex.Kind);
        Assert.Contains("40000x40000", ex.Message);
    }

    [Fact]
    public async Task Stream_overload_reads_the_whole_stream_and_enforces_the_limit()
    {
        using var board = TestImages.Checkerboard();
        var bytes = TestImages.Png(board).ToArray();

        var result = await Analyzer().AnalyzeAsync(new MemoryStream(bytes), CancellationToken.None);
        var ex = await Assert.ThrowsAsync<ImageAnalysisException>(() => Analyzer().AnalyzeAsync(new MemoryStream(bytes), CancellationToken.None, maxBytes: bytes.Length - 1));

        Assert.Equal((640, 480), (result.Width, result.Height));
        Assert.Equal(ImageAnalysisFailure.InvalidImage, ex.Kind);
    }

    [Fact]
    public void Header_size_is_read_from_jpeg_and_png_without_decoding()
    {
        using var image = TestImages.Solid(Scalar.All(90), 321, 123);

        Assert.True(ImageHeader.TryReadSize(TestImages.Jpeg(image).ToMemory().Span, out var jw, out var jh));
        Assert.True(ImageHeader.TryReadSize(TestImages.Png(image).ToMemory().Span, out var pw, out var ph));
        Assert.False(ImageHeader.TryReadSize("GIF89a-------------------"u8, out _, out _));
        Assert.False(ImageHeader.TryReadSize([0xFF, 0xD8, 0xFF], out _, out _));

        Assert.Equal((321, 123), (jw, jh));
        Assert.Equal((321, 123), (pw, ph));
    }

    [Fact]
    public void Non_max_suppression_keeps_the_best_box_of_each_cluster()
    {
        LocalImageAnalyzer.ScoredBox[] candidates =
        [
            new(new Rect(100, 100, 64, 128), 0.70),
            new(new Rect(104, 96, 64, 128), 0.75),   // same person, better score
            new(new Rect(90, 80, 96, 192), 0.60),    // same person at a larger scale (contains the others)
            new(new Rect(400, 100, 64, 128), 0.55),  // someone else
            new(new Rect(150, 100, 64, 128), 0.65),  // overlaps the first cluster by ~14 / 114 width: kept
        ];

        var kept = LocalImageAnalyzer.NonMaxSuppression(candidates, maxOverlap: 0.4);

        Assert.Equal([0.75, 0.65, 0.55], kept.Select(k => k.Confidence));
        Assert.Equal(new Rect(104, 96, 64, 128), kept[0].Box);
    }
}
