using System.Text;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class BlindIndexTests
{
    readonly MasterKeys keys = TestKeys.Random();

    [Fact]
    public void Is_lower_case_hex_hmac_sm3_of_purpose_and_value()
    {
        var index = new BlindIndex(keys).Compute("person.idNumber", "11010519491231002X");

        var expected = Convert.ToHexStringLower(HmacSm3.Compute(keys.BlindIndexKey, Encoding.UTF8.GetBytes("person.idNumber\n11010519491231002X")));
        Assert.Equal(expected, index);
        Assert.Matches("^[0-9a-f]{64}$", index);
    }

    [Fact]
    public void Is_deterministic_for_the_same_key_purpose_and_value()
    {
        var other = new BlindIndex(new MasterKeys(keys.FieldKeys, keys.CurrentFieldKeyId, keys.BlindIndexKey));

        Assert.Equal(new BlindIndex(keys).Compute("person.phone", "13812345678"), other.Compute("person.phone", "13812345678"));
    }

    [Fact]
    public void Differs_by_purpose_value_and_key()
    {
        var index = new BlindIndex(keys);
        var baseline = index.Compute("person.idNumber", "13812345678");

        Assert.NotEqual(baseline, index.Compute("person.phone", "13812345678"));
        Assert.NotEqual(baseline, index.Compute("person.idNumber", "13812345679"));
        Assert.NotEqual(baseline, new BlindIndex(TestKeys.Random()).Compute("person.idNumber", "13812345678"));
    }

    [Fact]
    public void Rejects_purposes_that_would_make_inputs_ambiguous()
    {
        var index = new BlindIndex(keys);

        Assert.Throws<ArgumentException>(() => index.Compute("a\nb", "c"));
        Assert.Throws<ArgumentException>(() => index.Compute("", "c"));
    }
}
