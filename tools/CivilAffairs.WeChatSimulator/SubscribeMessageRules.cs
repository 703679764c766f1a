using System.Text.RegularExpressions;

namespace CivilAffairs.WeChatSimulator;

/// <summary>
/// The subscribe-message value rules WeChat publishes ("订阅消息参数值内容限制说明"): the rule is
/// chosen by the data key's type prefix (<c>thing3</c> → <c>thing</c>). Lengths count characters
/// (one Chinese character is one character).
/// </summary>
internal static partial class SubscribeMessageRules
{
    [GeneratedRegex(@"^[A-Za-z0-9_-]{10,}$")]
    public static partial Regex DefaultTemplateId();

    [GeneratedRegex(@"^(?<type>[a-z_]+?)\d*$")]
    private static partial Regex KeyType();

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex Number();

    [GeneratedRegex(@"^[A-Za-z]+$")]
    private static partial Regex Letters();

    [GeneratedRegex(@"^[\x21-\x7E]+$")]
    private static partial Regex AsciiNoSpace();

    [GeneratedRegex(@"^[0-9+\-() ]+$")]
    private static partial Regex Phone();

    [GeneratedRegex(@"^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$")]
    private static partial Regex Amount();

    [GeneratedRegex(@"^\p{IsCJKUnifiedIdeographs}+$")]
    private static partial Regex Chinese();

    /// <summary>True when the value satisfies the rule of the key's type.</summary>
    public static bool IsValid(string key, string value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        var length = value.EnumerateRunes().Count();
        var type = KeyType().Match(key) is { Success: true } m ? m.Groups["type"].Value : key;
        return type switch
        {
            "thing" => length <= 20,
            "number" => length <= 32 && Number().IsMatch(value),
            "letter" => length <= 32 && Letters().IsMatch(value),
            "symbol" => length <= 5 && !value.Any(char.IsLetterOrDigit),
            "character_string" => length <= 32 && AsciiNoSpace().IsMatch(value),
            "phone_number" => length <= 17 && Phone().IsMatch(value),
            "car_number" => length <= 8,
            "name" => value.Any(c => c > 0x7F) ? length <= 10 : length <= 20,
            "phrase" => length <= 5 && Chinese().IsMatch(value),
            "amount" => Amount().IsMatch(value),
            "time" or "date" => length <= 50,
            _ => length <= 200,
        };
    }
}
