using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// host.json, read the way the Functions host reads it: loaded under the
/// <c>AzureFunctionsJobHost</c> section so that app settings such as
/// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> override it.
/// </summary>
public sealed class HostSettings(IConfiguration configuration)
{
    public const string Section = "AzureFunctionsJobHost";

    public static IEnumerable<KeyValuePair<string, string?>> Flatten(string hostJsonPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(hostJsonPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var result = new List<KeyValuePair<string, string?>>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o: foreach (var (k, v) in o) Walk(v, $"{path}:{k}"); break;
                case JsonArray a: for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}:{i}"); break;
                case null: break;
                default: result.Add(new(path, node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString())); break;
            }
        }
        Walk(root, Section);
        return result;
    }

    IConfigurationSection Extensions => configuration.GetSection($"{Section}:extensions");

    public string RoutePrefix => Extensions["http:routePrefix"] ?? "api";

    public QueueSettings Queues
    {
        get
        {
            var q = Extensions.GetSection("queues");
            var batch = Math.Clamp(q.GetValue("batchSize", 16), 1, 32);
            return new QueueSettings(
                batch,
                q.GetValue("newBatchThreshold", batch / 2),
                q.GetValue("visibilityTimeout", TimeSpan.Zero),
                q.GetValue("maxPollingInterval", TimeSpan.FromMinutes(1)),
                Math.Max(1, q.GetValue("maxDequeueCount", 5)),
                !string.Equals(q["messageEncoding"], "none", StringComparison.OrdinalIgnoreCase));
        }
    }

    public string TaskHubName => Extensions["durableTask:hubName"] ?? "TestHubName";
    public TimeSpan DurableMaxQueuePollingInterval => Extensions.GetSection("durableTask:storageProvider").GetValue("maxQueuePollingInterval", TimeSpan.FromSeconds(30));
    public int DurablePartitionCount => Extensions.GetSection("durableTask:storageProvider").GetValue("partitionCount", 4);

    /// <summary><c>durableTask:maxConcurrentActivityFunctions</c>; the Functions host's default is 10 × processors.</summary>
    public int DurableMaxConcurrentActivities => Math.Max(1, Extensions.GetValue("durableTask:maxConcurrentActivityFunctions", 10 * Environment.ProcessorCount));

    /// <summary><c>durableTask:maxConcurrentOrchestratorFunctions</c>; the Functions host's default is 10 × processors.</summary>
    public int DurableMaxConcurrentOrchestrations => Math.Max(1, Extensions.GetValue("durableTask:maxConcurrentOrchestratorFunctions", 10 * Environment.ProcessorCount));
}

public sealed record QueueSettings(int BatchSize, int NewBatchThreshold, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval, int MaxDequeueCount, bool Base64);
