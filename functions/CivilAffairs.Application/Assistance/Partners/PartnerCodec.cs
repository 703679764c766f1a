using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;

namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>
/// Seals and opens partner payloads, and writes and reads the CloudEvents envelope.
/// </summary>
/// <remarks>
/// Each unit has its own SM4 key (<see cref="IPartnerKeyStore"/>), so a unit can open only what is
/// addressed to it. Sealing uses <see cref="FieldCipher"/> over a key ring holding only that unit's key
/// (key id = unit code) with associated data <c>type|correlationid|unitCode</c>: a sealed payload opened
/// under another type, correlation id or unit fails authentication, so a reply cannot be replayed into
/// another verification or passed off as another unit's. Keys are fetched once per unit and cached;
/// the synchronous methods block on that first fetch (call <see cref="WarmUpAsync"/> or the async
/// methods to avoid it). Thread-safe.
/// </remarks>
public sealed partial class PartnerCodec
{
    readonly IPartnerKeyStore keys;
    readonly ConcurrentDictionary<string, FieldCipher> ciphers = new(StringComparer.Ordinal);

    public PartnerCodec(IPartnerKeyStore keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        this.keys = keys;
    }

    /// <summary>The associated data a payload is bound to.</summary>
    public static string AssociatedData(string type, string correlationId, string unitCode) => $"{type}|{correlationId}|{unitCode}";

