using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public enum TriggerKind { Http, Queue, Timer, Orchestration, Activity }

/// <summary>Where the value of one function parameter comes from.</summary>
public enum ParameterSource
{
    HttpRequest,
    HttpContext,
    CancellationToken,
    FunctionContext,
    DurableClient,
    RouteValue,
    QueueMessage,
    QueueId,
    QueueDequeueCount,
    QueueInsertionTime,
    TimerInfo,
    OrchestrationContext,
    ActivityInput,
}

public sealed record FunctionParameter(ParameterInfo Info, ParameterSource Source)
{
    public string Name => Info.Name!;
    public Type Type => Info.ParameterType;
}

/// <summary>One discovered [Function] and how the runtime binds each of its parameters.</summary>
public sealed class FunctionDescriptor
{
    public required string Name { get; init; }
    public required MethodInfo Method { get; init; }
    public required TriggerKind Kind { get; init; }
    public required Attribute Trigger { get; init; }
    public required IReadOnlyList<FunctionParameter> Parameters { get; init; }
    public ObjectFactory? Factory { get; init; }

    public string EntryPoint => $"{Method.DeclaringType!.FullName}.{Method.Name}";
    public FunctionParameter TriggerParameter => Parameters.First(p => p.Info.GetCustomAttributes().Any(a => a is TriggerBindingAttribute));

