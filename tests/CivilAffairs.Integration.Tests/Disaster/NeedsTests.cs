using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using CivilAffairs.Application.Disaster;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Platform;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// Disaster relief over HTTP on the one-machine runtime: incidents in 天河 (440106), need reports from a grid worker, a field
/// team and a citizen, near-duplicate merge, outside-area flag, closed incidents, jurisdiction scoping, public JSON and CAP 1.2,
/// and the analysis-finding sink.
/// </summary>
public class NeedsTests(RuntimeFixture fx) : IClassFixture<RuntimeFixture>
{
    const string CapNs = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>A square of about 6 × 6 km around 23.13 N, 113.33 E, GeoJSON order [lon, lat].</summary>
    static readonly double[][] Tianhe = [[113.30, 23.10], [113.36, 23.10], [113.36, 23.16], [113.30, 23.16], [113.30, 23.10]];

    async Task<HttpResponseMessage> Send(string? account, HttpMethod method, string url, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (account is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync(account));
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await fx.Http.SendAsync(request);
    }

    async Task<(string Id, string ETag)> DeclareAsync(string name = "天河区暴雨内涝")
    {
        var response = await Send("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name, type = "rainstorm", level = "III", area = Tianhe, startedAt = DateTimeOffset.UtcNow.AddHours(-2), jurisdiction = "440106",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("III", body.GetProperty("level").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        return (body.GetProperty("id").GetString()!, response.Headers.ETag!.ToString());
    }

    static object Need(string incidentId, double lat, double lon, string category = "water", decimal quantity = 30, string unit = "箱",
        string? clientReportId = null, string? phone = null, string? description = null) => new
    {
        incidentId, position = new { latitude = lat, longitude = lon }, category, quantity, unit, urgency = "high",
        description, clientReportId = clientReportId ?? Guid.NewGuid().ToString("N"), contactPhone = phone,
    };

    [Fact]
    public async Task Reports_merge_near_duplicates_flag_outside_positions_and_rank_for_staff()
    {
        var (incident, _) = await DeclareAsync();

        var first = await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.1300, 113.3300));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.JsonAsync();
        Assert.Equal("created", created.GetProperty("intake").GetString());
        var needId = created.GetProperty("needId").GetString()!;
        Assert.False(created.GetProperty("outsideIncidentArea").GetBoolean());

        // About 70 m away, same category and unit: merged, reported twice, the larger quantity kept.
        var citizenReport = Need(incident, 23.1305, 113.3305, quantity: 50, clientReportId: "zhang-report-1");
        var second = await Send("citizen-zhang", HttpMethod.Post, "api/disaster/needs", citizenReport);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var merged = await second.JsonAsync();
        Assert.Equal("merged", merged.GetProperty("intake").GetString());
        Assert.Equal(needId, merged.GetProperty("needId").GetString());
        Assert.Equal(2, merged.GetProperty("need").GetProperty("reportCount").GetInt32());

