using System.Security.Cryptography;

namespace CivilAffairs.WeChatSimulator;

/// <summary>A subscribe message the simulator accepted for delivery.</summary>
public sealed record SimulatedSubscribeMessage(
    long MsgId,
    string ToUser,
    string TemplateId,
    string? Page,
    string? MiniprogramState,
    string? Lang,
    IReadOnlyDictionary<string, string> Data,
    DateTimeOffset SentAt);

/// <summary>Request counters of a <see cref="WeChatSimulatorHost"/>.</summary>
public sealed record SimulatorStats(int TokenRequests, int CodeToSessionRequests, int SubscribeSendRequests, int MessagesDelivered);

/// <summary>The simulated APIs a fault can be injected into.</summary>
public static class SimulatedApi
{
    /// <summary><c>GET /sns/jscode2session</c>.</summary>
    public const string CodeToSession = "jscode2session";

    /// <summary><c>GET /cgi-bin/token</c> and <c>POST /cgi-bin/stable_token</c>.</summary>
    public const string Token = "token";

    /// <summary><c>POST /cgi-bin/message/subscribe/send</c>.</summary>
    public const string SubscribeSend = "subscribe_send";

    internal static bool IsKnown(string api) => api is CodeToSession or Token or SubscribeSend;
}

internal enum CodeRedemption { Invalid, Used, Redeemed }

internal enum TokenCheck { Missing, Invalid, Expired, Valid }

internal sealed record InjectedFault(int? ErrCode, int? HttpStatus);

/// <summary>The simulator's in-memory state; every member is thread-safe (one lock).</summary>
internal sealed class SimulatorState
{
    private const string CodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string TokenAlphabet = CodeAlphabet + "_-";
    private const int MaxMessages = 1000;
    private static readonly TimeSpan TokenOverlap = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CodeRetention = TimeSpan.FromMinutes(30);

    private readonly object _gate = new();
    private readonly Dictionary<string, SimulatedUser> _usersByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedUser> _usersByOpenId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoginCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingFault>> _faults = new(StringComparer.Ordinal);
    private readonly List<SimulatedSubscribeMessage> _messages = [];
    private string? _stableToken;
    private string? _legacyToken;
    private long _nextMsgId;
    private int _tokenRequests, _codeToSessionRequests, _sendRequests, _delivered;

    public SimulatorState(WeChatSimulatorOptions options)
    {
        Options = options;
        Clock = options.Clock ?? TimeProvider.System;
        Users = options.Users is { Count: > 0 } users ? users : WeChatSimulatorOptions.DefaultUsers;
        foreach (var user in Users)
        {
            if (!_usersByKey.TryAdd(user.Key, user)) throw new ArgumentException($"Duplicate simulated user key '{user.Key}'.", nameof(options));
            if (!_usersByOpenId.TryAdd(user.OpenId, user)) throw new ArgumentException($"Duplicate simulated openid for user '{user.Key}'.", nameof(options));
        }
        _nextMsgId = 2_800_000_000_000_000_000 + RandomNumberGenerator.GetInt32(1_000_000) * 1_000L;
    }

    public WeChatSimulatorOptions Options { get; }

    public TimeProvider Clock { get; }

    public IReadOnlyList<SimulatedUser> Users { get; }

    /// <summary>Every user, the configured ones and those added since (<see cref="AddUser"/>).</summary>
    public IReadOnlyList<SimulatedUser> AllUsers()
    {
        lock (_gate) return _usersByKey.Values.ToList();
    }

    /// <summary>A new WeChat user (someone installing the mini-program): a fresh openid; null when the key is taken.</summary>
    public SimulatedUser? AddUser(string key, string? nickname)
    {
        lock (_gate)
        {
            if (_usersByKey.ContainsKey(key)) return null;
            var user = new SimulatedUser(key, "o" + RandomNumberGenerator.GetString(TokenAlphabet, 27), null, nickname ?? key);
            _usersByKey[key] = user;
            _usersByOpenId[user.OpenId] = user;
            return user;
        }
    }

    public SimulatedUser? FindUserByOpenId(string openId)
    {
        lock (_gate) return _usersByOpenId.GetValueOrDefault(openId);
    }

    // ---- wx.login codes -------------------------------------------------------------------

