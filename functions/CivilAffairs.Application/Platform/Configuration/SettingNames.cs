namespace CivilAffairs.Application.Platform.Configuration;

/// <summary>
/// Every configuration key the function app reads when it runs in Azure, in the flat
/// app-setting form (<c>__</c> separates sections). Code reads settings only through
/// these names, and the infrastructure tests compare this list with the app settings
/// that <c>infra/main.bicep</c> writes, so a key can never exist on one side only.
/// </summary>
public static class SettingNames
{
    /// <summary>Connection name (not itself a setting in Azure) used by queue triggers, Durable Functions and the app's own clients.</summary>
    public static readonly string StorageConnection = "AzureWebJobsStorage";

    // ---- Storage (identity-based: service URIs + managed identity; no keys) ----
    public const string StorageBlobServiceUri = "AzureWebJobsStorage__blobServiceUri";
    public const string StorageQueueServiceUri = "AzureWebJobsStorage__queueServiceUri";
    public const string StorageTableServiceUri = "AzureWebJobsStorage__tableServiceUri";
    public const string StorageCredential = "AzureWebJobsStorage__credential";
    public const string StorageClientId = "AzureWebJobsStorage__clientId";

    // ---- Monitoring (identity-based ingestion) ----
    public const string AppInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AppInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    // ---- Service catalogue ----
    /// <summary>Six-field NCRONTAB schedule of the daily pre-review statistics (timer uses %CatalogStatisticsSchedule%).</summary>
    public const string CatalogStatisticsSchedule = "CatalogStatisticsSchedule";
    /// <summary>Six-field NCRONTAB schedule of the sweep for silent 平安通 terminals (timer uses %ElderlyWelfareCheckSchedule%).</summary>
    public const string ElderlyWelfareCheckSchedule = "ElderlyWelfareCheckSchedule";
    /// <summary>How long a stored pre-review stays valid (TimeSpan, e.g. 30.00:00:00).</summary>
    public const string CatalogPreReviewValidity = "Catalog__PreReviewValidity";

    // ---- Elderly care: institutions ----
    /// <summary>Six-field NCRONTAB schedule (UTC) of the daily recomputation of institutions' star ratings (timer uses %ElderlyInstitutionRatingSchedule%).</summary>
    public const string ElderlyInstitutionRatingSchedule = "ElderlyInstitutionRatingSchedule";

    // ---- Funeral: custody of remains ----
    /// <summary>Six-field NCRONTAB schedule (UTC) of the custody deadline sweep (timer uses %FuneralCustodyAlertSchedule%).</summary>
    public const string FuneralCustodyAlertSchedule = "FuneralCustodyAlertSchedule";

    // ---- Provisioned for the security layer and service areas (read by their code) ----
    // Written by infra/modules/functionapp.bicep; values come from the Bicep, secrets as Key Vault references.

    /// <summary>Client id of the app's user-assigned managed identity; Azure.Identity's DefaultAzureCredential/ManagedIdentityCredential read it.</summary>
    public const string AzureClientId = "AZURE_CLIENT_ID";

    /// <summary>Key Vault URI (e.g. https://kv-xxxx.vault.azure.net/) holding the field-encryption and blind-index master keys.</summary>
    public const string KeyVaultUri = "KeyVault__Uri";
    /// <summary>Name of the Key Vault secret holding the field-encryption (SM4) master key.</summary>
    public const string KeyVaultFieldEncryptionKeySecretName = "KeyVault__FieldEncryptionKeySecretName";
    /// <summary>Name of the Key Vault secret holding the blind-index (keyed hash) key.</summary>
    public const string KeyVaultBlindIndexKeySecretName = "KeyVault__BlindIndexKeySecretName";
    /// <summary>Name of the Key Vault secret whose enabled versions are the certificate-signing (SM2) key secrets; the newest signs.</summary>
    public const string KeyVaultCertificateSigningKeySecretName = "KeyVault__CertificateSigningKeySecretName";

    /// <summary>Fully qualified Service Bus namespace (host name, no scheme) for the identity-based domain-events sender.</summary>
    public const string EventsServiceBusNamespace = "Events__ServiceBusNamespace";
    /// <summary>Service Bus topic that receives the outbound domain events.</summary>
    public const string EventsTopic = "Events__Topic";

    /// <summary>Azure SignalR Service endpoint (https://name.service.signalr.net), serverless mode, REST API.</summary>
    public const string SignalREndpoint = "SignalR__Endpoint";
    /// <summary>SignalR access key used to sign the REST/client JWTs (a Key Vault reference in Azure).</summary>
    public const string SignalRAccessKey = "SignalR__AccessKey";

    /// <summary>Azure AI Vision endpoint (Image Analysis 4.0 REST).</summary>
    public const string VisionEndpoint = "Vision__Endpoint";
    /// <summary>Azure AI Vision key (a Key Vault reference in Azure).</summary>
    public const string VisionKey = "Vision__Key";

    /// <summary>Entra ID authority host for staff sign-in (cloud-specific, e.g. https://login.microsoftonline.com/).</summary>
    public const string EntraInstance = "Identity__Entra__Instance";
    /// <summary>Entra ID tenant of the bureau's staff.</summary>
    public const string EntraTenantId = "Identity__Entra__TenantId";
    /// <summary>Audience (application id URI or client id) of the staff API app registration.</summary>
    public const string EntraAudience = "Identity__Entra__Audience";

    /// <summary>WeChat API base URL (https://api.weixin.qq.com; a simulator on one machine).</summary>
    public const string WeChatBaseUrl = "WeChat__BaseUrl";
    /// <summary>WeChat mini-program / official-account app id.</summary>
    public const string WeChatAppId = "WeChat__AppId";
    /// <summary>WeChat app secret (a Key Vault reference in Azure).</summary>
    public const string WeChatAppSecret = "WeChat__AppSecret";

    /// <summary>WeChat subscribe template for case-progress notifications; empty disables WeChat delivery.</summary>
    public const string NotificationsWeChatTemplateId = "Notifications__WeChatTemplateId";

    /// <summary>SMS gateway base URL (real-name binding codes); empty disables binding by SMS code.</summary>
    public const string SmsBaseUrl = "Sms__BaseUrl";
    /// <summary>SMS gateway API key (a Key Vault reference in Azure).</summary>
    public const string SmsApiKey = "Sms__ApiKey";

    // ---- Abuse limits ----
    /// <summary>Per-caller requests per minute on public endpoints.</summary>
    public const string RateLimitPublicPerMinute = "Security__RateLimit__PublicPerMinute";
    /// <summary>Per-caller requests per minute on login endpoints.</summary>
    public const string RateLimitLoginPerMinute = "Security__RateLimit__LoginPerMinute";
    /// <summary>
    /// The request header in which the trusted front end (in Azure, the App Service front end) appends the client's address;
    /// its last entry is the one the limits use. Unset (one machine): the connection's own address, and no header is believed.
    /// </summary>
    public const string TrustedProxyHeader = "Security__TrustedProxy__Header";

    /// <summary>All names above, for the settings-parity test and start-up validation.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(SettingNames)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
