using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.WeChat;

public static class WeChatRegistration
{
    /// <summary>
    /// Registers <see cref="WeChatOptions"/> (section <c>WeChat</c>) and <see cref="WeChatClient"/>
    /// as a typed HttpClient whose base address is <see cref="WeChatOptions.BaseUrl"/>.
    /// </summary>
    /// <remarks>
    /// The HttpClientFactory request loggers are removed: WeChat puts the app secret, login codes
    /// and access tokens in query strings, which must not reach the logs. The client logs
    /// operations and errcodes itself.
    /// </remarks>
    public static IServiceCollection AddCivilAffairsWeChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WeChatOptions>()
            .Bind(configuration.GetSection(WeChatOptions.SectionName))
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "WeChat:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "WeChat:Timeout must be positive.");
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<WeChatClient>((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<WeChatOptions>>().Value.BaseUri();
                // WeChatClient applies WeChatOptions.Timeout to each attempt itself.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllLoggers();
        return services;
    }
}
