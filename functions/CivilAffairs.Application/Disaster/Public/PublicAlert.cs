using System.Text.RegularExpressions;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Public;

/// <summary>CAP 1.2 <c>status</c>. The public feed publishes <see cref="Actual"/>; the others are for drills and tests.</summary>
public enum CapStatus { Actual, Exercise, System, Test }

/// <summary>CAP 1.2 <c>msgType</c> used by the public feed (Ack and Error are for exchanges between systems).</summary>
public enum CapMsgType { Alert, Update, Cancel }

/// <summary>CAP 1.2 <c>category</c> values the disaster feed uses.</summary>
public enum CapCategory { Geo, Met, Safety, Rescue, Fire, Other }

public enum CapUrgency { Immediate, Expected, Future, Past, Unknown }

public enum CapSeverity { Extreme, Severe, Moderate, Minor, Unknown }

public enum CapCertainty { Observed, Likely, Possible, Unlikely, Unknown }

public enum CapResponseType { Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, Assess, AllClear, None }

/// <summary>
/// Text that may be published. Built only through <see cref="Create"/>, which refuses text that
/// looks like a personal identifier (resident ID number, mobile or landline number, bank card,
/// e-mail address) or is too long — so no text in a <see cref="PublicAlert"/> can carry one.
/// Public service numbers (110, 119, 120, 12345…) are short and pass. Names of people cannot
/// be recognised by pattern; the alert types have no field for a person, and staff text is
/// reviewed before publication.
/// </summary>
public sealed partial class PublicText
{
    PublicText(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    public static Outcome<PublicText> Create(string? text, string field, int maxLength = 2000)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0) return Outcome<PublicText>.Reject("public.text.required", "公开内容不能为空", field);
        if (value.Length > maxLength) return Outcome<PublicText>.Reject("public.text.too_long", $"公开内容不能超过 {maxLength} 个字", field);
        if (TextRules.Check(value) is { } bad) return Outcome<PublicText>.Reject("public.text.invalid", "公开内容" + bad, field);
        if (IdNumberLike().IsMatch(value) || PhoneLike().IsMatch(value) || LandlineLike().IsMatch(value) || CardLike().IsMatch(value) || EmailLike().IsMatch(value))
            return Outcome<PublicText>.Reject("public.text.personal_data", "公开内容疑似包含个人信息（身份证号、电话、银行卡号或电子邮箱），不能发布", field);
        return Outcome<PublicText>.Accept(new PublicText(value));
    }

    /// <summary>As <see cref="Create"/>, throwing <see cref="DisasterRuleException"/> when refused (for text built from known-good parts).</summary>
    public static PublicText Of(string text, string field = "text") => Create(text, field).Value;

    [GeneratedRegex(@"(?<!\d)\d{17}[\dXx](?![\dXx])")]
    private static partial Regex IdNumberLike();
    [GeneratedRegex(@"(?<!\d)(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")]
    private static partial Regex PhoneLike();
    [GeneratedRegex(@"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")]
    private static partial Regex LandlineLike();
    [GeneratedRegex(@"(?<!\d)\d{16,19}(?!\d)")]
    private static partial Regex CardLike();
    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailLike();
}

/// <summary>A CAP circle: centre and radius in kilometres.</summary>
public sealed record CapCircle(GeoPoint Centre, decimal RadiusKm);

/// <summary>An affected area: a public description (a district or street name) and its shapes.</summary>
public sealed record PublicAlertArea(PublicText Description, IReadOnlyList<GeoPolygon> Polygons, IReadOnlyList<CapCircle>? Circles = null);

/// <summary>An open shelter (应急避难场所/安置点): public name, capacity and, optionally, how many are there. Never who.</summary>
public sealed record ShelterNotice(PublicText Name, int Capacity, int? Occupied = null);

/// <summary>Aggregated figures only (人数合计), never lists of people.</summary>
public sealed record PublicFigures(int? AffectedPeople = null, int? RelocatedPeople = null, int? DeliveredDispatches = null);

/// <summary>A CAP reference to an earlier message (for Update and Cancel).</summary>
public sealed record CapReference(string Sender, string Identifier, DateTimeOffset Sent);

