using System.Text;
using System.Text.Json;
using System.Xml;
using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Application.Disaster.Needs;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

using CivilAffairs.Application.Platform.Results;

namespace CivilAffairs.Application.Disaster.Public;

/// <summary>A shelter (应急避难场所/安置点) announced with incidents of its jurisdiction chain. Configuration only: no people.</summary>
public sealed class ShelterOption
{
    public string Name { get; set; } = "";
    /// <summary>Division code; the shelter is listed with incidents whose jurisdiction contains it or lies inside it.</summary>
    public string Jurisdiction { get; set; } = "";
    public int Capacity { get; set; }
    public int? Occupied { get; set; }
}

/// <summary>Public disaster information (section <c>Disaster:Public</c>).</summary>
public sealed class DisasterPublicOptions
{
    /// <summary>CAP sender (the bureau's domain).</summary>
    public string Sender { get; set; } = "mzj.gz.gov.cn";
    public string SenderName { get; set; } = "广州市民政局";
    /// <summary>How long a closed incident stays in the feeds (as a CAP Cancel, status closed in JSON) before it disappears.</summary>
    public TimeSpan CancelRetention { get; set; } = TimeSpan.FromHours(24);
    public List<ShelterOption> Shelters { get; set; } = [];
}

public sealed record PublicShelter(string Name, int Capacity, int? Occupied);

public sealed record PublicSupplyStandard(string Code, string Name, string Unit, IReadOnlyList<NeedCategory> Categories, bool Perishable);

/// <summary>One incident as the public sees it: facts, area, aggregated open-need counts, shelters. No people, no reports.</summary>
public sealed record PublicIncident(string Id, string Name, IncidentType Type, string TypeName, string Level, string LevelName,
    IncidentStatus Status, string StatusName, string MsgType, string AreaName, IReadOnlyList<double[]> Area, DateTimeOffset StartedAt,
    DateTimeOffset DeclaredAt, DateTimeOffset? ClosedAt, IReadOnlyDictionary<string, int> OpenNeedsByCategory, IReadOnlyList<PublicShelter> Shelters);

public sealed record PublicDisasterInfo(DateTimeOffset GeneratedAt, IReadOnlyList<PublicIncident> Incidents, IReadOnlyList<PublicSupplyStandard> SupplyStandards, double DeliveryLimitHours);

/// <summary>
/// The public disaster feed (no personal data: it is built only from incident facts, need counts per category, configured
/// shelters and the relief-item catalogue). Active incidents appear as CAP Alert (or Update after a change); a closed incident
/// appears as CAP Cancel for <see cref="DisasterPublicOptions.CancelRetention"/> (24 h by default) after closing, then disappears.
/// <para>
/// CAP: one CAP 1.2 message per incident (CAP's unit: one <c>alert</c> document, <c>application/cap+xml</c>, with
/// identifier <c>{incidentId}.{n}</c>, n counting the incident's messages; Update and Cancel reference the previous message).
/// The index of all current messages is an Atom 1.0 feed whose entries link to each message and carry it inline — the way
/// CAP feeds are published in practice (alert hubs, aggregators), since a CAP document holds one alert.
/// </para>
/// </summary>
public sealed class PublicFeed(IncidentService incidents, NeedService needs, DivisionDirectory divisions, IOptions<DisasterPublicOptions> options, TimeProvider clock)
{
    public const string CapContentType = "application/cap+xml";
    public const string AtomContentType = "application/atom+xml";
    const string AtomNs = "http://www.w3.org/2005/Atom";

    DisasterPublicOptions Options => options.Value;

    /// <summary>Public answers may be cached this long by browsers and proxies.</summary>
    public const int CacheSeconds = 60;

    public async Task<Result<PublicDisasterInfo>> AlertsAsync(CallContext call) => Result.Ok(await InfoAsync(call.Cancellation)).Cached(CacheSeconds);

