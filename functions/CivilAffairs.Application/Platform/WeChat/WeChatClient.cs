using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.WeChat;

/// <summary>
/// The WeChat server API the platform uses, with the official shapes: mini-program login
/// (<c>GET /sns/jscode2session</c>), access tokens (<c>POST /cgi-bin/stable_token</c> or
/// <c>GET /cgi-bin/token</c>) and subscribe messages (<c>POST /cgi-bin/message/subscribe/send</c>).
/// </summary>
/// <remarks>
/// <para>Access tokens are cached per (base URL, app id, endpoint) for the whole process, so every
/// instance of this typed client shares them, until 5 minutes before they expire; a send
/// answered with 40001/42001 drops the token and is retried once with a fresh one.</para>
/// <para>Transient failures (network errors, timeouts, HTTP 5xx, errcode -1) are retried twice
/// with a short backoff for token and send calls, never for <c>jscode2session</c> (a login code
/// is single-use).</para>
/// <para>Logs carry operations and errcodes only: never the secret, a code, a session key, an
/// openid or an access token.</para>
/// </remarks>
public sealed partial class WeChatClient(HttpClient http, IOptions<WeChatOptions> options, TimeProvider clock, ILogger<WeChatClient> logger)
{
    private const int MaxTransientRetries = 2;
    private const string CodeToSessionOperation = "code2Session";
    private const string StableTokenOperation = "getStableAccessToken";
    private const string TokenOperation = "getAccessToken";
    private const string SendOperation = "subscribeMessage.send";
    private static readonly TimeSpan TokenRefreshMargin = TimeSpan.FromMinutes(5);
    private static readonly JsonSerializerOptions PayloadJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ConcurrentDictionary<string, TokenSlot> TokenCache = new(StringComparer.Ordinal);

    private readonly WeChatOptions _options = options.Value;

    /// <summary>Exchanges a <c>wx.login</c> code for the user's identity (auth.code2Session).</summary>
    /// <exception cref="WeChatApiException">WeChat rejected the code (<see cref="WeChatApiException.IsInvalidCode"/>, 40226, -1...).</exception>
    /// <exception cref="HttpRequestException">WeChat could not be reached or answered HTTP 5xx.</exception>
    /// <exception cref="TimeoutException">WeChat did not answer within <see cref="WeChatOptions.Timeout"/>.</exception>
    public async Task<WeChatSession> CodeToSessionAsync(string code, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        EnsureConfigured();
        var uri = Endpoint("sns/jscode2session"
            + $"?appid={Uri.EscapeDataString(_options.AppId)}&secret={Uri.EscapeDataString(_options.AppSecret)}"
            + $"&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code");

        using var body = await CallAsync(CodeToSessionOperation, () => new HttpRequestMessage(HttpMethod.Get, uri), retryTransient: false, ct);
        var (errCode, errMsg) = Error(body);
        if (errCode != 0)
        {
            LogCallFailed(logger, CodeToSessionOperation, errCode);
            throw new WeChatApiException(errCode, errMsg);
        }
        var root = body.RootElement;
        var openId = String(root, "openid");
        var sessionKey = String(root, "session_key");
        if (string.IsNullOrEmpty(openId) || string.IsNullOrEmpty(sessionKey))
            throw Malformed(CodeToSessionOperation, HttpStatusCode.OK);
        return new WeChatSession(openId, String(root, "unionid") is { Length: > 0 } unionId ? unionId : null, sessionKey);
    }

