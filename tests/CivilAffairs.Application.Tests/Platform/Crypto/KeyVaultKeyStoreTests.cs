using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class KeyVaultKeyStoreTests
{
    static readonly Uri Vault = new("https://kv-test.vault.azure.net/");
    static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Loads_enabled_versions_as_keys_and_the_newest_as_current()
    {
        var v1 = RandomBytes(16);
        var v2 = RandomBytes(16);
        var blind = RandomBytes(32);
        var client = new FakeSecretClient();
        client.Add("field-encryption-key", "aaa111", v1, T0, enabled: true);
        client.Add("field-encryption-key", "ccc333", v2, T0.AddDays(30), enabled: true);
        client.Add("field-encryption-key", "bbb222", RandomBytes(16), T0.AddDays(60), enabled: false);
        client.Add("blind-index-key", "old", RandomBytes(32), T0, enabled: true);
        client.Add("blind-index-key", "new", blind, T0.AddDays(1), enabled: true);

        var keys = await new KeyVaultKeyStore(client, "field-encryption-key", "blind-index-key").LoadAsync(CancellationToken.None);

        Assert.Equal(["aaa111", "ccc333"], keys.FieldKeys.Keys.Order());
        Assert.Equal("ccc333", keys.CurrentFieldKeyId);
        Assert.Equal(v1, keys.FieldKeys["aaa111"]);
        Assert.Equal(v2, keys.FieldKeys["ccc333"]);
        Assert.Equal(blind, keys.BlindIndexKey);
    }

    [Fact]
    public async Task No_enabled_field_key_version_is_an_error()
    {
        var client = new FakeSecretClient();
        client.Add("field-encryption-key", "aaa111", RandomBytes(16), T0, enabled: false);
        client.Add("blind-index-key", "b", RandomBytes(32), T0, enabled: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new KeyVaultKeyStore(client, "field-encryption-key", "blind-index-key").LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Certificate_signing_versions_are_signing_secrets_oldest_first_and_a_missing_secret_means_none()
    {
        var first = RandomBytes(32);
        var second = RandomBytes(32);
        var client = new FakeSecretClient();
        client.Add("field-encryption-key", "f1", RandomBytes(16), T0, enabled: true);
        client.Add("blind-index-key", "b", RandomBytes(32), T0, enabled: true);
        client.Add("certificate-signing-key", "s2", second, T0.AddDays(90), enabled: true);
        client.Add("certificate-signing-key", "s1", first, T0, enabled: true);
        client.Add("certificate-signing-key", "s0", RandomBytes(32), T0.AddDays(-10), enabled: false); // withdrawn

        var keys = await new KeyVaultKeyStore(client, "field-encryption-key", "blind-index-key", "certificate-signing-key").LoadAsync(CancellationToken.None);
        var none = await new KeyVaultKeyStore(client, "field-encryption-key", "blind-index-key", "no-such-secret").LoadAsync(CancellationToken.None);

        Assert.Equal([first, second], keys.CertificateSigning.Select(k => k.Secret));
        Assert.Equal([T0, T0.AddDays(90)], keys.CertificateSigning.Select(k => k.CreatedAt));
        Assert.Empty(none.CertificateSigning);
        Assert.Equal("f1", none.CurrentFieldKeyId);
    }

    [Fact]
    public async Task A_certificate_signing_version_of_the_wrong_size_is_an_error()
    {
        var client = new FakeSecretClient();
        client.Add("field-encryption-key", "f1", RandomBytes(16), T0, enabled: true);
        client.Add("blind-index-key", "b", RandomBytes(32), T0, enabled: true);
        client.Add("certificate-signing-key", "s1", RandomBytes(16), T0, enabled: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new KeyVaultKeyStore(client, "field-encryption-key", "blind-index-key", "certificate-signing-key").LoadAsync(CancellationToken.None));
    }

    static byte[] RandomBytes(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    sealed class FakeSecretClient : SecretClient
    {
        readonly List<KeyVaultSecret> secrets = [];

        public void Add(string name, string version, byte[] value, DateTimeOffset created, bool enabled)
        {
            var properties = SecretModelFactory.SecretProperties(
                id: new Uri(Vault, $"secrets/{name}/{version}"), vaultUri: Vault, name: name, version: version, createdOn: created, updatedOn: created);
            properties.Enabled = enabled;
            secrets.Add(SecretModelFactory.KeyVaultSecret(properties, Convert.ToBase64String(value)));
        }

        public override AsyncPageable<SecretProperties> GetPropertiesOfSecretVersionsAsync(string name, CancellationToken cancellationToken = default) =>
            new ListPageable(secrets.Where(s => s.Name == name).Select(s => s.Properties).ToList());

        public override Task<Response<KeyVaultSecret>> GetSecretAsync(string name, string? version = null, CancellationToken cancellationToken = default)
        {
            var matching = secrets.Where(s => s.Name == name && s.Properties.Enabled == true && (version is null || s.Properties.Version == version));
            var secret = matching.MaxBy(s => s.Properties.CreatedOn) ?? throw new RequestFailedException(404, "SecretNotFound");
            return Task.FromResult(Response.FromValue(secret, new StubResponse()));
        }
    }

    sealed class ListPageable(IReadOnlyList<SecretProperties> items) : AsyncPageable<SecretProperties>
    {
        public override async IAsyncEnumerable<Page<SecretProperties>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
        {
            await Task.Yield();
            yield return Page<SecretProperties>.FromValues(items, null, new StubResponse());
        }
    }

    sealed class StubResponse : Response
    {
        public override int Status => 200;
        public override string ReasonPhrase => "OK";
        public override Stream? ContentStream { get; set; }
        public override string ClientRequestId { get; set; } = "";
        public override void Dispose() { }
        protected override bool ContainsHeader(string name) => false;
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [];
        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) { value = null; return false; }
        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values) { values = null; return false; }
    }
}