    public string? IssueCode(string userKey)
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            if (!_usersByKey.TryGetValue(userKey, out var user)) return null;
            foreach (var stale in _codes.Where(c => now - c.Value.IssuedAt > CodeRetention).Select(c => c.Key).ToList())
                _codes.Remove(stale);
            string code;
            do code = RandomNumberGenerator.GetString(CodeAlphabet, 32);
            while (_codes.ContainsKey(code));
            _codes[code] = new LoginCode(user, now);
            return code;
        }
    }

    public CodeRedemption RedeemCode(string code, out SimulatedUser? user)
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            user = null;
            if (!_codes.TryGetValue(code, out var entry)) return CodeRedemption.Invalid;
            if (entry.Used) return CodeRedemption.Used;
            if (now - entry.IssuedAt > Options.CodeLifetime) return CodeRedemption.Invalid;
            entry.Used = true;
            user = entry.User;
            return CodeRedemption.Redeemed;
        }
    }

    public static string NewSessionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    // ---- access tokens --------------------------------------------------------------------

    /// <summary><c>/cgi-bin/token</c>: every call issues a new token; the previous one keeps working for 5 minutes.</summary>
    public (string Token, int ExpiresIn) IssueLegacyToken()
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            if (_legacyToken is not null && _tokens.TryGetValue(_legacyToken, out var previous) && previous.ExpiresAt > now + TokenOverlap)
                previous.ExpiresAt = now + TokenOverlap;
            var token = NewToken(now);
            _legacyToken = token;
            return (token, (int)Options.AccessTokenLifetime.TotalSeconds);
        }
    }

    /// <summary>
    /// <c>/cgi-bin/stable_token</c>: normal mode returns the current token while it has more than
    /// 5 minutes left (a new one afterwards, the old one staying valid until it expires);
    /// force_refresh revokes the current token and issues a new one.
    /// </summary>
    public (string Token, int ExpiresIn) IssueStableToken(bool forceRefresh)
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            if (_stableToken is not null && _tokens.TryGetValue(_stableToken, out var current))
            {
                if (forceRefresh) current.ExpiresAt = now;
                else if (current.ExpiresAt - now > TokenOverlap) return (_stableToken, (int)(current.ExpiresAt - now).TotalSeconds);
            }
            var token = NewToken(now);
            _stableToken = token;
            return (token, (int)Options.AccessTokenLifetime.TotalSeconds);
        }
    }

    public TokenCheck CheckToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) return TokenCheck.Missing;
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            if (!_tokens.TryGetValue(token, out var issued)) return TokenCheck.Invalid;
            return issued.ExpiresAt > now ? TokenCheck.Valid : TokenCheck.Expired;
        }
    }

    /// <summary>Makes every issued access token expired (callers get 42001 and must fetch a new one).</summary>
    public int ExpireTokens()
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            var count = 0;
            foreach (var token in _tokens.Values.Where(t => t.ExpiresAt > now))
            {
                token.ExpiresAt = now;
                count++;
            }
            return count;
        }
    }

    private string NewToken(DateTimeOffset now)
    {
        foreach (var stale in _tokens.Where(t => now - t.Value.ExpiresAt > TimeSpan.FromDays(1)).Select(t => t.Key).ToList())
            _tokens.Remove(stale);
        string token;
        do token = "94_" + RandomNumberGenerator.GetString(TokenAlphabet, 120);
        while (_tokens.ContainsKey(token));
        _tokens[token] = new IssuedToken(now + Options.AccessTokenLifetime);
        return token;
    }

    // ---- subscribe messages ---------------------------------------------------------------

    public SimulatedSubscribeMessage Deliver(string toUser, string templateId, string? page, string? state, string? lang, IReadOnlyDictionary<string, string> data)
    {
        var now = Clock.GetUtcNow();
        lock (_gate)
        {
            var message = new SimulatedSubscribeMessage(++_nextMsgId, toUser, templateId, page, state, lang, data, now);
            _messages.Add(message);
            if (_messages.Count > MaxMessages) _messages.RemoveRange(0, _messages.Count - MaxMessages);
            _delivered++;
            return message;
        }
    }

    public IReadOnlyList<SimulatedSubscribeMessage> Messages(string? toUser)
    {
        lock (_gate)
            return _messages.Where(m => string.IsNullOrEmpty(toUser) || m.ToUser == toUser).ToList();
    }

    // ---- counters and faults --------------------------------------------------------------

    public void CountTokenRequest() => Interlocked.Increment(ref _tokenRequests);

    public void CountCodeToSessionRequest() => Interlocked.Increment(ref _codeToSessionRequests);

    public void CountSendRequest() => Interlocked.Increment(ref _sendRequests);

    public SimulatorStats Stats() => new(Volatile.Read(ref _tokenRequests), Volatile.Read(ref _codeToSessionRequests), Volatile.Read(ref _sendRequests), Volatile.Read(ref _delivered));

    /// <summary>Queues a fault for the next <paramref name="times"/> calls of the API (after faults already queued).</summary>
    public void InjectFault(string api, InjectedFault fault, int times)
    {
        if (times <= 0) return;
        lock (_gate)
        {
            if (!_faults.TryGetValue(api, out var queue)) _faults[api] = queue = [];
            queue.Add(new PendingFault(fault, times));
        }
    }

    public void ClearFaults()
    {
        lock (_gate) _faults.Clear();
    }

    /// <summary>Takes one pending fault for the API, if any.</summary>
    public InjectedFault? TakeFault(string api)
    {
        lock (_gate)
        {
            if (!_faults.TryGetValue(api, out var queue) || queue.Count == 0) return null;
            var head = queue[0];
            if (--head.Remaining == 0) queue.RemoveAt(0);
            return head.Fault;
        }
    }

    private sealed class PendingFault(InjectedFault fault, int remaining)
    {
        public InjectedFault Fault { get; } = fault;
        public int Remaining { get; set; } = remaining;
    }

    private sealed class LoginCode(SimulatedUser user, DateTimeOffset issuedAt)
    {
        public SimulatedUser User { get; } = user;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public bool Used { get; set; }
    }

    private sealed class IssuedToken(DateTimeOffset expiresAt)
    {
        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
    }
}
