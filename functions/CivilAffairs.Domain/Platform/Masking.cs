using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CivilAffairs.Domain.Platform;

/// <summary>
/// Display masking of personal identifiers (脱敏) for responses to callers who may not see them in full.
/// Every method returns null or empty input unchanged. When a value does not have the expected
/// shape the methods mask more, never less.
/// </summary>
public static partial class Masking
{
    const char Star = '*';

    static readonly string[] CompoundSurnames =
        ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯"];

    /// <summary>
    /// 18 characters: first 6 and last 4 visible (<c>440106********1234</c>).
    /// Other lengths: first and last character visible; two characters or fewer: all masked.
    /// </summary>
    public static string? MaskIdNumber(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        if (value.Length == IdNumber.Length) return KeepEnds(value, 6, 4);
        return value.Length <= 2 ? new string(Star, value.Length) : KeepEnds(value, 1, 1);
    }

    /// <summary>
    /// Mobile numbers (11 digits starting with 1, optionally after +86/86): first 3 and last 4 digits
    /// visible (<c>138****5678</c>). Numbers with an area code (<c>020-12345678</c>): the area code and the
    /// last 4 digits visible (<c>020-****5678</c>). Anything else: the last 4 digits visible when there are
    /// at least 7 digits, otherwise every digit masked. Separators are kept.
    /// </summary>
    public static string? MaskPhone(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var mobile = MobilePattern().Match(value);
        if (mobile.Success)
        {
            var number = mobile.Groups["number"].Value;
            return value[..mobile.Groups["number"].Index] + KeepEnds(number, 3, 4);
        }
        var dash = value.IndexOf('-');
        if (dash > 0 && value[..dash].All(char.IsAsciiDigit) && value[0] == '0')
            return value[..(dash + 1)] + MaskDigitsKeepingLast(value[(dash + 1)..]);
        return MaskDigitsKeepingLast(value);
    }

    /// <summary>
    /// Free text (a need's description, a note) with the identifiers it contains masked like the structured fields: resident
    /// ID numbers (<c>440106********1234</c>), mobile numbers (<c>138****5678</c>), landline numbers with an area code, and
    /// long digit runs such as bank cards (last 4 kept). ID and mobile numbers typed in groups (<c>440106 19800101 1234</c>,
    /// <c>138-0013-8001</c>) are masked in the same places. Names cannot be found by pattern and stay as written.
    /// </summary>
    public static string? MaskFreeText(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var masked = GroupedIdNumberInText().Replace(value, m => m.Groups["head"].Value + m.Groups["sep"].Value + new string(Star, 8) + m.Groups["sep"].Value + m.Groups["tail"].Value);
        masked = GroupedMobileInText().Replace(masked, m => m.Groups["head"].Value + m.Groups["sep"].Value + new string(Star, 4) + m.Groups["sep"].Value + m.Groups["tail"].Value);
        masked = IdNumberInText().Replace(masked, m => MaskIdNumber(m.Value)!);
        masked = MobileInText().Replace(masked, m => m.Value[..^8] + new string(Star, 4) + m.Value[^4..]);
        masked = LandlineInText().Replace(masked, m => MaskPhone(m.Value)!);
        return DigitRunInText().Replace(masked, m => new string(Star, m.Value.Length - 4) + m.Value[^4..]);
    }

    [GeneratedRegex(@"(?<![\dXx])\d{17}[\dXx](?![\dXx])")]
    private static partial Regex IdNumberInText();
    [GeneratedRegex(@"(?<![\dXx*])(?<head>\d{6})(?<sep>[ \-])\d{8}\k<sep>(?<tail>\d{3}[\dXx])(?![\dXx])")]
    private static partial Regex GroupedIdNumberInText();
    [GeneratedRegex(@"(?<![\d*])(?<head>1[3-9]\d)(?<sep>[ \-])\d{4}\k<sep>(?<tail>\d{4})(?!\d)")]
    private static partial Regex GroupedMobileInText();
    [GeneratedRegex(@"(?<!\d)1[3-9]\d{9}(?!\d)")]
    private static partial Regex MobileInText();
    [GeneratedRegex(@"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")]
    private static partial Regex LandlineInText();
    [GeneratedRegex(@"(?<![\d*])\d{12,}(?!\d)")]
    private static partial Regex DigitRunInText();

