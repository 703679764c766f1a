using System.Security.Cryptography;
using System.Text;
using CivilAffairs.Certificates.Platform;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace CivilAffairs.Certificates.Tests.Platform;

public class Sm2Tests
{
    static readonly byte[] Message = Encoding.UTF8.GetBytes("结婚证 J440106-2026-000001");

    [Fact]
    public void A_signature_verifies_with_its_public_key_and_fails_for_another_message_or_key()
    {
        var key = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        var signature = key.Sign(Message);

        Assert.Equal(Sm2.SignatureSize, signature.Length);
        Assert.True(key.PublicKey.Verify(Message, signature));
        Assert.False(key.PublicKey.Verify(Encoding.UTF8.GetBytes("结婚证 J440106-2026-000002"), signature));
        Assert.False(Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32)).PublicKey.Verify(Message, signature));
        var flipped = signature.ToArray();
        flipped[10] ^= 0x01;
        Assert.False(key.PublicKey.Verify(Message, flipped));
        Assert.False(key.PublicKey.Verify(Message, signature.AsSpan(0, 63)));
    }

    [Fact]
    public void The_same_secret_gives_the_same_key_and_key_id_and_a_published_key_round_trips()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var a = Sm2SigningKey.FromSecret(secret);
        var b = Sm2SigningKey.FromSecret(secret);

        Assert.Equal(a.KeyId, b.KeyId);
        Assert.Matches("^sm2-[A-Za-z0-9_-]{11}$", a.KeyId);
        Assert.NotEqual(a.KeyId, Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32)).KeyId);
        var published = Sm2PublicKey.TryParse(a.PublicKey.ToBase64Url());
        Assert.NotNull(published);
        Assert.True(published.Verify(Message, b.Sign(Message)));
        Assert.Throws<ArgumentException>(() => Sm2SigningKey.FromSecret(new byte[31]));
    }

    [Fact]
    public void Extreme_secrets_still_give_valid_keys()
    {
        foreach (var secret in new[] { new byte[32], Enumerable.Repeat((byte)0xFF, 32).ToArray() })
        {
            var key = Sm2SigningKey.FromSecret(secret);
            Assert.True(key.PublicKey.Verify(Message, key.Sign(Message)));
        }
    }

    [Fact]
    public void Signatures_follow_GM_T_0009_with_the_default_user_id_so_another_SM2_implementation_verifies_them()
    {
        // BouncyCastle's own SM2Signer, DER-free plain encoding, default id "1234567812345678" set explicitly.
        var key = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        var signature = key.Sign(Message);
        var domain = Org.BouncyCastle.Asn1.GM.GMNamedCurves.GetByName("sm2p256v1");
        var parameters = new ECDomainParameters(domain.Curve, domain.G, domain.N, domain.H);
        var point = parameters.Curve.DecodePoint(key.PublicKey.Encoded.ToArray());
        var verifier = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        verifier.Init(false, new ParametersWithID(new ECPublicKeyParameters(point, parameters), Encoding.ASCII.GetBytes("1234567812345678")));
        verifier.BlockUpdate(Message, 0, Message.Length);
        Assert.True(verifier.VerifySignature(signature));

        // ... and with another user id it does not verify: the id is part of what is signed.
        var other = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        other.Init(false, new ParametersWithID(new ECPublicKeyParameters(point, parameters), Encoding.ASCII.GetBytes("ALICE123@YAHOO.COM")));
        other.BlockUpdate(Message, 0, Message.Length);
        Assert.False(other.VerifySignature(signature));
    }

    [Fact]
    public void Malformed_public_keys_are_refused()
    {
        Assert.Null(Sm2PublicKey.TryParse(null));
        Assert.Null(Sm2PublicKey.TryParse("not base64!"));
        Assert.Null(Sm2PublicKey.TryParse(Convert.ToBase64String(new byte[65]).TrimEnd('=').Replace('+', '-').Replace('/', '_')));
        var good = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32)).PublicKey.Encoded.ToArray();
        good[64] ^= 0x01; // off the curve
        Assert.Throws<ArgumentException>(() => new Sm2PublicKey(good));
    }
}
