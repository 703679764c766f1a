using System.Collections.Concurrent;
using System.Reflection;
using System.Threading.RateLimiting;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform.Http;

/// <summary>
/// The one access check every HTTP function calls first. It reads the function's declaration
/// (<see cref="RequirePermissionAttribute"/>, <see cref="PublicEndpointAttribute"/> or
/// <see cref="OperationsEndpointAttribute"/>) from its entry point, authenticates the bearer
/// token, checks the role, rate-limits public endpoints, and audits every denial. Object-level
/// checks are the application services' (another jurisdiction's object answers 404, audited).
/// </summary>
public sealed class AccessGuard(TokenValidator tokens, AuditLog audit, IConfiguration configuration, ILogger<AccessGuard> logger)
{
    static readonly ConcurrentDictionary<string, Attribute?> Declarations = new(StringComparer.Ordinal);
    readonly PartitionedRateLimiter<string> publicLimiter = Limiter(configuration.GetValue("Security:RateLimit:PublicPerMinute", 240));
    readonly PartitionedRateLimiter<string> loginLimiter = Limiter(configuration.GetValue("Security:RateLimit:LoginPerMinute", 20));

    static PartitionedRateLimiter<string> Limiter(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>The declaration on the function at <paramref name="entryPoint"/> ("Namespace.Type.Method").</summary>
    public static Attribute? DeclarationOf(string entryPoint) => Declarations.GetOrAdd(entryPoint, ep =>
    {
        var dot = ep.LastIndexOf('.');
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(ep[..dot])).FirstOrDefault(t => t is not null);
        var method = type?.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).FirstOrDefault(m => m.Name == ep[(dot + 1)..]);
        return method?.GetCustomAttributes().FirstOrDefault(a => a is RequirePermissionAttribute or PublicEndpointAttribute or OperationsEndpointAttribute);
    });

    /// <summary>Runs the check for the calling function (its declaration is read from its entry point).</summary>
    public Task<Result<CallContext>> AuthorizeAsync(HttpRequest request, FunctionContext context) =>
        AuthorizeAsync(request, context.FunctionDefinition.EntryPoint, context.InvocationId, context.CancellationToken);

    public async Task<Result<CallContext>> AuthorizeAsync(HttpRequest request, string entryPoint, string requestId, CancellationToken ct)
    {
        switch (DeclarationOf(entryPoint))
        {
            case OperationsEndpointAttribute:
                return Result.Ok(new CallContext(null, requestId, ct)); // the host's master key (authLevel Admin) protects it
            case PublicEndpointAttribute pub:
                return RateLimited(request, pub.Login ? loginLimiter : publicLimiter, ClientKey(request)) is { } limited
                    ? limited
                    : Result.Ok(new CallContext(await OptionalCallerAsync(request, ct), requestId, ct));
            case RequirePermissionAttribute required:
                var caller = await tokens.ValidateAsync(BearerToken(request), ct);
                if (caller is null)
                {
                    request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                    return Problem.Unauthenticated();
                }
                if (!AccessPolicy.Allows(caller.Role, required.Permission) || (caller.IsStaff && caller.Jurisdiction is null))
                {
                    await audit.AppendAsync(caller, new AuditEvent("authz.forbidden", AuditOutcome.Denied, Detail: ShortName(entryPoint)), requestId, ct);
                    return Problem.Forbidden("当前角色不能执行此操作。");
                }
                return Result.Ok(new CallContext(caller, requestId, ct));
            default:
                logger.LogError("Function {EntryPoint} declares no access rule; denying", entryPoint);
                return Problem.Forbidden("此接口未声明访问规则。");
        }
    }

    async Task<Caller?> OptionalCallerAsync(HttpRequest request, CancellationToken ct) =>
        BearerToken(request) is { } token ? await tokens.ValidateAsync(token, ct) : null;

    static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    readonly string? trustedHeader = configuration["Security:TrustedProxy:Header"] is { Length: > 0 } h ? h : null;

    /// <summary>
    /// Per-caller key: the client address. Only the trusted front end's entry counts — the <b>last</b> value of the configured
    /// header, which the front end appended (anything before it came from the client and may be forged); without a configured
    /// header (one machine), the connection's own address, and forwarded headers are ignored.
    /// </summary>
    string ClientKey(HttpRequest request)
    {
        if (trustedHeader is not null && request.Headers[trustedHeader].ToString() is { Length: > 0 } forwarded
            && forwarded.Split(',')[^1].Trim() is { Length: > 0 } last)
            return last;
        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    static Problem? RateLimited(HttpRequest request, PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired) return null;
        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(10);
        request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retry.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem.RateLimited();
    }

    static string ShortName(string entryPoint) => entryPoint[(entryPoint.LastIndexOf('.', entryPoint.LastIndexOf('.') - 1) + 1)..];
}
