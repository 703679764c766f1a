using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Triggers;

/// <summary>Function and master keys for <c>authLevel</c> Function/Admin (x-functions-key header or code query).</summary>
public sealed record FunctionKeys(string Master, string Function);

/// <summary>Serves HTTP-triggered functions on the same routes and methods as the Functions host.</summary>
static class HttpTriggerHost
{
    public static void Map(WebApplication app, IEnumerable<FunctionDescriptor> functions, string routePrefix)
    {
        foreach (var f in functions.Where(f => f.Kind == TriggerKind.Http))
        {
            var trigger = (HttpTriggerAttribute)f.Trigger;
            var route = trigger.Route ?? f.Name;
            var pattern = "/" + (string.IsNullOrEmpty(routePrefix) ? "" : routePrefix.Trim('/') + "/") + route.TrimStart('/');
            RequestDelegate handler = ctx => InvokeAsync(ctx, f, trigger.AuthLevel);
            var builder = trigger.Methods is { Length: > 0 } methods
                ? app.MapMethods(pattern, methods.Select(m => m.ToUpperInvariant()), handler)
                : app.Map(pattern, handler);
            builder.WithDisplayName(f.Name);
        }
    }

    static async Task InvokeAsync(HttpContext http, FunctionDescriptor f, AuthorizationLevel level)
    {
        var services = http.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + f.Name);
        if (!Authorized(http, level, services.GetRequiredService<FunctionKeys>()))
        {
            await Execute(http, Problem.Unauthenticated("FUNCTION_KEY_REQUIRED", "缺少或错误的访问密钥",
                level == AuthorizationLevel.Admin ? "此接口需要主密钥（x-functions-key）。" : "此接口需要函数密钥（x-functions-key 请求头或 code 参数）。").ToActionResult());
            return;
        }

        var context = new RuntimeFunctionContext(f, services, http.RequestAborted,
            http.GetRouteData().Values.ToDictionary(kv => kv.Key, kv => kv.Value));
        context.Items["HttpRequestContext"] = http; // what FunctionContext.GetHttpContext() reads
        var arguments = new object?[f.Parameters.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            var p = f.Parameters[i];
            arguments[i] = p.Source switch
            {
                ParameterSource.HttpRequest => http.Request,
                ParameterSource.HttpContext => http,
                ParameterSource.CancellationToken => http.RequestAborted,
                ParameterSource.FunctionContext => context,
                ParameterSource.DurableClient => services.GetRequiredService<DurableTaskClient>(),
                ParameterSource.RouteValue => ConvertRouteValue(http.GetRouteValue(p.Name), p.Type),
                _ => throw new InvalidOperationException($"Unexpected HTTP parameter source {p.Source}."),
            };
        }

        try
        {
            var result = await f.InvokeAsync(services, arguments);
            await Execute(http, result as IActionResult ?? (result is null ? new OkResult() : new OkObjectResult(result)));
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // client went away
        }
        catch (Exception e)
        {
            // Logged with the invocation id; the client gets a problem without internals.
            logger.LogError(e, "Function {Function} failed (invocation {InvocationId})", f.Name, context.InvocationId);
            if (!http.Response.HasStarted) await Execute(http, Problem.Internal().ToActionResult());
        }
    }

    static object? ConvertRouteValue(object? value, Type type)
    {
        if (value is null) return null;
        if (type.IsInstanceOfType(value)) return value;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return TypeDescriptor.GetConverter(target).ConvertFromString(null, CultureInfo.InvariantCulture, value.ToString()!);
    }

    static bool Authorized(HttpContext http, AuthorizationLevel level, FunctionKeys keys)
    {
        if (level == AuthorizationLevel.Anonymous) return true;
        var supplied = http.Request.Headers["x-functions-key"].FirstOrDefault() ?? http.Request.Query["code"].FirstOrDefault();
        if (string.IsNullOrEmpty(supplied)) return false;
        if (Same(supplied, keys.Master)) return true;
        return level is AuthorizationLevel.Function or AuthorizationLevel.User && Same(supplied, keys.Function);
    }

    static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    static Task Execute(HttpContext http, IActionResult result) =>
        result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
}
