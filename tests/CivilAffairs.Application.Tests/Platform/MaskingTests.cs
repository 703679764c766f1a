using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Tests.Platform;

public class MaskingTests
{
    [Theory]
    [InlineData("440106199001011234", "440106********1234")]
    [InlineData("11010519491231002X", "110105********002X")]
    [InlineData("440106900101123", "4*************3")]
    [InlineData("abc", "a*c")]
    [InlineData("ab", "**")]
    [InlineData("a", "*")]
    public void Masks_id_numbers(string input, string expected) => Assert.Equal(expected, Masking.MaskIdNumber(input));

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("+8613812345678", "+86138****5678")]
    [InlineData("+86 13812345678", "+86 138****5678")]
    [InlineData("020-12345678", "020-****5678")]
    [InlineData("0771-1234567", "0771-***4567")]
    [InlineData("02012345678", "*******5678")]
    [InlineData("12345", "*****")]
    [InlineData("+86 138 1234 5678", "+** *** **** 5678")]
    public void Masks_phone_numbers(string input, string expected) => Assert.Equal(expected, Masking.MaskPhone(input));

    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("张三丰", "张**")]
    [InlineData("王", "王")]
    [InlineData("欧阳娜娜", "欧阳**")]
    [InlineData("欧阳锋", "欧阳*")]
    [InlineData("司马懿", "司马*")]
    [InlineData("诸葛亮", "诸葛*")]
    [InlineData("夏侯惇", "夏侯*")]
    [InlineData("欧阳", "欧*")]
    [InlineData("欧明", "欧*")]
    [InlineData("买买提·艾力", "买**·**")]
    [InlineData("𠇔子", "𠇔*")]
    [InlineData("李𠇔", "李*")]
    public void Masks_names(string input, string expected) => Assert.Equal(expected, Masking.MaskName(input));

    [Theory]
    [InlineData("广东省广州市天河区石牌街道华师社区某路1号", "广东省广州市天河区****")]
    [InlineData("广州市天河区体育西路1号", "广州市天河区****")]
    [InlineData("北京市海淀区中关村大街1号", "北京市海淀区****")]
    [InlineData("重庆市城口县葛城街道", "重庆市城口县****")]
    [InlineData("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区南宁市青秀区****")]
    [InlineData("新疆维吾尔自治区乌鲁木齐市天山区某路", "新疆维吾尔自治区乌鲁木齐市天山区****")]
    [InlineData("江苏省苏州市昆山市玉山镇某路", "江苏省苏州市昆山市****")]
    [InlineData("山东省济南市市中区某路", "山东省济南市市中区****")]
    [InlineData("云南省西双版纳傣族自治州勐海县勐海镇", "云南省西双版纳傣族自治州勐海县****")]
    [InlineData("内蒙古自治区呼伦贝尔市鄂温克族自治旗某路", "内蒙古自治区呼伦贝尔市鄂温克族自治旗****")]
    [InlineData("广东省东莞市南城街道某某社区某路8号", "广东省东莞市****")]
    [InlineData("广东省东莞市南城街道红旗路8号", "广东省东莞市****")]
    [InlineData("天河区体育西路某市场", "天河区****")]
    [InlineData("广东省广州市天河区", "广东省广州市天河区")]
    [InlineData("某路1号", "****")]
    [InlineData("石牌街道华师社区", "****")]
    public void Masks_addresses_below_the_district(string input, string expected) => Assert.Equal(expected, Masking.MaskAddress(input));

    [Theory]
    [InlineData("6222021234567890", "************7890")]
    [InlineData("6222 0212 3456 7890", "**** **** **** 7890")]
    [InlineData("1234", "****")]
    public void Masks_bank_accounts(string input, string expected) => Assert.Equal(expected, Masking.MaskBankAccount(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Returns_null_and_empty_unchanged(string? input)
    {
        Assert.Equal(input, Masking.MaskIdNumber(input));
        Assert.Equal(input, Masking.MaskPhone(input));
        Assert.Equal(input, Masking.MaskName(input));
        Assert.Equal(input, Masking.MaskAddress(input));
        Assert.Equal(input, Masking.MaskBankAccount(input));
    }
}
