using System.Text.Json;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Triggers;

/// <summary>Runs an [OrchestrationTrigger] function as a Durable Task orchestrator registered under the function's name.</summary>
sealed class FunctionOrchestrator(FunctionDescriptor function, IServiceProvider services) : ITaskOrchestrator
{
    // The function reads its input with context.GetInput<T>() for a T only it knows, so the
    // raw input is kept as JSON and converted on request (as the Functions extension does).
    public Type InputType => typeof(JsonElement?);
    public Type OutputType => function.Method.ReturnType is { IsGenericType: true } t ? t.GetGenericArguments()[0] : typeof(object);

    public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var wrapped = new LazyInputContext(context, input as JsonElement?);
        var arguments = function.Parameters.Select(p => p.Source switch
        {
            ParameterSource.OrchestrationContext => wrapped,
            ParameterSource.FunctionContext => (object)new RuntimeFunctionContext(function, services, CancellationToken.None),
            ParameterSource.CancellationToken => CancellationToken.None,
            _ => throw new InvalidOperationException($"Unexpected orchestrator parameter source {p.Source}."),
        }).ToArray();
        return await function.InvokeAsync(services, arguments);
    }
}

/// <summary>Runs an [ActivityTrigger] function as a Durable Task activity; a new DI scope per execution.</summary>
sealed class FunctionActivity(FunctionDescriptor function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.Type;
    public Type OutputType => function.Method.ReturnType is { IsGenericType: true } t ? t.GetGenericArguments()[0] : typeof(object);

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        await using var scope = services.CreateAsyncScope();
        var functionContext = new RuntimeFunctionContext(function, scope.ServiceProvider, CancellationToken.None,
            new Dictionary<string, object?> { ["instanceId"] = context.InstanceId, ["name"] = context.Name.Name });
        var arguments = function.Parameters.Select(p => p.Source switch
        {
            ParameterSource.ActivityInput => input,
            ParameterSource.FunctionContext => functionContext,
            ParameterSource.CancellationToken => (object)CancellationToken.None,
            _ => throw new InvalidOperationException($"Unexpected activity parameter source {p.Source}."),
        }).ToArray();
        return await function.InvokeAsync(scope.ServiceProvider, arguments);
    }
}

/// <summary>Delegates everything to the real context except GetInput&lt;T&gt;, which converts the raw JSON input.</summary>
sealed class LazyInputContext(TaskOrchestrationContext inner, JsonElement? input) : TaskOrchestrationContext
{
    public override TaskName Name => inner.Name;
    public override string InstanceId => inner.InstanceId;
    public override ParentOrchestrationInstance? Parent => inner.Parent;
    public override DateTime CurrentUtcDateTime => inner.CurrentUtcDateTime;
    public override bool IsReplaying => inner.IsReplaying;
    public override string Version => inner.Version;
    public override IReadOnlyDictionary<string, object?> Properties => inner.Properties;
    public override TaskOrchestrationEntityFeature Entities => inner.Entities;
    protected override ILoggerFactory LoggerFactory => inner.ReplaySafeLoggerFactory;
    public override ILoggerFactory ReplaySafeLoggerFactory => inner.ReplaySafeLoggerFactory;

    public override T? GetInput<T>() where T : default =>
        input is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } json ? json.Deserialize<T>() : default;

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null) =>
        inner.CallActivityAsync<TResult>(name, input, options);
    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => inner.CreateTimer(fireAt, cancellationToken);
    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) =>
        inner.WaitForExternalEvent<T>(eventName, cancellationToken);
    public override void SendEvent(string instanceId, string eventName, object payload) => inner.SendEvent(instanceId, eventName, payload);
    public override void SetCustomStatus(object? customStatus) => inner.SetCustomStatus(customStatus);
    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
        inner.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);
    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => inner.ContinueAsNew(newInput, preserveUnprocessedEvents);
    public override Guid NewGuid() => inner.NewGuid();
}
