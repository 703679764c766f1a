using System.Text.RegularExpressions;
using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Platform.Files;

/// <summary>File kinds the platform accepts, recognised by their content (magic bytes), not their name.</summary>
public enum UploadKind
{
    Jpeg,
    Png,
    Webp,
    Pdf,
    Mp4,
}

public sealed record UploadCheck(UploadKind? Kind, string? SafeName, IReadOnlyList<FieldError> Errors)
{
    public bool Ok => Errors.Count == 0;

    public string ContentType => Kind switch
    {
        UploadKind.Jpeg => "image/jpeg",
        UploadKind.Png => "image/png",
        UploadKind.Webp => "image/webp",
        UploadKind.Pdf => "application/pdf",
        UploadKind.Mp4 => "video/mp4",
        _ => "application/octet-stream",
    };
}

/// <summary>
/// Upload checks shared by every area: size limit, content sniffed by magic bytes against the
/// allowed kinds (the declared type and the extension must agree with the content), and a safe
/// storage name (no paths, control characters or personal identifiers from the client).
/// </summary>
public static partial class UploadPolicy
{
    public const int SniffLength = 16;

    static readonly Dictionary<UploadKind, string[]> Extensions = new()
    {
        [UploadKind.Jpeg] = [".jpg", ".jpeg"],
        [UploadKind.Png] = [".png"],
        [UploadKind.Webp] = [".webp"],
        [UploadKind.Pdf] = [".pdf"],
        [UploadKind.Mp4] = [".mp4", ".m4v"],
    };

    /// <summary>Recognises the kind from the first bytes of the content.</summary>
    public static UploadKind? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return UploadKind.Jpeg;
        if (head.Length >= 8 && head[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return UploadKind.Png;
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return UploadKind.Webp;
        if (head.Length >= 5 && head[..5].SequenceEqual("%PDF-"u8)) return UploadKind.Pdf;
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8)) return UploadKind.Mp4;
        return null;
    }

    /// <param name="fileName">The client's file name (used only for its extension).</param>
    /// <param name="declaredContentType">The client's Content-Type, if any.</param>
    /// <param name="length">Total size in bytes.</param>
    /// <param name="head">At least the first <see cref="SniffLength"/> bytes.</param>
    public static UploadCheck Check(string? fileName, string? declaredContentType, long length, ReadOnlySpan<byte> head, long maxBytes, IReadOnlyCollection<UploadKind> allowed)
    {
        var errors = new List<FieldError>();
        if (length <= 0) errors.Add(new FieldError("file", "文件为空。"));
        else if (length > maxBytes) errors.Add(new FieldError("file", $"文件不能超过 {maxBytes / (1024 * 1024)} MB。"));

        var kind = Sniff(head);
        if (kind is null || !allowed.Contains(kind.Value))
            errors.Add(new FieldError("file", $"文件内容不是允许的类型（{string.Join("、", allowed.Select(a => a.ToString().ToUpperInvariant()))}）。"));

        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (kind is { } k && extension.Length > 0 && !Extensions[k].Contains(extension))
            errors.Add(new FieldError("fileName", "文件扩展名与文件内容不符。"));
        if (kind is { } k2 && declaredContentType is { Length: > 0 } declared
            && !declared.Split(';')[0].Trim().Equals(new UploadCheck(k2, null, []).ContentType, StringComparison.OrdinalIgnoreCase)
            && !declared.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            errors.Add(new FieldError("contentType", "声明的文件类型与文件内容不符。"));

        var safe = kind is { } kk ? $"{Guid.NewGuid():N}{Extensions[kk][0]}" : null;
        return new UploadCheck(kind, safe, errors);
    }

    /// <summary>A display name safe to store and show: no path, no control or reserved characters, bounded length.</summary>
    public static string SafeDisplayName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        name = Unsafe().Replace(name, "_").Trim(' ', '.');
        if (name.Length > 100) name = name[..100];
        return name.Length == 0 ? "file" : name;
    }

    [GeneratedRegex(@"[\x00-\x1F\x7F<>:""/\\|?*]")]
    private static partial Regex Unsafe();
}
