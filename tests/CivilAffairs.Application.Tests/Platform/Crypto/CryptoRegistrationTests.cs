using CivilAffairs.Application.Platform.Crypto;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public sealed class CryptoRegistrationTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "ca-reg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddCivilAffairsCrypto(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public async Task Without_key_vault_uses_the_local_key_file_and_shares_one_key_ring()
    {
        var file = Path.Combine(directory, "keys.json");
        using var services = Build(new() { ["Crypto:LocalKeyFile"] = file });

        var store = Assert.IsType<LocalKeyFileStore>(services.GetRequiredService<IMasterKeyStore>());
        var cipher = services.GetRequiredService<FieldCipher>();
        var index = services.GetRequiredService<BlindIndex>();

        Assert.Equal(file, store.Path);
        Assert.True(File.Exists(file));
        Assert.Same(cipher, services.GetRequiredService<FieldCipher>());
        var keys = await services.GetRequiredService<KeyRing>().GetAsync();
        Assert.Equal(keys.CurrentFieldKeyId, cipher.CurrentKeyId);
        Assert.Equal(new BlindIndex(keys).Compute("p", "v"), index.Compute("p", "v"));
        Assert.Equal("v", new FieldCipher(keys).Decrypt(cipher.Encrypt("v", "a"), "a"));
    }

    [Fact]
    public void The_default_local_key_file_is_under_the_current_directory()
    {
        using var services = Build([]);

        var store = Assert.IsType<LocalKeyFileStore>(services.GetRequiredService<IMasterKeyStore>());

        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), ".data", "master-keys.json"), store.Path);
    }

    [Fact]
    public void With_a_key_vault_uri_uses_key_vault()
    {
        using var services = Build(new() { ["KeyVault:Uri"] = "https://kv-test.vault.azure.net/", ["AZURE_CLIENT_ID"] = "00000000-0000-0000-0000-000000000001" });

        Assert.IsType<KeyVaultKeyStore>(services.GetRequiredService<IMasterKeyStore>());
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("http://kv-test.vault.azure.net/")]
    public void A_bad_key_vault_uri_is_a_configuration_error(string uri)
    {
        using var services = Build(new() { ["KeyVault:Uri"] = uri });

        Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IMasterKeyStore>());
    }

    [Fact]
    public void In_azure_a_missing_key_vault_uri_is_an_error_not_a_local_file()
    {
        using var services = Build(new() { ["WEBSITE_INSTANCE_ID"] = "abc", ["Crypto:LocalKeyFile"] = Path.Combine(directory, "keys.json") });

        Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IMasterKeyStore>());
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Registrations_made_earlier_win()
    {
        var keys = TestKeys.Random();
        var services = new ServiceCollection().AddSingleton<IMasterKeyStore>(new FixedStore(keys));

        using var provider = services.AddCivilAffairsCrypto(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.Equal(keys.CurrentFieldKeyId, provider.GetRequiredService<FieldCipher>().CurrentKeyId);
        Assert.Same(keys, provider.GetRequiredService<KeyRing>().Keys);
    }

    sealed class FixedStore(MasterKeys keys) : IMasterKeyStore
    {
        public Task<MasterKeys> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(keys);
    }
}
