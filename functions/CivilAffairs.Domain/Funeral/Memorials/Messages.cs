using System.Text;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Funeral.Memorials;

/// <summary>Where a visitor's message stands. Only approved messages are shown.</summary>
public enum MessageStatus
{
    Pending,
    Approved,
    Rejected,
}

/// <summary>What the keyword screen found in a message.</summary>
public enum ScreenVerdict
{
    /// <summary>Nothing on the word list.</summary>
    Clean,
    /// <summary>A word that may be hurtful in context: the family decides.</summary>
    Borderline,
    /// <summary>A clearly abusive or offensive word or phrase: refused outright.</summary>
    Offensive,
}

/// <summary>The screen's finding: the verdict and how many listed words matched (the words themselves are never echoed to the writer).</summary>
public sealed record ScreenResult(ScreenVerdict Verdict, int Matches)
{
    public static readonly ScreenResult Clean = new(ScreenVerdict.Clean, 0);
}

/// <summary>One entry of the word list: a word, or a phrase of several words that must appear in this order within a few words.</summary>
public sealed record ScreenEntry(IReadOnlyList<string> Words, ScreenVerdict Level);

/// <summary>
/// The message keyword screen, on word segmentation rather than substrings: a listed word counts only when the segmenter keeps it
/// as a word of the message, so a listed word inside a longer innocent word (畜生 in 牲畜生产, sb in USB) is not flagged. Phrases
/// split to slip through are caught twice over: separators between the characters (spaces, punctuation, symbols, zero-width
/// characters: 傻 逼, 傻*逼) are removed and the message segmented again, and a phrase entry (<c>死 全家</c>) matches its words in
/// order with at most <see cref="PhraseGap"/> other words between them. The segmenter is given from outside (jieba in the
/// application), with the listed words added to its dictionary.
/// </summary>
public sealed class MessageScreen
{
    /// <summary>How many other words may stand between the words of a phrase entry.</summary>
    public const int PhraseGap = 2;

    readonly Func<string, IReadOnlyList<string>> segment;
    readonly Dictionary<string, ScreenVerdict> words = new(StringComparer.Ordinal);
    readonly List<ScreenEntry> phrases = [];

    public MessageScreen(IEnumerable<ScreenEntry> entries, Func<string, IReadOnlyList<string>> segment)
    {
        this.segment = segment;
        foreach (var e in entries)
        {
            var normalized = e.Words.Select(Fold).Where(w => w.Length > 0).ToList();
            if (normalized.Count == 0) continue;
            if (normalized.Count == 1) words[normalized[0]] = Max(words.GetValueOrDefault(normalized[0]), e.Level);
            else phrases.Add(e with { Words = normalized });
        }
    }

    /// <summary>Every single word of the list (to add to the segmenter's dictionary).</summary>
    public IEnumerable<string> Words => words.Keys.Concat(phrases.SelectMany(p => p.Words)).Distinct();

