using System.Net;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>Why an analysis failed.</summary>
public enum ImageAnalysisFailure
{
    /// <summary>The bytes are not a decodable image, or it is empty, too large or too small.</summary>
    InvalidImage,
    /// <summary>The service rejected the key or token (HTTP 401).</summary>
    Unauthorized,
    /// <summary>The identity has no access to the resource (HTTP 403).</summary>
    Forbidden,
    /// <summary>Too many requests (HTTP 429), after retries.</summary>
    RateLimited,
    /// <summary>The service failed, timed out or could not be reached, after retries.</summary>
    ServiceUnavailable,
    /// <summary>The service answered with something this client does not understand.</summary>
    UnexpectedResponse,
    /// <summary>The engine cannot run here (e.g. the OpenCV native library or one of its system libraries is missing).</summary>
    EngineUnavailable,
}

/// <summary>
/// An image analysis that failed. The message names the engine, the HTTP status and the service's
/// error code; it never contains image bytes, keys or tokens.
/// </summary>
public sealed class ImageAnalysisException : Exception
{
    public ImageAnalysisException(ImageAnalysisFailure kind, string message, Exception? inner = null,
        HttpStatusCode? statusCode = null, string? serviceErrorCode = null, TimeSpan? retryAfter = null)
        : base(message, inner)
    {
        Kind = kind;
        StatusCode = statusCode;
        ServiceErrorCode = serviceErrorCode;
        RetryAfter = retryAfter;
    }

    public ImageAnalysisFailure Kind { get; }

    /// <summary>HTTP status of the service's answer, if there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's <c>error.code</c> (and inner code), if it sent one.</summary>
    public string? ServiceErrorCode { get; }

    /// <summary>The service's Retry-After, if it sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Trying the same image again later may succeed.</summary>
    public bool IsTransient => Kind is ImageAnalysisFailure.RateLimited or ImageAnalysisFailure.ServiceUnavailable;
}
