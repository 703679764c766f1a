using System.Text.Json;
using System.Text.Json.Nodes;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// CloudEvents 1.0 structured-mode JSON of a life event (<c>application/cloudevents+json</c>):
/// <code>
/// {"specversion":"1.0","id":"01K…","source":"/civilaffairs/funeral/deaths","type":"person.died","subject":"01K…",
///  "time":"2026-12-04T09:30:00+00:00","datacontenttype":"application/json","data":{…},"sealeddetails":"sm4gcm.police.…"}
/// </code>
/// <c>sealeddetails</c> (an extension attribute, only on partner-bound copies) carries the unit's personal details sealed with its key.
/// </summary>
public static class CloudEvents
{
    public const string SpecVersion = "1.0";
    public const string ContentType = "application/cloudevents+json";
    public const string DetailsAttribute = "sealeddetails";

    /// <summary>The receipt a partner unit sends back for an event (source <c>urn:civilaffairs:partner:{code}</c>, subject the event id).</summary>
    public const string ReceiptType = "cn.gov.gz.civilaffairs.event.receipt";

    public static string ReceiptSource(string unitCode) => "urn:civilaffairs:partner:" + unitCode;

    public static string Serialize(OutboxEvent e, string? sealedDetails = null)
    {
        var json = new JsonObject
        {
            ["specversion"] = SpecVersion,
            ["id"] = e.Id,
            ["source"] = e.Source,
            ["type"] = e.Type,
            ["subject"] = e.Subject,
            ["time"] = e.Time.ToString("O"),
            ["datacontenttype"] = "application/json",
            ["data"] = JsonNode.Parse(e.Data.GetRawText()),
        };
        if (sealedDetails is not null) json[DetailsAttribute] = sealedDetails;
        return json.ToJsonString();
    }

    /// <summary>Parses a structured-mode CloudEvent; throws <see cref="CloudEventException"/> on anything but a complete 1.0 event.</summary>
    public static (OutboxEvent Event, string? SealedDetails) Parse(string json)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement.Clone(); }
        catch (JsonException) { throw new CloudEventException("The message is not JSON."); }
        if (root.ValueKind != JsonValueKind.Object) throw new CloudEventException("The message is not a JSON object.");
        if (Text(root, "specversion") != SpecVersion) throw new CloudEventException("specversion must be 1.0.");
        var id = Required(root, "id");
        var source = Required(root, "source");
        var type = Required(root, "type");
        var subject = Text(root, "subject") ?? "";
        var time = Text(root, "time") is { } t && DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
            ? parsed : throw new CloudEventException("time is missing or not RFC 3339.");
        var data = root.TryGetProperty("data", out var d) ? d.Clone() : JsonDocument.Parse("null").RootElement.Clone();
        return (new OutboxEvent(id, source, type, subject, time, data), Text(root, DetailsAttribute));
    }

    static string Required(JsonElement root, string name) =>
        Text(root, name) is { Length: > 0 } value ? value : throw new CloudEventException($"{name} is missing.");

    static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>A message that is not a valid CloudEvent (it is left to end in the queue's poison queue).</summary>
public sealed class CloudEventException(string message) : Exception(message);

/// <summary>The sealed content of a partner unit's receipt: which event it confirms and the unit's own reference (e.g. its case number).</summary>
public sealed record EventReceipt(string EventId, string UnitCode, string? UnitReference, DateTimeOffset ReceivedAt);
