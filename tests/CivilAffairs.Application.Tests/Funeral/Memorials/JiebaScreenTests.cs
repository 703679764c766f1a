using CivilAffairs.Application.Funeral.Memorials;
using CivilAffairs.Domain.Funeral.Memorials;

namespace CivilAffairs.Application.Tests.Funeral.Memorials;

/// <summary>The memorial message screen with the real jieba.NET segmenter and the shipped word list (its dictionaries must be in the build output).</summary>
public class JiebaScreenTests
{
    static readonly MessageScreen Screen = JiebaScreen.Default;

    [Fact]
    public void The_dictionaries_are_in_the_build_output() =>
        Assert.True(File.Exists(Path.Combine(JiebaScreen.DictionaryDirectory, "dict.txt")));

    [Theory]
    [InlineData("愿您在天堂安息，我们永远怀念您。")]
    [InlineData("外公一辈子从事牲畜生产，勤劳朴实。")]   // 畜生 inside 牲畜生产
    [InlineData("我的USB接口坏了，照片明天再传。")]     // sb inside USB
    [InlineData("小时候常和爷爷在操场上散步。")]
    [InlineData("他去死亡谷旅行时拍下了这张照片。")]     // 去死 inside 去/死亡谷
    [InlineData("我妈的手艺是跟奶奶学的。")]
    public void Ordinary_messages_pass(string text) => Assert.Equal(ScreenVerdict.Clean, Screen.Screen(text).Verdict);

    [Theory]
    [InlineData("你就是个傻逼")]
    [InlineData("傻 逼")]                 // split by a space
    [InlineData("傻*逼！")]               // split by a symbol
    [InlineData("傻\u200B逼")]            // split by a zero-width space
    [InlineData("ＳＢ一个")]              // full-width letters
    [InlineData("这种人死有余辜")]
    [InlineData("祝你死全家")]            // phrase 死+全家
    [InlineData("你早就该死了")]          // phrase 早就+该死
    public void Offensive_messages_are_caught(string text) => Assert.Equal(ScreenVerdict.Offensive, Screen.Screen(text).Verdict);

    [Theory]
    [InlineData("这就是报应")]
    [InlineData("他生前是个骗子")]
    public void Borderline_messages_go_to_the_family(string text) => Assert.Equal(ScreenVerdict.Borderline, Screen.Screen(text).Verdict);
}
