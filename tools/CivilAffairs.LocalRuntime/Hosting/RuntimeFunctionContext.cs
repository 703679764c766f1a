using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>The <see cref="FunctionContext"/> the runtime passes to functions: invocation id, DI scope, logging, binding data.</summary>
sealed class RuntimeFunctionContext : FunctionContext
{
    readonly CancellationToken cancellationToken;

    public RuntimeFunctionContext(FunctionDescriptor function, IServiceProvider services, CancellationToken cancellationToken, IReadOnlyDictionary<string, object?>? bindingData = null)
    {
        InvocationId = Guid.NewGuid().ToString();
        FunctionDefinition = new Definition(function);
        FunctionId = FunctionDefinition.Id;
        InstanceServices = services;
        BindingContext = new Binding(bindingData ?? ImmutableDictionary<string, object?>.Empty);
        TraceContext = new Trace(Activity.Current);
        this.cancellationToken = cancellationToken;
    }

    public override string InvocationId { get; }
    public override string FunctionId { get; }
    public override TraceContext TraceContext { get; }
    public override BindingContext BindingContext { get; }
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; }
    public override FunctionDefinition FunctionDefinition { get; }
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features { get; } = new InvocationFeatures();
    public override CancellationToken CancellationToken => cancellationToken;

    sealed class Definition(FunctionDescriptor f) : FunctionDefinition
    {
        public override ImmutableArray<Microsoft.Azure.Functions.Worker.FunctionParameter> Parameters { get; } =
            [.. f.Parameters.Select(p => new Microsoft.Azure.Functions.Worker.FunctionParameter(p.Name, p.Type))];
        public override string PathToAssembly { get; } = f.Method.DeclaringType!.Assembly.Location;
        public override string EntryPoint { get; } = f.EntryPoint;
        public override string Id { get; } = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(f.Name)))[..16].ToLowerInvariant();
        public override string Name { get; } = f.Name;
        public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;
        public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    sealed class Binding(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = data;
    }

    sealed class Trace(Activity? activity) : TraceContext
    {
        public override string TraceParent { get; } = activity?.Id ?? "";
        public override string TraceState { get; } = activity?.TraceStateString ?? "";
    }

    sealed class InvocationFeatures : IInvocationFeatures
    {
        readonly Dictionary<Type, object> features = [];
        public T? Get<T>() => features.TryGetValue(typeof(T), out var f) ? (T)f : default;
        public void Set<T>(T instance) { if (instance is null) features.Remove(typeof(T)); else features[typeof(T)] = instance; }
        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => features.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