        // The same report again (same client report id): recognised, not counted twice.
        var again = await (await Send("citizen-zhang", HttpMethod.Post, "api/disaster/needs", citizenReport)).JsonAsync();
        Assert.Equal("duplicate", again.GetProperty("intake").GetString());
        Assert.Equal(2, again.GetProperty("need").GetProperty("reportCount").GetInt32());
        // Retried with a new position fix 1 km away (far outside the merge radius): still the same report.
        var moved = await (await Send("citizen-zhang", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.1395, 113.3305, quantity: 50, clientReportId: "zhang-report-1"))).JsonAsync();
        Assert.Equal("duplicate", moved.GetProperty("intake").GetString());
        Assert.Equal(needId, moved.GetProperty("needId").GetString());

        // Outside the polygon: accepted, flagged.
        var outside = await Send("shipai-officer", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.2000, 113.5000, category: "rescue", quantity: 4, unit: "人"));
        Assert.Equal(HttpStatusCode.Created, outside.StatusCode);
        var flagged = await outside.JsonAsync();
        Assert.True(flagged.GetProperty("outsideIncidentArea").GetBoolean());

        // Staff worklist: both needs, ranked by priority score, no reporter identities.
        var listResponse = await Send("tianhe-approver", HttpMethod.Get, $"api/disaster/needs?incident={incident}");
        Assert.Equal(HttpStatusCode.OK, listResponse.StatusCode);
        var list = await listResponse.JsonAsync();
        Assert.Equal(2, list.GetProperty("count").GetInt32());
        var scores = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("priority").GetProperty("total").GetInt32()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        var water = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == needId);
        Assert.Equal(2, water.GetProperty("reportCount").GetInt32());
        Assert.Equal(50m, water.GetProperty("quantity").GetDecimal());
        Assert.DoesNotContain("citizen-zhang", list.ToString());

        // The citizen follows their own report; another citizen cannot see it.
        var mine = await Send("citizen-zhang", HttpMethod.Get, $"api/disaster/needs/{needId}");
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var mineBody = await mine.JsonAsync();
        Assert.Equal("open", mineBody.GetProperty("status").GetString());
        Assert.Single(mineBody.GetProperty("yourReports").EnumerateArray());
        await (await Send("citizen-li", HttpMethod.Get, $"api/disaster/needs/{needId}")).AssertProblemAsync(404, "NEED_NOT_FOUND");

        // A field-team officer in a street of the district works the district incident.
        Assert.Equal(HttpStatusCode.OK, (await Send("shipai-officer", HttpMethod.Get, $"api/disaster/needs/{needId}")).StatusCode);
    }

    [Fact]
    public async Task Invalid_reports_are_refused_with_field_errors()
    {
        var (incident, _) = await DeclareAsync();
        var zero = await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.13, 113.33, quantity: 0));
        var problem = await zero.AssertProblemAsync(400, "NEED_QUANTITY_NOT_POSITIVE");
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "quantity");

        var unknown = await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need("01JCZ8DEM00000000000000099", 23.13, 113.33));
        await unknown.AssertProblemAsync(404, "INCIDENT_NOT_FOUND");

        var badLevel = await Send("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new { name = "x", type = "flood", level = "V", area = Tianhe, startedAt = DateTimeOffset.UtcNow, jurisdiction = "440106" });
        var levelProblem = await badLevel.AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains(levelProblem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "level");

        // Declaring for another district is refused.
        var foreign = await Send("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new { name = "越秀区洪涝", type = "flood", level = "IV", area = Tianhe, startedAt = DateTimeOffset.UtcNow, jurisdiction = "440104" });
        await foreign.AssertProblemAsync(403, "FORBIDDEN");
    }

    [Fact]
    public async Task Level_changes_need_a_reason_honour_if_match_and_a_closed_incident_refuses_needs()
    {
        var (incident, etag) = await DeclareAsync();
        await (await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/update", new { level = "II" })).AssertProblemAsync(400, "INCIDENT_LEVEL_REASON_REQUIRED");

        var raised = await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/update", new { level = "II", reason = "积水范围扩大" }, ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        var body = await raised.JsonAsync();
        Assert.Equal("II", body.GetProperty("level").GetString());
        Assert.Equal("III", body.GetProperty("levelChanges")[0].GetProperty("from").GetString());
        Assert.NotEqual(etag, raised.Headers.ETag!.ToString());

        // The old ETag is stale now.
        await (await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/close", new { summary = "x" }, ifMatch: etag)).AssertProblemAsync(412, "PRECONDITION_FAILED");

        var closed = await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/close", new { summary = "积水已退，响应终止" }, ifMatch: raised.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal("closed", (await closed.JsonAsync()).GetProperty("status").GetString());

        await (await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.13, 113.33))).AssertProblemAsync(409, "INCIDENT_CLOSED");
        await (await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/close", new { })).AssertProblemAsync(409, "INCIDENT_ALREADY_CLOSED");

        var active = await (await Send("tianhe-approver", HttpMethod.Get, "api/disaster/incidents?active=true")).JsonAsync();
        Assert.DoesNotContain(active.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == incident);
        var all = await (await Send("tianhe-approver", HttpMethod.Get, "api/disaster/incidents")).JsonAsync();
        Assert.Contains(all.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == incident);
    }

    [Fact]
    public async Task Another_districts_staff_cannot_see_the_incident_or_its_needs()
    {
        var (incident, _) = await DeclareAsync();
        var needId = (await (await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.14, 113.34, category: "food"))).JsonAsync()).GetProperty("needId").GetString();

        await (await Send("yuexiu-approver", HttpMethod.Get, $"api/disaster/incidents/{incident}")).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        await (await Send("yuexiu-approver", HttpMethod.Get, $"api/disaster/needs/{needId}")).AssertProblemAsync(404, "NEED_NOT_FOUND");
        await (await Send("beijing-officer", HttpMethod.Get, $"api/disaster/needs?incident={incident}")).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        await (await Send("yuexiu-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/close", new { })).AssertProblemAsync(404, "INCIDENT_NOT_FOUND");
        var theirs = await (await Send("yuexiu-approver", HttpMethod.Get, "api/disaster/incidents")).JsonAsync();
        Assert.DoesNotContain(theirs.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == incident);
        var theirNeeds = await (await Send("yanyunxi-worker", HttpMethod.Get, "api/disaster/needs")).JsonAsync();
        Assert.DoesNotContain(theirNeeds.GetProperty("items").EnumerateArray(), i => i.GetProperty("incidentId").GetString() == incident);

        // Staff of the district and the city see it.
        Assert.Equal(HttpStatusCode.OK, (await Send("city-admin", HttpMethod.Get, $"api/disaster/incidents/{incident}")).StatusCode);
        var ours = await (await Send("huashi-worker", HttpMethod.Get, "api/disaster/incidents")).JsonAsync();
        Assert.Contains(ours.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == incident);
    }

    [Fact]
    public async Task Public_json_shows_the_incident_and_counts_but_no_reporter_data_and_the_phone_is_stored_encrypted()
    {
        var (incident, _) = await DeclareAsync("天河区台风暴雨");
        const string phone = "13912345678";
        var report = await Send("citizen-zhang", HttpMethod.Post, "api/disaster/needs",
            Need(incident, 23.12, 113.32, category: "shelter", quantity: 12, unit: "顶", phone: phone, description: "屋顶被掀，一家六口需要帐篷"));
        Assert.Equal(HttpStatusCode.Created, report.StatusCode);
        var needId = (await report.JsonAsync()).GetProperty("needId").GetString()!;

        var response = await Send(null, HttpMethod.Get, "api/public/disaster/alerts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;
        var mine = body.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("id").GetString() == incident);
        Assert.Equal("III", mine.GetProperty("level").GetString());
        Assert.Equal("rainstorm", mine.GetProperty("type").GetString());
        Assert.Equal(1, mine.GetProperty("openNeedsByCategory").GetProperty("shelter").GetInt32());
        Assert.Equal(5, mine.GetProperty("area").GetArrayLength());
        Assert.Contains(body.GetProperty("supplyStandards").EnumerateArray(), s => s.GetProperty("code").GetString() == "TENT");
        foreach (var secret in new[] { phone, "一家六口", "citizen-zhang", "tianhe-approver", needId })
            Assert.DoesNotContain(secret, text);

        // At rest the phone and the description are SM4 tokens.
        var row = fx.Table(TableNames.DisasterNeedReports).Query<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == needId).Single();
        Assert.StartsWith("sm4gcm.", row.GetString("ContactPhone"));
        Assert.StartsWith("sm4gcm.", row.GetString("Description"));

        // Staff see it masked; a community worker may unmask it to contact the reporter.
        var staff = await (await Send("tianhe-approver", HttpMethod.Get, $"api/disaster/needs/{needId}?purpose=contact")).JsonAsync();
        Assert.DoesNotContain(phone, staff.ToString());
        var worker = await (await Send("huashi-worker", HttpMethod.Get, $"api/disaster/needs/{needId}?purpose=contact")).JsonAsync();
        Assert.Equal(phone, worker.GetProperty("reports")[0].GetProperty("contactPhone").GetString());
    }

    static readonly Lazy<XmlSchemaSet> CapSchema = new(() =>
    {
        using var stream = typeof(NeedsTests).Assembly.GetManifestResourceStream("CivilAffairs.Integration.Tests.Disaster.CAP-v1.2.xsd")
            ?? throw new InvalidOperationException("CAP schema resource missing.");
        var set = new XmlSchemaSet();
        set.Add(XmlSchema.Read(stream, (_, e) => throw e.Exception)!);
        set.Compile();
        return set;
    });

    static void AssertValidCap(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = CapSchema.Value };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message}");
        using (var reader = XmlReader.Create(new StringReader(xml), settings)) while (reader.Read()) { }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Cap_messages_validate_against_the_cap_1_2_schema_through_alert_update_and_cancel()
    {
        var (incident, _) = await DeclareAsync("天河区洪涝");
        await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.15, 113.35, category: "rescue", quantity: 3, unit: "人"));

        async Task<XDocument> Single(string expectedMsgType)
        {
            var response = await Send(null, HttpMethod.Get, $"api/public/disaster/incidents/{incident}/alert.cap");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/cap+xml", response.Content.Headers.ContentType?.MediaType);
            var xml = await response.Content.ReadAsStringAsync();
            AssertValidCap(xml);
            var doc = XDocument.Parse(xml);
            Assert.Equal(expectedMsgType, doc.Root!.Element(XName.Get("msgType", CapNs))!.Value);
            Assert.Contains(incident, doc.Root.Element(XName.Get("incidents", CapNs))!.Value);
            return doc;
        }

        var alert = await Single("Alert");
        Assert.Equal("113.3", alert.Descendants(XName.Get("polygon", CapNs)).Single().Value.Split(' ')[0].Split(',')[1][..5]); // lat,lon order

        // The Atom index carries every current message inline; each validates.
        var feed = await Send(null, HttpMethod.Get, "api/public/disaster/alerts.cap");
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("application/atom+xml", feed.Content.Headers.ContentType?.MediaType);
        var atom = XDocument.Parse(await feed.Content.ReadAsStringAsync());
        var alerts = atom.Descendants(XName.Get("alert", CapNs)).ToList();
        Assert.NotEmpty(alerts);
        foreach (var a in alerts) AssertValidCap(a.ToString());
        Assert.Contains(alerts, a => a.Element(XName.Get("incidents", CapNs))!.Value == incident);
        Assert.DoesNotContain("huashi-worker", atom.ToString());

        Assert.Equal(HttpStatusCode.OK, (await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/update", new { level = "I", reason = "险情升级" })).StatusCode);
        var update = await Single("Update");
        Assert.NotNull(update.Root!.Element(XName.Get("references", CapNs)));

        Assert.Equal(HttpStatusCode.OK, (await Send("tianhe-approver", HttpMethod.Post, $"api/disaster/incidents/{incident}/close", new { })).StatusCode);
        await Single("Cancel");
        var info = await (await Send(null, HttpMethod.Get, "api/public/disaster/alerts")).JsonAsync();
        Assert.Equal("closed", info.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("id").GetString() == incident).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Analysis_findings_adjust_a_named_need_and_raise_merging_needs_for_people_found()
    {
        var (incident, _) = await DeclareAsync("天河区滑坡");
        var sink = fx.Runtime.Services.GetRequiredService<IAnalysisFindingSink>();
        var durable = fx.Runtime.Services.GetRequiredService<DurableTaskClient>();
        // As the analysis queue function does: the invocation's durable client, for the dispatch of a need the analysis raises.
        using var bound = fx.Runtime.Services.GetRequiredService<CivilAffairs.Orchestrations.Platform.WorkflowClient>().Use(durable);
        var needId = (await (await Send("huashi-worker", HttpMethod.Post, "api/disaster/needs", Need(incident, 23.11, 113.31, category: "medical", quantity: 2, unit: "人"))).JsonAsync())
            .GetProperty("needId").GetString()!;

        async Task<JsonElement> Read(string id)
        {
            var response = await Send("tianhe-approver", HttpMethod.Get, $"api/disaster/needs/{id}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        var before = (await Read(needId)).GetProperty("priority").GetProperty("total").GetInt32();

        var named = new AnalysisFinding("upload-a1", "drone-01", needId, incident, null, 2, ["person"], 2, false, "图像中发现被困人员", DateTimeOffset.UtcNow);
        Assert.Equal(needId, await sink.ApplyAsync(named, CancellationToken.None));
        Assert.Equal(needId, await sink.ApplyAsync(named, CancellationToken.None)); // idempotent per upload
        var adjusted = await Read(needId);
        Assert.Equal(2, adjusted.GetProperty("analysisAdjustment").GetInt32());
        Assert.Equal(before + 16, adjusted.GetProperty("priority").GetProperty("total").GetInt32());

        // No need named: people found in the incident area raise a rescue need as a device-analysis report.
        var position = new GeoPoint(23.145, 113.345);
        var raise = new AnalysisFinding("upload-b1", "drone-01", null, incident, position, 3, ["person", "water"], 2, false, "发现被困人员", DateTimeOffset.UtcNow);
        var raised = await sink.ApplyAsync(raise, CancellationToken.None);
        Assert.NotNull(raised);
        Assert.Equal(raised, await sink.ApplyAsync(raise, CancellationToken.None));
        var need = await Read(raised!);
        Assert.Equal("rescue", need.GetProperty("category").GetString());
        Assert.Equal(1, need.GetProperty("reportCount").GetInt32());
        Assert.Equal("deviceAnalysis", need.GetProperty("reporters")[0].GetString());
        Assert.Equal(2, need.GetProperty("analysisAdjustment").GetInt32());

        // Another upload of the same spot merges into it.
        var near = raise with { UploadId = "upload-b2", Position = new GeoPoint(23.1451, 113.3451), AnalyzedAt = DateTimeOffset.UtcNow };
        Assert.Equal(raised, await sink.ApplyAsync(near, CancellationToken.None));
        Assert.Equal(2, (await Read(raised!)).GetProperty("reportCount").GetInt32());

        // Nothing found: nothing raised.
        Assert.Null(await sink.ApplyAsync(raise with { UploadId = "upload-c1", PriorityDelta = 0, PeopleCount = 0 }, CancellationToken.None));
    }
}
