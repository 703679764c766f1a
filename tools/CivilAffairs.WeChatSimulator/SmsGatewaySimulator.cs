using System.Collections.Concurrent;
using System.Text.Json;

namespace CivilAffairs.WeChatSimulator;

/// <summary>A text message the simulated SMS gateway accepted.</summary>
public sealed record SimulatedSms(string Id, string To, string Text, string Sign, DateTimeOffset At);

/// <summary>
/// A stand-in for the bureau's SMS gateway (a service outside the bureau, like WeChat), served beside the WeChat simulator:
/// <c>POST /sms/v1/messages</c> with <c>Authorization: Bearer &lt;key&gt;</c> and <c>{ "to", "text", "sign" }</c> answers
/// <c>202 { "messageId" }</c> (400 for a malformed number or text, 401 for a wrong key). Simulator only:
/// <c>GET /__sim/sms?to=</c> lists what a phone received (so a test, or a developer, can read a verification code).
/// </summary>
internal static class SmsGatewaySimulator
{
    public const string ApiKey = "sms-simulator-key";

    public static void Map(WebApplication app, ConcurrentQueue<SimulatedSms> inbox)
    {
        app.MapPost("/sms/v1/messages", async (HttpRequest request) =>
        {
            if (request.Headers.Authorization.ToString() != "Bearer " + ApiKey) return Results.Json(new { error = "unauthorized" }, statusCode: 401);
            SmsBody? body;
            try { body = await JsonSerializer.DeserializeAsync<SmsBody>(request.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web)); }
            catch (JsonException) { body = null; }
            if (body is not { To.Length: 11, Text.Length: > 0 and <= 500 } || !body.To.All(char.IsAsciiDigit) || body.To[0] != '1')
                return Results.Json(new { error = "invalid message" }, statusCode: 400);
            var sms = new SimulatedSms(Guid.NewGuid().ToString("N"), body.To, body.Text, body.Sign ?? "", DateTimeOffset.UtcNow);
            inbox.Enqueue(sms);
            while (inbox.Count > 1000 && inbox.TryDequeue(out _)) { }
            return Results.Json(new { messageId = sms.Id }, statusCode: 202);
        });
        app.MapGet("/__sim/sms", (HttpRequest request) =>
        {
            var to = request.Query["to"].ToString();
            return Results.Json(inbox.Where(m => to.Length == 0 || m.To == to).Reverse().ToList(), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        });
    }

    sealed record SmsBody(string? To, string? Text, string? Sign);
}
