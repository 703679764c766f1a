using System.Globalization;
using System.Text.Json;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;

namespace CivilAffairs.Functions.Platform.Http;

/// <summary>Reads a JSON request body with a size limit; anything wrong with it is a <see cref="Problem"/>, never an exception.</summary>
public static class JsonBody
{
    public const long DefaultLimit = 32 * 1024;

    /// <summary>True when the request carries a body at all (a length, or a content type).</summary>
    public static bool IsPresent(HttpRequest request) => request.ContentLength is > 0 || !string.IsNullOrEmpty(request.ContentType);

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, long limit = DefaultLimit, CancellationToken ct = default) where T : class
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
            return Problem.UnsupportedMediaType();
        if (request.ContentLength > limit) return Problem.TooLarge(limit);

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return Problem.TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return Problem.MalformedJson("请求体为空。");
        if (JsonText.CheckJson(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is { } bad) return bad;
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonDefaults.Options);
            return value is null ? Problem.MalformedJson("请求体不能为 null。") : Result.Ok(value);
        }
        catch (JsonException e)
        {
            // A value of the wrong type is the caller's field error; anything else is broken JSON.
            // Neither echoes the parser's internal message.
            if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && e.Path is { Length: > 1 } path)
                return Problem.Invalid([new FieldError(path.TrimStart('$', '.'), "字段类型或格式不正确。")], "请求中有字段的类型或格式不正确。");
            return Problem.MalformedJson($"JSON 格式错误（第 {(e.LineNumber ?? 0) + 1} 行附近）。");
        }
    }
}

/// <summary>
/// What stored text may contain, checked once for every JSON body: valid UTF-8, no control characters other than tab and
/// line breaks, no unpaired surrogates, no noncharacters (U+FFFE, U+FFFF…), at most <see cref="TextRules.MaxStringLength"/> characters
/// in any one string. Text that passes can be written to any output format; text that does not is refused with the field
/// at fault, before anything is stored.
/// </summary>
public static class JsonText
{

    /// <summary>Null when every string (and property name) of the document is acceptable text; else the problem.</summary>
    public static Problem? CheckJson(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        string? property = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String)) continue;
                string text;
                try { text = reader.GetString()!; }
                catch (InvalidOperationException) { return Bad(property ?? "", "文本不是有效的 UTF-8 编码。"); }
                if (reader.TokenType == JsonTokenType.PropertyName) property = text;
                if (TextRules.Check(text) is { } why) return Bad(reader.TokenType == JsonTokenType.PropertyName ? text : property ?? "", why);
            }
        }
        catch (JsonException)
        {
            return null; // not JSON at all: the deserializer says so with its own problem
        }
        return null;
    }

    static Problem Bad(string field, string message) => Problem.Invalid([new FieldError(field, message)], "请求中有文本含有不允许的字符或过长。", "INVALID_TEXT", "文本不符合要求");
}

/// <summary>Query-string values, parsed or refused with <c>INVALID_QUERY</c>.</summary>
public static class Query
{
    public static string? Text(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } v ? v : null;

    /// <summary>An enum value (case-insensitive name, not a number); null when absent.</summary>
    public static Result<TEnum?> Enum<TEnum>(HttpRequest request, string name) where TEnum : struct, System.Enum
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw)) return Result.Ok<TEnum?>(null);
        if (System.Enum.TryParse<TEnum>(raw, ignoreCase: true, out var parsed) && !int.TryParse(raw, out _)) return Result.Ok<TEnum?>(parsed);
        var allowed = string.Join("、", System.Enum.GetNames<TEnum>().Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)));
        return Problem.InvalidQuery(name, $"参数 {name} 的取值“{Truncate(raw)}”无效，可选：{allowed}。", $"可选值：{allowed}");
    }

    /// <summary><c>true</c>/<c>false</c>; <paramref name="absent"/> when not given.</summary>
    public static Result<bool> Bool(HttpRequest request, string name, bool absent = false)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0) return Result.Ok(absent);
        return bool.TryParse(raw, out var value) ? Result.Ok(value) : Problem.InvalidQuery(name, $"参数 {name} 只能是 true 或 false。", "只能是 true 或 false");
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="absent"/> when not given.</summary>
    public static Result<int> Int(HttpRequest request, string name, int min, int max, int absent)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0) return Result.Ok(absent);
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? Result.Ok(value)
            : Problem.InvalidQuery(name, $"参数 {name} 须为 {min} 到 {max} 的整数。", $"须为 {min} 到 {max} 的整数");
    }

    /// <summary>An ISO 8601 instant (UTC when no offset is given); null when absent.</summary>
    public static Result<DateTimeOffset?> Instant(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0) return Result.Ok<DateTimeOffset?>(null);
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? Result.Ok<DateTimeOffset?>(t)
            : Problem.InvalidQuery(name, $"参数 {name} 须为 ISO 8601 时间。", "须为 ISO 8601 时间。");
    }

    static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

/// <summary>Conditional-request headers.</summary>
public static class Preconditions
{
    /// <summary>The <c>If-Match</c> value, if any (a quoted ETag as given by GET, or <c>*</c>).</summary>
    public static string? IfMatch(HttpRequest request) => request.Headers.IfMatch.ToString() is { Length: > 0 } v ? v.Trim() : null;
}
