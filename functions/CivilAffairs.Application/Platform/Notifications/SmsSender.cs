using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Notifications;

/// <summary>The SMS gateway (section <c>Sms</c>): base URL, API key (from Key Vault in Azure) and the signature shown to the recipient.</summary>
public sealed class SmsOptions
{
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public string Sign { get; set; } = "广州民政";
}

/// <summary>Sends a text message to a mobile number (verification codes).</summary>
public interface ISmsSender
{
    /// <summary>False when no gateway is configured.</summary>
    bool Available { get; }
    Task SendAsync(string mobile, string text, CancellationToken ct);
}

/// <summary>
/// The SMS gateway over HTTP: <c>POST {BaseUrl}/sms/v1/messages</c>, <c>Authorization: Bearer {ApiKey}</c>,
/// <c>{ "to", "text", "sign" }</c> → 2xx. Numbers and texts never reach the logs (the request loggers are removed).
/// </summary>
public sealed class HttpSmsSender(HttpClient http, IOptions<SmsOptions> options) : ISmsSender
{
    public bool Available => options.Value.BaseUrl is { Length: > 0 };

    public async Task SendAsync(string mobile, string text, CancellationToken ct)
    {
        var o = options.Value;
        if (!Available) throw new InvalidOperationException("No SMS gateway is configured (Sms:BaseUrl).");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(o.BaseUrl!.TrimEnd('/') + "/"), "sms/v1/messages"))
        {
            Content = JsonContent.Create(new { to = mobile, text, sign = o.Sign }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.ApiKey ?? "");
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"SMS gateway answered {(int)response.StatusCode}.", null, response.StatusCode);
    }
}

public static class SmsRegistration
{
    public static IServiceCollection AddSms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmsOptions>().Bind(configuration.GetSection("Sms"));
        services.AddHttpClient<ISmsSender, HttpSmsSender>(http => http.Timeout = TimeSpan.FromSeconds(15)).RemoveAllLoggers();
        return services;
    }
}
