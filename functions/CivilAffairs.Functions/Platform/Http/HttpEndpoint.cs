using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform.Http;

/// <summary>
/// The one shape of an HTTP function: <b>guard</b> (the function's declared access rule, <see cref="AccessGuard"/>),
/// <b>read</b> (the JSON body, when there is one), <b>call</b> (one application service method, which gets the
/// <see cref="CallContext"/> and returns a <see cref="Result{T}"/>), <b>answer</b> (<see cref="ResultMapping"/>).
/// A trigger is then one expression:
/// <code>
/// public Task&lt;IActionResult&gt; Get([HttpTrigger(...)] HttpRequest req, string id, FunctionContext context) =&gt;
///     http.RunAsync(req, context, call =&gt; applications.GetAsync(call, id));
/// </code>
/// A function whose service reaches a workflow also declares <c>[DurableClient] DurableTaskClient durable</c> and runs
/// through <c>http.With(durable)</c>, which binds the client to the invocation for the area's workflow port.
/// </summary>
public sealed class HttpEndpoint(AccessGuard guard, WorkflowClient workflows, ILogger<HttpEndpoint> logger)
{
    /// <summary>The same shape, with the invocation's durable client bound for the workflow ports.</summary>
    public WorkflowEndpoint With(DurableTaskClient durable) => new(this, workflows, durable);

    /// <summary>Guard, call, answer.</summary>
    public async Task<IActionResult> RunAsync<T>(HttpRequest request, FunctionContext context, Func<CallContext, Task<Result<T>>> handle)
    {
        var access = await guard.AuthorizeAsync(request, context);
        if (access.Problem is { } denied) return denied.ToActionResult();
        try
        {
            return (await handle(access.Value!)).ToActionResult(request);
        }
        catch (ConcurrencyConflictException e)
        {
            logger.LogWarning("{Function}: {Error}", context.FunctionDefinition.Name, e.Message);
            return Problem.Conflict("CONCURRENT_UPDATE", "数据正被他人修改", "该记录正被他人同时修改，请稍后重试。").ToActionResult();
        }
    }

    /// <summary>Guard, read the JSON body (at most <paramref name="limit"/> bytes), call, answer.</summary>
    public Task<IActionResult> RunAsync<TBody, T>(HttpRequest request, FunctionContext context, long limit, Func<CallContext, TBody, Task<Result<T>>> handle)
        where TBody : class =>
        RunAsync(request, context, async call =>
            await (await JsonBody.ReadAsync<TBody>(request, limit, call.Cancellation)).ThenAsync(body => handle(call, body)));

    /// <summary>As <see cref="RunAsync{TBody,T}"/>, for an optional body: <c>null</c> when the request has none.</summary>
    public Task<IActionResult> RunWithOptionalBodyAsync<TBody, T>(HttpRequest request, FunctionContext context, long limit, Func<CallContext, TBody?, Task<Result<T>>> handle)
        where TBody : class =>
        RunAsync(request, context, async call => JsonBody.IsPresent(request)
            ? await (await JsonBody.ReadAsync<TBody>(request, limit, call.Cancellation)).ThenAsync(body => handle(call, body))
            : await handle(call, null));
}

/// <summary><see cref="HttpEndpoint"/> with a durable client bound for the duration of the call.</summary>
public readonly struct WorkflowEndpoint(HttpEndpoint endpoint, WorkflowClient workflows, DurableTaskClient durable)
{
    public async Task<IActionResult> RunAsync<T>(HttpRequest request, FunctionContext context, Func<CallContext, Task<Result<T>>> handle)
    {
        using var _ = workflows.Use(durable);
        return await endpoint.RunAsync(request, context, handle);
    }

    public async Task<IActionResult> RunAsync<TBody, T>(HttpRequest request, FunctionContext context, long limit, Func<CallContext, TBody, Task<Result<T>>> handle)
        where TBody : class
    {
        using var _ = workflows.Use(durable);
        return await endpoint.RunAsync(request, context, limit, handle);
    }

    public async Task<IActionResult> RunWithOptionalBodyAsync<TBody, T>(HttpRequest request, FunctionContext context, long limit, Func<CallContext, TBody?, Task<Result<T>>> handle)
        where TBody : class
    {
        using var _ = workflows.Use(durable);
        return await endpoint.RunWithOptionalBodyAsync(request, context, limit, handle);
    }
}
