using System.IO.Compression;
using System.Buffers.Text;
using System.Security.Cryptography;
using CivilAffairs.Certificates.Platform;

namespace CivilAffairs.Certificates.Tests.Platform;

public class StatusListTests
{
    static readonly Sm2SigningKey Key = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
    static readonly PublishedKey[] Keys = [PublishedKey.Of(Key.PublicKey, DateTimeOffset.UtcNow.AddDays(-1), null)];

    [Fact]
    public void Entries_hold_three_states_in_two_bits_each_left_most_bit_first()
    {
        var bits = new StatusBitstring(16);
        bits[0] = CertificateStatus.Ended;   // 01
        bits[1] = CertificateStatus.Revoked; // 10
        bits[3] = CertificateStatus.Valid;
        bits[15] = CertificateStatus.Revoked;

        Assert.Equal(CertificateStatus.Ended, bits[0]);
        Assert.Equal(CertificateStatus.Revoked, bits[1]);
        Assert.Equal(CertificateStatus.Valid, bits[2]);
        Assert.Equal(CertificateStatus.Revoked, bits[15]);
        // Byte 0 = entries 0..3 = 01 10 00 00; the last byte ends with entry 15 = 10.
        Assert.Equal([0b0110_0000, 0, 0, 0b0000_0010], bits.ToBytes());
        bits[1] = CertificateStatus.Valid;
        Assert.Equal(0b0100_0000, bits.ToBytes()[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => bits[16]);
    }

    [Fact]
    public void The_encoded_list_is_multibase_base64url_of_gzip_and_decodes_to_the_same_entries()
    {
        var bits = new StatusBitstring();
        bits[12345] = CertificateStatus.Ended;
        bits[65535] = CertificateStatus.Revoked;
        var encoded = bits.Encode();

        Assert.StartsWith("u", encoded);
        Assert.DoesNotContain('=', encoded);
        Assert.True(encoded.Length < 200, $"an almost empty 16 KB list compresses well ({encoded.Length} characters)");
        using var gzip = new GZipStream(new MemoryStream(Base64Url.DecodeFromChars(encoded.AsSpan(1))), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gzip.CopyTo(raw);
        Assert.Equal(16 * 1024, raw.Length);

        var decoded = StatusBitstring.TryDecode(encoded, StatusBitstring.DefaultSize)!;
        Assert.Equal(CertificateStatus.Ended, decoded[12345]);
        Assert.Equal(CertificateStatus.Revoked, decoded[65535]);
        Assert.Equal(CertificateStatus.Valid, decoded[0]);
        Assert.Null(StatusBitstring.TryDecode(encoded, 1024));         // longer than declared
        Assert.Null(StatusBitstring.TryDecode(encoded[1..], 65536));   // no multibase prefix
        Assert.Null(StatusBitstring.TryDecode("u!!!", 65536));
        Assert.Null(StatusBitstring.TryDecode("u" + Base64Url.EncodeToString([1, 2, 3]), 65536)); // not GZIP
    }

    [Fact]
    public void A_signed_list_checks_offline_and_any_altered_field_or_unknown_key_fails()
    {
        var bits = new StatusBitstring();
        bits[7] = CertificateStatus.Ended;
        var doc = StatusListDocument.Sign("01LIST", 3, DateTimeOffset.UtcNow, bits, Key);

        Assert.Equal(StatusListCheck.Ok, doc.Check(Keys, out var checkedBits));
        Assert.Equal(CertificateStatus.Ended, checkedBits![7]);
        // Round trip through JSON, as a cached copy would be.
        var copy = StatusListDocument.Parse(doc.ToJson())!;
        Assert.Equal(StatusListCheck.Ok, copy.Check(Keys, out _));

        var other = new StatusBitstring();
        other[7] = CertificateStatus.Valid;
        Assert.Equal(StatusListCheck.SignatureInvalid, (doc with { EncodedList = other.Encode() }).Check(Keys, out _));
        Assert.Equal(StatusListCheck.SignatureInvalid, (doc with { Version = 2 }).Check(Keys, out _));
        Assert.Equal(StatusListCheck.SignatureInvalid, (doc with { ListId = "01OTHER" }).Check(Keys, out _));
        Assert.Equal(StatusListCheck.SignatureInvalid, (doc with { IssuedAt = "1" + doc.IssuedAt[1..] }).Check(Keys, out _));
        var signature = Base64Url.DecodeFromChars(doc.Signature);
        signature[5] ^= 0x80;
        Assert.Equal(StatusListCheck.SignatureInvalid, (doc with { Signature = Base64Url.EncodeToString(signature) }).Check(Keys, out _));
        var stranger = Sm2SigningKey.FromSecret(RandomNumberGenerator.GetBytes(32));
        Assert.Equal(StatusListCheck.UnknownKey, StatusListDocument.Sign("01LIST", 3, DateTimeOffset.UtcNow, bits, stranger).Check(Keys, out _));
        Assert.Null(StatusListDocument.Parse("{\"listId\":1}"));
    }
}
