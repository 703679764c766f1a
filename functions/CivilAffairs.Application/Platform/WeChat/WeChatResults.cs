namespace CivilAffairs.Application.Platform.WeChat;

/// <summary>What <c>code2Session</c> returns for a <c>wx.login</c> code.</summary>
/// <param name="OpenId">The user's id under this mini-program.</param>
/// <param name="UnionId">The user's id across the Open Platform account, when the app is bound to one.</param>
/// <param name="SessionKey">The key WeChat encrypts the user's data with; keep it server-side, never log it.</param>
public sealed record WeChatSession(string OpenId, string? UnionId, string SessionKey)
{
    /// <summary>Redacted: the identifiers and the session key are personal data / secrets.</summary>
    public override string ToString() => $"WeChatSession {{ OpenId = ***, UnionId = {(UnionId is null ? "null" : "***")}, SessionKey = *** }}";
}

/// <summary>The outcome of a subscribe message that WeChat did not reject as invalid.</summary>
/// <param name="MsgId">WeChat's message id, when it returned one.</param>
/// <param name="Refused">
/// True when WeChat answered 43101: the user did not accept (or cancelled) the subscription; the
/// message was not delivered and retrying will not help until the user subscribes again.
/// </param>
public sealed record WeChatSendResult(long? MsgId, bool Refused)
{
    public bool Delivered => !Refused;

    internal static WeChatSendResult Sent(long? msgId) => new(msgId, false);

    internal static WeChatSendResult UserRefused { get; } = new(null, true);
}

/// <summary>A WeChat API call answered with a non-zero <c>errcode</c>.</summary>
public sealed class WeChatApiException(int errCode, string errMsg)
    : Exception($"WeChat API error {errCode}: {errMsg}")
{
    public int ErrCode { get; } = errCode;

    public string ErrMsg { get; } = errMsg;

    /// <summary>The login code is unknown, expired (40029) or was already used (40163): ask the mini-program to call <c>wx.login</c> again.</summary>
    public bool IsInvalidCode => ErrCode is WeChatErrorCodes.InvalidCode or WeChatErrorCodes.CodeBeenUsed;

    /// <summary>WeChat refused the login of a high-risk user (40226).</summary>
    public bool IsHighRiskUser => ErrCode == WeChatErrorCodes.CodeBlocked;

    /// <summary>WeChat was busy (-1); the call may succeed later.</summary>
    public bool IsTransient => ErrCode == WeChatErrorCodes.SystemError;
}

/// <summary>The official error codes the adapter acts on.</summary>
public static class WeChatErrorCodes
{
    /// <summary>System busy, try again later.</summary>
    public const int SystemError = -1;
    /// <summary>access_token invalid or not the latest (also: wrong secret when fetching it).</summary>
    public const int InvalidCredential = 40001;
    /// <summary>Invalid grant_type.</summary>
    public const int InvalidGrantType = 40002;
    /// <summary>touser is not a valid openid.</summary>
    public const int InvalidOpenId = 40003;
    /// <summary>Invalid appid.</summary>
    public const int InvalidAppId = 40013;
    /// <summary>js_code unknown or expired.</summary>
    public const int InvalidCode = 40029;
    /// <summary>Invalid subscribe template id.</summary>
    public const int InvalidTemplateId = 40037;
    /// <summary>Invalid appsecret.</summary>
    public const int InvalidAppSecret = 40125;
    /// <summary>js_code already used.</summary>
    public const int CodeBeenUsed = 40163;
    /// <summary>Login of a high-risk user blocked.</summary>
    public const int CodeBlocked = 40226;
    /// <summary>access_token expired.</summary>
    public const int AccessTokenExpired = 42001;
    /// <summary>The user refused (or cancelled) the subscription.</summary>
    public const int UserRefused = 43101;
    /// <summary>Template data invalid (empty, too long, wrong format); errmsg names the field.</summary>
    public const int ArgumentInvalid = 47003;
}
