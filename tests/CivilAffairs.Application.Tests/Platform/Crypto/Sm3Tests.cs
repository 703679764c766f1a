using System.Text;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class Sm3Tests
{
    [Theory]
    // GB/T 32905-2016 appendix A examples
    [InlineData("abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")]
    [InlineData("abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd", "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")]
    public void Matches_the_standard_test_vectors(string input, string expected)
    {
        Assert.Equal(expected, Sm3.HashHex(input));
        Assert.Equal(Convert.FromHexString(expected), Sm3.Hash(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void Hashes_text_as_utf8()
    {
        Assert.Equal(Convert.ToHexStringLower(Sm3.Hash(Encoding.UTF8.GetBytes("民政"))), Sm3.HashHex("民政"));
        Assert.NotEqual(Sm3.HashHex("民政"), Sm3.HashHex("民政 "));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(100)]
    public void Hmac_sm3_follows_rfc_2104(int keyLength)
    {
        // HMAC built by hand over Sm3.Hash (block size 64): H((K^opad) || H((K^ipad) || m)).
        var key = Enumerable.Range(1, keyLength).Select(i => (byte)i).ToArray();
        var message = Encoding.UTF8.GetBytes("person.idNumber\n11010519491231002X");
        var block = new byte[64];
        (key.Length > 64 ? Sm3.Hash(key) : key).CopyTo(block, 0);
        var inner = Sm3.Hash([.. block.Select(b => (byte)(b ^ 0x36)), .. message]);
        var expected = Sm3.Hash([.. block.Select(b => (byte)(b ^ 0x5c)), .. inner]);

        Assert.Equal(expected, HmacSm3.Compute(key, message));
    }
}
