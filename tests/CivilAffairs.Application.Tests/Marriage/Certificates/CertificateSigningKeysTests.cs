using System.Security.Cryptography;
using System.Text;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Marriage.Certificates;

public class CertificateSigningKeysTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void After_a_rotation_the_newest_key_signs_and_every_key_stays_published_with_the_span_it_signed_in()
    {
        var old = new CertificateSigningSecret(RandomNumberGenerator.GetBytes(32), T0);
        var newer = new CertificateSigningSecret(RandomNumberGenerator.GetBytes(32), T0.AddDays(180));

        var set = SigningKeySet.From([newer, old]);

        Assert.Equal(2, set.Published.Count);
        Assert.Equal(set.Current!.KeyId, set.Published[1].Kid);
        Assert.Equal(T0, set.Published[0].ValidFrom);
        Assert.Equal(T0.AddDays(180), set.Published[0].SignsUntil);
        Assert.Null(set.Published[1].SignsUntil);
        Assert.All(set.Published, k => Assert.Equal(("SM2-SM3", "sm2p256v1", "1234567812345678"), (k.Algorithm, k.Curve, k.UserId)));
        var data = Encoding.UTF8.GetBytes("x");
        Assert.True(set.Published[1].ToSm2()!.Verify(data, set.Current.Sign(data)));
        Assert.False(set.Published[0].ToSm2()!.Verify(data, set.Current.Sign(data)));
    }

    [Fact]
    public void Without_secrets_nothing_signs_and_the_operator_is_told_what_to_set_up()
    {
        var set = SigningKeySet.From([]);

        Assert.Null(set.Current);
        Assert.Empty(set.Published);
        Assert.Contains("certificate-signing-key", Assert.Throws<InvalidOperationException>(() => set.RequireCurrent()).Message);
    }

    [Fact]
    public async Task Keys_come_from_the_master_key_store_and_are_made_once()
    {
        var secret = new CertificateSigningSecret(RandomNumberGenerator.GetBytes(32), T0);
        var keys = new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = new byte[16] }, "k1", new byte[32], [secret]);
        var signing = new CertificateSigningKeys(new KeyRing(new FixedStore(keys)));

        var first = await signing.GetAsync(CancellationToken.None);
        var second = await signing.GetAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(CivilAffairs.Certificates.Platform.Sm2SigningKey.FromSecret(secret.Secret).KeyId, first.Current!.KeyId);
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = new byte[16] }, "k1", new byte[32],
            [new CertificateSigningSecret(new byte[31], T0)]));
    }

    sealed class FixedStore(MasterKeys keys) : IMasterKeyStore
    {
        public Task<MasterKeys> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(keys);
    }
}
