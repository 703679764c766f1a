using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using CivilAffairs.Application.Assistance.Partners;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Tests.Assistance.Partners;

public sealed class PartnerKeyStoreTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "ca-partner-keys-" + Guid.NewGuid().ToString("N"));
    string KeyFile => Path.Combine(directory, "nested", "partner-keys.json");
    static readonly IReadOnlyList<string> Codes = PartnerCatalogue.Load().Units.Select(u => u.Code).ToList();

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Creates_the_file_with_a_random_key_for_every_unit_on_first_use()
    {
        var key = await new LocalPartnerKeyStore(KeyFile).GetKeyAsync("police", CancellationToken.None);

        Assert.Equal(16, key.Length);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(KeyFile));
        var stored = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Convert.FromBase64String(p.Value.GetString()!));
        Assert.Equal(Codes.Order(), stored.Keys.Order());
        Assert.All(stored.Values, k => Assert.Equal(16, k.Length));
        Assert.Equal(60, stored.Values.Select(Convert.ToBase64String).Distinct().Count());
        Assert.Equal(key, stored["police"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
    }

    [Fact]
    public async Task The_file_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes only
        await new LocalPartnerKeyStore(KeyFile).GetKeyAsync("police", CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task Reuses_the_file_so_another_process_shares_the_keys()
    {
        var first = new PartnerCodec(new LocalPartnerKeyStore(KeyFile));
        var request = new VerificationRequest("r1", "c1", "bank-grcb", [new("m1", "李建国", "440104194211203459", "consent")], "核对", [], DateTimeOffset.UnixEpoch);
        var envelope = await first.SealRequestAsync(request);
        var before = await File.ReadAllTextAsync(KeyFile);

        var second = new PartnerCodec(new LocalPartnerKeyStore(KeyFile));

        Assert.Equal("李建国", (await second.OpenRequestAsync(envelope, "bank-grcb")).Subjects[0].Name);
        Assert.Equal(before, await File.ReadAllTextAsync(KeyFile));
    }

    [Fact]
    public async Task Stores_created_at_the_same_time_agree_on_the_keys()
    {
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            new LocalPartnerKeyStore(KeyFile).GetKeyAsync("csdc", CancellationToken.None))));

        Assert.Single(keys.Select(Convert.ToBase64String).Distinct());
        Assert.Equal(keys[0], await new LocalPartnerKeyStore(KeyFile).GetKeyAsync("csdc", CancellationToken.None));
    }

    [Fact]
    public async Task A_file_missing_units_gets_them_added_and_keeps_its_keys()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        var police = new byte[16];
        police[0] = 7;
        await File.WriteAllTextAsync(KeyFile, JsonSerializer.Serialize(new Dictionary<string, string> { ["police"] = Convert.ToBase64String(police), ["retired-unit"] = Convert.ToBase64String(new byte[16]) }));

        var store = new LocalPartnerKeyStore(KeyFile);

        Assert.Equal(police, await store.GetKeyAsync("police", CancellationToken.None));
        Assert.Equal(16, (await store.GetKeyAsync("trade-union", CancellationToken.None)).Length);
        var all = await store.LoadAsync();
        Assert.Equal(61, all.Count);
        Assert.True(all.ContainsKey("retired-unit"));
    }

    [Fact]
    public async Task Unknown_units_and_broken_files_are_errors_that_do_not_quote_the_file()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => new LocalPartnerKeyStore(KeyFile).GetKeyAsync("nobody", CancellationToken.None));

        await File.WriteAllTextAsync(KeyFile, "{\"police\":\"c2VjcmV0LXNob3J0\"}");
        var shortKey = await Assert.ThrowsAsync<InvalidDataException>(() => new LocalPartnerKeyStore(KeyFile).GetKeyAsync("police", CancellationToken.None));
        Assert.DoesNotContain("c2VjcmV0", shortKey.Message);

        await File.WriteAllTextAsync(KeyFile, "{\"police\": secret-material");
        var notJson = await Assert.ThrowsAsync<InvalidDataException>(() => new LocalPartnerKeyStore(KeyFile).GetKeyAsync("police", CancellationToken.None));
        Assert.DoesNotContain("secret-material", notJson.Message);
    }

    [Fact]
    public async Task Key_vault_store_reads_partner_key_secrets_once()
    {
        var key = new byte[16];
        key[3] = 9;
        var client = new FakeSecretClient { ["partner-key-police"] = Convert.ToBase64String(key) };
        var store = new KeyVaultPartnerKeyStore(client);

        Assert.Equal(key, await store.GetKeyAsync("police", CancellationToken.None));
        Assert.Equal(key, await store.GetKeyAsync("police", CancellationToken.None));
        Assert.Equal(1, client.Reads);
        Assert.Equal("partner-key-bank-icbc", KeyVaultPartnerKeyStore.SecretName("bank-icbc"));

        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.GetKeyAsync("hrss", CancellationToken.None));
        client["partner-key-hrss"] = Convert.ToBase64String(new byte[16]);
        Assert.Equal(16, (await store.GetKeyAsync("hrss", CancellationToken.None)).Length); // a failed read is retried

        client["partner-key-land"] = Convert.ToBase64String(new byte[8]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetKeyAsync("land", CancellationToken.None));
    }

    static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddPartnerIntegration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public async Task Registration_uses_the_local_key_file_without_key_vault()
    {
        using var services = Build(new() { ["Partners:LocalKeyFile"] = KeyFile });

        var store = Assert.IsType<LocalPartnerKeyStore>(services.GetRequiredService<IPartnerKeyStore>());
        Assert.Equal(KeyFile, store.Path);
        Assert.Same(PartnerCatalogue.Load(), services.GetRequiredService<PartnerCatalogue>());
        var codec = services.GetRequiredService<PartnerCodec>();
        Assert.Same(codec, services.GetRequiredService<PartnerCodec>());
        var reply = new VerificationReply("r1", "c1", "land", [new("m1", ReplyStatus.NotFound, new Dictionary<string, decimal>(), new Dictionary<string, string>())], DateTimeOffset.UnixEpoch);
        Assert.Equal(ReplyStatus.NotFound, (await codec.OpenReplyAsync(await codec.SealReplyAsync(reply))).Subjects[0].Status);
        Assert.True(File.Exists(KeyFile));
    }

    [Fact]
    public void Registration_uses_key_vault_when_configured_and_refuses_a_local_file_in_azure()
    {
        using (var services = Build(new() { ["KeyVault:Uri"] = "https://kv-test.vault.azure.net/" }))
            Assert.IsType<KeyVaultPartnerKeyStore>(services.GetRequiredService<IPartnerKeyStore>());

        using (var services = Build(new() { ["KeyVault:Uri"] = "http://kv-test.vault.azure.net/" }))
            Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IPartnerKeyStore>());

        using (var services = Build(new() { ["WEBSITE_INSTANCE_ID"] = "abc", ["Partners:LocalKeyFile"] = KeyFile }))
            Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IPartnerKeyStore>());
        Assert.False(File.Exists(KeyFile));
    }

    sealed class FakeSecretClient : SecretClient
    {
        readonly Dictionary<string, string> values = new();
        public int Reads { get; private set; }

        public string this[string name]
        {
            set => values[name] = value;
        }

        public override Task<Response<KeyVaultSecret>> GetSecretAsync(string name, string? version = null, CancellationToken cancellationToken = default)
        {
            Reads++;
            if (!values.TryGetValue(name, out var value)) throw new RequestFailedException(404, "SecretNotFound");
            return Task.FromResult(Response.FromValue(new KeyVaultSecret(name, value), new StubResponse()));
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