    /// <summary>Sends a subscribe message (subscribeMessage.send) the user agreed to receive.</summary>
    /// <param name="openId">The recipient.</param>
    /// <param name="templateId">The subscribe template.</param>
    /// <param name="page">The mini-program page the card opens (with query), or null for none.</param>
    /// <param name="data">Template values by key (<c>thing1</c>, <c>time2</c>...).</param>
    /// <returns>Delivered with WeChat's msgid, or <see cref="WeChatSendResult.Refused"/> when the user opted out (43101).</returns>
    /// <exception cref="WeChatApiException">WeChat rejected the message (40003, 40037, 47003...) or the token request.</exception>
    /// <exception cref="HttpRequestException">WeChat could not be reached or answered HTTP 5xx, after retries.</exception>
    /// <exception cref="TimeoutException">WeChat did not answer within <see cref="WeChatOptions.Timeout"/>, after retries.</exception>
    public async Task<WeChatSendResult> SendSubscribeMessageAsync(string openId, string templateId, string? page, IReadOnlyDictionary<string, string> data, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(openId);
        ArgumentException.ThrowIfNullOrWhiteSpace(templateId);
        ArgumentNullException.ThrowIfNull(data);
        EnsureConfigured();

        var values = new JsonObject();
        foreach (var (key, value) in data) values[key] = new JsonObject { ["value"] = value };
        var payload = new JsonObject { ["touser"] = openId, ["template_id"] = templateId };
        if (!string.IsNullOrEmpty(page)) payload["page"] = page;
        payload["data"] = values;
        if (!string.IsNullOrEmpty(_options.MiniprogramState)) payload["miniprogram_state"] = _options.MiniprogramState;
        if (!string.IsNullOrEmpty(_options.Lang)) payload["lang"] = _options.Lang;
        var json = payload.ToJsonString(PayloadJson);

        for (var refreshed = false; ; refreshed = true)
        {
            var token = await GetAccessTokenAsync(ct);
            var uri = Endpoint($"cgi-bin/message/subscribe/send?access_token={Uri.EscapeDataString(token.Value)}");
            using var body = await CallAsync(SendOperation, () => new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            }, retryTransient: true, ct);

            var (errCode, errMsg) = Error(body);
            switch (errCode)
            {
                case 0:
                    return WeChatSendResult.Sent(body.RootElement.TryGetProperty("msgid", out var msgId) && msgId.TryGetInt64(out var id) ? id : null);
                case WeChatErrorCodes.InvalidCredential or WeChatErrorCodes.AccessTokenExpired when !refreshed:
                    LogTokenRejected(logger, errCode);
                    InvalidateAccessToken(token);
                    continue;
                case WeChatErrorCodes.UserRefused:
                    LogSendRefused(logger, errCode);
                    return WeChatSendResult.UserRefused;
                default:
                    LogCallFailed(logger, SendOperation, errCode);
                    throw new WeChatApiException(errCode, errMsg);
            }
        }
    }

    // ---- access token ---------------------------------------------------------------------

    private async Task<CachedToken> GetAccessTokenAsync(CancellationToken ct)
    {
        var slot = TokenCache.GetOrAdd(CacheKey(), _ => new TokenSlot());
        if (Volatile.Read(ref slot.Current) is { } cached && clock.GetUtcNow() < cached.RefreshAt) return cached;

        await slot.Gate.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref slot.Current) is { } current && clock.GetUtcNow() < current.RefreshAt) return current;
            var fetched = await FetchAccessTokenAsync(ct);
            Volatile.Write(ref slot.Current, fetched);
            return fetched;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private void InvalidateAccessToken(CachedToken token)
    {
        if (TokenCache.TryGetValue(CacheKey(), out var slot))
            Interlocked.CompareExchange(ref slot.Current, null, token);
    }

    private async Task<CachedToken> FetchAccessTokenAsync(CancellationToken ct)
    {
        string operation;
        Func<HttpRequestMessage> request;
        if (_options.UseStableToken)
        {
            operation = StableTokenOperation;
            var json = new JsonObject
            {
                ["grant_type"] = "client_credential",
                ["appid"] = _options.AppId,
                ["secret"] = _options.AppSecret,
                ["force_refresh"] = false,
            }.ToJsonString();
            var uri = Endpoint("cgi-bin/stable_token");
            request = () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
        else
        {
            operation = TokenOperation;
            var uri = Endpoint($"cgi-bin/token?grant_type=client_credential&appid={Uri.EscapeDataString(_options.AppId)}&secret={Uri.EscapeDataString(_options.AppSecret)}");
            request = () => new HttpRequestMessage(HttpMethod.Get, uri);
        }

        using var body = await CallAsync(operation, request, retryTransient: true, ct);
        var (errCode, errMsg) = Error(body);
        if (errCode != 0)
        {
            LogCallFailed(logger, operation, errCode);
            throw new WeChatApiException(errCode, errMsg);
        }
        var root = body.RootElement;
        var token = String(root, "access_token");
        if (string.IsNullOrEmpty(token) || !root.TryGetProperty("expires_in", out var e) || !e.TryGetInt32(out var expiresIn) || expiresIn <= 0)
            throw Malformed(operation, HttpStatusCode.OK);

        var lifetime = TimeSpan.FromSeconds(expiresIn);
        // Refresh 5 minutes early; a short-lived token (WeChat guarantees ≥ 300 s) is kept for half its life.
        var margin = lifetime > 2 * TokenRefreshMargin ? TokenRefreshMargin : lifetime / 2;
        LogTokenFetched(logger, operation, expiresIn);
        return new CachedToken(token, clock.GetUtcNow() + lifetime - margin);
    }

    private string CacheKey() => $"{(_options.UseStableToken ? "stable" : "token")}|{BaseUri()}|{_options.AppId}";

    // ---- transport ------------------------------------------------------------------------

    /// <summary>
    /// One API call: returns the JSON body (errcode included) or throws after the transient
    /// failures allowed by <paramref name="retryTransient"/>.
    /// </summary>
    private async Task<JsonDocument> CallAsync(string operation, Func<HttpRequestMessage> createRequest, bool retryTransient, CancellationToken ct)
    {
        var timeout = _options.Timeout > TimeSpan.Zero ? _options.Timeout : Timeout.InfiniteTimeSpan;
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = retryTransient && attempt < MaxTransientRetries;
            string reason;
            try
            {
                using var timeoutCts = new CancellationTokenSource(timeout, clock);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
                using var request = createRequest();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
                if ((int)response.StatusCode >= 500)
                    throw new HttpRequestException($"WeChat {operation} answered HTTP {(int)response.StatusCode}.", null, response.StatusCode);

                var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token);
                JsonDocument body;
                try
                {
                    body = JsonDocument.Parse(bytes);
                }
                catch (JsonException)
                {
                    throw Malformed(operation, response.StatusCode);
                }
                if (body.RootElement.ValueKind != JsonValueKind.Object || (!response.IsSuccessStatusCode && !body.RootElement.TryGetProperty("errcode", out _)))
                {
                    body.Dispose();
                    throw Malformed(operation, response.StatusCode);
                }

                if (Error(body).ErrCode != WeChatErrorCodes.SystemError || !canRetry) return body;
                body.Dispose();
                reason = "errcode -1";
            }
            catch (HttpRequestException ex) when (canRetry && ex.StatusCode is null or >= HttpStatusCode.InternalServerError)
            {
                reason = ex.StatusCode is { } status ? $"HTTP {(int)status}" : $"network error {ex.HttpRequestError}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (!canRetry) throw new TimeoutException($"WeChat {operation} did not answer within {timeout.TotalSeconds:0.#} s.");
                reason = "timeout";
            }

            var delay = TimeSpan.FromMilliseconds(200 * (1 << attempt) + Random.Shared.Next(0, 100));
            LogTransientRetry(logger, operation, attempt + 1, reason, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, clock, ct);
        }
    }

    private Uri Endpoint(string relative) =>
        http.BaseAddress is null ? new Uri(BaseUri(), relative) : new Uri(relative, UriKind.Relative);

    private Uri BaseUri() => http.BaseAddress ?? _options.BaseUri();

    private void EnsureConfigured()
    {
        if (string.IsNullOrEmpty(_options.AppId) || string.IsNullOrEmpty(_options.AppSecret))
            throw new InvalidOperationException("WeChat is not configured: set WeChat__AppId and WeChat__AppSecret.");
    }

    private static (int ErrCode, string ErrMsg) Error(JsonDocument body)
    {
        var root = body.RootElement;
        var code = root.TryGetProperty("errcode", out var c) && c.TryGetInt32(out var value) ? value : 0;
        return (code, String(root, "errmsg") ?? "");
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static HttpRequestException Malformed(string operation, HttpStatusCode status) =>
        new($"WeChat {operation} answered HTTP {(int)status} with an unexpected body.", null, status);

    private sealed class TokenSlot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public CachedToken? Current;
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);

    // ---- logging (operations and errcodes only) -------------------------------------------

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "WeChat {Operation} failed with errcode {ErrCode}")]
    private static partial void LogCallFailed(ILogger logger, string operation, int errCode);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "WeChat rejected the cached access token (errcode {ErrCode}); fetching a new one")]
    private static partial void LogTokenRejected(ILogger logger, int errCode);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "WeChat subscribe message not delivered: the user refused it (errcode {ErrCode})")]
    private static partial void LogSendRefused(ILogger logger, int errCode);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "WeChat access token fetched with {Operation}, valid for {ExpiresIn} s")]
    private static partial void LogTokenFetched(ILogger logger, string operation, int expiresIn);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "WeChat {Operation} attempt {Attempt} failed transiently ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogTransientRetry(ILogger logger, string operation, int attempt, string reason, long delayMs);
}