    /// <summary>
    /// Surname visible, the given name masked (<c>张*</c>, <c>张**</c>, <c>欧阳**</c> for compound surnames).
    /// One-character values are returned unchanged. Separators (·, spaces) are kept. Characters outside
    /// the Basic Multilingual Plane (rare characters in names) count as one character.
    /// </summary>
    public static string? MaskName(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var elements = TextElements(value);
        if (elements.Count <= 1) return value;
        var keep = elements.Count > 2 && CompoundSurnames.Any(s => value.StartsWith(s, StringComparison.Ordinal)) ? 2 : 1;
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < elements.Count; i++)
            sb.Append(i < keep || elements[i] is "·" or "•" or "・" or " " ? elements[i] : "*");
        return sb.ToString();
    }

    /// <summary>
    /// Keeps the administrative prefix down to the district or county level and replaces the rest with
    /// <c>****</c>: <c>广东省广州市天河区石牌街道华师社区某路1号</c> → <c>广东省广州市天河区****</c>.
    /// Recognised levels: province (…省, …自治区, 北京/天津/上海/重庆市), city (…市, …自治州, …地区, …盟),
    /// district (…区, …县, …市, …旗, …自治县/旗). Without a recognisable prefix the whole value is masked;
    /// an address that is only the prefix is returned unchanged.
    /// </summary>
    public static string? MaskAddress(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var address = value.Trim();
        var end = 0;
        end = Advance(ProvincePattern(), address, end, DetailWords.Length);
        end = Advance(CityPattern(), address, end, CityDetailWordCount);
        end = Advance(DistrictPattern(), address, end, DetailWords.Length);
        if (end == 0) return "****";
        return end == address.Length ? address : address[..end] + "****";
    }

    /// <summary>Last 4 digits or letters visible, separators kept (<c>6222 **** **** 7890</c> style); 4 or fewer: all masked.</summary>
    public static string? MaskBankAccount(string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var significant = value.Count(char.IsAsciiLetterOrDigit);
        var keep = significant > 4 ? 4 : 0;
        return MaskWhere(value, char.IsAsciiLetterOrDigit, significant - keep);
    }

    static string KeepEnds(string value, int head, int tail) =>
        string.Concat(value.AsSpan(0, head), new string(Star, value.Length - head - tail), value.AsSpan(value.Length - tail));

    static string MaskDigitsKeepingLast(string value)
    {
        var digits = value.Count(char.IsAsciiDigit);
        return MaskWhere(value, char.IsAsciiDigit, digits >= 7 ? digits - 4 : digits);
    }

    /// <summary>Replaces the first <paramref name="count"/> characters matching <paramref name="isSignificant"/>.</summary>
    static string MaskWhere(string value, Func<char, bool> isSignificant, int count)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length && count > 0; i++)
        {
            if (!isSignificant(chars[i])) continue;
            chars[i] = Star;
            count--;
        }
        return new string(chars);
    }

    static List<string> TextElements(string value)
    {
        var list = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(value);
        while (e.MoveNext()) list.Add(e.GetTextElement());
        return list;
    }

    // Words that belong to street-level detail, never to a province, city or district name.
    // The city check omits 镇/乡 (镇江市 is a city); a district name containing them (镇平县) is
    // therefore not recognised and masked, which errs on the safe side.
    static readonly string[] DetailWords = ["街道", "大道", "社区", "路", "街", "号", "村", "巷", "弄", "栋", "楼", "室", "镇", "乡"];
    const int CityDetailWordCount = 12;

    static int Advance(Regex pattern, string address, int start, int detailWordCount)
    {
        var m = pattern.Match(address, start);
        if (!m.Success) return start;
        var name = m.Groups["name"].Value;
        for (var i = 0; i < detailWordCount; i++)
            if (name.Contains(DetailWords[i], StringComparison.Ordinal)) return start;
        return start + m.Length;
    }

    [GeneratedRegex(@"\G(?<prefix>(?:\+?86)?[ \-]?)(?<number>1[0-9]{10})$")]
    private static partial Regex MobilePattern();

    [GeneratedRegex(@"\G(?:(?<name>[^省市区县]{2,3})省|(?<name>[^省市区县]{2,5}?)自治区|(?<name>北京|天津|上海|重庆)市)")]
    private static partial Regex ProvincePattern();

    [GeneratedRegex(@"\G(?:(?<name>[^省市区县]{1,4}?)市|(?<name>[^省市区县]{1,10}?)自治州|(?<name>[^省市区县]{1,6}?)地区|(?<name>[^省市区县]{1,6}?)盟)")]
    private static partial Regex CityPattern();

    [GeneratedRegex(@"\G(?:(?<name>[^省区县]{1,5}?)(?:区|县|市|旗)|(?<name>[^省区县]{1,14}?)自治(?:县|旗))")]
    private static partial Regex DistrictPattern();
}
