using Azure.Security.KeyVault.Secrets;

namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// Master keys in Azure Key Vault. The field-encryption secret holds a base64 SM4 key (16 bytes); each
/// enabled version is a key whose id is the version, and the most recently created enabled version is
/// current. Rotating = adding a secret version; older versions must stay enabled while data encrypted
/// with them exists. The blind-index secret holds a base64 32-byte key (latest version); changing it
/// invalidates every stored blind index. The certificate-signing secret (optional) holds base64 32 random bytes from which
/// an SM2 key is made; each enabled version is a signing key, the most recently created one signs and all enabled ones are
/// published for verification. Rotating = adding a version; disabling a version withdraws its key (what it signed then no
/// longer verifies). Without that secret the platform runs, but issues no certificates.
/// </summary>
public sealed class KeyVaultKeyStore(SecretClient client, string fieldSecretName, string blindIndexSecretName, string? certificateSigningSecretName = null)
    : IMasterKeyStore
{
    public async Task<MasterKeys> LoadAsync(CancellationToken cancellationToken)
    {
        var versions = new List<SecretProperties>();
        await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(fieldSecretName, cancellationToken))
            if (properties.Enabled == true) versions.Add(properties);
        if (versions.Count == 0)
            throw new InvalidOperationException($"Key Vault secret '{fieldSecretName}' has no enabled version.");

        var fieldKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var version in versions)
            fieldKeys[version.Version] = await ReadKeyAsync(fieldSecretName, version.Version, cancellationToken);
        var current = versions.MaxBy(v => v.CreatedOn ?? DateTimeOffset.MinValue)!.Version;

        var blindIndexKey = await ReadKeyAsync(blindIndexSecretName, version: null, cancellationToken);
        return new MasterKeys(fieldKeys, current, blindIndexKey, await ReadSigningSecretsAsync(cancellationToken));
    }

    async Task<List<CertificateSigningSecret>> ReadSigningSecretsAsync(CancellationToken cancellationToken)
    {
        var secrets = new List<CertificateSigningSecret>();
        if (string.IsNullOrWhiteSpace(certificateSigningSecretName)) return secrets;
        try
        {
            await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(certificateSigningSecretName, cancellationToken))
                if (properties.Enabled == true)
                    secrets.Add(new(await ReadKeyAsync(certificateSigningSecretName, properties.Version, cancellationToken), properties.CreatedOn ?? DateTimeOffset.MinValue));
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return []; // not set up yet: no certificates are issued until it is (infra/README.md)
        }
        if (secrets.Any(s => s.Secret.Length != MasterKeys.CertificateSigningSecretSize))
            throw new InvalidOperationException($"Key Vault secret '{certificateSigningSecretName}' must hold {MasterKeys.CertificateSigningSecretSize} bytes (base64) in every enabled version.");
        return secrets;
    }

    async Task<byte[]> ReadKeyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        KeyVaultSecret secret = await client.GetSecretAsync(name, version, cancellationToken);
        try
        {
            return Convert.FromBase64String(secret.Value.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Key Vault secret '{name}' is not base64.");
        }
    }
}
