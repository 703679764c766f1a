using CivilAffairs.Domain.Funeral.Memorials;

namespace CivilAffairs.Domain.Tests.Funeral.Memorials;

/// <summary>
/// The screen's matching on segmented words, with a tiny dictionary segmenter (forward maximum matching) standing in for jieba;
/// the real segmenter and word list are tested in the application tests.
/// </summary>
public class MessageScreenTests
{
    static readonly string[] Dictionary = ["牲畜", "生产", "畜生", "傻逼", "去死", "死亡谷", "全家", "怀念", "永远", "我们", "旅行", "usb", "接口", "报应"];

    /// <summary>Forward maximum matching on <see cref="Dictionary"/>; Latin letters one by one (as jieba may split them).</summary>
    static IReadOnlyList<string> Segment(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var word = Dictionary.Where(w => string.CompareOrdinal(text, i, w, 0, w.Length) == 0).OrderByDescending(w => w.Length).FirstOrDefault();
            var length = word?.Length ?? 1;
            tokens.Add(text.Substring(i, length));
            i += length;
        }
        return tokens;
    }

    static readonly MessageScreen Screen = new(MessageScreen.Parse("""
        # test list
        offensive	畜生
        offensive	傻逼
        offensive	去死
        offensive	sb
        offensive	死+全家
        borderline	报应
        nonsense	ignored
        """), Segment);

    [Theory]
    [InlineData("我们永远怀念")]
    [InlineData("牲畜生产")]           // 畜生 inside 牲畜 | 生产
    [InlineData("usb接口")]            // sb inside usb (u, s, b merged as one Latin word)
    public void A_listed_word_inside_a_longer_word_is_not_flagged(string text) => Assert.Equal(ScreenVerdict.Clean, Screen.Screen(text).Verdict);

    [Theory]
    [InlineData("你这畜生")]
    [InlineData("傻 逼")]
    [InlineData("傻-_-逼")]
    [InlineData("ＳＢ")]
    [InlineData("s b")]
    [InlineData("死了全家")]          // phrase words with one word between
    public void Offensive_words_and_split_phrases_are_caught(string text) => Assert.Equal(ScreenVerdict.Offensive, Screen.Screen(text).Verdict);

    [Fact]
    public void A_phrase_whose_words_are_too_far_apart_is_not_a_match() =>
        Assert.Equal(ScreenVerdict.Clean, Screen.Screen("死了了了了全家").Verdict);

    [Fact]
    public void Borderline_words_are_told_apart_and_the_worst_wins()
    {
        Assert.Equal(ScreenVerdict.Borderline, Screen.Screen("报应").Verdict);
        Assert.Equal(ScreenVerdict.Offensive, Screen.Screen("报应畜生").Verdict);
    }

    [Fact]
    public void The_list_words_are_given_to_the_segmenter() =>
        Assert.Equal(["畜生", "傻逼", "去死", "sb", "报应", "死", "全家"], Screen.Words.ToList());
}