    /// <summary>The Atom index of CAP messages; entries link below <paramref name="baseUrl"/> (the API root as the caller reached it).</summary>
    public async Task<Result<TextBody>> CapFeedAsync(CallContext call, string baseUrl) =>
        Result.Ok(Xml(await AtomAsync(baseUrl, call.Cancellation), AtomContentType)).Cached(CacheSeconds);

    public async Task<Result<TextBody>> CapAlertAsync(CallContext call, string incidentId) =>
        await CapAsync(incidentId, call.Cancellation) is { } cap ? Result.Ok(Xml(cap, CapContentType)).Cached(CacheSeconds) : IncidentService.NotFound();

    static TextBody Xml(byte[] utf8, string mediaType) => new(Encoding.UTF8.GetString(utf8), mediaType + "; charset=utf-8");

    public async Task<PublicDisasterInfo> InfoAsync(CancellationToken ct)
    {
        var list = new List<PublicIncident>();
        foreach (var s in await incidents.PublicAsync(clock.GetUtcNow() - Options.CancelRetention, ct))
        {
            var i = s.Incident;
            var alert = Alert(s, new Dictionary<NeedCategory, int>());
            list.Add(new PublicIncident(i.Id, PublicName(i), i.Type, i.Type.ChineseName(), i.Level.ToString(), i.Level.ChineseName(), i.Status, i.Status.ChineseName(),
                alert.MsgType.ToString().ToLowerInvariant(), AreaName(i), i.Area.ToCoordinates(), ChinaTime.ToChina(i.StartedAt), ChinaTime.ToChina(i.DeclaredAt),
                i.ClosedAt is { } c ? ChinaTime.ToChina(c) : null,
                (await needs.OpenCountsAsync(i.Id, ct)).ToDictionary(x => JsonNamingPolicy.CamelCase.ConvertName(x.Key.ToString()), x => x.Value),
                SheltersFor(i).Select(x => new PublicShelter(x.Name.Value, x.Capacity, x.Occupied)).ToList()));
        }
        var standards = ReliefItemCatalogue.Standard.Select(r => new PublicSupplyStandard(r.Code, r.Name, r.Unit, r.Satisfies, r.Perishable)).ToList();
        return new PublicDisasterInfo(ChinaTime.ToChina(clock.GetUtcNow()), list, standards, DeliveryDeadlines.Default.LevelI.TotalHours);
    }

    /// <summary>The current CAP message of one incident, or null when it is unknown or no longer published.</summary>
    public async Task<byte[]?> CapAsync(string incidentId, CancellationToken ct)
    {
        var s = await incidents.LoadAsync(incidentId, ct);
        if (s is null || !Published(s)) return null;
        return CapSerializer.SerializeToUtf8(Alert(s, await needs.OpenCountsAsync(s.Incident.Id, ct)));
    }