    /// <summary>Loads the keys of <paramref name="unitCodes"/> ahead of use.</summary>
    public async Task WarmUpAsync(IEnumerable<string> unitCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unitCodes);
        foreach (var code in unitCodes) await CipherAsync(code, cancellationToken);
    }

    /// <summary>
    /// Encrypts <paramref name="payload"/> (camelCase JSON) for <paramref name="unitCode"/>, bound to
    /// <paramref name="header"/>'s type and correlation id. Returns the token for <see cref="PartnerEnvelopeData.Ciphertext"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The header is incomplete, or an <see cref="IPartnerPayload"/> disagrees with it or with the unit.</exception>
    public string Seal(object payload, string unitCode, PartnerEnvelope header) =>
        Seal(payload, unitCode, header, Cipher(unitCode));

    /// <inheritdoc cref="Seal(object, string, PartnerEnvelope)"/>
    public async Task<string> SealAsync(object payload, string unitCode, PartnerEnvelope header, CancellationToken cancellationToken = default) =>
        Seal(payload, unitCode, header, await CipherAsync(unitCode, cancellationToken));

    /// <summary>
    /// Decrypts the envelope's payload with <paramref name="unitCode"/>'s key and checks it against the envelope:
    /// a reply must come from <c>urn:civilaffairs:partner:&lt;unitCode&gt;</c>, and an <see cref="IPartnerPayload"/>
    /// must name the same correlation id and unit.
    /// </summary>
    /// <exception cref="PartnerEnvelopeException">Missing data, wrong source, failed authentication or an invalid payload.</exception>
    public T Open<T>(PartnerEnvelope envelope, string unitCode) => Open<T>(envelope, unitCode, Cipher(unitCode));

    /// <inheritdoc cref="Open{T}(PartnerEnvelope, string)"/>
    public async Task<T> OpenAsync<T>(PartnerEnvelope envelope, string unitCode, CancellationToken cancellationToken = default) =>
        Open<T>(envelope, unitCode, await CipherAsync(unitCode, cancellationToken));

    /// <summary>The complete request envelope (header from <see cref="PartnerEnvelope.RequestHeader"/>, payload sealed for the request's unit).</summary>
    public async Task<PartnerEnvelope> SealRequestAsync(VerificationRequest request, CancellationToken cancellationToken = default)
    {
        var header = PartnerEnvelope.RequestHeader(request);
        return header with { Data = new PartnerEnvelopeData(await SealAsync(request, request.UnitCode, header, cancellationToken)) };
    }

    /// <summary>The complete reply envelope (header from <see cref="PartnerEnvelope.ReplyHeader"/>, payload sealed with the replying unit's key).</summary>
    public async Task<PartnerEnvelope> SealReplyAsync(VerificationReply reply, CancellationToken cancellationToken = default)
    {
        var header = PartnerEnvelope.ReplyHeader(reply);
        return header with { Data = new PartnerEnvelopeData(await SealAsync(reply, reply.UnitCode, header, cancellationToken)) };
    }

    /// <summary>Opens a request addressed to <paramref name="unitCode"/> (the unit's side).</summary>
    public Task<VerificationRequest> OpenRequestAsync(PartnerEnvelope envelope, string unitCode, CancellationToken cancellationToken = default)
    {
        RequireType(envelope, PartnerEventTypes.Request);
        return OpenAsync<VerificationRequest>(envelope, unitCode, cancellationToken);
    }

    /// <summary>Opens a reply with the key of the unit named in its source (the bureau's side).</summary>
    public Task<VerificationReply> OpenReplyAsync(PartnerEnvelope envelope, CancellationToken cancellationToken = default)
    {
        RequireType(envelope, PartnerEventTypes.Reply);
        var unit = envelope.ReplyingUnit;
        if (!PartnerCatalogue.IsValidCode(unit))
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, "The reply's source does not name a partner unit.");
        return OpenAsync<VerificationReply>(envelope, unit!, cancellationToken);
    }

    /// <summary>
    /// Seals <paramref name="payload"/> (camelCase JSON) for <paramref name="unitCode"/>, bound to a life event's type and id:
    /// the sealed details of a partner-bound event, or a unit's receipt of one (then <paramref name="eventType"/> is the receipt
    /// type). Opened with <see cref="OpenEventAsync{T}"/>.
    /// </summary>
    public async Task<string> SealEventAsync(object payload, string unitCode, string eventType, string eventId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var cipher = await CipherAsync(unitCode, cancellationToken);
        return cipher.Encrypt(JsonSerializer.Serialize(payload, payload.GetType(), JsonDefaults.Options), AssociatedData(eventType, eventId, unitCode));
    }

    /// <summary>Opens what <see cref="SealEventAsync"/> sealed; a token sealed by another unit, for another event or altered fails.</summary>
    /// <exception cref="PartnerEnvelopeException">Failed authentication or an invalid payload.</exception>
    public async Task<T> OpenEventAsync<T>(string token, string unitCode, string eventType, string eventId, CancellationToken cancellationToken = default)
    {
        var cipher = await CipherAsync(unitCode, cancellationToken);
        string json;
        try { json = cipher.Decrypt(token, AssociatedData(eventType, eventId, unitCode)); }
        catch (FieldDecryptionException e)
        {
            throw new PartnerEnvelopeException(PartnerEnvelopeError.AuthenticationFailed, $"The sealed data did not open for unit '{unitCode}' ({e.Failure}).", e);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(json, JsonDefaults.Options)
                ?? throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, $"The sealed data is not a {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, $"The sealed data is not a valid {typeof(T).Name} (at {e.Path}).");
        }
    }

    string Seal(object payload, string unitCode, PartnerEnvelope header, FieldCipher cipher)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(header);
        if (header.Type is not (PartnerEventTypes.Request or PartnerEventTypes.Reply))
            throw new ArgumentException("The header's type is not a verification request or reply.", nameof(header));
        if (string.IsNullOrEmpty(header.CorrelationId))
            throw new ArgumentException("The header has no correlation id.", nameof(header));
        if (payload is IPartnerPayload p && (p.CorrelationId != header.CorrelationId || p.UnitCode != unitCode))
            throw new ArgumentException("The payload's correlation id or unit differs from the header or unit.", nameof(payload));
        var json = JsonSerializer.Serialize(payload, payload.GetType(), JsonDefaults.Options);
        return cipher.Encrypt(json, AssociatedData(header.Type, header.CorrelationId, unitCode));
    }

    static T Open<T>(PartnerEnvelope envelope, string unitCode, FieldCipher cipher)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Data?.Ciphertext is not { Length: > 0 } token)
            throw new PartnerEnvelopeException(PartnerEnvelopeError.MissingAttribute, "The envelope has no data.ciphertext.");
        if (envelope.Type == PartnerEventTypes.Reply && envelope.Source != PartnerEventTypes.ReplySource(unitCode))
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, $"The reply's source is not unit '{unitCode}'.");
        if (envelope.Type == PartnerEventTypes.Request && envelope.Source != PartnerEventTypes.RequestSource)
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, "The request's source is not the assistance service.");

        string json;
        try
        {
            json = cipher.Decrypt(token, AssociatedData(envelope.Type, envelope.CorrelationId, unitCode));
        }
        catch (FieldDecryptionException e)
        {
            throw new PartnerEnvelopeException(PartnerEnvelopeError.AuthenticationFailed,
                $"The payload did not open for unit '{unitCode}' ({e.Failure}): wrong unit, type or correlation id, or altered.", e);
        }

        T? payload;
        try
        {
            payload = JsonSerializer.Deserialize<T>(json, JsonDefaults.Options);
        }
        catch (JsonException e)
        {
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, $"The payload is not a valid {typeof(T).Name} (at {e.Path}).");
        }
        if (payload is null) throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, $"The payload is not a {typeof(T).Name}.");
        if (payload is IPartnerPayload p)
        {
            if (string.IsNullOrEmpty(p.RequestId) || string.IsNullOrEmpty(p.CorrelationId) || string.IsNullOrEmpty(p.UnitCode))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, "The payload lacks requestId, correlationId or unitCode.");
            if (p.CorrelationId != envelope.CorrelationId || p.UnitCode != unitCode)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, "The payload's correlation id or unit differs from the envelope.");
        }
        if (payload is VerificationReply reply)
        {
            if (reply.Subjects is null || reply.Subjects.Count == 0 || reply.Subjects.Any(r => r is null || string.IsNullOrEmpty(r.MemberRef))
                || reply.Subjects.Select(r => r.MemberRef).Distinct(StringComparer.Ordinal).Count() != reply.Subjects.Count)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, "The reply must answer about each member once.");
            payload = (T)(object)(reply with
            {
                Subjects = reply.Subjects.Select(r => r with
                {
                    Figures = r.Figures ?? new Dictionary<string, decimal>(),
                    Facts = r.Facts ?? new Dictionary<string, string>(),
                }).ToList(),
            });
        }
        if (payload is VerificationRequest { Subjects: null or { Count: 0 } })
            throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidPayload, "The request names no member.");
        if (payload is VerificationRequest { Categories: null } request)
            payload = (T)(object)(request with { Categories = [] });
        return payload;
    }

    static void RequireType(PartnerEnvelope envelope, string type)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Type != type)
            throw new PartnerEnvelopeException(PartnerEnvelopeError.UnexpectedType, $"Expected an event of type '{type}'.");
    }

    FieldCipher Cipher(string unitCode)
    {
        if (ciphers.TryGetValue(unitCode ?? "", out var cached)) return cached;
        return CipherAsync(unitCode!, CancellationToken.None).GetAwaiter().GetResult();
    }

    async Task<FieldCipher> CipherAsync(string unitCode, CancellationToken cancellationToken)
    {
        if (!PartnerCatalogue.IsValidCode(unitCode)) throw new ArgumentException("Not a valid partner unit code.", nameof(unitCode));
        if (ciphers.TryGetValue(unitCode, out var cached)) return cached;
        var key = await keys.GetKeyAsync(unitCode, cancellationToken).ConfigureAwait(false);
        if (key is not { Length: MasterKeys.FieldKeySize })
            throw new InvalidOperationException($"The key of partner unit '{unitCode}' is not {MasterKeys.FieldKeySize} bytes.");
        // FieldCipher needs a MasterKeys; its blind-index key is never used here, so derive a throwaway one.
        var unused = HmacSm3.Compute(key, Encoding.UTF8.GetBytes("civilaffairs/partner/unused-blind-index"));
        var cipher = new FieldCipher(new MasterKeys(new Dictionary<string, byte[]> { [unitCode] = key }, unitCode, unused));
        return ciphers.GetOrAdd(unitCode, cipher);
    }

    // ---- CloudEvents JSON format ----

    /// <summary>Writes the envelope as CloudEvents structured JSON (attributes in spec order, <c>time</c> in RFC 3339).</summary>
    /// <exception cref="ArgumentException">The envelope has no data or an empty required attribute.</exception>
    public static string Serialize(PartnerEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        foreach (var (name, value) in new[]
                 {
                     ("specversion", envelope.SpecVersion), ("id", envelope.Id), ("source", envelope.Source), ("type", envelope.Type),
                     ("subject", envelope.Subject), ("datacontenttype", envelope.DataContentType), ("correlationid", envelope.CorrelationId),
                 })
            if (string.IsNullOrEmpty(value)) throw new ArgumentException($"The envelope's '{name}' is empty.", nameof(envelope));
        if (envelope.Data?.Ciphertext is not { Length: > 0 } ciphertext)
            throw new ArgumentException("The envelope has no data; seal a payload first.", nameof(envelope));

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", envelope.SpecVersion);
            writer.WriteString("id", envelope.Id);
            writer.WriteString("source", envelope.Source);
            writer.WriteString("type", envelope.Type);
            writer.WriteString("subject", envelope.Subject);
            writer.WriteString("time", envelope.Time);
            writer.WriteString("datacontenttype", envelope.DataContentType);
            writer.WriteString("correlationid", envelope.CorrelationId);
            writer.WriteStartObject("data");
            writer.WriteString("ciphertext", ciphertext);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Reads a CloudEvents structured JSON envelope strictly: every attribute of <see cref="PartnerEnvelope"/> must be
    /// present as a non-empty string; specversion 1.0; type a verification request or reply with the matching source;
    /// time in RFC 3339; datacontenttype application/json; attribute names lower-case letters and digits (CloudEvents
    /// naming), each once; data an object with a ciphertext string. Other extension attributes are allowed and ignored.
    /// </summary>
    /// <exception cref="PartnerEnvelopeException">The message is not such an envelope. Messages never quote values.</exception>
    public static PartnerEnvelope Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PartnerEnvelopeException(PartnerEnvelopeError.Malformed, $"The message is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.Malformed, "The message is not a JSON object.");

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!AttributeName().IsMatch(property.Name))
                    throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, "An attribute name is not lower-case letters and digits (CloudEvents naming).");
                if (!seen.Add(property.Name))
                    throw new PartnerEnvelopeException(PartnerEnvelopeError.Malformed, $"Attribute '{property.Name}' appears more than once.");
            }

            var specVersion = RequiredString(root, "specversion");
            if (specVersion != PartnerEventTypes.SpecVersion)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.UnsupportedSpecVersion, "specversion must be 1.0.");
            var type = RequiredString(root, "type");
            if (type is not (PartnerEventTypes.Request or PartnerEventTypes.Reply))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.UnexpectedType, "type is not a verification request or reply.");
            var id = RequiredString(root, "id");
            var source = RequiredString(root, "source");
            var subject = RequiredString(root, "subject");
            var correlationId = RequiredString(root, "correlationid");
            var contentType = RequiredString(root, "datacontenttype");
            var timeText = RequiredString(root, "time");

            if (type == PartnerEventTypes.Request && source != PartnerEventTypes.RequestSource)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, $"A request's source must be {PartnerEventTypes.RequestSource}.");
            if (type == PartnerEventTypes.Reply && !(source.StartsWith(PartnerEventTypes.ReplySourcePrefix, StringComparison.Ordinal)
                                                     && PartnerCatalogue.IsValidCode(source[PartnerEventTypes.ReplySourcePrefix.Length..])))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, $"A reply's source must be {PartnerEventTypes.ReplySourcePrefix}<unit code>.");
            if (!IsJsonContentType(contentType))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, "datacontenttype must be application/json.");
            if (!Rfc3339().IsMatch(timeText) || !DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.InvalidAttribute, "time is not an RFC 3339 timestamp.");

            if (!root.TryGetProperty("data", out var data))
                throw new PartnerEnvelopeException(PartnerEnvelopeError.MissingAttribute, "data is missing.");
            if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("ciphertext", out var ct)
                || ct.ValueKind != JsonValueKind.String || ct.GetString() is not { Length: > 0 } ciphertext)
                throw new PartnerEnvelopeException(PartnerEnvelopeError.MissingAttribute, "data.ciphertext is missing.");

            return new PartnerEnvelope
            {
                SpecVersion = specVersion,
                Id = id,
                Source = source,
                Type = type,
                Subject = subject,
                Time = time,
                DataContentType = contentType,
                CorrelationId = correlationId,
                Data = new PartnerEnvelopeData(ciphertext),
            };
        }
    }

    static string RequiredString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
            throw new PartnerEnvelopeException(PartnerEnvelopeError.MissingAttribute, $"{name} is missing.");
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
            throw new PartnerEnvelopeException(PartnerEnvelopeError.MissingAttribute, $"{name} must be a non-empty string.");
        return text;
    }

    static bool IsJsonContentType(string value)
    {
        var media = value.Split(';', 2)[0].Trim();
        return media.Equals(PartnerEventTypes.DataContentType, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("^[a-z0-9]+$")]
    private static partial Regex AttributeName();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
