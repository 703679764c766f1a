using System.Buffers.Text;
using System.Text;
using CivilAffairs.Application.Platform.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class FieldCipherTests
{
    const string Aad = "person/01HZX/idNumber";
    readonly MasterKeys keys = TestKeys.Random();

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("")]
    [InlineData("广东省广州市天河区石牌街道华师社区某路1号 🏠")]
    public void Round_trips(string plaintext)
    {
        var cipher = new FieldCipher(keys);

        var token = cipher.Encrypt(plaintext, Aad);

        Assert.Equal(plaintext, cipher.Decrypt(token, Aad));
        if (plaintext.Length > 0) Assert.DoesNotContain(plaintext, token, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_name_scheme_and_key_and_carry_nonce_ciphertext_and_tag()
    {
        var token = new FieldCipher(keys).Encrypt("13812345678", Aad);

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("sm4gcm", parts[0]);
        Assert.Equal("k1", parts[1]);
        Assert.Matches("^[A-Za-z0-9_-]+$", parts[2]);
        Assert.Equal(12 + 11 + 16, Base64Url.DecodeFromChars(parts[2]).Length);
    }

    [Fact]
    public void Token_layout_is_sm4_gcm_nonce_ciphertext_tag()
    {
        // Decrypt with BouncyCastle directly: the format is usable by other SM4-GCM implementations.
        var token = new FieldCipher(keys).Encrypt("13812345678", Aad);
        var payload = Base64Url.DecodeFromChars(token.Split('.')[2]);

        var gcm = new GcmBlockCipher(new SM4Engine());
        gcm.Init(false, new AeadParameters(new KeyParameter(keys.FieldKeys["k1"]), 128, payload[..12], Encoding.UTF8.GetBytes(Aad)));
        var output = new byte[gcm.GetOutputSize(payload.Length - 12)];
        var n = gcm.ProcessBytes(payload, 12, payload.Length - 12, output, 0);
        n += gcm.DoFinal(output, n);

        Assert.Equal("13812345678", Encoding.UTF8.GetString(output, 0, n));
    }

    [Fact]
    public void The_primitive_matches_the_rfc_8998_sm4_gcm_test_vector()
    {
        var gcm = new GcmBlockCipher(new SM4Engine());
        gcm.Init(true, new AeadParameters(
            new KeyParameter(Convert.FromHexString("0123456789ABCDEFFEDCBA9876543210")), 128,
            Convert.FromHexString("00001234567800000000ABCD"),
            Convert.FromHexString("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")));
        var plaintext = Convert.FromHexString(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");
        var output = new byte[gcm.GetOutputSize(plaintext.Length)];
        var n = gcm.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        gcm.DoFinal(output, n);

        Assert.Equal(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
            + "83DE3541E4C2B58177E065A9BF7B62EC",
            Convert.ToHexString(output));
    }

    [Fact]
    public void Uses_a_fresh_nonce_for_every_encryption()
    {
        var cipher = new FieldCipher(keys);

        var tokens = Enumerable.Range(0, 50).Select(_ => cipher.Encrypt("11010519491231002X", Aad)).ToList();

        Assert.Equal(50, tokens.Distinct().Count());
        Assert.Equal(50, tokens.Select(t => Base64Url.DecodeFromChars(t.Split('.')[2])[..12]).Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Binds_the_token_to_its_associated_data()
    {
        var cipher = new FieldCipher(keys);
        var token = cipher.Encrypt("11010519491231002X", Aad);

        var e = Assert.Throws<FieldDecryptionException>(() => cipher.Decrypt(token, "person/01HZY/idNumber"));

        Assert.Equal(FieldDecryptionFailure.AuthenticationFailed, e.Failure);
        Assert.Throws<FieldDecryptionException>(() => cipher.Decrypt(token, ""));
    }

    [Fact]
    public void Detects_tampering_anywhere_in_the_payload()
    {
        var cipher = new FieldCipher(keys);
        var token = cipher.Encrypt("11010519491231002X", Aad);
        var prefix = token[..(token.LastIndexOf('.') + 1)];
        var payload = Base64Url.DecodeFromChars(token.AsSpan(prefix.Length));

        for (var i = 0; i < payload.Length; i++)
        {
            var altered = payload.ToArray();
            altered[i] ^= 0x01;
            var e = Assert.Throws<FieldDecryptionException>(() => cipher.Decrypt(prefix + Base64Url.EncodeToString(altered), Aad));
            Assert.Equal(FieldDecryptionFailure.AuthenticationFailed, e.Failure);
        }
        Assert.Throws<FieldDecryptionException>(() => cipher.Decrypt(prefix + Base64Url.EncodeToString(payload[..^1]), Aad));
    }

    [Fact]
    public void A_token_made_with_an_older_key_decrypts_after_rotation()
    {
        var old = new FieldCipher(keys);
        var token = old.Encrypt("11010519491231002X", Aad);
        var rotated = new FieldCipher(TestKeys.With(keys, "k2"));

        var fresh = rotated.Encrypt("11010519491231002X", Aad);

        Assert.Equal("k2", rotated.CurrentKeyId);
        Assert.StartsWith("sm4gcm.k2.", fresh);
        Assert.Equal("11010519491231002X", rotated.Decrypt(token, Aad));
        Assert.Equal("11010519491231002X", rotated.Decrypt(fresh, Aad));
    }

    [Fact]
    public void An_unknown_key_id_is_reported_as_such()
    {
        var token = new FieldCipher(TestKeys.With(keys, "k2")).Encrypt("11010519491231002X", Aad);

        var e = Assert.Throws<FieldDecryptionException>(() => new FieldCipher(keys).Decrypt(token, Aad));

        Assert.Equal(FieldDecryptionFailure.UnknownKey, e.Failure);
        Assert.Contains("k2", e.Message);
    }

    [Fact]
    public void A_key_with_the_same_id_but_other_bytes_fails_authentication()
    {
        var token = new FieldCipher(keys).Encrypt("11010519491231002X", Aad);

        var e = Assert.Throws<FieldDecryptionException>(() => new FieldCipher(TestKeys.Random()).Decrypt(token, Aad));

        Assert.Equal(FieldDecryptionFailure.AuthenticationFailed, e.Failure);
    }

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("")]
    [InlineData("sm4gcm.k1")]
    [InlineData("sm4gcm..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("aes.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sm4gcm.k1.AAAA")]
    [InlineData("sm4gcm.k1.!!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sm4gcm.k1.AAAA.AAAA")]
    public void Malformed_tokens_are_rejected_and_not_recognised(string value)
    {
        var e = Assert.Throws<FieldDecryptionException>(() => new FieldCipher(keys).Decrypt(value, Aad));

        Assert.Equal(FieldDecryptionFailure.Malformed, e.Failure);
        Assert.False(FieldCipher.IsEncrypted(value));
        if (value.Length > 0) Assert.DoesNotContain(value, e.Message);
    }

    [Fact]
    public void Recognises_tokens()
    {
        var token = new FieldCipher(keys).Encrypt("x", Aad);

        Assert.True(FieldCipher.IsEncrypted(token));
        Assert.False(FieldCipher.IsEncrypted(null));
    }

    [Fact]
    public void Failure_messages_do_not_contain_the_plaintext_or_token()
    {
        var token = new FieldCipher(keys).Encrypt("11010519491231002X", Aad);

        var e = Assert.Throws<FieldDecryptionException>(() => new FieldCipher(keys).Decrypt(token, "other"));

        Assert.DoesNotContain("11010519491231002X", e.ToString());
        Assert.DoesNotContain(token.Split('.')[2], e.ToString());
    }
}
