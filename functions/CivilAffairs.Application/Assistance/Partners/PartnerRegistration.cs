using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Assistance.Partners;

public static class PartnerRegistration
{
    /// <summary>Configuration key of the local partner key file.</summary>
    public const string LocalKeyFileSetting = "Partners:LocalKeyFile";

    /// <summary>The default local partner key file: <c>.data/partner-keys.json</c> under the current directory.</summary>
    public static string DefaultLocalKeyFile => Path.Combine(Directory.GetCurrentDirectory(), ".data", "partner-keys.json");

    /// <summary>
    /// Registers <see cref="PartnerCatalogue"/>, <see cref="IPartnerKeyStore"/> and <see cref="PartnerCodec"/> as singletons.
    /// With <c>KeyVault:Uri</c> set, unit keys come from Key Vault secrets <c>partner-key-&lt;code&gt;</c> (managed identity
    /// <c>AZURE_CLIENT_ID</c>); otherwise from the local key file <c>Partners:LocalKeyFile</c> (default
    /// <c>.data/partner-keys.json</c> under the current directory), created on first use. Inside Azure
    /// (<c>WEBSITE_INSTANCE_ID</c> set) a missing <c>KeyVault:Uri</c> is an error, as for the master keys.
    /// </summary>
    public static IServiceCollection AddPartnerIntegration(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => PartnerCatalogue.Load());
        services.TryAddSingleton<IPartnerKeyStore>(sp => CreateKeyStore(configuration, sp.GetRequiredService<PartnerCatalogue>()));
        services.TryAddSingleton(sp => new PartnerCodec(sp.GetRequiredService<IPartnerKeyStore>()));
        return services;
    }

    static IPartnerKeyStore CreateKeyStore(IConfiguration configuration, PartnerCatalogue catalogue)
    {
        var vault = configuration["KeyVault:Uri"];
        if (!string.IsNullOrWhiteSpace(vault))
        {
            if (!Uri.TryCreate(vault, UriKind.Absolute, out var vaultUri) || vaultUri.Scheme != Uri.UriSchemeHttps)
                throw new InvalidOperationException("KeyVault:Uri must be an absolute https URL.");
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration["AZURE_CLIENT_ID"] });
            return new KeyVaultPartnerKeyStore(new SecretClient(vaultUri, credential));
        }
        if (!string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]))
            throw new InvalidOperationException("KeyVault:Uri is required when running in Azure; partner keys in a local file would be lost with the instance.");
        var path = configuration[LocalKeyFileSetting];
        return new LocalPartnerKeyStore(string.IsNullOrWhiteSpace(path) ? DefaultLocalKeyFile : path, catalogue.Units.Select(u => u.Code));
    }
}
