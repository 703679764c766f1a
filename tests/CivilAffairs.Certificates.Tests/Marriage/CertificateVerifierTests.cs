using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;

namespace CivilAffairs.Certificates.Tests.Marriage;

public class CertificateVerifierTests
{
    static readonly Sm2SigningKey Key = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
    static readonly PublishedKey[] Keys = [PublishedKey.Of(Key.PublicKey, DateTimeOffset.UtcNow.AddDays(-1), null)];
    const string ListId = "01JLISTTEST";
    const int Index = 4242;

    static CertificatePayload Payload(string kind = CertificatePayload.MarriageKind, Sm2SigningKey? key = null) =>
        new("J440106-2026-000123", kind, ["张*", "李**"], new DateOnly(2026, 5, 20), "office-tianhe", ListId, Index, (key ?? Key).KeyId);

    static StatusListDocument List(CertificateStatus status, long version = 2, Sm2SigningKey? key = null)
    {
        var bits = new StatusBitstring();
        bits[Index] = status;
        return StatusListDocument.Sign(ListId, version, DateTimeOffset.UtcNow, bits, key ?? Key);
    }

    [Fact]
    public void A_genuine_QR_with_its_list_is_valid_and_says_what_the_certificate_shows()
    {
        var qr = CertificateQr.Sign(Payload(), Key);

        var result = CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Valid));

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        Assert.True(result.Authentic);
        Assert.Contains("结婚证真实有效", result.Reason);
        Assert.Equal("J440106-2026-000123", result.Certificate!.CertificateNumber);
        Assert.Equal(["张*", "李**"], result.Certificate.MaskedNames);
        Assert.Equal(new DateOnly(2026, 5, 20), result.Certificate.RegisteredOn);
        Assert.StartsWith(CertificateQr.Prefix, qr);
        Assert.True(qr.Length < 400, $"QR text is compact ({qr.Length} characters)");
        Assert.All(qr, c => Assert.True(c < 128 && !char.IsControl(c), "printable ASCII only"));
    }

    [Fact]
    public void The_payload_carries_no_full_names_or_ID_numbers()
    {
        var qr = CertificateQr.Sign(Payload(), Key);
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(qr.Split('.')[1]));
        Assert.Equal("{\"v\":1,\"no\":\"J440106-2026-000123\",\"k\":\"marriage\",\"n\":[\"张*\",\"李**\"],\"d\":\"2026-05-20\",\"o\":\"office-tianhe\",\"sl\":\"01JLISTTEST\",\"si\":4242,\"kid\":\"" + Key.KeyId + "\"}", json);
    }

    [Fact]
    public void A_forged_signature_fails()
    {
        var qr = CertificateQr.Sign(Payload(), Key);
        var forged = qr[..(qr.LastIndexOf('.') + 1)] + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(64));

        var result = CertificateVerifier.Verify(forged, Keys, List(CertificateStatus.Valid));

        Assert.Equal(VerificationOutcome.SignatureInvalid, result.Outcome);
        Assert.False(result.Authentic);
        Assert.Null(result.Certificate);
        Assert.Contains("签名验证失败", result.Reason);
    }

    [Fact]
    public void Any_altered_payload_byte_fails_the_signature()
    {
        var qr = CertificateQr.Sign(Payload(), Key);
        var parts = qr.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[1]);
        var date = Encoding.UTF8.GetBytes("2026-05-20");
        var at = payload.AsSpan().IndexOf(date);
        payload[at + 9] = (byte)'1'; // 2026-05-21: still a well-formed payload, only one byte changed
        var altered = $"{parts[0]}.{Base64Url.EncodeToString(payload)}.{parts[2]}";

        var result = CertificateVerifier.Verify(altered, Keys, List(CertificateStatus.Valid));

        Assert.Equal(VerificationOutcome.SignatureInvalid, result.Outcome);
    }

    [Fact]
    public void A_signature_by_a_key_that_is_not_published_is_an_unknown_key_id()
    {
        var stranger = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        var qr = CertificateQr.Sign(Payload(key: stranger), stranger);

        var result = CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Valid));

        Assert.Equal(VerificationOutcome.UnknownKey, result.Outcome);
        Assert.Contains(stranger.KeyId, result.Reason);
    }

    [Fact]
    public void A_payload_naming_a_published_kid_but_signed_with_another_key_fails_the_signature()
    {
        var wrong = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        var qr = CertificateQr.Sign(Payload(), data => wrong.Sign(data)); // the payload names Key's kid

        Assert.Equal(VerificationOutcome.SignatureInvalid, CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Valid)).Outcome);
    }

    [Fact]
    public void A_retired_key_that_is_still_published_verifies_what_it_signed()
    {
        var old = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        var now = DateTimeOffset.UtcNow;
        PublishedKey[] keys = [PublishedKey.Of(old.PublicKey, now.AddYears(-1), now.AddDays(-1)), PublishedKey.Of(Key.PublicKey, now.AddDays(-1), null)];
        var qr = CertificateQr.Sign(Payload(key: old), old);

        Assert.Equal(VerificationOutcome.Valid, CertificateVerifier.Verify(qr, keys, List(CertificateStatus.Valid)).Outcome);
    }

    [Fact]
    public void A_flipped_status_says_ended_and_a_replaced_certificate_says_revoked()
    {
        var qr = CertificateQr.Sign(Payload(), Key);

        var ended = CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Ended));
        var revoked = CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Revoked));

        Assert.Equal(VerificationOutcome.Ended, ended.Outcome);
        Assert.True(ended.Authentic);
        Assert.Contains("婚姻关系已终止", ended.Reason);
        Assert.Equal(VerificationOutcome.Revoked, revoked.Outcome);
        Assert.Contains("已作废", revoked.Reason);
    }

    [Fact]
    public void An_altered_status_list_cannot_make_an_ended_certificate_look_valid()
    {
        var qr = CertificateQr.Sign(Payload(), Key);
        var genuine = List(CertificateStatus.Ended);
        var cleared = new StatusBitstring();
        var tampered = genuine with { EncodedList = cleared.Encode() }; // someone clears the bit and keeps the signature

        var result = CertificateVerifier.Verify(qr, Keys, tampered);

        Assert.Equal(VerificationOutcome.StatusUnavailable, result.Outcome);
        Assert.Contains("状态列表的签名验证失败", result.Reason);
        var sig = Base64Url.DecodeFromChars(genuine.Signature);
        sig[0] ^= 1;
        Assert.Equal(VerificationOutcome.StatusUnavailable, CertificateVerifier.Verify(qr, Keys, genuine with { Signature = Base64Url.EncodeToString(sig) }).Outcome);
        var stranger = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        Assert.Contains("签发密钥不在公布的验证密钥中", CertificateVerifier.Verify(qr, Keys, List(CertificateStatus.Valid, key: stranger)).Reason);
    }

    [Fact]
    public void Without_a_status_list_or_with_another_list_the_QR_is_authentic_but_its_status_unknown()
    {
        var qr = CertificateQr.Sign(Payload(), Key);
        var bits = new StatusBitstring();

        var none = CertificateVerifier.Verify(qr, Keys);
        var other = CertificateVerifier.Verify(qr, Keys, StatusListDocument.Sign("01OTHERLIST", 1, DateTimeOffset.UtcNow, bits, Key));

        Assert.Equal(VerificationOutcome.StatusUnavailable, none.Outcome);
        Assert.True(none.Authentic);
        Assert.Contains("未提供状态列表", none.Reason);
        Assert.Equal(VerificationOutcome.StatusUnavailable, other.Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://example.com/not-a-certificate")]
    [InlineData("CAMC1.")]
    [InlineData("CAMC1.abc")]
    [InlineData("CAMC1.!!!.abc")]
    [InlineData("CAMC2.eyJ2IjoxfQ.AAAA")]
    [InlineData("CAMC1.eyJ2IjoxfQ.AAAA")] // {"v":1}: fields missing
    public void Anything_else_is_malformed(string? text)
    {
        var result = CertificateVerifier.Verify(text, Keys, List(CertificateStatus.Valid));
        Assert.Equal(VerificationOutcome.Malformed, result.Outcome);
        Assert.Contains("二维码内容无法识别", result.Reason);
    }

    [Fact]
    public void A_divorce_certificate_verifies_with_its_own_wording_and_published_keys_parse_from_their_JSON()
    {
        var qr = CertificateQr.Sign(Payload(CertificatePayload.DivorceKind), Key);
        var keys = PublishedKeySet.Parse(new PublishedKeySet(Keys).ToJson())!.Keys;

        var result = CertificateVerifier.Verify(qr, keys, List(CertificateStatus.Valid));

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        Assert.StartsWith("离婚证真实有效", result.Reason);
        Assert.Null(PublishedKeySet.Parse("[]"));
    }
}