/// <summary>
/// Everything a public disaster alert may contain: incident-level facts, aggregated counts and
/// shelters. There is deliberately no field for a person, a household, a need report or a
/// dispatch; all free text is <see cref="PublicText"/>, screened for identifiers; the only plain
/// strings are CAP tokens (identifier, sender, incident ids) that may not contain spaces.
/// Serialise with <see cref="CapSerializer"/>.
/// </summary>
public sealed record PublicAlert
{
    /// <summary>CAP identifier: unique per sender; no spaces, commas, &lt; or &amp;.</summary>
    public required string Identifier { get; init; }
    /// <summary>CAP sender, e.g. the bureau's domain "mzj.gz.gov.cn"; same character rules.</summary>
    public required string Sender { get; init; }
    public required DateTimeOffset Sent { get; init; }
    public CapStatus Status { get; init; } = CapStatus.Actual;
    public required CapMsgType MsgType { get; init; }
    /// <summary>Earlier messages this one updates or cancels; required for Update and Cancel.</summary>
    public IReadOnlyList<CapReference> References { get; init; } = [];
    /// <summary>Public incident ids (random, as everywhere) the alert is about.</summary>
    public IReadOnlyList<string> IncidentIds { get; init; } = [];

    public required IReadOnlyList<CapCategory> Categories { get; init; }
    public required PublicText Event { get; init; }
    public required ResponseLevel Level { get; init; }
    public IReadOnlyList<CapResponseType> ResponseTypes { get; init; } = [];
    public DateTimeOffset? Effective { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public PublicText? SenderName { get; init; }
    public required PublicText Headline { get; init; }
    public PublicText? Description { get; init; }
    public PublicText? Instruction { get; init; }
    public Uri? Web { get; init; }
    public PublicFigures? Figures { get; init; }
    public IReadOnlyList<ShelterNotice> Shelters { get; init; } = [];
    public required IReadOnlyList<PublicAlertArea> Areas { get; init; }

    /// <summary>CAP urgency from the response level: Ⅰ/Ⅱ Immediate, Ⅲ/Ⅳ Expected; a Cancel is Past (the event is over).</summary>
    public CapUrgency Urgency => MsgType == CapMsgType.Cancel ? CapUrgency.Past : Level is ResponseLevel.I or ResponseLevel.II ? CapUrgency.Immediate : CapUrgency.Expected;

    /// <summary>CAP severity from the response level: Ⅰ Extreme, Ⅱ Severe, Ⅲ Moderate, Ⅳ Minor.</summary>
    public CapSeverity Severity => Level switch
    {
        ResponseLevel.I => CapSeverity.Extreme,
        ResponseLevel.II => CapSeverity.Severe,
        ResponseLevel.III => CapSeverity.Moderate,
        _ => CapSeverity.Minor,
    };

    /// <summary>A declared response is about an event that has happened: Observed.</summary>
    public CapCertainty Certainty => CapCertainty.Observed;

    /// <summary>Every problem that would make the message invalid CAP or unfit to publish (Chinese reasons).</summary>
    public IReadOnlyList<Rejection> Validate()
    {
        var problems = new List<Rejection>();
        if (!IsCapToken(Identifier)) problems.Add(new("cap.identifier.invalid", "消息标识不能为空，且不能包含空格、逗号、< 或 &", "identifier"));
        if (!IsCapToken(Sender)) problems.Add(new("cap.sender.invalid", "发布者标识不能为空，且不能包含空格、逗号、< 或 &", "sender"));
        if (MsgType != CapMsgType.Alert && References.Count == 0) problems.Add(new("cap.references.required", "更新或解除消息必须引用之前发布的消息", "references"));
        if (References.Any(r => !IsCapToken(r.Sender) || !IsCapToken(r.Identifier))) problems.Add(new("cap.references.invalid", "引用的消息标识格式不正确", "references"));
        if (IncidentIds.Any(i => !IsCapToken(i))) problems.Add(new("cap.incidents.invalid", "事件编号格式不正确", "incidentIds"));
        if (Categories.Count == 0) problems.Add(new("cap.category.required", "至少需要一个类别", "categories"));
        if (!Enum.IsDefined(Level)) problems.Add(new("cap.level.invalid", "响应级别无效", "level"));
        if (Areas.Count == 0) problems.Add(new("cap.area.required", "至少需要一个区域", "areas"));
        if (Areas.SelectMany(a => a.Circles ?? []).Any(c => c.RadiusKm <= 0)) problems.Add(new("cap.circle.radius", "圆形区域半径必须大于 0", "areas"));
        if (Effective is { } e && Expires is { } x && x <= e) problems.Add(new("cap.expires.before_effective", "失效时间必须晚于生效时间", "expires"));
        if (Web is { IsAbsoluteUri: false }) problems.Add(new("cap.web.relative", "网址必须是完整地址", "web"));
        if (Figures is { } f && (f.AffectedPeople < 0 || f.RelocatedPeople < 0 || f.DeliveredDispatches < 0)) problems.Add(new("cap.figures.negative", "统计数字不能为负数", "figures"));
        if (Shelters.Any(s => s.Capacity < 0 || s.Occupied < 0)) problems.Add(new("cap.shelter.negative", "安置点容量和人数不能为负数", "shelters"));
        return problems;
    }

    static bool IsCapToken(string? s) => !string.IsNullOrEmpty(s) && !s.Any(c => char.IsWhiteSpace(c) || c is ',' or '<' or '&');

    /// <summary>The CAP category for an incident type: weather, floods and drought Met; landslides and earthquakes Geo; fire Fire.</summary>
    public static CapCategory CategoryOf(IncidentType type) => type switch
    {
        IncidentType.Typhoon or IncidentType.Flood or IncidentType.Rainstorm or IncidentType.Drought => CapCategory.Met,
        IncidentType.Landslide or IncidentType.Earthquake => CapCategory.Geo,
        IncidentType.Fire => CapCategory.Fire,
        _ => CapCategory.Other,
    };

    /// <summary>
    /// The alert for an incident: Alert when there is no earlier message, Update after a change,
    /// Cancel once the incident is closed (pass the earlier message in <paramref name="previous"/>
    /// for Update and Cancel). Event, headline and area come from the incident; categories are the
    /// type's category plus Rescue (this is the relief bureau's feed); times in China Standard Time.
    /// </summary>
    public static PublicAlert ForIncident(Incident incident, string identifier, string sender, DateTimeOffset sent, PublicText areaDescription,
        CapReference? previous = null, PublicText? senderName = null, PublicText? description = null, PublicText? instruction = null,
        Uri? web = null, PublicFigures? figures = null, IReadOnlyList<ShelterNotice>? shelters = null)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(areaDescription);
        var msgType = !incident.IsActive ? CapMsgType.Cancel : previous is null ? CapMsgType.Alert : CapMsgType.Update;
        var evt = $"{incident.Type.ChineseName()}灾害{incident.Level.ResponseTitle()}";
        var headline = msgType == CapMsgType.Cancel
            ? $"{incident.Name}：{incident.Level.ResponseTitle()}终止"
            : $"{incident.Name}：启动{incident.Level.ResponseTitle()}";
        return new PublicAlert
        {
            Identifier = identifier,
            Sender = sender,
            Sent = ChinaTime.ToChina(sent),
            MsgType = msgType,
            References = previous is null ? [] : [previous],
            IncidentIds = [incident.Id],
            Categories = [CategoryOf(incident.Type), CapCategory.Rescue],
            Event = PublicText.Of(evt, "event"),
            Level = incident.Level,
            ResponseTypes = msgType == CapMsgType.Cancel ? [CapResponseType.AllClear] : (shelters?.Count ?? 0) > 0 ? [CapResponseType.Shelter] : [CapResponseType.Monitor],
            Effective = ChinaTime.ToChina(msgType == CapMsgType.Cancel ? incident.ClosedAt ?? sent : incident.DeclaredAt),
            SenderName = senderName,
            Headline = PublicText.Of(headline, "headline"),
            Description = description,
            Instruction = instruction,
            Web = web,
            Figures = figures,
            Shelters = shelters ?? [],
            Areas = [new PublicAlertArea(areaDescription, [incident.Area])],
        };
    }
}
