using System.Xml.Linq;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Tests.Platform;

/// <summary>
/// What text may be stored, and the output encoders for what leaves the platform (issue 11, finding 3: one incident name with
/// a control character took the public CAP feed down).
/// </summary>
public class TextRulesTests
{
    [Theory]
    [InlineData("天河区暴雨内涝")]
    [InlineData("ADV 1\t2\r\n3")]
    [InlineData("台风😀")] // a surrogate pair is one valid character
    [InlineData("<script>&amp;]]>")] // markup is text; the encoders escape it
    [InlineData("")]
    public void Ordinary_text_may_be_stored(string text) => Assert.Null(TextRules.Check(text));

    [Theory]
    [InlineData("ADV\u0001洪水", "控制字符")]
    [InlineData("\u0000", "控制字符")]
    [InlineData("a\u007fb", "控制字符")]
    [InlineData("a\u0085b", "控制字符")]
    [InlineData("\ufffe", "非字符")]
    [InlineData("\uffff", "非字符")]
    [InlineData("x\ufdd0", "非字符")]
    public void Text_a_format_cannot_carry_is_refused_with_the_reason(string text, string reason) =>
        Assert.Contains(reason, TextRules.Check(text));

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        // Not as [InlineData]: the test runner would replace a lone surrogate with U+FFFD before the test saw it.
        foreach (var text in new[] { "ADV\ud800X", "\udc00", "末尾\ud83d", "\ude00\ud83d" })
            Assert.Contains("代理项", TextRules.Check(text));
    }

    [Fact]
    public void Length_is_bounded()
    {
        Assert.Null(TextRules.Check(new string('长', TextRules.MaxStringLength)));
        Assert.Contains("10000", TextRules.Check(new string('长', TextRules.MaxStringLength + 1))!.Replace(",", ""));
    }

    [Fact]
    public void The_XML_encoder_drops_what_XML_cannot_carry_so_an_old_stored_name_cannot_break_a_feed()
    {
        const string stored = "A\u0001B\ufffeC\ud800D😀\tE\u0000";
        Assert.ThrowsAny<ArgumentException>(() => new XElement("headline", stored).ToString());
        var encoded = TextEncoding.ForXml(stored);
        Assert.Equal("ABCD😀\tE", encoded);
        Assert.Equal(encoded, XElement.Parse(new XElement("headline", encoded).ToString()).Value);
        Assert.Equal("", TextEncoding.ForXml(null));
    }

    [Theory]
    [InlineData("张伟", "张伟")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("说\"好\"", "\"说\"\"好\"\"\"")]
    [InlineData("两行\n文本", "\"两行\n文本\"")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("A\u0001B", "AB")]
    public void The_CSV_encoder_quotes_fields_and_defuses_formulas(string text, string field) => Assert.Equal(field, TextEncoding.ForCsv(text));
}
