using System.Text.Json;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public sealed class LocalKeyFileStoreTests : IDisposable
{
    readonly string directory = Path.Combine(Path.GetTempPath(), "ca-keys-" + Guid.NewGuid().ToString("N"));
    string KeyFile => Path.Combine(directory, "nested", "master-keys.json");

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Creates_the_file_with_fresh_keys_on_first_use()
    {
        var keys = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.True(File.Exists(KeyFile));
        Assert.Equal("k1", keys.CurrentFieldKeyId);
        Assert.Equal(16, keys.FieldKeys["k1"].Length);
        Assert.Equal(32, keys.BlindIndexKey.Length);
        Assert.NotEqual(new byte[16], keys.FieldKeys["k1"]);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(KeyFile));
        var field = json.RootElement.GetProperty("fieldEncryption");
        Assert.Equal("k1", field.GetProperty("current").GetString());
        Assert.Equal(keys.FieldKeys["k1"], Convert.FromBase64String(field.GetProperty("keys").GetProperty("k1").GetString()!));
        Assert.Equal(keys.BlindIndexKey, Convert.FromBase64String(json.RootElement.GetProperty("blindIndex").GetString()!));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(KeyFile)!, "*.tmp"));
    }

    [Fact]
    public async Task The_file_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes only
        await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task Reuses_the_file_afterwards()
    {
        var first = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);
        var token = new FieldCipher(first).Encrypt("11010519491231002X", "aad");

        var second = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.Equal(first.BlindIndexKey, second.BlindIndexKey);
        Assert.Equal("11010519491231002X", new FieldCipher(second).Decrypt(token, "aad"));
    }

    [Fact]
    public async Task Concurrent_first_use_ends_with_one_set_of_keys()
    {
        using var start = new ManualResetEventSlim();
        var loads = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);
        })).ToList();
        start.Set();

        var results = await Task.WhenAll(loads);

        var onDisk = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);
        Assert.All(results, keys =>
        {
            Assert.Equal(onDisk.BlindIndexKey, keys.BlindIndexKey);
            Assert.Equal(onDisk.FieldKeys["k1"], keys.FieldKeys["k1"]);
        });
    }

    [Fact]
    public async Task Rotation_adds_a_current_key_and_keeps_the_old_ones()
    {
        var store = new LocalKeyFileStore(KeyFile);
        var original = await store.LoadAsync(CancellationToken.None);
        var oldToken = new FieldCipher(original).Encrypt("13812345678", "aad");

        var rotated = await store.RotateFieldKeyAsync();
        var reloaded = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.Equal("k2", rotated.CurrentFieldKeyId);
        Assert.Equal("k2", reloaded.CurrentFieldKeyId);
        Assert.Equal(["k1", "k2"], reloaded.FieldKeys.Keys.Order());
        Assert.Equal(original.FieldKeys["k1"], reloaded.FieldKeys["k1"]);
        Assert.NotEqual(reloaded.FieldKeys["k1"], reloaded.FieldKeys["k2"]);
        Assert.Equal(original.BlindIndexKey, reloaded.BlindIndexKey);
        var cipher = new FieldCipher(reloaded);
        Assert.Equal("13812345678", cipher.Decrypt(oldToken, "aad"));
        Assert.StartsWith("sm4gcm.k2.", cipher.Encrypt("13812345678", "aad"));
        Assert.Equal("k3", (await store.RotateFieldKeyAsync()).CurrentFieldKeyId);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task A_key_file_from_before_certificate_signing_gets_a_signing_secret_and_keeps_its_keys()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        var field = Convert.ToBase64String(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
        var blind = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        await File.WriteAllTextAsync(KeyFile, "{\"fieldEncryption\":{\"current\":\"k1\",\"keys\":{\"k1\":\"" + field + "\"}},\"blindIndex\":\"" + blind + "\"}");

        var upgraded = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);
        var again = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.Equal(Convert.FromBase64String(field), upgraded.FieldKeys["k1"]);
        Assert.Equal(Convert.FromBase64String(blind), upgraded.BlindIndexKey);
        var secret = Assert.Single(upgraded.CertificateSigning);
        Assert.Equal(32, secret.Secret.Length);
        Assert.Equal(secret.Secret, Assert.Single(again.CertificateSigning).Secret);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(KeyFile));
        Assert.Equal(1, json.RootElement.GetProperty("certificateSigning").GetArrayLength());
    }

    [Fact]
    public async Task Rotating_the_certificate_signing_key_adds_a_newer_one_and_keeps_the_old()
    {
        var store = new LocalKeyFileStore(KeyFile);
        var before = await store.LoadAsync(CancellationToken.None);

        var rotated = await store.RotateCertificateSigningKeyAsync();
        var reread = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        Assert.Equal(2, reread.CertificateSigning.Count);
        Assert.Equal(before.CertificateSigning[0].Secret, reread.CertificateSigning[0].Secret);
        Assert.Equal(rotated.CertificateSigning[1].Secret, reread.CertificateSigning[1].Secret);
        Assert.True(reread.CertificateSigning[1].CreatedAt > reread.CertificateSigning[0].CreatedAt);
        Assert.Equal(before.FieldKeys["k1"], reread.FieldKeys["k1"]);
    }

    [Fact]
    public async Task Concurrent_rotations_lose_no_key()
    {
        await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new LocalKeyFileStore(KeyFile).RotateFieldKeyAsync())));

        var keys = await new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None);
        Assert.Equal(7, keys.FieldKeys.Count);
        Assert.Equal("k7", keys.CurrentFieldKeyId);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{}")]
    [InlineData("""{"fieldEncryption":{"current":"k2","keys":{"k1":"AAAAAAAAAAAAAAAAAAAAAA=="}},"blindIndex":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""")]
    [InlineData("""{"fieldEncryption":{"current":"k1","keys":{"k1":"c2VjcmV0LWtleS1ieXRlcw"}},"blindIndex":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""")]
    public async Task A_damaged_file_is_an_error_that_does_not_quote_it(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        await File.WriteAllTextAsync(KeyFile, content);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new LocalKeyFileStore(KeyFile).LoadAsync(CancellationToken.None));

        Assert.Contains(KeyFile, e.Message);
        Assert.DoesNotContain("c2VjcmV0", e.ToString());
        Assert.Equal(content, await File.ReadAllTextAsync(KeyFile));
    }
}
