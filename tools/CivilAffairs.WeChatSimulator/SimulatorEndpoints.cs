using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CivilAffairs.WeChatSimulator;

/// <summary>
/// The official API shapes (errors are HTTP 200 with an <c>errcode</c>/<c>errmsg</c> body, as
/// WeChat answers) plus the simulator-only <c>/__sim/*</c> endpoints.
/// </summary>
internal static class SimulatorEndpoints
{
    private static readonly JsonSerializerOptions WeChatJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions SimJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HashSet<string> MiniprogramStates = ["developer", "trial", "formal"];
    private static readonly HashSet<string> Languages = ["zh_CN", "en_US", "zh_HK", "zh_TW"];

    public static void Map(WebApplication app, SimulatorState state)
    {
        app.MapGet("/sns/jscode2session", (HttpRequest request) => CodeToSession(request, state));
        app.MapGet("/cgi-bin/token", (HttpRequest request) => Token(request, state));
        app.MapPost("/cgi-bin/stable_token", (HttpRequest request) => StableToken(request, state));
        app.MapGet("/cgi-bin/stable_token", () => Error(43002, "require POST method"));
        app.MapPost("/cgi-bin/message/subscribe/send", (HttpRequest request) => SubscribeSend(request, state));

        var sim = app.MapGroup("/__sim");
        sim.MapPost("/login", (HttpRequest request) => Login(request, state));
        sim.MapGet("/users", () => Sim(state.AllUsers().Select(u => new { u.Key, u.OpenId, u.UnionId, u.Nickname })));
        sim.MapPost("/users", (HttpRequest request) => AddUser(request, state));
        sim.MapGet("/messages", (HttpRequest request) => Sim(state.Messages(request.Query["touser"].ToString())));
        sim.MapGet("/stats", () => Sim(state.Stats()));
        sim.MapPost("/expire-tokens", () => Sim(new { expired = state.ExpireTokens() }));
        sim.MapPost("/faults", (HttpRequest request) => InjectFault(request, state));
        sim.MapDelete("/faults", () =>
        {
            state.ClearFaults();
            return Results.NoContent();
        });
    }

    // ---- GET /sns/jscode2session ----------------------------------------------------------

    private static IResult CodeToSession(HttpRequest request, SimulatorState state)
    {
        state.CountCodeToSessionRequest();
        if (state.TakeFault(SimulatedApi.CodeToSession) is { } fault) return Fault(fault);
        var query = request.Query;
        if (CheckCredentials(state, query["appid"].ToString(), query["secret"].ToString()) is { } credentialError) return credentialError;
        if (query["grant_type"].ToString() != "authorization_code") return Error(40002, "invalid grant_type");
        var code = query["js_code"].ToString();
        if (code.Length == 0) return Error(41008, "missing code");

        switch (state.RedeemCode(code, out var user))
        {
            case CodeRedemption.Used:
                return Error(40163, "code been used");
            case CodeRedemption.Invalid:
                return Error(40029, "invalid code");
        }
        if (user!.Key.StartsWith("blocked", StringComparison.OrdinalIgnoreCase)) return Error(40226, "code blocked");

        var body = new JsonObject { ["session_key"] = SimulatorState.NewSessionKey(), ["openid"] = user.OpenId };
        if (user.UnionId is not null) body["unionid"] = user.UnionId;
        return WeChat(body);
    }

    // ---- access tokens --------------------------------------------------------------------

    private static IResult Token(HttpRequest request, SimulatorState state)
    {
        state.CountTokenRequest();
        if (state.TakeFault(SimulatedApi.Token) is { } fault) return Fault(fault);
        var query = request.Query;
        if (query["grant_type"].ToString() != "client_credential") return Error(40002, "invalid grant_type");
        if (CheckCredentials(state, query["appid"].ToString(), query["secret"].ToString()) is { } credentialError) return credentialError;
        var (token, expiresIn) = state.IssueLegacyToken();
        return WeChat(new JsonObject { ["access_token"] = token, ["expires_in"] = expiresIn });
    }

    private static async Task<IResult> StableToken(HttpRequest request, SimulatorState state)
    {
        state.CountTokenRequest();
        if (state.TakeFault(SimulatedApi.Token) is { } fault) return Fault(fault);
        if (await ReadJsonObject(request) is not { } body) return Error(47001, "data format error");
        if (String(body, "grant_type") != "client_credential") return Error(40002, "invalid grant_type");
        if (CheckCredentials(state, String(body, "appid"), String(body, "secret")) is { } credentialError) return credentialError;
        var forceRefresh = body["force_refresh"] switch
        {
            null => false,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            JsonValue v when v.TryGetValue<string>(out var s) && bool.TryParse(s, out var b) => b,
            _ => (bool?)null,
        };
        if (forceRefresh is null) return Error(47001, "data format error");
        var (token, expiresIn) = state.IssueStableToken(forceRefresh.Value);
        return WeChat(new JsonObject { ["access_token"] = token, ["expires_in"] = expiresIn });
    }

    // ---- POST /cgi-bin/message/subscribe/send ---------------------------------------------

