using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.PartnerSimulator.Registry;
using Xunit.Abstractions;

namespace CivilAffairs.Integration.Tests.Security;

/// <summary>
/// One object of each kind in 天河 (440106), owned by 天河 staff and by citizen 张伟, for the generic suite to aim at.
/// Built through the API as a user would, on a runtime of its own.
/// </summary>
public sealed class HostileWorld : IAsyncLifetime
{
    public RuntimeFixture Fx { get; } = new();
    public Dictionary<string, string> Objects { get; } = [];
    public string TianheDevice { get; private set; } = "";
    public string YuexiuDevice { get; private set; } = "";
    public string WeChatCitizen { get; private set; } = "";
    public static readonly DemoData.DemoPerson Zhang = DemoData.People[0];

    static readonly double[][] TianheArea = [[113.30, 23.10], [113.36, 23.10], [113.36, 23.16], [113.30, 23.16], [113.30, 23.10]];

    async Task<JsonElement> Created(string account, string url, object body, params HttpStatusCode[] expected)
    {
        var response = await Fx.Http.As(await Fx.TokenAsync(account), HttpMethod.Post, url, body);
        Assert.True(expected.Contains(response.StatusCode), $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    async Task<(string Id, string Token)> DeviceAsync(string staff, string jurisdiction)
    {
        var created = await Created(staff, "api/disaster/devices", new { name = "安全测试无人机", kind = "drone", jurisdiction, quotaBytes = 50_000_000 }, HttpStatusCode.Created);
        var id = created.GetProperty("device").GetProperty("id").GetString()!;
        var token = await Fx.Http.PostAsJsonAsync("api/disaster/devices/token", new { deviceId = id, secret = created.GetProperty("secret").GetString() });
        return (id, (await token.JsonAsync()).GetProperty("accessToken").GetString()!);
    }

    public async Task InitializeAsync()
    {
        await Fx.InitializeAsync();
        await DemoData.SeedDisasterAsync(Fx.Runtime, TextWriter.Null);
        Objects["team"] = "TH-SHIPAI-TEAM";
        Objects["warehouse"] = "GZ-TH-SP";
        Objects["person"] = Zhang.Id;
        Objects["idNumber"] = Zhang.IdNumber;
        Objects["code"] = "GZ-SA-001";
        Objects["month"] = DateTime.UtcNow.AddHours(8).ToString("yyyyMM");
        Objects["district"] = "440106";

        var incident = await Created("tianhe-approver", "api/disaster/incidents", new
        {
            name = "天河区暴雨（安全测试）", type = "rainstorm", level = "III", area = TianheArea,
            startedAt = DateTimeOffset.UtcNow.AddHours(-1), jurisdiction = "440106",
        }, HttpStatusCode.Created);
        Objects["incident"] = incident.GetProperty("id").GetString()!;
        var need = await Created("huashi-worker", "api/disaster/needs", new
        {
            incidentId = Objects["incident"], position = new { latitude = 23.1300, longitude = 113.3300 }, category = "water", quantity = 20, unit = "箱",
            urgency = "high", description = "华师社区积水，需要饮用水", clientReportId = Guid.NewGuid().ToString("N"),
        }, HttpStatusCode.Created);
        Objects["need"] = need.GetProperty("needId").GetString()!;

        (Objects["device"], TianheDevice) = await DeviceAsync("shipai-officer", "440106008");
        (_, YuexiuDevice) = await DeviceAsync("beijing-officer", "440104002");
        var upload = await Fx.Http.As(TianheDevice, HttpMethod.Post, "api/disaster/uploads",
            new { fileName = "flood.jpg", contentType = "image/jpeg", size = 1000, incidentId = Objects["incident"] });
        Objects["upload"] = (await upload.JsonAsync()).GetProperty("id").GetString()!;

        var application = await Created("citizen-zhang", "api/assistance/applications", AssistanceApi.Application(DemoHouseholds.Eligible),
            HttpStatusCode.Created, HttpStatusCode.Accepted, HttpStatusCode.OK);
        Objects["application"] = application.GetProperty("id").GetString()!;
        var prereview = await Fx.Http.PostJsonAsync("api/catalog/services/GZ-SA-001/prereviews", new { facts = new { householdInGuangzhou = true } });
        Objects["prereview"] = (await prereview.JsonAsync()).GetProperty("id").GetString()!;

        // The need is dispatched by the platform (outbox → workflow); wait for its dispatch.
        var approver = await Fx.TokenAsync("tianhe-approver");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !Objects.ContainsKey("dispatch"))
        {
            var view = await (await Fx.Http.As(approver, HttpMethod.Get, $"api/disaster/needs/{Objects["need"]}")).JsonAsync();
            if (view.TryGetProperty("dispatchId", out var d) && d.ValueKind == JsonValueKind.String) Objects["dispatch"] = d.GetString()!;
            else await Task.Delay(500);
        }
        Assert.True(Objects.ContainsKey("dispatch"), "the need was not dispatched");
        WeChatCitizen = await Fx.NewWeChatCitizenAsync();
    }

    public Task DisposeAsync() => Fx.DisposeAsync();
}

/// <summary>
/// The generic bad-input and authorization suite. It walks every HTTP function of the app — its route, method, declared
/// access rule (reflection) and request schema and query parameters (the OpenAPI document) — and:
/// <list type="bullet">
/// <item>sends hostile input of every kind the outside tester used (malformed and truncated JSON, wrong JSON types, control
/// characters, noncharacters, lone surrogates, invalid UTF-8, extreme numbers and dates, huge and deeply nested bodies,
/// unterminated multipart, hostile path and query values): every answer must be a 4xx problem with a code (or a harmless
/// success), never a 5xx or a stack trace;</item>
/// <item>tries every write that names an object from another jurisdiction and as another citizen: the answer must be a
/// refusal and the same as for an object that does not exist (nothing learnt), and the objects must be unchanged.</item>
/// </list>
/// Case counts are printed.
/// </summary>
public class HostileInputTests(HostileWorld world, ITestOutputHelper output) : IClassFixture<HostileWorld>
{
    const string GhostUlid = "01JCZ8ZZZZZZZZZZZZZZZZZZZZ";
    RuntimeFixture Fx => world.Fx;