    /// <summary>
    /// Reads the word-list format: one entry a line, <c>level&lt;TAB or space&gt;word</c> with level <c>offensive</c> or
    /// <c>borderline</c>; a phrase's words separated by <c>+</c> (<c>offensive 死+全家</c>); <c>#</c> starts a comment.
    /// </summary>
    public static IReadOnlyList<ScreenEntry> Parse(string text)
    {
        var entries = new List<ScreenEntry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2) continue;
            var level = parts[0].ToLowerInvariant() switch
            {
                "offensive" => ScreenVerdict.Offensive,
                "borderline" => ScreenVerdict.Borderline,
                _ => (ScreenVerdict?)null,
            };
            if (level is null) continue;
            entries.Add(new ScreenEntry(parts[1].Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), level.Value));
        }
        return entries;
    }

    public ScreenResult Screen(string message)
    {
        var folded = Fold(message);
        var verdict = ScreenVerdict.Clean;
        var matches = 0;
        foreach (var text in new[] { folded, StripSeparators(folded) }.Distinct())
        {
            var tokens = MergeLatin(segment(text).Select(t => t.Trim()).Where(t => t.Length > 0 && !IsSeparatorOnly(t)));
            foreach (var t in tokens)
                if (words.TryGetValue(t, out var level)) { verdict = Max(verdict, level); matches++; }
            foreach (var p in phrases)
                if (InOrder(tokens, p.Words)) { verdict = Max(verdict, p.Level); matches++; }
        }
        return verdict == ScreenVerdict.Clean ? ScreenResult.Clean : new ScreenResult(verdict, matches);
    }

    /// <summary>Latin letters and digits form words by themselves: adjacent Latin tokens are one word (u + sb → usb).</summary>
    static List<string> MergeLatin(IEnumerable<string> tokens)
    {
        var merged = new List<string>();
        foreach (var t in tokens)
            if (merged.Count > 0 && IsLatin(t) && IsLatin(merged[^1])) merged[^1] += t;
            else merged.Add(t);
        return merged;
    }

    static bool IsLatin(string token) => token.All(char.IsAsciiLetterOrDigit);

    static bool InOrder(List<string> tokens, IReadOnlyList<string> phrase)
    {
        for (var start = 0; start < tokens.Count; start++)
        {
            if (tokens[start] != phrase[0]) continue;
            int at = start, k = 1;
            while (k < phrase.Count)
            {
                var next = -1;
                for (var j = at + 1; j < tokens.Count && j <= at + 1 + PhraseGap; j++)
                    if (tokens[j] == phrase[k]) { next = j; break; }
                if (next < 0) break;
                at = next;
                k++;
            }
            if (k == phrase.Count) return true;
        }
        return false;
    }

    static ScreenVerdict Max(ScreenVerdict a, ScreenVerdict b) => (ScreenVerdict)Math.Max((int)a, (int)b);

    /// <summary>Full-width to half-width (ＳＢ → SB), lower case, compatibility forms folded (NFKC).</summary>
    public static string Fold(string text) => text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    /// <summary>Removes everything that is not a letter or digit (spaces, punctuation, symbols, zero-width characters).</summary>
    public static string StripSeparators(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            if (Rune.IsLetterOrDigit(rune)) sb.Append(rune.ToString());
        return sb.ToString();
    }

    static bool IsSeparatorOnly(string token) => token.EnumerateRunes().All(r => !Rune.IsLetterOrDigit(r));
}

/// <summary>Rules of visitors' messages and their moderation.</summary>
public static class MessageRules
{
    public const int MaxLength = 500;

    public static MemorialRejection? CheckText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length > MaxLength || TextRules.Check(text) is not null)
            return new("MEMORIAL_MESSAGE_INVALID", $"请填写留言（不超过 {MaxLength} 个字，不能含有控制字符）。", Field: "text");
        return null;
    }

    /// <summary>
    /// Where a screened message goes: offensive is refused (null: nothing stored), borderline waits for the family whatever they
    /// chose, an ordinary one waits too unless the family chose auto-publish.
    /// </summary>
    public static MessageStatus? InitialStatus(ScreenVerdict verdict, bool autoPublish) => verdict switch
    {
        ScreenVerdict.Offensive => null,
        ScreenVerdict.Borderline => MessageStatus.Pending,
        _ => autoPublish ? MessageStatus.Approved : MessageStatus.Pending,
    };

    /// <summary>Only a pending message can be decided; deciding it the same way again is a no-op, the other way a conflict.</summary>
    public static MemorialRejection? CheckDecision(MessageStatus current, MessageStatus decision) =>
        current == MessageStatus.Pending || current == decision ? null
            : new("MEMORIAL_MESSAGE_DECIDED", current == MessageStatus.Approved ? "该留言已通过审核。" : "该留言已被拒绝。", MemorialRejectionKind.State);

    public static string ChineseName(this MessageStatus status) => status switch
    {
        MessageStatus.Pending => "待审核",
        MessageStatus.Approved => "已发布",
        MessageStatus.Rejected => "未通过",
        _ => status.ToString(),
    };
}
