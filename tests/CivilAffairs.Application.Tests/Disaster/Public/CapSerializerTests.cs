using System.Reflection;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using CivilAffairs.Application.Disaster.Public;
using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Application.Tests.Disaster.Public;

public class CapSerializerTests
{
    static readonly XNamespace Cap = CapSerializer.Namespace;
    static readonly DateTimeOffset T0 = new(2026, 7, 20, 10, 0, 0, TimeSpan.FromHours(8));

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }

    static readonly Lazy<XmlSchemaSet> Schemas = new(() =>
    {
        using var stream = typeof(CapSerializerTests).Assembly.GetManifestResourceStream("CivilAffairs.Tests.Disaster.CAP-v1.2.xsd")
            ?? throw new InvalidOperationException("CAP schema resource missing.");
        var set = new XmlSchemaSet();
        set.Add(XmlSchema.Read(stream, (_, e) => throw e.Exception)!);
        set.Compile();
        return set;
    });

    /// <summary>Validates against the CAP 1.2 XSD and returns every error (empty when valid).</summary>
    static List<string> SchemaErrors(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = Schemas.Value };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read()) { }
        return errors;
    }

    static GeoPolygon Square() => GeoPolygon.Create([new(23.10, 113.20), new(23.10, 113.40), new(23.20, 113.40), new(23.20, 113.20)]).Value;

    static Incident Declared(FixedClock clock, ResponseLevel level = ResponseLevel.II) =>
        Incident.Declare("01JTYPHOON7", new IncidentDeclaration("2026年第7号台风“海鸥”", IncidentType.Typhoon, level, Square(), T0.AddHours(-3), "440106", "staff-1"), clock).Value;

    static PublicAlert Alert(FixedClock clock) => PublicAlert.ForIncident(Declared(clock), "GZMZ-20260720-0001", "mzj.gz.gov.cn", T0.ToUniversalTime(),
        PublicText.Of("广州市天河区"),
        senderName: PublicText.Of("广州市民政局"),
        description: PublicText.Of("受台风影响，天河区部分街道出现内涝，已开放应急避难场所。"),
        instruction: PublicText.Of("请留意官方通知，需要帮助请拨打 12345 或 110。"),
        web: new Uri("https://mzj.gz.gov.cn/disaster/01JTYPHOON7"),
        figures: new PublicFigures(AffectedPeople: 12000, RelocatedPeople: 3400),
        shelters: [new ShelterNotice(PublicText.Of("天河体育中心应急避难场所"), 2000, 860)]);

    [Fact]
    public void Schema_is_the_cap_1_2_schema_and_rejects_what_cap_forbids()
    {
        var xml = CapSerializer.Serialize(Alert(new FixedClock(T0)));
        Assert.Empty(SchemaErrors(xml));
        // The schema bites: a "Z" time, an unknown msgType and a missing scope are each rejected.
        Assert.NotEmpty(SchemaErrors(xml.Replace("<sent>2026-07-20T10:00:00+08:00</sent>", "<sent>2026-07-20T02:00:00Z</sent>")));
        Assert.NotEmpty(SchemaErrors(xml.Replace("<msgType>Alert</msgType>", "<msgType>Notice</msgType>")));
        Assert.NotEmpty(SchemaErrors(xml.Replace("<scope>Public</scope>", "")));
        Assert.NotEmpty(SchemaErrors(xml.Replace("<severity>Severe</severity>", "<severity>Big</severity>")));
    }

    [Fact]
    public void Alert_carries_the_header_info_and_area_cap_requires()
    {
        var doc = XDocument.Parse(CapSerializer.Serialize(Alert(new FixedClock(T0))));
        var alert = doc.Root!;
        Assert.Equal(Cap + "alert", alert.Name);
        Assert.Equal("GZMZ-20260720-0001", (string?)alert.Element(Cap + "identifier"));
        Assert.Equal("mzj.gz.gov.cn", (string?)alert.Element(Cap + "sender"));
        Assert.Equal("2026-07-20T10:00:00+08:00", (string?)alert.Element(Cap + "sent"));
        Assert.Equal(("Actual", "Alert", "Public"), ((string?)alert.Element(Cap + "status"), (string?)alert.Element(Cap + "msgType"), (string?)alert.Element(Cap + "scope")));
        Assert.Null(alert.Element(Cap + "references"));
        Assert.Equal("01JTYPHOON7", (string?)alert.Element(Cap + "incidents"));

        var info = alert.Element(Cap + "info")!;
        Assert.Equal("zh-CN", (string?)info.Element(Cap + "language"));
        Assert.Equal(["Met", "Rescue"], info.Elements(Cap + "category").Select(e => e.Value));
        Assert.Equal("台风灾害Ⅱ级应急响应", (string?)info.Element(Cap + "event"));
        Assert.Equal(("Immediate", "Severe", "Observed"), ((string?)info.Element(Cap + "urgency"), (string?)info.Element(Cap + "severity"), (string?)info.Element(Cap + "certainty")));
        Assert.Equal("Shelter", (string?)info.Element(Cap + "responseType"));
        Assert.Equal("2026年第7号台风“海鸥”：启动Ⅱ级应急响应", (string?)info.Element(Cap + "headline"));
        Assert.Equal("https://mzj.gz.gov.cn/disaster/01JTYPHOON7", (string?)info.Element(Cap + "web"));
        var parameters = info.Elements(Cap + "parameter").Select(p => ((string?)p.Element(Cap + "valueName"), (string?)p.Element(Cap + "value"))).ToList();
        Assert.Equal(
            [("responseLevel", "Ⅱ级"), ("affectedPeople", "12000"), ("relocatedPeople", "3400"), ("shelter", "天河体育中心应急避难场所：容量 2000 人，已安置 860 人")],
            parameters);

        var area = Assert.Single(info.Elements(Cap + "area"));
        Assert.Equal("广州市天河区", (string?)area.Element(Cap + "areaDesc"));
        Assert.Equal("23.1,113.2 23.1,113.4 23.2,113.4 23.2,113.2 23.1,113.2", (string?)area.Element(Cap + "polygon"));
    }

    [Theory]
    [InlineData(ResponseLevel.I, "Immediate", "Extreme")]
    [InlineData(ResponseLevel.II, "Immediate", "Severe")]
    [InlineData(ResponseLevel.III, "Expected", "Moderate")]
    [InlineData(ResponseLevel.IV, "Expected", "Minor")]
    public void Urgency_and_severity_follow_the_response_level(ResponseLevel level, string urgency, string severity)
    {
        var clock = new FixedClock(T0);
        var alert = PublicAlert.ForIncident(Declared(clock, level), "id-1", "mzj.gz.gov.cn", T0, PublicText.Of("广州市"));
        var info = XDocument.Parse(CapSerializer.Serialize(alert)).Root!.Element(Cap + "info")!;
        Assert.Equal((urgency, severity, "Observed"), ((string?)info.Element(Cap + "urgency"), (string?)info.Element(Cap + "severity"), (string?)info.Element(Cap + "certainty")));
    }

    [Fact]
    public void Update_after_a_level_change_references_the_earlier_alert()
    {
        var clock = new FixedClock(T0);
        var incident = Declared(clock).Update("staff-2", clock, level: ResponseLevel.I, reason: "灾情加重").Value;
        var previous = new CapReference("mzj.gz.gov.cn", "GZMZ-20260720-0001", T0);
        var alert = PublicAlert.ForIncident(incident, "GZMZ-20260720-0002", "mzj.gz.gov.cn", T0.AddHours(2), PublicText.Of("广州市天河区"), previous);
        var xml = CapSerializer.Serialize(alert);
        Assert.Empty(SchemaErrors(xml));
        var root = XDocument.Parse(xml).Root!;
        Assert.Equal("Update", (string?)root.Element(Cap + "msgType"));
        Assert.Equal("mzj.gz.gov.cn,GZMZ-20260720-0001,2026-07-20T10:00:00+08:00", (string?)root.Element(Cap + "references"));
        Assert.Equal("Extreme", (string?)root.Element(Cap + "info")!.Element(Cap + "severity"));
    }

    [Fact]
    public void Cancel_when_the_incident_closes_is_valid_cap_with_all_clear()
    {
        var clock = new FixedClock(T0);
        var incident = Declared(clock);
        clock.Now = T0.AddDays(2);
        var closed = incident.Close("staff-3", clock, "响应终止").Value;
        var alert = PublicAlert.ForIncident(closed, "GZMZ-20260722-0009", "mzj.gz.gov.cn", clock.GetUtcNow(), PublicText.Of("广州市天河区"),
            new CapReference("mzj.gz.gov.cn", "GZMZ-20260720-0001", T0));
        var xml = CapSerializer.Serialize(alert);
        Assert.Empty(SchemaErrors(xml));
        var root = XDocument.Parse(xml).Root!;
        Assert.Equal("Cancel", (string?)root.Element(Cap + "msgType"));
        Assert.Equal("2026-07-22T10:00:00+08:00", (string?)root.Element(Cap + "sent"));
        var info = root.Element(Cap + "info")!;
        Assert.Equal(("Past", "AllClear"), ((string?)info.Element(Cap + "urgency"), (string?)info.Element(Cap + "responseType")));
        Assert.Equal("2026年第7号台风“海鸥”：Ⅱ级应急响应终止", (string?)info.Element(Cap + "headline"));

        // Cancel and Update must reference what they cancel or update.
        var orphan = alert with { References = [] };
        var ex = Assert.Throws<DisasterRuleException>(() => CapSerializer.Serialize(orphan));
        Assert.Equal("cap.references.required", ex.Rejections.Single().Code);
    }

    [Fact]
    public void Several_areas_with_polygons_and_circles_validate()
    {
        var second = GeoPolygon.FromCoordinates([[113.45, 23.05], [113.55, 23.05], [113.50, 23.12]]).Value;
        var alert = Alert(new FixedClock(T0)) with
        {
            Areas =
            [
                new PublicAlertArea(PublicText.Of("天河区"), [Square()]),
                new PublicAlertArea(PublicText.Of("黄埔区"), [second], [new CapCircle(new GeoPoint(23.1, 113.5), 2.5m)]),
                new PublicAlertArea(PublicText.Of("海珠区全域"), []),
            ],
        };
        var xml = CapSerializer.Serialize(alert);
        Assert.Empty(SchemaErrors(xml));
        var areas = XDocument.Parse(xml).Root!.Element(Cap + "info")!.Elements(Cap + "area").ToList();
        Assert.Equal(["天河区", "黄埔区", "海珠区全域"], areas.Select(a => (string?)a.Element(Cap + "areaDesc")));
        Assert.Equal("23.05,113.45 23.05,113.55 23.12,113.5 23.05,113.45", (string?)areas[1].Element(Cap + "polygon"));
        Assert.Equal("23.1,113.5 2.5", (string?)areas[1].Element(Cap + "circle"));
    }

    [Fact]
    public void Every_polygon_is_lat_lon_closed_and_has_at_least_four_pairs()
    {
        var xml = CapSerializer.Serialize(Alert(new FixedClock(T0)));
        foreach (var polygon in XDocument.Parse(xml).Descendants(Cap + "polygon").Select(p => p.Value))
        {
            var pairs = polygon.Split(' ');
            Assert.True(pairs.Length >= 4);
            Assert.Equal(pairs[0], pairs[^1]);
            Assert.All(pairs, p =>
            {
                var parts = p.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Assert.InRange(parts[0], 18, 54);   // latitude first (China)
                Assert.InRange(parts[1], 73, 136);
            });
        }
    }

    [Fact]
    public void Times_have_whole_seconds_an_offset_and_never_z()
    {
        Assert.Equal("2026-07-20T10:00:59+08:00", CapSerializer.FormatTime(new DateTimeOffset(2026, 7, 20, 10, 0, 59, 999, TimeSpan.FromHours(8))));
        Assert.Equal("2026-07-20T02:00:00-00:00", CapSerializer.FormatTime(new DateTimeOffset(2026, 7, 20, 2, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-07-19T21:00:00-05:00", CapSerializer.FormatTime(new DateTimeOffset(2026, 7, 19, 21, 0, 0, TimeSpan.FromHours(-5))));
        var utc = Alert(new FixedClock(T0)) with { Sent = new DateTimeOffset(2026, 7, 20, 2, 0, 0, 500, TimeSpan.Zero), Effective = null };
        var xml = CapSerializer.Serialize(utc);
        Assert.Contains("<sent>2026-07-20T02:00:00-00:00</sent>", xml);
        Assert.Empty(SchemaErrors(xml));
    }

    [Fact]
    public void Document_is_utf8_xml_with_the_cap_namespace_and_readable_chinese()
    {
        var bytes = CapSerializer.SerializeToUtf8(Alert(new FixedClock(T0)));
        Assert.NotEqual(0xEF, bytes[0]); // no BOM
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text);
        Assert.Contains("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">", text);
        Assert.Contains("广州市民政局", text);
    }

    [Fact]
    public void Invalid_tokens_and_missing_areas_are_refused_with_reasons()
    {
        var bad = Alert(new FixedClock(T0)) with { Identifier = "GZ 0001", Sender = "a,b", Areas = [], IncidentIds = ["x y"] };
        var codes = bad.Validate().Select(r => r.Code).ToList();
        Assert.Equal(["cap.identifier.invalid", "cap.sender.invalid", "cap.incidents.invalid", "cap.area.required"], codes);
        Assert.Throws<DisasterRuleException>(() => CapSerializer.Serialize(bad));
        var badCircle = Alert(new FixedClock(T0)) with { Areas = [new PublicAlertArea(PublicText.Of("x"), [], [new CapCircle(new GeoPoint(23, 113), 0)])] };
        Assert.Equal("cap.circle.radius", badCircle.Validate().Single().Code);
    }

    [Theory]
    [InlineData("联系人身份证 440106199001011234")]
    [InlineData("联系人身份证44010619900101123X。")]
    [InlineData("请联系 13800138000")]
    [InlineData("请联系 138-0013-8000")]
    [InlineData("请联系 +86 138 0013 8000")]
    [InlineData("办公电话 020-83331234")]
    [InlineData("捐款账户 6222020200112233445")]
    [InlineData("邮箱 zhangsan@example.com")]
    public void Public_text_refuses_personal_identifiers(string text)
    {
        var outcome = PublicText.Create(text, "description");
        Assert.Equal("public.text.personal_data", outcome.Rejection!.Code);
        Assert.Equal("description", outcome.Rejection.Field);
    }

    [Theory]
    [InlineData("需要帮助请拨打 12345、110、119 或 120。")]
    [InlineData("2026年7月20日10时，已转移安置 3400 人，开放避难场所 12 个。")]
    [InlineData("台风“海鸥”第 7 号，风力 12 级。")]
    public void Public_text_accepts_ordinary_notices(string text) => Assert.True(PublicText.Create(text, "description").Accepted);

    [Fact]
    public void Public_text_must_be_present_and_bounded()
    {
        Assert.Equal("public.text.required", PublicText.Create("  ", "headline").Rejection!.Code);
        Assert.Equal("public.text.too_long", PublicText.Create(new string('灾', 201), "headline", 200).Rejection!.Code);
    }

    /// <summary>
    /// The feed's input can hold no personal data: walking every type reachable from PublicAlert,
    /// free text is only PublicText, raw strings are only the CAP tokens, and there is no property
    /// for a person (name, phone, id number, address, household, reporter, recipient…).
    /// </summary>
    [Fact]
    public void Feed_input_types_have_no_place_for_personal_data()
    {
        string[] allowedRawStrings = ["PublicAlert.Identifier", "PublicAlert.Sender", "PublicAlert.IncidentIds", "CapReference.Sender", "CapReference.Identifier"];
        string[] forbidden = ["person", "phone", "mobile", "idnumber", "citizen", "household", "reporter", "recipient", "address", "member", "contact", "photo"];
        var seen = new HashSet<Type>();
        var rawStrings = new List<string>();
        var queue = new Queue<Type>([typeof(PublicAlert)]);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            if (!seen.Add(type) || type.Namespace is null) continue;
            if (!type.Namespace.StartsWith("CivilAffairs", StringComparison.Ordinal)) continue;
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Assert.DoesNotContain(forbidden, f => p.Name.Contains(f, StringComparison.OrdinalIgnoreCase));
                var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                var element = t.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(t) ? t.GetGenericArguments()[0] : t;
                if (element == typeof(string) && type != typeof(PublicText)) rawStrings.Add($"{type.Name}.{p.Name}");
                queue.Enqueue(element);
            }
        }
        Assert.Contains(typeof(ShelterNotice), seen);
        Assert.Contains(typeof(GeoPolygon), seen);
        Assert.Equal(allowedRawStrings.Order(), rawStrings.Order());
        // PublicText has no public constructor: the screen cannot be bypassed.
        Assert.Empty(typeof(PublicText).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
    }
}