    /// <summary>Calls the function: a new instance of its class per invocation (from DI), awaits it, returns its result.</summary>
    public async Task<object?> InvokeAsync(IServiceProvider services, object?[] arguments)
    {
        var instance = Method.IsStatic ? null : Factory!(services, null);
        object? returned;
        try
        {
            returned = Method.Invoke(instance, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        switch (returned)
        {
            case Task task:
                await task;
                return ResultOf(task.GetType())?.GetValue(task);
            case ValueTask vt:
                await vt;
                return null;
            default:
                if (returned is not null && returned.GetType() is { IsGenericType: true } vtt && vtt.GetGenericTypeDefinition() == typeof(ValueTask<>))
                {
                    var asTask = (Task)vtt.GetMethod("AsTask")!.Invoke(returned, null)!;
                    await asTask;
                    return ResultOf(asTask.GetType())?.GetValue(asTask);
                }
                return returned;
        }
    }

    /// <summary>
    /// The <c>Result</c> property of a task type, or null when it has none (or it is <c>VoidTaskResult</c>). Kept here:
    /// reflection's own cache of a type's members can be collected, and each rebuilt getter compiled a new invoke stub
    /// (a dynamic method) that the finalizer thread then had to release — about 6 per second under load.
    /// </summary>
    static PropertyInfo? ResultOf(Type taskType) => ResultProperties.GetOrAdd(taskType, static t =>
        t.IsGenericType && t.GetProperty("Result") is { } result && result.PropertyType.Name != "VoidTaskResult" ? result : null);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();
}

/// <summary>Thrown at start-up when a function uses a trigger or parameter the runtime cannot serve.</summary>
public sealed class FunctionBindingException(IReadOnlyList<string> problems)
    : Exception("The one-machine runtime cannot serve these functions:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Discovers every [Function] in the app assembly and the CivilAffairs assemblies it
/// references, and works out how each parameter is bound. Anything it cannot serve is
/// collected and reported together, naming the function and the parameter.
/// </summary>
public static partial class FunctionIndex
{
    public static IReadOnlyList<Assembly> AppAssemblies(Assembly app)
    {
        var result = new List<Assembly> { app };
        var queue = new Queue<Assembly>([app]);
        while (queue.Count > 0)
            foreach (var name in queue.Dequeue().GetReferencedAssemblies().Where(n => n.Name!.StartsWith("CivilAffairs.", StringComparison.Ordinal)))
                if (result.All(a => a.GetName().Name != name.Name))
                {
                    var loaded = Assembly.Load(name);
                    result.Add(loaded);
                    queue.Enqueue(loaded);
                }
        return result;
    }

    public static IReadOnlyList<FunctionDescriptor> Discover(IEnumerable<Assembly> assemblies)
    {
        var problems = new List<string>();
        var functions = new List<FunctionDescriptor>();
        foreach (var method in assemblies.SelectMany(a => a.GetTypes())
                     .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            var function = method.GetCustomAttribute<FunctionAttribute>();
            if (function is null) continue;
            var descriptor = Describe(function.Name, method, problems);
            if (descriptor is not null) functions.Add(descriptor);
        }
        foreach (var dup in functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add($"Function name '{dup.Key}' is declared {dup.Count()} times.");
        if (problems.Count > 0) throw new FunctionBindingException(problems);
        return functions;
    }

    static FunctionDescriptor? Describe(string name, MethodInfo method, List<string> problems)
    {
        var where = $"Function '{name}' ({method.DeclaringType!.FullName}.{method.Name})";
        var parameters = method.GetParameters();
        var triggers = parameters.Select(p => (p, a: p.GetCustomAttributes().OfType<TriggerBindingAttribute>().FirstOrDefault())).Where(x => x.a is not null).ToList();
        if (triggers.Count != 1)
        {
            problems.Add($"{where}: expected exactly one trigger parameter, found {triggers.Count}.");
            return null;
        }
        var (triggerParam, trigger) = triggers[0];
        TriggerKind? kind = trigger switch
        {
            HttpTriggerAttribute => TriggerKind.Http,
            QueueTriggerAttribute => TriggerKind.Queue,
            TimerTriggerAttribute => TriggerKind.Timer,
            OrchestrationTriggerAttribute => TriggerKind.Orchestration,
            ActivityTriggerAttribute => TriggerKind.Activity,
            _ => null,
        };
        if (kind is null)
        {
            problems.Add($"{where}: trigger [{trigger!.GetType().Name}] on parameter '{triggerParam.Name}' is not served by the one-machine runtime (served: HTTP, Storage queue, timer, orchestration, activity).");
            return null;
        }

        if (method.ReturnParameter.GetCustomAttributes().OfType<OutputBindingAttribute>().FirstOrDefault() is { } output)
            problems.Add($"{where}: output binding [{output.GetType().Name}] on the return value is not served; use the Azure SDK clients from DI.");
        var returnType = UnwrapTask(method.ReturnType);
        if (returnType is not null && returnType.GetProperties().FirstOrDefault(p => p.GetCustomAttributes().OfType<OutputBindingAttribute>().Any()) is { } multi)
            problems.Add($"{where}: output binding on property '{multi.Name}' of the return type is not served; use the Azure SDK clients from DI.");
        if (kind == TriggerKind.Http && returnType is not null && returnType != typeof(void) && !typeof(Microsoft.AspNetCore.Mvc.IActionResult).IsAssignableFrom(returnType) && returnType != typeof(object))
            problems.Add($"{where}: HTTP functions must return IActionResult (or Task<IActionResult>); '{returnType.Name}' is not served.");

        var routeParameters = kind == TriggerKind.Http
            ? RouteParameter().Matches(((HttpTriggerAttribute)trigger!).Route ?? name).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        var bound = new List<FunctionParameter>();
        foreach (var p in parameters)
        {
            var source = SourceOf(kind.Value, p, p == triggerParam, routeParameters, out var why);
            if (source is null)
                problems.Add($"{where}: parameter '{p.Name}' of type '{p.ParameterType.Name}' cannot be bound: {why}");
            else
                bound.Add(new FunctionParameter(p, source.Value));
        }

        return new FunctionDescriptor
        {
            Name = name,
            Method = method,
            Kind = kind.Value,
            Trigger = trigger!,
            Parameters = bound,
            Factory = method.IsStatic ? null : ActivatorUtilities.CreateFactory(method.DeclaringType!, Type.EmptyTypes),
        };
    }

    static ParameterSource? SourceOf(TriggerKind kind, ParameterInfo p, bool isTrigger, HashSet<string> routeParameters, out string why)
    {
        why = "";
        var type = p.ParameterType;
        var attributes = p.GetCustomAttributes().OfType<BindingAttribute>().ToList();
        if (attributes.OfType<DurableClientAttribute>().Any())
        {
            if (type == typeof(DurableTaskClient)) return ParameterSource.DurableClient;
            why = "[DurableClient] must be a DurableTaskClient.";
            return null;
        }
        if (attributes.FirstOrDefault(a => a is not TriggerBindingAttribute) is { } other)
        {
            why = $"binding [{other.GetType().Name}] is not served; use the Azure SDK clients from DI.";
            return null;
        }
        if (type == typeof(CancellationToken)) return ParameterSource.CancellationToken;
        if (type == typeof(FunctionContext)) return ParameterSource.FunctionContext;

        switch (kind)
        {
            case TriggerKind.Http:
                if (isTrigger)
                {
                    if (type == typeof(HttpRequest)) return ParameterSource.HttpRequest;
                    why = "the HTTP trigger parameter must be Microsoft.AspNetCore.Http.HttpRequest (ASP.NET Core integration).";
                    return null;
                }
                if (type == typeof(HttpContext)) return ParameterSource.HttpContext;
                if (routeParameters.Contains(p.Name!) && IsSimple(type)) return ParameterSource.RouteValue;
                why = routeParameters.Contains(p.Name!) ? "route values bind to simple types only." : "it is neither a route value of the function's route nor a known context type.";
                return null;
            case TriggerKind.Queue:
                if (isTrigger)
                {
                    if (type == typeof(string) || type == typeof(BinaryData) || type == typeof(byte[]) || IsPoco(type)) return ParameterSource.QueueMessage;
                    why = "queue messages bind to string, BinaryData, byte[] or a JSON POCO.";
                    return null;
                }
                switch (p.Name!.ToLowerInvariant())
                {
                    case "id" when type == typeof(string): return ParameterSource.QueueId;
                    case "dequeuecount" when type == typeof(long) || type == typeof(int): return ParameterSource.QueueDequeueCount;
                    case "insertiontime" when type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?): return ParameterSource.QueueInsertionTime;
                }
                why = "queue functions bind only the message, id, dequeueCount, insertionTime, FunctionContext, CancellationToken and [DurableClient].";
                return null;
            case TriggerKind.Timer:
                if (isTrigger && type == typeof(TimerInfo)) return ParameterSource.TimerInfo;
                why = isTrigger ? "the timer trigger parameter must be TimerInfo." : "timer functions bind only TimerInfo, FunctionContext, CancellationToken and [DurableClient].";
                return null;
            case TriggerKind.Orchestration:
                if (isTrigger && type == typeof(TaskOrchestrationContext)) return ParameterSource.OrchestrationContext;
                why = isTrigger ? "the orchestration trigger parameter must be TaskOrchestrationContext." : "orchestrators take their input from context.GetInput<T>().";
                return null;
            case TriggerKind.Activity:
                if (isTrigger) return ParameterSource.ActivityInput;
                why = "activities bind only their input, FunctionContext and CancellationToken.";
                return null;
        }
        return null;
    }

    static bool IsSimple(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(Guid) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly);
    }

    static bool IsPoco(Type t) => t.IsClass && !t.IsAbstract && t != typeof(object) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && t.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;

    static Type? UnwrapTask(Type t)
    {
        if (t == typeof(Task) || t == typeof(ValueTask) || t == typeof(void)) return null;
        if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Task<>) || t.GetGenericTypeDefinition() == typeof(ValueTask<>))) return t.GetGenericArguments()[0];
        return t;
    }

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)")]
    private static partial Regex RouteParameter();
}