    private static async Task<IResult> SubscribeSend(HttpRequest request, SimulatorState state)
    {
        state.CountSendRequest();
        if (state.TakeFault(SimulatedApi.SubscribeSend) is { } fault) return Fault(fault);
        switch (state.CheckToken(request.Query["access_token"].ToString()))
        {
            case TokenCheck.Missing:
                return Error(41001, "access_token missing");
            case TokenCheck.Invalid:
                return Error(40001, "invalid credential, access_token is invalid or not latest");
            case TokenCheck.Expired:
                return Error(42001, "access_token expired");
        }
        if (await ReadJsonObject(request) is not { } body) return Error(47001, "data format error");

        var toUser = String(body, "touser");
        if (string.IsNullOrEmpty(toUser) || state.FindUserByOpenId(toUser) is not { } user) return Error(40003, "invalid openid");

        var templateId = String(body, "template_id");
        var templates = state.Options.TemplateIds;
        var templateOk = !string.IsNullOrEmpty(templateId)
            && (templates is { Count: > 0 } ? templates.Contains(templateId, StringComparer.Ordinal) : SubscribeMessageRules.DefaultTemplateId().IsMatch(templateId));
        if (!templateOk) return Error(40037, "invalid template_id");

        if (body["page"] is not (null or JsonValue)) return Error(47003, "argument invalid! page invalid");
        var page = String(body, "page");
        var miniprogramState = String(body, "miniprogram_state");
        if (miniprogramState is not null && !MiniprogramStates.Contains(miniprogramState)) return Error(47003, "argument invalid! miniprogram_state invalid");
        var lang = String(body, "lang");
        if (lang is not null && !Languages.Contains(lang)) return Error(47003, "argument invalid! lang invalid");

        if (body["data"] is not JsonObject data || data.Count == 0) return Error(47003, "argument invalid! data is empty");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, item) in data)
        {
            var value = item is JsonObject o ? o["value"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
                _ => null,
            } : null;
            if (value is null || !SubscribeMessageRules.IsValid(key, value)) return Error(47003, $"argument invalid! data.{key}.value invalid");
            values[key] = value;
        }

        if (user.Key.Contains("refuse", StringComparison.OrdinalIgnoreCase)) return Error(43101, "user refuse to accept the msg");

        var message = state.Deliver(toUser, templateId!, page, miniprogramState, lang, values);
        return WeChat(new JsonObject { ["errcode"] = 0, ["errmsg"] = "ok", ["msgid"] = message.MsgId });
    }

    // ---- /__sim ---------------------------------------------------------------------------

    private static async Task<IResult> Login(HttpRequest request, SimulatorState state)
    {
        var body = await ReadJsonObject(request);
        var key = body is null ? null : String(body, "user");
        if (string.IsNullOrEmpty(key)) return Results.Json(new { error = "body must be {\"user\":\"<key>\"}" }, SimJson, statusCode: 400);
        return state.IssueCode(key) is { } code
            ? Sim(new { code })
            : Results.Json(new { error = $"unknown user '{key}'" }, SimJson, statusCode: 404);
    }

    private static async Task<IResult> AddUser(HttpRequest request, SimulatorState state)
    {
        var body = await ReadJsonObject(request);
        var key = body is null ? null : String(body, "user");
        if (string.IsNullOrEmpty(key) || key.Length > 64) return Results.Json(new { error = "body must be {\"user\":\"<key>\",\"nickname\":\"...\"}" }, SimJson, statusCode: 400);
        return state.AddUser(key, String(body!, "nickname")) is { } user
            ? Results.Json(new { user.Key, user.OpenId, user.Nickname }, SimJson, statusCode: 201)
            : Results.Json(new { error = $"user '{key}' exists" }, SimJson, statusCode: 409);
    }

    private static async Task<IResult> InjectFault(HttpRequest request, SimulatorState state)
    {
        var body = await ReadJsonObject(request);
        var api = body is null ? null : String(body, "api");
        if (api is null || !SimulatedApi.IsKnown(api))
            return Results.Json(new { error = $"api must be one of {SimulatedApi.CodeToSession}, {SimulatedApi.Token}, {SimulatedApi.SubscribeSend}" }, SimJson, statusCode: 400);
        var errcode = Int(body!, "errcode");
        var httpStatus = Int(body!, "httpStatus");
        var times = Int(body!, "times") ?? 1;
        if (times <= 0) return Results.Json(new { error = "times must be positive" }, SimJson, statusCode: 400);
        state.InjectFault(api, new InjectedFault(httpStatus is null ? errcode ?? -1 : null, httpStatus), times);
        return Sim(new { api, errcode = httpStatus is null ? errcode ?? -1 : (int?)null, httpStatus, times });
    }

    // ---- helpers --------------------------------------------------------------------------

    private static IResult? CheckCredentials(SimulatorState state, string? appId, string? secret)
    {
        if (string.IsNullOrEmpty(appId)) return Error(41002, "appid missing");
        if (appId != state.Options.AppId) return Error(40013, "invalid appid");
        if (string.IsNullOrEmpty(secret)) return Error(41004, "appsecret missing");
        if (secret != state.Options.AppSecret) return Error(40125, "invalid appsecret");
        return null;
    }

    private static IResult Fault(InjectedFault fault) => fault.HttpStatus is { } status
        ? Results.Text("simulated upstream failure", "text/plain", Encoding.UTF8, status)
        : Error(fault.ErrCode ?? -1, fault.ErrCode is null or -1 ? "system error" : "simulated error");

    private static IResult Error(int errcode, string errmsg) => WeChat(new JsonObject { ["errcode"] = errcode, ["errmsg"] = errmsg });

    private static IResult WeChat(JsonObject body) =>
        Results.Text(body.ToJsonString(WeChatJson), "application/json; charset=utf-8", Encoding.UTF8, StatusCodes.Status200OK);

    private static IResult Sim<T>(T value) => Results.Json(value, SimJson);

    private static async Task<JsonObject?> ReadJsonObject(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}
