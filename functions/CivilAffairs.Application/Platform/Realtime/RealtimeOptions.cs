namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>
/// The SignalR service the platform pushes through; bound from the section <c>SignalR</c>
/// (app settings <c>SignalR__Endpoint</c> and <c>SignalR__AccessKey</c>).
/// </summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "SignalR";

    /// <summary><c>https://name.service.signalr.net</c> in Azure; the runtime's own base URL on one machine.</summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// The access key that signs REST and client tokens (HS256 over its UTF-8 bytes, as the Azure
    /// SDK does). A Key Vault reference in Azure. Empty: Microsoft Entra ID (managed identity) is
    /// used for REST calls and a temporary signing key is fetched from the service. Never logged.
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>Data-plane REST API version (<c>/api/hubs/{hub}/...?api-version=</c>).</summary>
    public string ApiVersion { get; set; } = "2022-06-01";

    /// <summary>Lifetime of the client access tokens returned by negotiate.</summary>
    public TimeSpan ClientTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of the tokens that authenticate one REST call.</summary>
    public TimeSpan RestTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one REST call.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The endpoint without a trailing slash; throws when it is missing or not an absolute http(s) URL.</summary>
    internal string BaseUrl()
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new RealtimeException("configuration", null, "SignalR:Endpoint is not configured as an absolute http(s) URL.");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }
}
