using System.Text.Json;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace CivilAffairs.Integration.Tests.Runtime;

public class FunctionBindingTests
{
    /// <summary>functions.metadata is what the Worker SDK generated for the Azure Functions host.</summary>
    static JsonElement[] SdkMetadata()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CivilAffairs.Functions.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var candidates = Directory.GetFiles(Path.Combine(dir!.FullName, "functions", "CivilAffairs.Functions", "bin"), "functions.metadata", SearchOption.AllDirectories);
        var newest = candidates.OrderByDescending(File.GetLastWriteTimeUtc).First();
        return JsonDocument.Parse(File.ReadAllText(newest)).RootElement.EnumerateArray().ToArray();
    }

    [Fact]
    public void Runtime_binds_every_function_the_sdk_generated_with_the_same_trigger()
    {
        var sdk = SdkMetadata();
        var runtime = FunctionIndex.Discover(FunctionIndex.AppAssemblies(FunctionsRuntime.AppAssembly)).ToDictionary(f => f.Name);

        Assert.Equal(sdk.Select(f => f.GetProperty("name").GetString()!).Order(), runtime.Keys.Order());
        foreach (var f in sdk)
        {
            var name = f.GetProperty("name").GetString()!;
            var trigger = f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).GetProperty("type").GetString();
            var expected = trigger switch
            {
                "httpTrigger" => TriggerKind.Http,
                "queueTrigger" => TriggerKind.Queue,
                "timerTrigger" => TriggerKind.Timer,
                "orchestrationTrigger" => TriggerKind.Orchestration,
                "activityTrigger" => TriggerKind.Activity,
                _ => throw new Xunit.Sdk.XunitException($"{name}: unexpected trigger {trigger}"),
            };
            Assert.Equal(expected, runtime[name].Kind);
            Assert.Equal(f.GetProperty("entryPoint").GetString(), runtime[name].EntryPoint);
        }
        // Every trigger kind of the issue is exercised by the app.
        Assert.Equal(Enum.GetValues<TriggerKind>().Order(), runtime.Values.Select(f => f.Kind).Distinct().Order());
    }

    [Fact]
    public void Runtime_refuses_functions_it_cannot_serve_naming_function_and_parameter()
    {
        var e = Assert.Throws<FunctionBindingException>(() => FunctionIndex.Discover([typeof(FunctionBindingTests).Assembly]));
        Assert.Contains(e.Problems, p => p.Contains("Function 'UnknownTrigger'") && p.Contains("'payload'") && p.Contains("not served"));
        Assert.Contains(e.Problems, p => p.Contains("Function 'UnboundParameter'") && p.Contains("parameter 'tenant'"));
        Assert.Contains(e.Problems, p => p.Contains("Function 'WrongRequestType'") && p.Contains("parameter 'req'"));
        Assert.Equal(3, e.Problems.Count);
    }
}

/// <summary>Functions the runtime must refuse (discovered only by the test above).</summary>
public sealed class UnservableFunctions
{
    [Function("UnknownTrigger")]
    public void UnknownTrigger([SignalRLikeTrigger] string payload) { }

    [Function("UnboundParameter")]
    public IActionResult UnboundParameter([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/{id}")] HttpRequest req, string id, string tenant) => new OkResult();

    [Function("WrongRequestType")]
    public IActionResult WrongRequestType([HttpTrigger(AuthorizationLevel.Anonymous, "get")] string req) => new OkResult();
}

public sealed class SignalRLikeTriggerAttribute : TriggerBindingAttribute;
