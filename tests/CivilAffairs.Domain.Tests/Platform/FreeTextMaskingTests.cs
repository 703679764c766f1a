using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Platform;

/// <summary>Identifiers typed into free text are masked like the structured fields (issue 11, finding 8).</summary>
public class FreeTextMaskingTests
{
    [Theory]
    [InlineData("身份证440106195803121235，电话13800138001", "身份证440106********1235，电话138****8001")]
    [InlineData("证件44010619580312123X。", "证件440106********123X。")]
    [InlineData("证件44010619580312123x", "证件440106********123x")]
    [InlineData("座机020-83211234找居委", "座机020-****1234找居委")]
    [InlineData("卡号6222020200112233445", "卡号***************3445")]
    [InlineData("13800138001和13900139002", "138****8001和139****9002")]
    [InlineData("联系138 0013 8001或139-0013-9002", "联系138 **** 8001或139-****-9002")]
    [InlineData("证件440106 19580312 1235。", "证件440106 ******** 1235。")]
    [InlineData("证件440106-19580312-123X", "证件440106-********-123X")]
    public void Identifiers_in_text_are_masked_the_rest_is_kept(string text, string masked) => Assert.Equal(masked, Masking.MaskFreeText(text));

    [Theory]
    [InlineData("3楼王阿姨行动不便，需要20箱饮用水")]
    [InlineData("门牌1234号，编号12345678901")] // 11 digits that are not a mobile number, fewer than 12 digits in a run
    [InlineData("")]
    [InlineData(null)]
    public void Text_without_identifiers_is_unchanged(string? text) => Assert.Equal(text, Masking.MaskFreeText(text));

    [Fact]
    public void No_digit_of_a_masked_ID_number_or_mobile_in_the_middle_survives()
    {
        var masked = Masking.MaskFreeText("联系440106195803121235或13812345678")!;
        Assert.Equal("联系440106********1235或138****5678", masked);
        Assert.Equal(masked, Masking.MaskFreeText(masked)); // masking twice changes nothing
    }
}