    sealed record Operation(string Name, string Method, string Route, Permission? Permission, bool Public, JsonObject? BodySchema, IReadOnlyList<string> Query);

    sealed record Case(string Function, string What, HttpRequestMessage Request);

    // ---- the functions, from reflection and the OpenAPI document -------------------------------------------------------

    static readonly Lazy<IReadOnlyList<FunctionDescriptor>> Functions = new(() =>
        FunctionIndex.Discover(FunctionIndex.AppAssemblies(FunctionsRuntime.AppAssembly)).Where(f => f.Kind == TriggerKind.Http).ToList());

    async Task<IReadOnlyList<Operation>> OperationsAsync()
    {
        var doc = JsonNode.Parse(await (await Fx.Http.GetAsync("api/openapi.json")).Content.ReadAsStringAsync())!.AsObject();
        var schemas = doc["components"]!["schemas"]!.AsObject();
        var operations = new List<Operation>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (verb, node) in item!.AsObject())
            {
                var op = node!.AsObject();
                var name = op["operationId"]!.GetValue<string>();
                var function = Functions.Value.Single(f => f.Name == name);
                var rule = function.Method.GetCustomAttribute<RequirePermissionAttribute>();
                JsonObject? body = null;
                if (op["requestBody"]?["content"]?["application/json"]?["schema"] is JsonObject schema) body = Resolve(schema, schemas);
                var query = (op["parameters"] as JsonArray ?? []).Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()).ToList();
                operations.Add(new Operation(name, verb.ToUpperInvariant(), path.TrimStart('/'), rule?.Permission,
                    function.Method.GetCustomAttribute<PublicEndpointAttribute>() is not null, body, query));
            }
        // Every HTTP function of the app is in the document, so the suite covers every one.
        Assert.Equal(Functions.Value.Select(f => f.Name).Order(), operations.Select(o => o.Name).Distinct().Order());
        return operations;
    }

    /// <summary>The schema with every <c>$ref</c> replaced by its definition (to a small depth: schemas here are trees).</summary>
    static JsonObject Resolve(JsonObject schema, JsonObject schemas, int depth = 0)
    {
        if (schema["$ref"] is JsonValue r && depth < 6)
            return Resolve(schemas[r.GetValue<string>().Split('/')[^1]]!.AsObject(), schemas, depth + 1);
        var copy = schema.DeepClone().AsObject();
        if (copy["properties"] is JsonObject props)
            foreach (var key in props.Select(p => p.Key).ToList())
                props[key] = props[key] is JsonObject sub ? Resolve(sub, schemas, depth + 1) : new JsonObject(); // `true`: any JSON
        if (copy["items"] is JsonObject items) copy["items"] = Resolve(items, schemas, depth + 1);
        return copy;
    }

    static string[] Types(JsonObject s) => s["type"] switch
    {
        JsonArray a => a.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray(),
        JsonValue v => [v.GetValue<string>()],
        _ => s["properties"] is not null ? ["object"] : [],
    };

    // ---- plausible values: what a client would send, with the world's objects where a field names one ------------------

    /// <summary>Which world object a body field or path parameter names.</summary>
    static string? ObjectOf(string route, string name) => name switch
    {
        "incidentId" => "incident",
        "needId" => "need",
        "teamId" => "team",
        "warehouseId" => "warehouse",
        "photoUploadId" or "uploadId" => "upload",
        "deviceId" => "device",
        "applicationId" => "application",
        "code" when route.StartsWith("catalog/", StringComparison.Ordinal) => "code",
        "month" => "month",
        "district" => "district",
        "index" => null,
        "objectionId" => null,
        "id" => route.Split('/') switch
        {
            ["assistance", "applications", ..] => "application",
            ["catalog", "prereviews", ..] => "prereview",
            [_, "disaster", "incidents", ..] => "incident",
            ["disaster", var kind, ..] => kind switch
            {
                "devices" => "device", "dispatches" => "dispatch", "incidents" => "incident", "needs" => "need",
                "teams" => "team", "uploads" => "upload", "warehouses" => "warehouse", _ => null,
            },
            ["persons", ..] => "person",
            _ => null,
        },
        _ => null,
    };

    static string Ghost(string kind) => kind switch
    {
        "team" => "TH-GHOST-TEAM",
        "warehouse" => "GZ-GHOST-01",
        "code" => "GZ-XX-999",
        "month" => "202001",
        "district" => "440199",
        _ => GhostUlid,
    };

    string Real(string kind) => world.Objects[kind];

    JsonNode? Plausible(JsonObject schema, string route, string field, bool ghost, int depth = 0)
    {
        if (depth > 0 && ObjectOf(route, field) is { } kind && kind is not ("code" or "month" or "district"))
            return ghost ? Ghost(kind) : Real(kind);
        if (schema["enum"] is JsonArray values) return values.FirstOrDefault(v => v is not null)?.DeepClone();
        var types = Types(schema);
        var format = schema["format"]?.GetValue<string>();
        if (types.Contains("object") && schema["properties"] is JsonObject props)
        {
            var obj = new JsonObject();
            foreach (var (name, sub) in props)
                obj[name] = Plausible(sub!.AsObject(), route, name, ghost, depth + 1);
            return obj;
        }
        if (types.Contains("array"))
            return schema["items"] is JsonObject items ? new JsonArray(Plausible(items, route, field, ghost, depth + 1)) : new JsonArray();
        if (types.Contains("boolean")) return true;
        if (types.Contains("integer")) return 1;
        if (types.Contains("number")) return field is "latitude" or "lat" ? 23.13 : field is "longitude" or "lon" ? 113.33 : 1;
        return format switch
        {
            "date-time" => DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"),
            "date" => DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd"),
            _ => field switch
            {
                "idNumber" => ghost ? RuntimeFixture.NewIdNumber("440106", new DateOnly(1966, 6, 6)) : Real("idNumber"),
                "jurisdiction" => "440106008001",
                "phone" or "contactPhone" => "13800138000",
                "month" => Real("month"),
                "district" => "440106",
                "name" => "测试名称",
                _ => "安全测试填写的内容",
            },
        };
    }

    string PathFor(Operation op, bool ghost, Func<string, string?>? overrideParam = null) =>
        System.Text.RegularExpressions.Regex.Replace(op.Route, @"\{(\w+)\}", m =>
        {
            var name = m.Groups[1].Value;
            if (overrideParam?.Invoke(name) is { } value) return value;
            if (name == "index") return "0";
            return ObjectOf(op.Route, name) is { } kind ? (ghost ? Ghost(kind) : Real(kind)) : GhostUlid;
        });

    // ---- who calls ---------------------------------------------------------------------------------------------------

    static readonly string[] HomeStaff = ["tianhe-approver", "shipai-officer", "huashi-worker", "city-admin", "auditor", "partner-police"];

    /// <summary>A caller the function lets in, at home in 天河 (or the object's own citizen).</summary>
    async Task<string?> HomeCallerAsync(Operation op)
    {
        if (op.Permission is not { } permission) return null;
        if (permission == Permission.OwnAccount) return world.WeChatCitizen;
        var roles = AccessPolicy.RolesFor(permission);
        if (roles.Contains(Role.Device) && !roles.Contains(Role.CommunityWorker)) return world.TianheDevice;
        foreach (var account in HomeStaff)
            if (roles.Contains(DevelopmentIdentityProvider.Accounts.Single(a => a.Id == account).Role)) return await Fx.TokenAsync(account);
        if (roles.Contains(Role.Citizen)) return await Fx.TokenAsync("citizen-zhang");
        return world.TianheDevice;
    }

    /// <summary>Callers with the same permission but another jurisdiction (越秀), or another citizen (李娜), or another district's device.</summary>
    async Task<IReadOnlyList<(string Who, string Token)>> ForeignCallersAsync(Permission permission)
    {
        var roles = AccessPolicy.RolesFor(permission);
        var result = new List<(string, string)>();
        foreach (var (account, role) in new[] { ("yuexiu-approver", Role.DistrictApprover), ("beijing-officer", Role.StreetOfficer), ("yanyunxi-worker", Role.CommunityWorker), ("citizen-li", Role.Citizen) })
            if (roles.Contains(role)) result.Add((account, await Fx.TokenAsync(account)));
        if (roles.Contains(Role.Device)) result.Add(("越秀 device", world.YuexiuDevice));
        return result;
    }

    static HttpRequestMessage Request(string method, string path, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // One address per request so the per-address limits do not turn the suite into 429s.
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.18.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}");
        return request;
    }

    static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    static HttpContent Raw(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    // ---- hostile values ------------------------------------------------------------------------------------------------

    /// <summary>Hostile JSON texts for a string field (escaped, so the JSON itself is well-formed).</summary>
    static readonly (string What, string Json)[] HostileStrings =
    [
        ("control character", "\"ADV\\u0001ADV\""),
        ("NUL", "\"\\u0000\""),
        ("noncharacter U+FFFE", "\"\\ufffe\""),
        ("lone high surrogate", "\"ADV\\ud800X\""),
        ("lone low surrogate", "\"\\udc00\""),
        ("bidi override", "\"\\u202eevil\""),
        ("10 000 characters", "\"" + new string('长', 10_000) + "\""),
        ("empty", "\"\""),
        ("markup", "\"<script>alert(1)</script>&amp;]]>\""),
        ("OData injection", "\"' or PartitionKey ne '\""),
        ("number instead of string", "12345"),
        ("object instead of string", "{\"a\":1}"),
    ];

    static readonly (string What, string Json)[] HostileNumbers =
    [
        ("decimal max", "79228162514264337593543950335"),
        ("beyond double", "1e400"),
        ("negative", "-1"),
        ("fraction", "0.0000001"),
        ("huge integer", "99999999999999999999999999"),
        ("string", "\"NaN\""),
    ];

    static readonly (string What, string Json)[] HostileDates =
    [
        ("year 1", "\"0001-01-01T00:00:00+00:00\""),
        ("year 9999", "\"9999-12-31T23:59:59.9999999+00:00\""),
        ("not a date", "\"yesterday\""),
        ("date only 0001", "\"0001-01-01\""),
    ];

    static readonly string[] HostileParamValues =
    [
        "%00", "%01x", "%EF%BF%BE", "%FF%FE", "%ED%A0%80", new string('a', 3000), "-1", "99999999999999999999999", "1e400",
        "0001-01-01T00:00:00Z", "bogus", "'%20or%20''%3D'", "..%2F..%2Fhealth", "%E4%B8%AD%E6%96%87",
    ];

    static readonly (string What, byte[] Bytes)[] HostileBodies =
    [
        ("empty", []),
        ("truncated JSON", "{\"a\":"u8.ToArray()),
        ("an open brace", "{"u8.ToArray()),
        ("a JSON array", "[]"u8.ToArray()),
        ("a JSON string", "\"x\""u8.ToArray()),
        ("a JSON number", "42"u8.ToArray()),
        ("JSON null", "null"u8.ToArray()),
        ("JSON with a trailing comma", "{\"a\":1,}"u8.ToArray()),
        ("JSON with comments", "{/*x*/\"a\":1}"u8.ToArray()),
        ("two JSON documents", "{}{}"u8.ToArray()),
        ("a control character in a key", "{\"\\u0001\":1}"u8.ToArray()),
        ("raw invalid UTF-8", [.. "{\"name\":\""u8, 0xFF, 0xFE, .. "ADV\",\"level\":\""u8, 0xC3, 0x28, .. "\"}"u8]),
        ("a BOM", [0xEF, 0xBB, 0xBF, .. "{}"u8]),
        ("UTF-16", Encoding.Unicode.GetBytes("{\"a\":\"b\"}")),
        ("nesting 5000 deep", Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000))),
        ("3 MB", Encoding.ASCII.GetBytes("{\"a\":\"" + new string('x', 3 * 1024 * 1024) + "\"}")),
    ];

    static readonly (string What, string ContentType, byte[] Bytes)[] HostileForms =
    [
        ("unterminated multipart", "multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 partial"u8.ToArray()),
        ("multipart without boundary", "multipart/form-data", "--abc\r\n\r\n"u8.ToArray()),
        ("multipart with a wrong boundary", "multipart/form-data; boundary=zzz", "--abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--abc--\r\n"u8.ToArray()),
        ("empty multipart", "multipart/form-data; boundary=abc", "--abc--\r\n"u8.ToArray()),
        ("a part without headers", "multipart/form-data; boundary=abc", "--abc\r\n\r\n\r\n--abc--\r\n"u8.ToArray()),
        ("form-urlencoded", "application/x-www-form-urlencoded", "a=%FF%00&b"u8.ToArray()),
        ("text/plain", "text/plain; charset=utf-8", "hello"u8.ToArray()),
        ("octet-stream", "application/octet-stream", new byte[] { 0, 1, 2, 3, 0xFF }),
    ];

    IEnumerable<Case> HostileCases(Operation op, string? token)
    {
        var path = PathFor(op, ghost: false);
        // Path parameters.
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(op.Route, @"\{(\w+)\}"))
            foreach (var value in HostileParamValues)
                yield return new Case(op.Name, $"path {m.Groups[1].Value}={value[..Math.Min(20, value.Length)]}",
                    Request(op.Method, PathFor(op, false, n => n == m.Groups[1].Value ? value : null), token, op.Method == "GET" ? null : Json("{}")));
        // Query parameters.
        foreach (var q in op.Query)
            foreach (var value in HostileParamValues)
                yield return new Case(op.Name, $"query {q}={value[..Math.Min(20, value.Length)]}",
                    Request(op.Method, $"{path}?{q}={value}", token, op.Method == "GET" ? null : Json("{}")));
        if (op.Method == "GET") yield break;
        // Whole bodies.
        foreach (var (what, bytes) in HostileBodies)
            yield return new Case(op.Name, "body: " + what, Request(op.Method, path, token, Raw(bytes, "application/json")));
        foreach (var (what, contentType, bytes) in HostileForms)
            yield return new Case(op.Name, "body: " + what, Request(op.Method, path, token, Raw(bytes, contentType)));
        if (op.BodySchema is null) yield break;
        // One field at a time, in an otherwise plausible body.
        foreach (var (field, schema, setter) in Fields(op.BodySchema, (JsonObject)Plausible(op.BodySchema, op.Route, "", false)!))
        {
            var types = Types(schema);
            var format = schema["format"]?.GetValue<string>();
            var values = format is "date-time" or "date" ? HostileDates.Concat(HostileStrings.Take(4))
                : types.Contains("integer") || types.Contains("number") ? HostileNumbers
                : types.Contains("string") || schema["enum"] is not null ? HostileStrings
                : types.Contains("array") ? [("100 000 items", "[" + string.Join(',', Enumerable.Repeat("\"x\"", 100_000)) + "]"), ("a string", "\"x\"")]
                : types.Contains("object") ? [("a string", "\"x\""), ("an array", "[1]")]
                : HostileStrings.Take(4);
            foreach (var (what, json) in values)
                yield return new Case(op.Name, $"{field}: {what}", Request(op.Method, path, token, Json(setter(json))));
        }
    }

    const string Slot = "\"__HOSTILE__\"";

    /// <summary>Every field of the body (one level of nested objects included) with a function that writes a raw JSON value into it.</summary>
    static IEnumerable<(string Field, JsonObject Schema, Func<string, string> Set)> Fields(JsonObject schema, JsonObject plausible, int depth = 0)
    {
        if (schema["properties"] is not JsonObject props) yield break;
        foreach (var (name, sub) in props)
        {
            var subSchema = sub!.AsObject();
            yield return (name, subSchema, json =>
            {
                var body = plausible.DeepClone().AsObject();
                body[name] = "__HOSTILE__";
                return body.ToJsonString().Replace(Slot, json);
            });
            if (depth == 0 && Types(subSchema).Contains("object") && plausible[name] is JsonObject inner)
                foreach (var nested in Fields(subSchema, inner, depth + 1))
                    yield return (name + "." + nested.Field, nested.Schema, json =>
                    {
                        var body = plausible.DeepClone().AsObject();
                        body[name] = JsonNode.Parse(nested.Set(Slot));
                        return body.ToJsonString().Replace(Slot, json);
                    });
        }
    }

    async Task<List<(Case Case, HttpStatusCode Status, string? Code, string Body)>> SendAllAsync(IEnumerable<Case> cases, int parallel = 6)
    {
        var results = new ConcurrentBag<(Case, HttpStatusCode, string?, string)>();
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await Fx.Http.SendAsync(c.Request);
                var body = await response.Content.ReadAsStringAsync();
                string? code = null;
                if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                    try { code = JsonDocument.Parse(body).RootElement.GetProperty("code").GetString(); } catch (Exception) { code = null; }
                results.Add((c, response.StatusCode, code, body));
            }
            finally { gate.Release(); c.Request.Dispose(); }
        }));
        return [.. results];
    }

    // ---- the tests -----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Every_http_function_answers_hostile_input_with_a_problem_and_never_a_5xx()
    {
        var operations = await OperationsAsync();
        var cases = new List<Case>();
        foreach (var op in operations)
            cases.AddRange(HostileCases(op, await HomeCallerAsync(op)));
        var results = await SendAllAsync(cases);

        var failures = new List<string>();
        foreach (var (c, status, code, body) in results)
        {
            var s = (int)status;
            if (s >= 500) failures.Add($"{c.Function} [{c.What}]: {s} {body[..Math.Min(200, body.Length)]}");
            // A path the HTTP server itself refuses (a NUL in it) or routes nowhere never reaches a function: an empty 400/404.
            else if (s >= 400 && code is null && !(s is 400 or 404 or 405 && body.Length == 0 && c.What.StartsWith("path ", StringComparison.Ordinal)))
                failures.Add($"{c.Function} [{c.What}]: {s} without a problem code: {body[..Math.Min(200, body.Length)]}");
            if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
                failures.Add($"{c.Function} [{c.What}]: the answer shows internals");
        }
        var byStatus = results.GroupBy(r => (int)r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}");
        var message = $"Hostile input: {results.Count} cases over {operations.Count} HTTP functions; answers {string.Join(", ", byStatus)}; {failures.Count} failures.";
        output.WriteLine(message);
        Console.WriteLine(message);
        foreach (var f in failures.Take(60)) output.WriteLine(f);
        Assert.True(results.Count > 2000, message);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Every_write_that_names_an_object_is_refused_from_another_jurisdiction_or_citizen_and_learns_nothing()
    {
        var operations = (await OperationsAsync())
            .Where(o => o.Method is "POST" or "PUT" or "PATCH" or "DELETE" && o.Permission is { } p && p != Permission.OwnAccount)
            .ToList();
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var cases = 0;
        foreach (var op in operations)
        {
            var namesObject = op.Route.Contains('{') || (op.BodySchema?["properties"] as JsonObject)?.Any(p => ObjectOf(op.Route, p.Key) is not null || p.Key is "idNumber" or "jurisdiction") == true;
            if (!namesObject) continue;
            foreach (var (who, token) in await ForeignCallersAsync(op.Permission!.Value))
            {
                // Another citizen is foreign to what a citizen owns (their application, their person); a disaster incident
                // is public, and any resident may report a need into it.
                if (who == "citizen-li" && !NamesCitizensObject(op)) continue;
                HttpRequestMessage Build(bool ghost) => Request(op.Method, PathFor(op, ghost), token,
                    op.BodySchema is null ? Json("{}") : Json(Plausible(op.BodySchema, op.Route, "", ghost)!.ToJsonString()));
                var real = (await SendAllAsync([new Case(op.Name, who, Build(false))], 1)).Single();
                var ghost = (await SendAllAsync([new Case(op.Name, who, Build(true))], 1)).Single();
                cases++;
                if ((int)real.Status < 400 || (int)real.Status >= 500)
                    failures.Add($"{op.Name} as {who}: {(int)real.Status} {real.Body[..Math.Min(200, real.Body.Length)]}");
                else if (op.Route.Contains('{') || op.BodySchema?["properties"] is JsonObject props && props.Any(p => ObjectOf(op.Route, p.Key) is not null))
                    if (real.Status != ghost.Status || real.Code != ghost.Code)
                        failures.Add($"{op.Name} as {who}: a 天河 object answers {(int)real.Status} {real.Code}, a missing one {(int)ghost.Status} {ghost.Code}");
            }
        }
        var after = await SnapshotAsync();
        foreach (var (what, json) in before)
            if (after[what] != json) failures.Add($"{what} changed:\n  before {json}\n  after  {after[what]}");

        var message = $"Foreign writes: {cases} cases over {operations.Count} write functions; {failures.Count} failures.";
        output.WriteLine(message);
        Console.WriteLine(message);
        foreach (var f in failures) output.WriteLine(f);
        Assert.True(cases > 40, message);
        Assert.Empty(failures);
    }

    static bool NamesCitizensObject(Operation op) =>
        op.Route.StartsWith("assistance/applications/", StringComparison.Ordinal) || op.Route.StartsWith("persons", StringComparison.Ordinal)
        || (op.BodySchema?["properties"] as JsonObject)?.Any(p => p.Key is "idNumber" or "applicationId") == true;

    /// <summary>The world's objects as their owners read them.</summary>
    async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var approver = await Fx.TokenAsync("tianhe-approver");
        var reads = new Dictionary<string, (string Token, string Url)>
        {
            ["incident"] = (approver, $"api/disaster/incidents/{Real("incident")}"),
            ["need"] = (approver, $"api/disaster/needs/{Real("need")}"),
            ["team"] = (approver, $"api/disaster/teams/{Real("team")}"),
            ["warehouse stock"] = (approver, $"api/disaster/warehouses/{Real("warehouse")}/stock"),
            ["device"] = (approver, $"api/disaster/devices/{Real("device")}"),
            ["upload"] = (world.TianheDevice, $"api/disaster/uploads/{Real("upload")}"),
            ["application"] = (await Fx.TokenAsync("citizen-zhang"), $"api/assistance/applications/{Real("application")}"),
            ["person"] = (await Fx.TokenAsync("shipai-officer"), $"api/persons/{Real("person")}"),
        };
        var result = new Dictionary<string, string>();
        foreach (var (what, (token, url)) in reads)
        {
            var response = await Fx.Http.As(token, HttpMethod.Get, url);
            Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode}");
            result[what] = await response.Content.ReadAsStringAsync();
        }
        return result;
    }
}
