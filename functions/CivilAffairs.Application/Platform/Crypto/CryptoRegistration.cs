using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Platform.Crypto;

public static class CryptoRegistration
{
    /// <summary>
    /// Registers the master-key store, <see cref="KeyRing"/>, <see cref="FieldCipher"/> and <see cref="BlindIndex"/>
    /// as singletons. With <c>KeyVault:Uri</c> set, keys come from Key Vault (managed identity
    /// <c>AZURE_CLIENT_ID</c>; secrets <c>KeyVault:FieldEncryptionKeySecretName</c>, default
    /// <c>field-encryption-key</c>, <c>KeyVault:BlindIndexKeySecretName</c>, default <c>blind-index-key</c>, and
    /// <c>KeyVault:CertificateSigningKeySecretName</c>, default <c>certificate-signing-key</c>);
    /// otherwise from the local key file <c>Crypto:LocalKeyFile</c> (default <c>.data/master-keys.json</c> under
    /// the current directory).
    /// </summary>
    /// <remarks>
    /// Keys load on the first resolution of <see cref="FieldCipher"/> or <see cref="BlindIndex"/> (blocking once);
    /// await <see cref="KeyRing.GetAsync"/> at start-up to load them ahead. Inside Azure App Service / Functions
    /// (<c>WEBSITE_INSTANCE_ID</c> set) a missing <c>KeyVault:Uri</c> is an error rather than a silent local
    /// key file on an instance's ephemeral disk, which would make encrypted data unreadable.
    /// </remarks>
    public static IServiceCollection AddCivilAffairsCrypto(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<IMasterKeyStore>(_ => CreateStore(configuration));
        services.TryAddSingleton(sp => new KeyRing(sp.GetRequiredService<IMasterKeyStore>()));
        services.TryAddSingleton(sp => new FieldCipher(sp.GetRequiredService<KeyRing>().Keys));
        services.TryAddSingleton(sp => new BlindIndex(sp.GetRequiredService<KeyRing>().Keys));
        return services;
    }

    static IMasterKeyStore CreateStore(IConfiguration configuration)
    {
        var vault = configuration["KeyVault:Uri"];
        if (!string.IsNullOrWhiteSpace(vault))
        {
            if (!Uri.TryCreate(vault, UriKind.Absolute, out var vaultUri) || vaultUri.Scheme != Uri.UriSchemeHttps)
                throw new InvalidOperationException("KeyVault:Uri must be an absolute https URL.");
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });
            return new KeyVaultKeyStore(
                new SecretClient(vaultUri, credential),
                NonEmpty(configuration["KeyVault:FieldEncryptionKeySecretName"]) ?? "field-encryption-key",
                NonEmpty(configuration["KeyVault:BlindIndexKeySecretName"]) ?? "blind-index-key",
                NonEmpty(configuration["KeyVault:CertificateSigningKeySecretName"]) ?? "certificate-signing-key");
        }
        if (!string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]))
            throw new InvalidOperationException("KeyVault:Uri is required when running in Azure; a local key file would be lost with the instance.");
        return new LocalKeyFileStore(NonEmpty(configuration["Crypto:LocalKeyFile"])
            ?? Path.Combine(Directory.GetCurrentDirectory(), ".data", "master-keys.json"));
    }

    static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
