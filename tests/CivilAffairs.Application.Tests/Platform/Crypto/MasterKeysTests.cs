using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class MasterKeysTests
{
    static readonly byte[] Sm4 = new byte[16];
    static readonly byte[] Blind = new byte[32];

    [Fact]
    public void Derived_keys_are_stable_per_purpose_and_differ_across_purposes()
    {
        var keys = TestKeys.Random();
        var same = new MasterKeys(keys.FieldKeys, keys.CurrentFieldKeyId, keys.BlindIndexKey);

        var a = keys.DeriveKey("citizen-token-signing", 32);

        Assert.Equal(32, a.Length);
        Assert.Equal(a, same.DeriveKey("citizen-token-signing", 32));
        Assert.NotEqual(a, keys.DeriveKey("citizen-token-signing-v2", 32));
        Assert.NotEqual(a, keys.BlindIndexKey);
        Assert.NotEqual(a, TestKeys.Random().DeriveKey("citizen-token-signing", 32));
        Assert.Equal(64, keys.DeriveKey("x", 64).Length);
    }

    [Fact]
    public void Derive_key_validates_its_arguments()
    {
        var keys = TestKeys.Random();

        Assert.Throws<ArgumentException>(() => keys.DeriveKey("", 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => keys.DeriveKey("p", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => keys.DeriveKey("p", 255 * 32 + 1));
    }

    [Fact]
    public void Rejects_inconsistent_key_material()
    {
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = Sm4 }, "k2", Blind));
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = new byte[32] }, "k1", Blind));
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = Sm4 }, "k1", new byte[16]));
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]> { ["k.1"] = Sm4 }, "k.1", Blind));
        Assert.Throws<ArgumentException>(() => new MasterKeys(new Dictionary<string, byte[]>(), "k1", Blind));
    }

    [Fact]
    public void Copies_the_key_material_it_is_given()
    {
        var field = new byte[16];
        var blind = new byte[32];
        var keys = new MasterKeys(new Dictionary<string, byte[]> { ["k1"] = field }, "k1", blind);

        field[0] = 1;
        blind[0] = 1;

        Assert.Equal(0, keys.FieldKeys["k1"][0]);
        Assert.Equal(0, keys.BlindIndexKey[0]);
    }

    [Fact]
    public void ToString_shows_ids_but_no_key_bytes()
    {
        var keys = TestKeys.Random("k2", "k1");

        var text = keys.ToString();

        Assert.Contains("k1", text);
        Assert.Contains("k2", text);
        Assert.DoesNotContain(Convert.ToBase64String(keys.BlindIndexKey), text);
        Assert.DoesNotContain(Convert.ToHexString(keys.FieldKeys["k1"]), text, StringComparison.OrdinalIgnoreCase);
    }
}
