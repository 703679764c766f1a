namespace CivilAffairs.Application.Platform.Results;

/// <summary>How a successful operation is answered.</summary>
public enum Success
{
    /// <summary>200: the value.</summary>
    Ok,
    /// <summary>201: a new resource at <see cref="Result{T}.Location"/>.</summary>
    Created,
    /// <summary>202: accepted; progress at <see cref="Result{T}.Location"/>.</summary>
    Accepted,
}

/// <summary>A file to download (e.g. a bank file): bytes, media type and the name offered to save it as.</summary>
public sealed record FileBody(byte[] Content, string ContentType, string? FileName = null)
{
    /// <summary>A CSV download: UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese text (cells encoded with <c>TextEncoding.ForCsv</c>).</summary>
    public static FileBody Csv(string text, string fileName) =>
        new([.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text)], "text/csv; charset=utf-8", fileName);
}

/// <summary>A text document in a format of its own (e.g. CAP XML, Atom), not JSON.</summary>
public sealed record TextBody(string Content, string ContentType);

/// <summary>
/// The one result of every application service: a value (with how it is answered — 200, 201 or 202 with its location —
/// and optionally its ETag and how long the public may cache it) or a <see cref="Problem"/>. The function app maps it to
/// HTTP in one place (<c>CivilAffairs.Functions.Platform.Http.ResultMapping</c>).
/// </summary>
public sealed class Result<T>
{
    Result(T? value, Problem? problem, Success success, string? location, string? etag, int? cacheSeconds)
    {
        Value = value;
        Problem = problem;
        Success = success;
        Location = location;
        ETag = etag;
        CacheSeconds = cacheSeconds;
    }

    public T? Value { get; }
    public Problem? Problem { get; }
    public bool IsSuccess => Problem is null;
    public Success Success { get; }
    /// <summary>Path of the created resource or of the progress to follow (<c>/api/...</c>).</summary>
    public string? Location { get; }
    /// <summary>The version of the returned object (quoted), for <c>If-Match</c>.</summary>
    public string? ETag { get; }
    /// <summary>Public cache lifetime in seconds (public, non-personal answers only).</summary>
    public int? CacheSeconds { get; }

    public static Result<T> Ok(T value, string? etag = null) => new(value, null, Success.Ok, null, etag, null);
    public static Result<T> Created(T value, string? location, string? etag = null) => new(value, null, Success.Created, location, etag, null);
    public static Result<T> Accepted(T value, string location) => new(value, null, Success.Accepted, location, null, null);
    public static Result<T> Fail(Problem problem) => new(default, problem ?? throw new ArgumentNullException(nameof(problem)), default, null, null, null);

    /// <summary>The same success, cacheable by the public for <paramref name="seconds"/>.</summary>
    public Result<T> Cached(int seconds) => new(Value, Problem, Success, Location, ETag, seconds);

    public static implicit operator Result<T>(Problem problem) => Fail(problem);

    /// <summary>Transforms the value, keeping how it is answered; a problem passes through.</summary>
    public Result<TOut> Map<TOut>(Func<T, TOut> map) =>
        Problem is { } p ? Result<TOut>.Fail(p) : Result<TOut>.From(map(Value!), Success, Location, ETag, CacheSeconds);

    /// <summary>Continues with <paramref name="next"/> when this succeeded; a problem passes through.</summary>
    public async Task<Result<TOut>> ThenAsync<TOut>(Func<T, Task<Result<TOut>>> next) =>
        Problem is { } p ? Result<TOut>.Fail(p) : await next(Value!);

    internal static Result<T> From(T value, Success success, string? location, string? etag, int? cacheSeconds) =>
        new(value, null, success, location, etag, cacheSeconds);

    public override string ToString() => Problem is { } p ? $"{p.Status} {p.Code}" : $"{Success} {Value}";
}

/// <summary>Shorthands so services can write <c>return Result.Ok(view)</c>.</summary>
public static class Result
{
    public static Result<T> Ok<T>(T value, string? etag = null) => Result<T>.Ok(value, etag);
    public static Result<T> Created<T>(T value, string? location, string? etag = null) => Result<T>.Created(value, location, etag);
    public static Result<T> Accepted<T>(T value, string location) => Result<T>.Accepted(value, location);
    public static Task<Result<T>> AsTask<T>(this Result<T> result) => Task.FromResult(result);

    /// <summary>Continues an awaited result with <paramref name="next"/> when it succeeded; a problem passes through.</summary>
    public static async Task<Result<TOut>> ThenAsync<T, TOut>(this Task<Result<T>> result, Func<T, Task<Result<TOut>>> next) =>
        await (await result).ThenAsync(next);
}
