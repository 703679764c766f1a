using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Disaster.Uploads;

/// <summary>A position as a device sends it: WGS-84 (GPS or BeiDou), altitude in metres.</summary>
public sealed record UploadPosition(double? Lat, double? Lon, double? Alt);

/// <summary>Body of <c>POST /api/disaster/uploads</c>.</summary>
/// <param name="Size">Exact file size in bytes.</param>
/// <param name="Sha256">Optional hex SHA-256 of the whole file, checked at commit.</param>
/// <param name="BlockSize">Optional block size (256 KiB–16 MiB; default 4 MiB): smaller blocks for worse links.</param>
/// <param name="Heading">Camera direction, degrees clockwise from north.</param>
public sealed record CreateUploadRequest(string? FileName, string? ContentType, long? Size, string? Sha256, string? IncidentId, string? NeedId,
    UploadPosition? Position, DateTimeOffset? TakenAt, double? Heading, int? BlockSize);

/// <summary>Where and when the photo or video was taken, and where that came from.</summary>
/// <param name="PositionSource"><c>device</c> (sent with the upload), <c>exif</c> (read from the JPEG) or null (unknown).</param>
/// <param name="OutsideIncidentArea">True when the position lies outside the incident's area; null when not checked
/// (no position, no incident, or the incident's area is not available).</param>
public sealed record UploadMetadata(UploadPosition? Position, string? PositionSource, DateTimeOffset? TakenAt, double? Heading,
    bool? OutsideIncidentArea);

/// <summary>The analysis of a committed upload.</summary>
/// <param name="Status"><c>pending</c>, <c>analysed</c>, <c>notAnalysed</c> (videos, too large) or <c>failed</c> (not a decodable image).</param>
public sealed record UploadAnalysisView(string Status, string? Engine = null, int? PeopleCount = null, IReadOnlyList<string>? Tags = null,
    int? PriorityDelta = null, bool? NeedsReshoot = null, string? Reason = null, IReadOnlyList<string>? Signals = null,
    int? Width = null, int? Height = null, double? Sharpness = null, double? MeanBrightness = null, DateTimeOffset? AnalyzedAt = null,
    string? AffectedNeedId = null);

/// <summary>An upload session as the device (and staff) see it.</summary>
/// <param name="Status"><c>open</c> (accepting blocks), <c>committed</c>, <c>rejected</c> (content refused; the blob was deleted) or <c>expired</c>.</param>
public sealed record UploadView(string Id, string DeviceId, string Status, string FileName, string ContentType, long Size, string? Sha256,
    int BlockSize, int BlockCount, IReadOnlyList<int> ReceivedBlocks, IReadOnlyList<int> MissingBlocks,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? CommittedAt, string? IncidentId, string? NeedId,
    UploadMetadata Metadata, UploadAnalysisView? Analysis, IReadOnlyList<FieldError>? Rejection);

/// <summary>Answer of a block upload.</summary>
public sealed record BlockReceipt(string UploadId, int Index, int Length);

/// <summary>
/// What the uploads side asks the incident side (implemented there; when none is registered, positions are stored, the
/// outside-area flag stays null and named incidents are not checked).
/// </summary>
public interface IIncidentDirectory
{
    /// <summary>The incident's area, or null when the incident is unknown.</summary>
    Task<GeoPolygon?> FindAreaAsync(string incidentId, CancellationToken ct);

    /// <summary>
    /// Whether a device of <paramref name="jurisdiction"/> may name this incident and need: both exist, lie in its
    /// jurisdiction chain, and the need belongs to the incident.
    /// </summary>
    Task<bool> InReachAsync(string? incidentId, string? needId, string jurisdiction, CancellationToken ct);
}

/// <summary>An analysis job on the queue <c>disaster-analysis</c>: ids only.</summary>
public sealed record AnalysisJob(string UploadId);
