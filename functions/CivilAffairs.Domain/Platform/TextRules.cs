namespace CivilAffairs.Domain.Platform;

/// <summary>
/// What text the platform stores: no control characters other than tab and line breaks, no unpaired surrogates, no
/// noncharacters, a bounded length. Text that passes can be written to JSON, XML and CSV; every request body is checked
/// against it at the boundary, and the output encoders (<see cref="TextEncoding"/>) drop anything older data might still hold.
/// </summary>
public static class TextRules
{
    public const int MaxStringLength = 10_000;

    /// <summary>Why <paramref name="text"/> cannot be stored, or null when it can.</summary>
    public static string? Check(string text)
    {
        if (text.Length > MaxStringLength) return $"文本不能超过 {MaxStringLength} 个字符。";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return "文本含有无效的字符（不成对的代理项）。";
            }
            if (char.IsLowSurrogate(c)) return "文本含有无效的字符（不成对的代理项）。";
            if (c is '\t' or '\n' or '\r') continue;
            if (char.IsControl(c)) return "文本不能含有控制字符。";
            if (c is '\uFFFE' or '\uFFFF' || c >= '\uFDD0' && c <= '\uFDEF') return "文本含有非字符码位（如 U+FFFE）。";
        }
        return null;
    }

}

/// <summary>The one encoder per output format for text that leaves the platform.</summary>
public static class TextEncoding
{
    /// <summary>Text as XML 1.0 can carry it: characters XML forbids (controls, unpaired surrogates, U+FFFE/U+FFFF) removed.</summary>
    public static string ForXml(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var b = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { b.Append(c).Append(text[++i]); continue; }
            if (char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' || c < 0x20 && c is not ('\t' or '\n' or '\r')) continue;
            b.Append(c);
        }
        return b.ToString();
    }

    /// <summary>
    /// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled; a leading =, +, - or @
    /// is prefixed with an apostrophe so that spreadsheet programs do not run it as a formula; XML-forbidden characters removed.
    /// </summary>
    public static string ForCsv(string? text)
    {
        var t = ForXml(text);
        if (t.Length > 0 && t[0] is '=' or '+' or '-' or '@') t = "'" + t;
        return t.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : t;
    }
}
