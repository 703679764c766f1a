namespace CivilAffairs.Application.Platform.WeChat;

/// <summary>
/// The WeChat mini-program the platform signs citizens in with and sends subscribe messages
/// from; bound from the configuration section <c>WeChat</c> (app settings <c>WeChat__BaseUrl</c>,
/// <c>WeChat__AppId</c>, <c>WeChat__AppSecret</c>).
/// </summary>
public sealed class WeChatOptions
{
    public const string SectionName = "WeChat";

    /// <summary>The API root: <c>https://api.weixin.qq.com</c>, or the simulator on one machine.</summary>
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com";

    /// <summary>The mini-program app id.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The mini-program app secret (a Key Vault reference in Azure). Never logged.</summary>
    public string AppSecret { get; set; } = "";

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Fetch access tokens from <c>POST /cgi-bin/stable_token</c> (default; WeChat's recommended
    /// endpoint) instead of <c>GET /cgi-bin/token</c>.
    /// </summary>
    public bool UseStableToken { get; set; } = true;

    /// <summary>
    /// <c>miniprogram_state</c> of subscribe messages (the mini-program version the card opens:
    /// <c>developer</c>, <c>trial</c> or <c>formal</c>); null leaves it to WeChat (formal).
    /// </summary>
    public string? MiniprogramState { get; set; }

    /// <summary><c>lang</c> of subscribe messages (zh_CN, en_US, zh_HK, zh_TW).</summary>
    public string Lang { get; set; } = "zh_CN";

    /// <summary><see cref="BaseUrl"/> as a base address ending with a slash.</summary>
    internal Uri BaseUri() => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/", UriKind.Absolute);
}
