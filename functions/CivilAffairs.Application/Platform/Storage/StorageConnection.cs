using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace CivilAffairs.Application.Platform.Storage;

/// <summary>
/// Resolves a storage connection the way the Azure Functions host does: a connection string
/// in <c>&lt;name&gt;</c>, or identity-based settings <c>&lt;name&gt;__blobServiceUri</c>,
/// <c>__queueServiceUri</c>, <c>__tableServiceUri</c> (or <c>__accountName</c>) with
/// <c>__credential=managedidentity</c> and <c>__clientId</c>.
/// </summary>
public sealed class StorageConnection
{
    readonly string? connectionString;
    readonly Uri? blobUri, queueUri, tableUri;
    readonly TokenCredential? credential;

    StorageConnection(string? connectionString, Uri? blob, Uri? queue, Uri? table, TokenCredential? credential)
    {
        this.connectionString = connectionString;
        blobUri = blob; queueUri = queue; tableUri = table;
        this.credential = credential;
    }

    public string? ConnectionString => connectionString;
    public Uri? BlobServiceUri => blobUri;
    public Uri? QueueServiceUri => queueUri;
    public Uri? TableServiceUri => tableUri;
    public TokenCredential? Credential => credential;

    public static StorageConnection FromConfiguration(IConfiguration configuration, string name)
    {
        var section = configuration.GetSection(name);
        var direct = configuration[name] ?? configuration[$"ConnectionStrings:{name}"];
        if (!string.IsNullOrWhiteSpace(direct)) return new StorageConnection(direct, null, null, null, null);

        string? account = section["accountName"];
        Uri? Service(string key, string kind) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{kind}.{section["endpointSuffix"] ?? "core.windows.net"}")
            : null;
        var blob = Service("blobServiceUri", "blob");
        var queue = Service("queueServiceUri", "queue");
        var table = Service("tableServiceUri", "table");
        if (blob is null && queue is null && table is null)
            throw new InvalidOperationException(
                $"Storage connection '{name}' is not configured: set '{name}' to a connection string, or '{name}__blobServiceUri', '{name}__queueServiceUri' and '{name}__tableServiceUri' with '{name}__credential=managedidentity'.");

        TokenCredential cred = section["credential"]?.Equals("managedidentity", StringComparison.OrdinalIgnoreCase) == true
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
        return new StorageConnection(null, blob, queue, table, cred);
    }

    public TableServiceClient CreateTableServiceClient() => connectionString is not null
        ? new TableServiceClient(connectionString)
        : new TableServiceClient(tableUri ?? throw Missing("tableServiceUri"), credential);

    public BlobServiceClient CreateBlobServiceClient() => connectionString is not null
        ? new BlobServiceClient(connectionString)
        : new BlobServiceClient(blobUri ?? throw Missing("blobServiceUri"), credential);

    /// <summary>Queue client with the given message encoding (Functions triggers default to base64).</summary>
    public QueueServiceClient CreateQueueServiceClient(QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        return connectionString is not null
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(queueUri ?? throw Missing("queueServiceUri"), credential, options);
    }

    static InvalidOperationException Missing(string what) => new($"Storage connection has no {what}.");
}
