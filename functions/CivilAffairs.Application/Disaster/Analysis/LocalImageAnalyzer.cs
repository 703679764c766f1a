using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>Tags the local engine derives from pixel colours (HSV) and brightness.</summary>
public static class LocalImageTags
{
    /// <summary>Blue/cyan pixels covering the lower half of the frame (the upper half is skipped because sky is blue too).</summary>
    public const string Water = "water";
    /// <summary>Green pixels.</summary>
    public const string Vegetation = "vegetation";
    /// <summary>Bright, unsaturated pixels over most of a low-contrast frame.</summary>
    public const string SmokeOrHaze = "smoke-or-haze";
    /// <summary>Bright, saturated red/orange/yellow pixels (a sunset looks the same).</summary>
    public const string FireOrFlame = "fire-or-flame";
    /// <summary>A dark frame made mostly of very dark pixels.</summary>
    public const string Night = "night";
}

/// <summary>
/// Analyses photos on the machine with OpenCV (OpenCvSharp4): decode, people with the HOG + linear SVM
/// pedestrian detector and non-maximum suppression, sharpness as the variance of the Laplacian, brightness as
/// the mean grey level, and colour tags from HSV masks (<see cref="LocalImageTags"/>). No text recognition.
/// </summary>
/// <remarks>
/// <para>Honest limits: the HOG detector finds upright, roughly 128-pixel-tall or larger people seen from the side
/// (street photos), not people seen from straight above (drone nadir shots) or small in the frame. Its
/// confidence is the SVM margin squashed to 0–1 (margin / (margin + 1)), not a calibrated probability. Colour tags
/// say what the colours are, not what the scene is: their confidence is the share of matching pixels, scaled and
/// capped below 1.</para>
/// <para>Large photos are decoded at 1/2, 1/4 or 1/8 scale (JPEG DCT scaling) and then scaled to at most
/// <see cref="LocalImageAnalysisOptions.MaxAnalysisSide"/>; boxes are reported in the original pixel grid.</para>
/// <para>Needs the native library <c>libOpenCvSharpExtern.so</c> (package OpenCvSharp4.official.runtime.linux-x64),
/// which links GTK 3: on Debian/Ubuntu install <c>libgtk-3-0</c>. Without it every call fails with
/// <see cref="ImageAnalysisFailure.EngineUnavailable"/>.</para>
/// </remarks>
public sealed partial class LocalImageAnalyzer(IOptions<LocalImageAnalysisOptions> options, TimeProvider clock, ILogger<LocalImageAnalyzer> logger)
    : IImageAnalyzer
{
    /// <summary>Refuse images with more pixels than this before decoding (decompression bombs).</summary>
    public const long MaxPixels = 120_000_000;

    private readonly LocalImageAnalysisOptions _options = options.Value;

    public string Engine => ImageAnalysisEngines.LocalOpenCv;

    public Task<ImageAnalysisResult> AnalyzeAsync(BinaryData image, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        ct.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        ImageAnalysisResult result;
        try
        {
            result = Analyze(image.ToMemory().Span, ct);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            LogEngineUnavailable(logger, ex.GetType().Name);
            throw new ImageAnalysisException(ImageAnalysisFailure.EngineUnavailable,
                "The OpenCV native library could not be loaded (libOpenCvSharpExtern.so from OpenCvSharp4.official.runtime.linux-x64 needs GTK 3: apt-get install libgtk-3-0).", ex);
        }
        catch (OpenCVException ex)
        {
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"OpenCV could not process the image ({ex.ErrMsg}).", ex);
        }
        LogAnalyzed(logger, result.Width, result.Height, result.PeopleCount, result.Tags.Count,
            result.Quality?.Sharpness ?? 0, result.Quality?.MeanBrightness ?? 0, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Task.FromResult(result);
    }

    private ImageAnalysisResult Analyze(ReadOnlySpan<byte> bytes, CancellationToken ct)
    {
        if (bytes.Length == 0)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, "The image is empty.");
        if (bytes.Length > ImageAnalysisLimits.MaxImageBytes)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"The image is larger than {ImageAnalysisLimits.MaxImageBytes} bytes.");

        var maxSide = Math.Max(64, _options.MaxAnalysisSide);
        var mode = ImreadModes.Color;
        var headerKnown = ImageHeader.TryReadSize(bytes, out var storedWidth, out var storedHeight);
        if (headerKnown)
        {
            CheckSize(storedWidth, storedHeight);
            var longer = Math.Max(storedWidth, storedHeight);
            mode = longer / 8 >= maxSide ? ImreadModes.ReducedColor8
                 : longer / 4 >= maxSide ? ImreadModes.ReducedColor4
                 : longer / 2 >= maxSide ? ImreadModes.ReducedColor2
                 : ImreadModes.Color;
        }

        using var decoded = Cv2.ImDecode(bytes, mode);
        if (decoded.Empty())
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, "The bytes are not an image OpenCV can decode.");
        var decodedSize = decoded.Size();

        // Size of the photo as seen (EXIF rotation applied by the decoder): the header size, turned if the decoder turned it.
        int width, height;
        if (headerKnown)
        {
            var turned = storedWidth != storedHeight && (storedWidth > storedHeight) != (decodedSize.Width > decodedSize.Height);
            (width, height) = turned ? (storedHeight, storedWidth) : (storedWidth, storedHeight);
        }
        else
        {
            (width, height) = (decodedSize.Width, decodedSize.Height);
            CheckSize(width, height);
        }
        ct.ThrowIfCancellationRequested();

        // Analysis copy: longer side at most maxSide.
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(decodedSize.Width, decodedSize.Height));
        using var bgr = new Mat();
        if (scale < 1.0)
            Cv2.Resize(decoded, bgr, new Size(Math.Max(1, (int)Math.Round(decodedSize.Width * scale)), Math.Max(1, (int)Math.Round(decodedSize.Height * scale))), 0, 0, InterpolationFlags.Area);
        else
            decoded.CopyTo(bgr);
        var analysisSize = bgr.Size();

        using var gray = new Mat();
        Cv2.CvtColor(bgr, gray, ColorConversionCodes.BGR2GRAY);
        var quality = MeasureQuality(gray, out var grayStdDev);
        ct.ThrowIfCancellationRequested();

        var tags = ColourTags(bgr, quality, grayStdDev);
        ct.ThrowIfCancellationRequested();

        // Boxes back to the photo's pixel grid.
        var toPhotoX = (double)width / analysisSize.Width;
        var toPhotoY = (double)height / analysisSize.Height;
        var people = DetectPeople(bgr)
            .Where(p => p.Confidence >= _options.MinPersonConfidence)
            .Select(p => new DetectedPerson(
                (int)Math.Round(p.Box.X * toPhotoX), (int)Math.Round(p.Box.Y * toPhotoY),
                (int)Math.Round(p.Box.Width * toPhotoX), (int)Math.Round(p.Box.Height * toPhotoY),
                Math.Round(p.Confidence, 3)))
            .ToArray();

        return new ImageAnalysisResult(ImageAnalysisEngines.LocalOpenCv, width, height, people, tags, [], quality, clock.GetUtcNow());
    }

    private static void CheckSize(int width, int height)
    {
        if (width < ImageAnalysisLimits.MinSide || height < ImageAnalysisLimits.MinSide)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"The image is {width}x{height} pixels; both sides must be at least {ImageAnalysisLimits.MinSide}.");
        if (width > ImageAnalysisLimits.MaxSide || height > ImageAnalysisLimits.MaxSide || (long)width * height > MaxPixels)
            throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"The image is {width}x{height} pixels; the limit is {ImageAnalysisLimits.MaxSide} a side and {MaxPixels} pixels.");
    }

    private ImageQuality MeasureQuality(Mat gray, out double grayStdDev)
    {
        using var laplacian = new Mat();
        Cv2.Laplacian(gray, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var lapStdDev);
        var sharpness = lapStdDev.Val0 * lapStdDev.Val0;

        Cv2.MeanStdDev(gray, out var mean, out var stdDev);
        grayStdDev = stdDev.Val0;
        var brightness = mean.Val0;
        return new ImageQuality(Math.Round(sharpness, 2), sharpness < _options.BlurThreshold, Math.Round(brightness, 2), brightness < _options.DarkThreshold);
    }

    private List<ImageTag> ColourTags(Mat bgr, ImageQuality quality, double grayStdDev)
    {
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV); // H 0–179, S and V 0–255
        var size = hsv.Size();
        var tags = new List<ImageTag>();

        using (var lowerHalf = new Mat(hsv, new Rect(0, size.Height / 2, size.Width, size.Height - size.Height / 2)))
            Add(tags, LocalImageTags.Water, Coverage(lowerHalf, new Scalar(90, 60, 50), new Scalar(130, 255, 255)), minimum: 0.2, full: 0.6, cap: 0.8);

        Add(tags, LocalImageTags.Vegetation, Coverage(hsv, new Scalar(35, 60, 40), new Scalar(85, 255, 255)), minimum: 0.2, full: 0.6, cap: 0.8);

        var flame = Coverage(hsv, new Scalar(0, 120, 180), new Scalar(25, 255, 255)) + Coverage(hsv, new Scalar(170, 120, 180), new Scalar(179, 255, 255));
        Add(tags, LocalImageTags.FireOrFlame, flame, minimum: 0.02, full: 0.15, cap: 0.7);

        // Haze flattens contrast; a crisp grey scene is not haze.
        if (grayStdDev < 45)
            Add(tags, LocalImageTags.SmokeOrHaze, Coverage(hsv, new Scalar(0, 0, 100), new Scalar(179, 40, 230)), minimum: 0.5, full: 0.9, cap: 0.6);

        if (quality.IsDark)
            Add(tags, LocalImageTags.Night, Coverage(hsv, new Scalar(0, 0, 0), new Scalar(179, 255, 50)), minimum: 0.6, full: 0.9, cap: 0.9);

        tags.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
        return tags;
    }

    /// <summary>Share of pixels inside the HSV range.</summary>
    private static double Coverage(Mat hsv, Scalar lower, Scalar upper)
    {
        using var mask = new Mat();
        Cv2.InRange(hsv, lower, upper, mask);
        var size = mask.Size();
        return size.Width * size.Height == 0 ? 0 : (double)Cv2.CountNonZero(mask) / (size.Width * size.Height);
    }

    /// <summary>Adds a tag when <paramref name="coverage"/> reaches <paramref name="minimum"/>; confidence grows linearly to <paramref name="cap"/> at <paramref name="full"/> coverage.</summary>
    private static void Add(List<ImageTag> tags, string name, double coverage, double minimum, double full, double cap)
    {
        if (coverage < minimum) return;
        tags.Add(new ImageTag(name, Math.Round(cap * Math.Min(1.0, coverage / full), 3)));
    }

    private IReadOnlyList<ScoredBox> DetectPeople(Mat bgr)
    {
        var size = bgr.Size();
        using var hog = new HOGDescriptor(); // 64x128 window
        if (size.Width < hog.WinSize.Width || size.Height < hog.WinSize.Height) return [];
        hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
        // groupThreshold 0: every window above the SVM hyperplane; overlapping windows are merged by NMS below.
        var boxes = hog.DetectMultiScale(bgr, out double[] margins, hitThreshold: 0, winStride: new Size(8, 8), padding: new Size(0, 0), scale: 1.05, groupThreshold: 0);
        var candidates = new List<ScoredBox>(boxes.Length);
        for (var i = 0; i < boxes.Length; i++)
        {
            var margin = i < margins.Length ? margins[i] : 0;
            if (margin > 0) candidates.Add(new ScoredBox(boxes[i], margin / (margin + 1)));
        }
        return NonMaxSuppression(candidates, _options.NmsOverlap);
    }

    /// <summary>A candidate box with its confidence.</summary>
    public readonly record struct ScoredBox(Rect Box, double Confidence);

    /// <summary>
    /// Greedy non-maximum suppression: keeps the most confident box and drops every other box whose intersection
    /// over union with a kept box exceeds <paramref name="maxOverlap"/>, or which lies mostly (≥ 80 %) inside it or
    /// around it (the same person found at two scales).
    /// </summary>
    public static IReadOnlyList<ScoredBox> NonMaxSuppression(IEnumerable<ScoredBox> candidates, double maxOverlap)
    {
        var kept = new List<ScoredBox>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Confidence).ThenBy(c => c.Box.Y).ThenBy(c => c.Box.X))
        {
            var suppressed = false;
            foreach (var keep in kept)
            {
                var inter = keep.Box.Intersect(candidate.Box);
                if (inter.Width <= 0 || inter.Height <= 0) continue;
                double intersection = (long)inter.Width * inter.Height;
                double a = (long)keep.Box.Width * keep.Box.Height, b = (long)candidate.Box.Width * candidate.Box.Height;
                if (intersection / (a + b - intersection) > maxOverlap || intersection / Math.Min(a, b) >= 0.8)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) kept.Add(candidate);
        }
        return kept;
    }

    // ---- logging: sizes, counts and measures only ---------------------------------------------

    [LoggerMessage(EventId = 7311, Level = LogLevel.Information, Message = "Local engine analysed a {Width}x{Height} image: {People} people, {Tags} tags, sharpness {Sharpness:0.#}, brightness {Brightness:0.#} in {ElapsedMs} ms")]
    private static partial void LogAnalyzed(ILogger logger, int width, int height, int people, int tags, double sharpness, double brightness, long elapsedMs);

    [LoggerMessage(EventId = 7312, Level = LogLevel.Error, Message = "The local image engine cannot run: the OpenCV native library did not load ({ExceptionType}); install libgtk-3-0")]
    private static partial void LogEngineUnavailable(ILogger logger, string exceptionType);
}
