namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>Names written to <see cref="ImageAnalysisResult.Engine"/>.</summary>
public static class ImageAnalysisEngines
{
    public const string AzureVision = "azure-vision";
    public const string LocalOpenCv = "local-opencv";
}

/// <summary>What one engine found in one photo. Coordinates are pixels of the image as analysed (EXIF orientation applied).</summary>
/// <param name="Engine"><see cref="ImageAnalysisEngines.AzureVision"/> or <see cref="ImageAnalysisEngines.LocalOpenCv"/>.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="People">People detected with at least the engine's minimum confidence, most confident first.</param>
/// <param name="Tags">Scene tags, most confident first. Azure: the service's tags (English); local: colour/texture tags (<see cref="LocalImageTags"/>).</param>
/// <param name="TextLines">Text read from the image (Azure "read"); always empty for the local engine.</param>
/// <param name="Quality">Sharpness and brightness; null when the engine does not measure them (Azure).</param>
/// <param name="AnalyzedAt">When the analysis finished.</param>
public sealed record ImageAnalysisResult(
    string Engine,
    int Width,
    int Height,
    IReadOnlyList<DetectedPerson> People,
    IReadOnlyList<ImageTag> Tags,
    IReadOnlyList<string> TextLines,
    ImageQuality? Quality,
    DateTimeOffset AnalyzedAt)
{
    /// <summary>Number of entries in <see cref="People"/>.</summary>
    public int PeopleCount => People.Count;
}

/// <summary>An axis-aligned box around a person, in pixels, with the engine's confidence (0–1).</summary>
public sealed record DetectedPerson(int X, int Y, int Width, int Height, double Confidence);

/// <summary>A scene tag with the engine's confidence (0–1).</summary>
public sealed record ImageTag(string Name, double Confidence);

/// <summary>Whether the photo is usable.</summary>
/// <param name="Sharpness">Variance of the Laplacian of the grey image at analysis size (higher is sharper).</param>
/// <param name="IsBlurry">Sharpness below the configured threshold.</param>
/// <param name="MeanBrightness">Mean grey level, 0–255.</param>
/// <param name="IsDark">Mean brightness below the configured threshold.</param>
public sealed record ImageQuality(double Sharpness, bool IsBlurry, double MeanBrightness, bool IsDark)
{
    /// <summary>Too blurred or too dark to judge the scene from.</summary>
    public bool IsUnusable => IsBlurry || IsDark;
}
