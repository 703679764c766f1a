namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// Azure AI Vision (Image Analysis 4.0), bound from the configuration section <c>Vision</c>
/// (app settings <c>Vision__Endpoint</c>, <c>Vision__Key</c>). With an endpoint the platform analyses
/// photos in Azure; without one it uses the local OpenCV engine (<see cref="LocalImageAnalysisOptions"/>).
/// </summary>
public sealed class VisionOptions
{
    public const string SectionName = "Vision";

    /// <summary>The resource endpoint, e.g. <c>https://my-vision.cognitiveservices.azure.com/</c>. Empty selects the local engine.</summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// The resource key (a Key Vault reference in Azure), sent as <c>Ocp-Apim-Subscription-Key</c>. Empty: a Microsoft
    /// Entra token for <see cref="TokenScope"/> from <c>DefaultAzureCredential</c> (the managed identity named by
    /// <c>AZURE_CLIENT_ID</c>). Never logged.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>REST API version.</summary>
    public string ApiVersion { get; set; } = "2024-02-01";

    /// <summary>Scope of the Entra token used when no key is configured.</summary>
    public string TokenScope { get; set; } = "https://cognitiveservices.azure.com/.default";

    /// <summary>People below this confidence are dropped (the service reports many low-confidence candidates).</summary>
    public double MinPersonConfidence { get; set; } = 0.5;

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Timeout of the whole call including retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after a transient failure (HTTP 408/429/5xx, network error, attempt timeout).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay (exponential backoff with jitter; a Retry-After from the service wins).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when <see cref="Endpoint"/> is set, i.e. the Azure engine is selected.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);

    internal Uri EndpointUri() => new(Endpoint!.EndsWith('/') ? Endpoint : Endpoint + "/", UriKind.Absolute);
}

/// <summary>The local OpenCV engine, bound from <c>Vision:Local</c> (app settings <c>Vision__Local__…</c>).</summary>
public sealed class LocalImageAnalysisOptions
{
    public const string SectionName = "Vision:Local";

    /// <summary>Images are scaled down so that their longer side is at most this many pixels before analysis (speed).</summary>
    public int MaxAnalysisSide { get; set; } = 960;

    /// <summary>Variance of the Laplacian (at analysis size) below which a photo counts as blurry.</summary>
    public double BlurThreshold { get; set; } = 100;

    /// <summary>Mean grey level (0–255) below which a photo counts as dark.</summary>
    public double DarkThreshold { get; set; } = 40;

    /// <summary>People below this confidence are dropped.</summary>
    public double MinPersonConfidence { get; set; } = 0.5;

    /// <summary>Boxes overlapping more than this (intersection over union) are merged by non-maximum suppression.</summary>
    public double NmsOverlap { get; set; } = 0.4;
}
