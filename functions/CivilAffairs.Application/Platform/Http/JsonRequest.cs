using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Platform.Http;

/// <summary>Reads a JSON request body with a size limit; any problem becomes a problem-details result.</summary>
public static class JsonRequest
{
    public const long DefaultLimit = 32 * 1024;

    public sealed record Outcome<T>(T? Value, IActionResult? Problem)
    {
        public bool Ok => Problem is null;
    }

    public static async Task<Outcome<T>> ReadAsync<T>(HttpRequest request, long limit = DefaultLimit, CancellationToken ct = default) where T : class
    {
        if (request.ContentType is { } ct0 && !ct0.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !ct0.Contains("+json", StringComparison.OrdinalIgnoreCase))
            return new(null, Problems.UnsupportedMediaType());
        if (request.ContentLength > limit) return new(null, Problems.TooLarge(limit));

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return new(null, Problems.TooLarge(limit));
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return new(null, Problems.MalformedJson("请求体为空。"));
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JsonDefaults.Options);
            return value is null ? new(null, Problems.MalformedJson("请求体不能为 null。")) : new(value, null);
        }
        catch (JsonException e)
        {
            // A value of the wrong type is the caller's field error; anything else is broken JSON.
            // Neither echoes the parser's internal message.
            if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && e.Path is { Length: > 1 } path)
                return new(null, Problems.Validation([new FieldError(path.TrimStart('$', '.'), "字段类型或格式不正确。")], "请求中有字段的类型或格式不正确。"));
            return new(null, Problems.MalformedJson($"JSON 格式错误（第 {(e.LineNumber ?? 0) + 1} 行附近）。"));
        }
    }

    /// <summary>Reads a query value that must be one of <paramref name="allowed"/> (case-insensitive); null when absent.</summary>
    public static bool TryEnumQuery<TEnum>(HttpRequest request, string name, out TEnum? value, out IActionResult? problem) where TEnum : struct, Enum
    {
        value = null; problem = null;
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw)) return true;
        if (Enum.TryParse<TEnum>(raw, ignoreCase: true, out var parsed) && !int.TryParse(raw, out _))
        {
            value = parsed;
            return true;
        }
        var allowed = string.Join("、", Enum.GetNames<TEnum>().Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)));
        problem = Problems.Create(StatusCodes.Status400BadRequest, "INVALID_QUERY", "查询参数有误", $"参数 {name} 的取值“{raw}”无效，可选：{allowed}。",
            [new FieldError(name, $"可选值：{allowed}")]);
        return false;
    }
}
