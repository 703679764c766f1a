using OpenCvSharp;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

/// <summary>
/// The local engine needs OpenCV's native library (libOpenCvSharpExtern.so from
/// OpenCvSharp4.official.runtime.linux-x64), which links GTK 3. This fails, naming the cause, when the
/// library or one of its system dependencies (Debian: libgtk-3-0) is missing on the machine.
/// </summary>
public class OpenCvNativeTests
{
    [Fact]
    public void Native_library_loads_and_processes_pixels()
    {
        Mat image;
        try
        {
            image = new Mat(8, 8, MatType.CV_8UC1, Scalar.All(0));
        }
        catch (TypeInitializationException ex)
        {
            Assert.Fail("OpenCV native library did not load (on Debian/Ubuntu: apt-get install libgtk-3-0): " + ex.InnerException?.Message);
            return;
        }
        using (image)
        {
            image.Set(3, 4, (byte)200);
            using var blurred = new Mat();
            Cv2.GaussianBlur(image, blurred, new Size(3, 3), 0);

            Assert.InRange(Cv2.Mean(image).Val0, 3.12, 3.13); // 200 / 64
            Assert.True(blurred.At<byte>(3, 4) < 200);
            Assert.True(blurred.At<byte>(3, 5) > 0);
            Assert.StartsWith("4.", Cv2.GetVersionString());
        }
    }
}
