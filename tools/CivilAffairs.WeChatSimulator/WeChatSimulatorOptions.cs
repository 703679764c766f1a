namespace CivilAffairs.WeChatSimulator;

/// <summary>A WeChat user known to the simulator.</summary>
/// <param name="Key">
/// The handle used by <c>POST /__sim/login</c>. Keys starting with <c>blocked</c> are treated as
/// high-risk users (code2Session answers 40226); keys containing <c>refuse</c> have opted out of
/// subscribe messages (send answers 43101).
/// </param>
/// <param name="OpenId">The user's openid under the simulated mini-program.</param>
/// <param name="UnionId">The user's unionid, or null when the app is not bound to an Open Platform account.</param>
/// <param name="Nickname">A display name for development screens.</param>
public sealed record SimulatedUser(string Key, string OpenId, string? UnionId, string Nickname);

/// <summary>Settings of a <see cref="WeChatSimulatorHost"/>.</summary>
public sealed class WeChatSimulatorOptions
{
    /// <summary>The mini-program app id the simulator accepts (a development value, not a real app).</summary>
    public const string DefaultAppId = "wx503e12b47fa42f93";

    /// <summary>The app secret the simulator accepts (a development value, not a real secret).</summary>
    public const string DefaultAppSecret = "ceaf2ffbf3e0b6e9aba45ee6ebc57f45";

    /// <summary>TCP port on 127.0.0.1; 0 picks a free port (read it back from <see cref="WeChatSimulatorHost.BaseAddress"/>).</summary>
    public int Port { get; set; }

    public string AppId { get; set; } = DefaultAppId;

    public string AppSecret { get; set; } = DefaultAppSecret;

    /// <summary>The users; empty means <see cref="DefaultUsers"/>.</summary>
    public IReadOnlyList<SimulatedUser> Users { get; set; } = [];

    /// <summary>
    /// Subscribe-message template ids that are accepted. Null or empty accepts any id matching
    /// <c>^[A-Za-z0-9_-]{10,}$</c>.
    /// </summary>
    public IReadOnlyList<string>? TemplateIds { get; set; }

    /// <summary>How long a <c>wx.login</c> code stays valid (WeChat: 5 minutes).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of an issued access token (WeChat: 7200 s).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>The simulator's clock (code and token expiry); the system clock when null.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>
    /// The demo users. Their openids are fixed so demo data can bind them to citizen records.
    /// </summary>
    public static IReadOnlyList<SimulatedUser> DefaultUsers { get; } =
    [
        new("citizen-zhang", "oRHtUVQcDMpg0TMkxpdzPaEMM1ZA", "o7V0FhHVJWDBt2hWdQZUm14Qhoxh", "张伟"),
        new("citizen-li", "oLPAbQcEFUV2fsjGHb6HrlEOS47W", "ogjKCu-0xxKhg5QjWV1mKaUyvBPs", "李娜"),
        new("citizen-wang", "o0jSO2Jkf08MMF1ulMMCw3XVy27d", null, "王芳"),
        new("blocked-user", "oFanUrOSE62chn4xdeJg1Kza5Kxx", null, "高风险用户"),
        new("refuse-user", "oGWfvmaQtKnP-VSGVBrYSuIb9OZi", "oFZ3HLKv797TPNbpjava1bMZwIMl", "拒收用户"),
    ];
}
