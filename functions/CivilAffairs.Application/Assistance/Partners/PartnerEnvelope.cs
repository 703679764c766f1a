using System.Text.Json.Serialization;

namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>
/// A partner message: a CloudEvents 1.0 event in structured JSON mode. Only opaque ids travel in
/// the clear; the payload (<see cref="VerificationRequest"/>, <see cref="VerificationReply"/>) is sealed
/// in <see cref="Data"/> with the unit's SM4 key:
/// <code>
/// {"specversion":"1.0","id":"…","source":"urn:civilaffairs:assistance","type":"cn.gov.gz.civilaffairs.verification.request.v2",
///  "subject":"m1","time":"2025-07-01T09:30:00+08:00","datacontenttype":"application/json","correlationid":"…",
///  "data":{"ciphertext":"sm4gcm.police.…"}}
/// </code>
/// Serialize and parse with <see cref="PartnerCodec.Serialize"/> and <see cref="PartnerCodec.Parse"/> (strict); plain
/// System.Text.Json also writes the CloudEvents attribute names.
/// </summary>
public sealed record PartnerEnvelope
{
    /// <summary>CloudEvents <c>specversion</c>; always 1.0.</summary>
    [JsonPropertyName("specversion")]
    public string SpecVersion { get; init; } = PartnerEventTypes.SpecVersion;

    /// <summary>CloudEvents <c>id</c>: the request id (unique with <see cref="Source"/>; a resent event keeps it).</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary><c>urn:civilaffairs:assistance</c> for requests, <c>urn:civilaffairs:partner:&lt;code&gt;</c> for replies.</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary><see cref="PartnerEventTypes.Request"/> or <see cref="PartnerEventTypes.Reply"/>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>The opaque member reference the event is about (never a personal identifier).</summary>
    [JsonPropertyName("subject")]
    public required string Subject { get; init; }

    /// <summary>When the request was made or the reply given (RFC 3339).</summary>
    [JsonPropertyName("time")]
    public required DateTimeOffset Time { get; init; }

    [JsonPropertyName("datacontenttype")]
    public string DataContentType { get; init; } = PartnerEventTypes.DataContentType;

    /// <summary>Extension attribute <c>correlationid</c>: the orchestration instance waiting for the reply.</summary>
    [JsonPropertyName("correlationid")]
    public required string CorrelationId { get; init; }

    /// <summary>The sealed payload; null only on a header that has not been sealed yet.</summary>
    [JsonPropertyName("data")]
    public PartnerEnvelopeData? Data { get; init; }

    /// <summary>A request header for <paramref name="request"/> (without data).</summary>
    public static PartnerEnvelope RequestHeader(VerificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new PartnerEnvelope
        {
            Id = request.RequestId,
            Source = PartnerEventTypes.RequestSource,
            Type = PartnerEventTypes.Request,
            Subject = PartnerEventTypes.HouseholdSubject,
            Time = request.RequestedAt,
            CorrelationId = request.CorrelationId,
        };
    }

    /// <summary>A reply header for <paramref name="reply"/> (without data). Its id is the request id, so a resent reply has the same id.</summary>
    public static PartnerEnvelope ReplyHeader(VerificationReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return new PartnerEnvelope
        {
            Id = reply.RequestId,
            Source = PartnerEventTypes.ReplySource(reply.UnitCode),
            Type = PartnerEventTypes.Reply,
            Subject = PartnerEventTypes.HouseholdSubject,
            Time = reply.AnsweredAt,
            CorrelationId = reply.CorrelationId,
        };
    }

    /// <summary>For replies: the unit code from <see cref="Source"/>; null for other sources.</summary>
    [JsonIgnore]
    public string? ReplyingUnit =>
        Source.StartsWith(PartnerEventTypes.ReplySourcePrefix, StringComparison.Ordinal) ? Source[PartnerEventTypes.ReplySourcePrefix.Length..] : null;
}

/// <summary>The envelope's <c>data</c>: an SM4-GCM token (see <see cref="Platform.Crypto.FieldCipher"/>).</summary>
public sealed record PartnerEnvelopeData([property: JsonPropertyName("ciphertext")] string Ciphertext);

/// <summary>Why a partner message was rejected.</summary>
public enum PartnerEnvelopeError
{
    /// <summary>Not a JSON object.</summary>
    Malformed,
    /// <summary>A required attribute is absent, empty or not a string.</summary>
    MissingAttribute,
    /// <summary><c>specversion</c> is not 1.0.</summary>
    UnsupportedSpecVersion,
    /// <summary><c>type</c> is not a verification request or reply.</summary>
    UnexpectedType,
    /// <summary>An attribute has a wrong value (source, time, datacontenttype, attribute name).</summary>
    InvalidAttribute,
    /// <summary>The ciphertext did not decrypt: wrong unit, correlation id, type, or tampering.</summary>
    AuthenticationFailed,
    /// <summary>The decrypted payload is not the expected JSON, or disagrees with the envelope.</summary>
    InvalidPayload,
}

/// <summary>A partner message could not be parsed or opened. The message names attributes, never values of personal data or ciphertext.</summary>
public sealed class PartnerEnvelopeException : Exception
{
    public PartnerEnvelopeException(PartnerEnvelopeError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    public PartnerEnvelopeError Error { get; }
}
