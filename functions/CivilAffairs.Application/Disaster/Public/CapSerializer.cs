using System.Globalization;
using System.Text;
using System.Xml;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Public;

/// <summary>
/// Writes a <see cref="PublicAlert"/> as an OASIS Common Alerting Protocol 1.2 document
/// (namespace <c>urn:oasis:names:tc:emergency:cap:1.2</c>), UTF-8, one <c>info</c> block in
/// <c>zh-CN</c>, scope Public.
/// <list type="bullet">
/// <item>Times (<c>sent</c>, <c>effective</c>, <c>expires</c>, references) as
/// <c>yyyy-MM-ddThh:mm:ss±hh:mm</c>: whole seconds (fractions are truncated), always an offset,
/// UTC written "-00:00" — CAP 1.2 §3.3.2 forbids "Z".</item>
/// <item>Polygons as "lat,lon lat,lon …" — latitude first, the reverse of GeoJSON — with the first
/// and last pair equal (the ring of a <see cref="GeoPolygon"/> is always closed) and at least four
/// pairs; circles as "lat,lon radiusKm".</item>
/// <item>Counts and shelters as <c>parameter</c> pairs.</item>
/// </list>
/// </summary>
public static class CapSerializer
{
    public const string Namespace = "urn:oasis:names:tc:emergency:cap:1.2";
    public const string Language = "zh-CN";

    /// <exception cref="DisasterRuleException">The alert fails <see cref="PublicAlert.Validate"/>.</exception>
    public static byte[] SerializeToUtf8(PublicAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var problems = alert.Validate();
        if (problems.Count > 0) throw new DisasterRuleException(problems);

        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\n" };
        using (var w = XmlWriter.Create(stream, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("alert", Namespace);
            Element(w, "identifier", alert.Identifier);
            Element(w, "sender", alert.Sender);
            Element(w, "sent", FormatTime(alert.Sent));
            Element(w, "status", alert.Status.ToString());
            Element(w, "msgType", alert.MsgType.ToString());
            Element(w, "scope", "Public");
            if (alert.References.Count > 0)
                Element(w, "references", string.Join(' ', alert.References.Select(r => $"{r.Sender},{r.Identifier},{FormatTime(r.Sent)}")));
            if (alert.IncidentIds.Count > 0) Element(w, "incidents", string.Join(' ', alert.IncidentIds));

            w.WriteStartElement("info", Namespace);
            Element(w, "language", Language);
            foreach (var c in alert.Categories.Distinct()) Element(w, "category", c.ToString());
            Element(w, "event", alert.Event.Value);
            foreach (var r in alert.ResponseTypes.Distinct()) Element(w, "responseType", r.ToString());
            Element(w, "urgency", alert.Urgency.ToString());
            Element(w, "severity", alert.Severity.ToString());
            Element(w, "certainty", alert.Certainty.ToString());
            if (alert.Effective is { } eff) Element(w, "effective", FormatTime(eff));
            if (alert.Expires is { } exp) Element(w, "expires", FormatTime(exp));
            if (alert.SenderName is { } sn) Element(w, "senderName", sn.Value);
            Element(w, "headline", alert.Headline.Value);
            if (alert.Description is { } d) Element(w, "description", d.Value);
            if (alert.Instruction is { } i) Element(w, "instruction", i.Value);
            if (alert.Web is { } web) Element(w, "web", web.AbsoluteUri);
            Parameter(w, "responseLevel", alert.Level.ChineseName());
            if (alert.Figures is { } f)
            {
                if (f.AffectedPeople is { } a) Parameter(w, "affectedPeople", a.ToString(CultureInfo.InvariantCulture));
                if (f.RelocatedPeople is { } r) Parameter(w, "relocatedPeople", r.ToString(CultureInfo.InvariantCulture));
                if (f.DeliveredDispatches is { } dd) Parameter(w, "deliveredDispatches", dd.ToString(CultureInfo.InvariantCulture));
            }
            foreach (var s in alert.Shelters)
            {
                var text = s.Occupied is { } o ? $"{s.Name.Value}：容量 {s.Capacity} 人，已安置 {o} 人" : $"{s.Name.Value}：容量 {s.Capacity} 人";
                Parameter(w, "shelter", text);
            }
            foreach (var area in alert.Areas)
            {
                w.WriteStartElement("area", Namespace);
                Element(w, "areaDesc", area.Description.Value);
                foreach (var p in area.Polygons) Element(w, "polygon", FormatPolygon(p));
                foreach (var c in area.Circles ?? []) Element(w, "circle", $"{Coordinate(c.Centre)} {c.RadiusKm.ToString(CultureInfo.InvariantCulture)}");
                w.WriteEndElement();
            }
            w.WriteEndElement(); // info
            w.WriteEndElement(); // alert
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    /// <inheritdoc cref="SerializeToUtf8"/>
    public static string Serialize(PublicAlert alert) => Encoding.UTF8.GetString(SerializeToUtf8(alert));

    /// <summary>CAP 1.2 date-time: whole seconds, explicit offset, UTC as "-00:00".</summary>
    public static string FormatTime(DateTimeOffset t)
    {
        var whole = new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);
        var offset = t.Offset == TimeSpan.Zero
            ? "-00:00"
            : (t.Offset < TimeSpan.Zero ? "-" : "+") + t.Offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
        return whole.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + offset;
    }

    /// <summary>"lat,lon lat,lon …", closed.</summary>
    public static string FormatPolygon(GeoPolygon polygon) => string.Join(' ', polygon.Ring.Select(Coordinate));

    static string Coordinate(GeoPoint p) =>
        p.Latitude.ToString("0.######", CultureInfo.InvariantCulture) + "," + p.Longitude.ToString("0.######", CultureInfo.InvariantCulture);

    static void Element(XmlWriter w, string name, string value) => w.WriteElementString(name, Namespace, TextEncoding.ForXml(value));

    static void Parameter(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("parameter", Namespace);
        Element(w, "valueName", name);
        Element(w, "value", value);
        w.WriteEndElement();
    }
}
