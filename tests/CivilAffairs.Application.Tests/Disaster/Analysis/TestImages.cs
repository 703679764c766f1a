using OpenCvSharp;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

/// <summary>Test photos drawn with OpenCV, encoded as the devices would send them.</summary>
internal static class TestImages
{
    public static BinaryData Png(Mat image) => Encode(image, ".png");

    public static BinaryData Jpeg(Mat image, int quality = 92) =>
        new(image.ToBytes(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, quality)));

    static BinaryData Encode(Mat image, string extension) => new(image.ToBytes(extension));

    /// <summary>Black and white squares: strong edges everywhere.</summary>
    public static Mat Checkerboard(int width = 640, int height = 480, int square = 16)
    {
        var image = new Mat(height, width, MatType.CV_8UC3, Scalar.All(0));
        for (var y = 0; y < height; y += square)
            for (var x = 0; x < width; x += square)
                if ((x / square + y / square) % 2 == 0)
                    Cv2.Rectangle(image, new Rect(x, y, square, square), Scalar.All(255), -1);
        return image;
    }

    public static Mat Blurred(Mat image, double sigma = 8)
    {
        var blurred = new Mat();
        Cv2.GaussianBlur(image, blurred, new Size(0, 0), sigma);
        return blurred;
    }

    public static Mat Solid(Scalar bgr, int width = 640, int height = 480) => new(height, width, MatType.CV_8UC3, bgr);

    /// <summary>Uniform noise of ±<paramref name="amplitude"/> added to every channel, from a fixed seed.</summary>
    public static Mat WithNoise(Mat image, int amplitude, int seed = 7)
    {
        using var noise = new Mat(image.Size(), MatType.CV_16SC3);
        Cv2.SetTheRNG((ulong)seed);
        Cv2.Randu(noise, Scalar.All(-amplitude), Scalar.All(amplitude));
        using var wide = new Mat();
        image.ConvertTo(wide, MatType.CV_16SC3);
        Cv2.Add(wide, noise, wide);
        var result = new Mat();
        wide.ConvertTo(result, MatType.CV_8UC3);
        return result;
    }

    /// <summary>
    /// Upright pedestrian pictograms (head, torso, arms, legs) on a grainy light-grey background, 150 px apart,
    /// about 230 px tall at <paramref name="scale"/> 1. Returns the image and each figure's centre.
    /// </summary>
    public static (Mat Image, Point[] Centres) Pedestrians(int count, double scale = 1)
    {
        int S(double v) => (int)Math.Round(v * scale);
        using var background = Solid(new Scalar(200, 200, 200), S(150 * count + 100), S(400));
        var image = WithNoise(background, 10);
        var colour = new Scalar(40, 40, 60);
        var centres = new Point[count];
        for (var i = 0; i < count; i++)
        {
            var cx = 100 + i * 150;
            Cv2.Circle(image, new Point(S(cx), S(110)), S(16), colour, -1, LineTypes.AntiAlias);
            Cv2.Ellipse(image, new RotatedRect(new Point2f(S(cx), S(185)), new Size2f(S(48), S(100)), 0), colour, -1, LineTypes.AntiAlias);
            Cv2.Line(image, new Point(S(cx - 10), S(225)), new Point(S(cx - 18), S(320)), colour, S(14), LineTypes.AntiAlias);
            Cv2.Line(image, new Point(S(cx + 10), S(225)), new Point(S(cx + 18), S(320)), colour, S(14), LineTypes.AntiAlias);
            Cv2.Line(image, new Point(S(cx - 22), S(150)), new Point(S(cx - 32), S(230)), colour, S(10), LineTypes.AntiAlias);
            Cv2.Line(image, new Point(S(cx + 22), S(150)), new Point(S(cx + 32), S(230)), colour, S(10), LineTypes.AntiAlias);
            centres[i] = new Point(S(cx), S(215));
        }
        return (image, centres);
    }
}
