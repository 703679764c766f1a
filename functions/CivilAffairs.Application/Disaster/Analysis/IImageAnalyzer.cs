namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// Analyses one photo uploaded by a drone or a field device: people, scene tags, text and
/// image quality. Two engines implement it — <see cref="AzureVisionImageAnalyzer"/> (Azure AI
/// Vision Image Analysis 4.0) and <see cref="LocalImageAnalyzer"/> (OpenCV on the machine) —
/// and <see cref="ImageAnalysisRegistration.AddImageAnalysis"/> picks one from configuration.
/// </summary>
public interface IImageAnalyzer
{
    /// <summary>The engine name written to <see cref="ImageAnalysisResult.Engine"/>.</summary>
    string Engine { get; }

    /// <summary>Analyses an encoded image (JPEG, PNG, BMP…).</summary>
    /// <exception cref="ImageAnalysisException">The image cannot be analysed or the engine failed; see <see cref="ImageAnalysisException.Kind"/>.</exception>
    Task<ImageAnalysisResult> AnalyzeAsync(BinaryData image, CancellationToken ct);
}

public static class ImageAnalyzerExtensions
{
    /// <summary>Reads <paramref name="image"/> (at most <paramref name="maxBytes"/>) and analyses it.</summary>
    /// <exception cref="ImageAnalysisException">The stream is empty or longer than <paramref name="maxBytes"/> (<see cref="ImageAnalysisFailure.InvalidImage"/>), or the analysis failed.</exception>
    public static async Task<ImageAnalysisResult> AnalyzeAsync(this IImageAnalyzer analyzer, Stream image, CancellationToken ct, long maxBytes = ImageAnalysisLimits.MaxImageBytes)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(image);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await image.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ImageAnalysisException(ImageAnalysisFailure.InvalidImage, $"The image is larger than {maxBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return await analyzer.AnalyzeAsync(new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), ct);
    }
}

/// <summary>Limits shared by both engines (Azure AI Vision 4.0 accepts images under 20 MB, 50–16 000 px a side).</summary>
public static class ImageAnalysisLimits
{
    public const long MaxImageBytes = 20 * 1024 * 1024;
    public const int MinSide = 50;
    public const int MaxSide = 16000;
}
