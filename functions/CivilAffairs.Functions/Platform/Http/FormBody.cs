using CivilAffairs.Application.Platform.Results;
using Microsoft.AspNetCore.Http;

namespace CivilAffairs.Functions.Platform.Http;

/// <summary>Reads a <c>multipart/form-data</c> body (a file upload); anything wrong with it is a <see cref="Problem"/>.</summary>
public static class FormBody
{
    /// <summary>Room for the form's other fields and the multipart framing beyond the file itself.</summary>
    const long Overhead = 64 * 1024;

    public static async Task<Result<IFormCollection>> ReadAsync(HttpRequest request, long maxFileBytes, CancellationToken ct)
    {
        if (!request.HasFormContentType) return Problem.UnsupportedMediaType("multipart/form-data");
        if (request.ContentLength > maxFileBytes + Overhead) return Problem.TooLarge(maxFileBytes);
        try
        {
            return Result.Ok(await request.ReadFormAsync(ct));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            // A body that ends before its closing boundary, a bad boundary, a part too large: the caller's form, not our fault.
            return Problem.MalformedForm("表单格式不正确（multipart/form-data 不完整或有误），请重新提交。");
        }
    }
}
