namespace CivilAffairs.Application.Disaster.Uploads;

/// <summary>Field uploads, bound from <c>Disaster:Uploads</c> (app settings <c>Disaster__Uploads__…</c>).</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Disaster:Uploads";

    /// <summary>Block size when the device does not ask for one (4 MiB).</summary>
    public int DefaultBlockSize { get; set; } = BlockMath.DefaultBlockSize;

    /// <summary>Largest file accepted (default 2 GiB; the one-machine runtime's request limit is per block, not per file).</summary>
    public long MaxFileBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>How long an unfinished session accepts blocks.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Quota of a device registered without one (10 GiB).</summary>
    public long DefaultDeviceQuotaBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// Images up to this size are analysed (downloaded into memory). The engines themselves accept at most
    /// <c>ImageAnalysisLimits.MaxImageBytes</c> (20 MB), so larger values are capped to that.
    /// </summary>
    public long MaxAnalysisBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>How much of a committed JPEG is read to find its EXIF block.</summary>
    public int ExifProbeBytes { get; set; } = 256 * 1024;
}
