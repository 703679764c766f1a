using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CivilAffairs.Certificates.Platform;

namespace CivilAffairs.Certificates.Marriage;

/// <summary>
/// What a marriage or divorce certificate's QR code says, signed: certificate number, kind (<c>marriage</c> or
/// <c>divorce</c>), the parties' names <b>masked</b> (<c>张*</c>), registration date, registry office id, the status list
/// and index that tell whether it is still valid, and the id of the signing key. No ID numbers, no full names.
/// </summary>
public sealed record CertificatePayload(
    string CertificateNumber,
    string Kind,
    IReadOnlyList<string> MaskedNames,
    DateOnly RegisteredOn,
    string OfficeId,
    string StatusListId,
    int StatusIndex,
    string KeyId)
{
    public const string MarriageKind = "marriage";
    public const string DivorceKind = "divorce";
    /// <summary>Payload version written as <c>v</c>.</summary>
    public const int Version = 1;

    /// <summary>
    /// The compact JSON: <c>{"v":1,"no":…,"k":…,"n":[…],"d":"yyyy-MM-dd","o":…,"sl":…,"si":…,"kid":…}</c>, keys in this
    /// order, no spaces. The signature covers the exact bytes, so a verifier never re-serialises.
    /// </summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("no", CertificateNumber);
            json.WriteString("k", Kind);
            json.WriteStartArray("n");
            foreach (var name in MaskedNames) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WriteString("d", RegisteredOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("o", OfficeId);
            json.WriteString("sl", StatusListId);
            json.WriteNumber("si", StatusIndex);
            json.WriteString("kid", KeyId);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The payload from its JSON bytes; null when anything is missing, of the wrong type, out of bounds or unknown.</summary>
    public static CertificatePayload? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != Version) return null;
            var number = Text(root, "no", 64);
            var kind = Text(root, "k", 16);
            var date = Text(root, "d", 10);
            var office = Text(root, "o", 64);
            var list = Text(root, "sl", 64);
            var kid = Text(root, "kid", 64);
            if (number is null || kind is not (MarriageKind or DivorceKind) || office is null || kid is null || !StatusListDocument.IsValidListId(list)) return null;
            if (date is null || !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var registeredOn)) return null;
            if (!root.TryGetProperty("si", out var si) || si.ValueKind != JsonValueKind.Number || !si.TryGetInt32(out var index) || index < 0) return null;
            if (!root.TryGetProperty("n", out var n) || n.ValueKind != JsonValueKind.Array || n.GetArrayLength() is < 1 or > 4) return null;
            var names = new List<string>();
            foreach (var item in n.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 32 } name) return null;
                names.Add(name);
            }
            return new CertificatePayload(number, kind, names, registeredOn, office, list!, index, kid);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string? Text(JsonElement root, string name, int maxLength) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s && s.Length <= maxLength ? s : null;
}

/// <summary>
/// The text a certificate's QR code carries: <c>CAMC1.</c> + base64url(payload JSON) + <c>.</c> + base64url(SM2
/// signature), base64url without padding. The signature covers the ASCII bytes of <c>CAMC1.</c> + base64url(payload),
/// like a compact JWS. About 300 printable characters for two parties.
/// </summary>
public static class CertificateQr
{
    /// <summary>Format prefix: Civil Affairs Marriage Certificate, version 1.</summary>
    public const string Prefix = "CAMC1.";
    /// <summary>Longest QR text accepted (a real one is about 300 characters).</summary>
    public const int MaxLength = 1024;

    /// <summary>Signs <paramref name="payload"/> with <paramref name="key"/> (whose id must be the payload's <c>kid</c>).</summary>
    public static string Sign(CertificatePayload payload, Sm2SigningKey key)
    {
        if (payload.KeyId != key.KeyId) throw new ArgumentException("The payload names another signing key.", nameof(payload));
        return Sign(payload, data => key.Sign(data));
    }

    /// <summary>The QR text with a signature made by <paramref name="sign"/> over the signing input (for comparing schemes).</summary>
    public static string Sign(CertificatePayload payload, Func<byte[], byte[]> sign)
    {
        var signed = Prefix + Base64Url.EncodeToString(payload.ToJsonBytes());
        return signed + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signed)));
    }

    /// <summary>The parts of a QR text, or null when it is not one of ours (prefix, shape, base64url, payload).</summary>
    public static ParsedQr? TryParse(string? text)
    {
        if (text is null) return null;
        text = text.Trim();
        if (text.Length > MaxLength || !text.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var dot = text.LastIndexOf('.');
        if (dot <= Prefix.Length) return null;
        var payloadPart = text.AsSpan(Prefix.Length, dot - Prefix.Length);
        var signaturePart = text.AsSpan(dot + 1);
        if (!Base64Url.IsValid(payloadPart) || !Base64Url.IsValid(signaturePart) || signaturePart.IsEmpty) return null;
        byte[] payloadBytes, signature;
        try
        {
            payloadBytes = Base64Url.DecodeFromChars(payloadPart);
            signature = Base64Url.DecodeFromChars(signaturePart);
        }
        catch (FormatException)
        {
            return null;
        }
        return CertificatePayload.TryParse(payloadBytes) is { } payload
            ? new ParsedQr(payload, Encoding.ASCII.GetBytes(text[..dot]), signature)
            : null;
    }

    /// <summary>A parsed QR text: the payload, the bytes the signature covers and the signature.</summary>
    public sealed record ParsedQr(CertificatePayload Payload, byte[] SignedBytes, byte[] Signature);
}