    /// <summary>Atom 1.0 index of the current CAP messages, each inline and linked at <paramref name="baseUrl"/><c>public/disaster/incidents/{id}/alert.cap</c>.</summary>
    public async Task<byte[]> AtomAsync(string baseUrl, CancellationToken ct)
    {
        baseUrl = TextEncoding.ForXml(baseUrl);
        var current = await incidents.PublicAsync(clock.GetUtcNow() - Options.CancelRetention, ct);
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\n" };
        using (var w = XmlWriter.Create(stream, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("feed", AtomNs);
            w.WriteElementString("id", AtomNs, $"urn:cap-feed:{Options.Sender}:disaster");
            w.WriteElementString("title", AtomNs, $"{Options.SenderName}灾害救助应急响应信息");
            w.WriteElementString("updated", AtomNs, CapSerializer.FormatTime(ChinaTime.ToChina(current.Select(LastSent).DefaultIfEmpty(clock.GetUtcNow()).Max())));
            w.WriteStartElement("author", AtomNs);
            w.WriteElementString("name", AtomNs, Options.SenderName);
            w.WriteEndElement();
            w.WriteStartElement("link", AtomNs);
            w.WriteAttributeString("rel", "self");
            w.WriteAttributeString("href", baseUrl + "public/disaster/alerts.cap");
            w.WriteEndElement();
            foreach (var s in current)
            {
                var alert = Alert(s, await needs.OpenCountsAsync(s.Incident.Id, ct));
                w.WriteStartElement("entry", AtomNs);
                w.WriteElementString("id", AtomNs, $"urn:cap:{alert.Sender}:{alert.Identifier}");
                w.WriteElementString("title", AtomNs, TextEncoding.ForXml(alert.Headline.Value));
                w.WriteElementString("updated", AtomNs, CapSerializer.FormatTime(alert.Sent));
                w.WriteStartElement("link", AtomNs);
                w.WriteAttributeString("rel", "alternate");
                w.WriteAttributeString("type", CapContentType);
                w.WriteAttributeString("href", $"{baseUrl}public/disaster/incidents/{s.Incident.Id}/alert.cap");
                w.WriteEndElement();
                w.WriteStartElement("content", AtomNs);
                w.WriteAttributeString("type", CapContentType);
                using (var cap = XmlReader.Create(new MemoryStream(CapSerializer.SerializeToUtf8(alert))))
                {
                    cap.MoveToContent();
                    w.WriteNode(cap, defattr: false);
                }
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    bool Published(StoredIncident s) => s.Incident.IsActive || s.Incident.ClosedAt >= clock.GetUtcNow() - Options.CancelRetention;

    static DateTimeOffset LastSent(StoredIncident s) => s.CapMessages.Count > 0 ? s.CapMessages[^1].Sent : s.Incident.UpdatedAt ?? s.Incident.DeclaredAt;

    PublicAlert Alert(StoredIncident s, IReadOnlyDictionary<NeedCategory, int> counts)
    {
        var i = s.Incident;
        var messages = s.CapMessages.Count > 0 ? s.CapMessages : [new CapMessageRecord($"{i.Id}.1", i.DeclaredAt)];
        var current = messages[^1];
        CapReference? previous = messages.Count > 1 ? new CapReference(Options.Sender, messages[^2].Identifier, ChinaTime.ToChina(messages[^2].Sent)) : null;
        var open = counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => $"{c.Key.ChineseName()} {c.Value} 项").ToList();
        var description = open.Count > 0 ? PublicText.Create($"待满足的救助需求：{string.Join("、", open)}。", "description") : null;
        return PublicAlert.ForIncident(i with { Name = PublicName(i) }, current.Identifier, Options.Sender, current.Sent, PublicText.Of(AreaName(i), "areaDesc"), previous,
            PublicText.Create(Options.SenderName, "senderName") is { Accepted: true } sn ? sn.Value : null,
            description is { Accepted: true } ? description.Value : null, shelters: SheltersFor(i));
    }

    string AreaName(Incident i) => divisions.FullName(i.JurisdictionCode) is { Length: > 0 } n ? n : i.JurisdictionCode;

    /// <summary>Staff-entered names are published only when they pass the personal-data screen; otherwise the event's generic name.</summary>
    static string PublicName(Incident i) =>
        PublicText.Create(i.Name, "name") is { Accepted: true } n ? n.Value.Value : $"{i.Type.ChineseName()}灾害";

    IReadOnlyList<ShelterNotice> SheltersFor(Incident i) => (i.IsActive ? Options.Shelters : [])
        .Where(s => Jurisdiction.IsWellFormed(s.Jurisdiction) && (Jurisdiction.Contains(i.JurisdictionCode, s.Jurisdiction) || Jurisdiction.Contains(s.Jurisdiction, i.JurisdictionCode)))
        .Select(s => PublicText.Create(s.Name, "shelter") is { Accepted: true } name ? new ShelterNotice(name.Value, s.Capacity, s.Occupied) : null)
        .OfType<ShelterNotice>().ToList();
}
