using System.Text.Json;
using System.Text.RegularExpressions;

namespace CivilAffairs.Infra.Tests.Support;

/// <summary>One resource declared in the compiled ARM template or in a nested module deployment.</summary>
/// <param name="Type">Resource type, e.g. Microsoft.Web/sites.</param>
/// <param name="Json">The resource object.</param>
/// <param name="Deployment">Name of the module deployment that declares it ("" for main).</param>
public sealed record ArmResource(string Type, JsonElement Json, string Deployment)
{
    public bool IsConditional => Json.TryGetProperty("condition", out _);

    public bool IsLoop => Json.TryGetProperty("copy", out _);

    public JsonElement Properties => Json.TryGetProperty("properties", out var p) ? p : default;

    /// <summary>Value at a dotted path under the resource, or null when absent.</summary>
    public JsonElement? At(string path) => ArmTemplate.At(Json, path);

    public string? String(string path) => At(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    public bool? Bool(string path) => At(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } e ? e.GetBoolean() : null;

    public override string ToString() => $"{Type} ({(Deployment.Length == 0 ? "main" : Deployment)}: {Json.GetProperty("name")})";
}

/// <summary>
/// The ARM JSON that <c>bicep build infra/main.bicep</c> produces. Bicep turns each module into a
/// Microsoft.Resources/deployments resource whose properties.template holds the module's
/// resources; this type walks them all (language version 1.0 arrays and 2.0 symbolic-name
/// objects alike) and leaves out <c>existing</c> references.
/// </summary>
public sealed class ArmTemplate
{
    public ArmTemplate(string json)
    {
        Document = JsonDocument.Parse(json);
        var list = new List<ArmResource>();
        Collect(Document.RootElement, "", list);
        Resources = list;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public IReadOnlyList<ArmResource> Resources { get; }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        var found = OfType(type).ToList();
        Assert.True(found.Count == 1, $"Expected exactly one {type}, found {found.Count}: {string.Join("; ", found)}");
        return found[0];
    }

    /// <summary>The template of the module deployment with this name (e.g. "functionapp").</summary>
    public JsonElement ModuleTemplate(string deploymentName)
    {
        var deployment = Resources.Single(r => r.Type == "Microsoft.Resources/deployments"
            && r.Json.GetProperty("name").GetString() == deploymentName);
        return deployment.Json.GetProperty("properties").GetProperty("template");
    }

    /// <summary>The module deployment resource with this name.</summary>
    public ArmResource Module(string deploymentName) => Resources.Single(r =>
        r.Type == "Microsoft.Resources/deployments" && r.Json.GetProperty("name").GetString() == deploymentName);

    public static JsonElement? At(JsonElement element, string path)
    {
        var current = element;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>Every string value anywhere in the document, with its JSON path.</summary>
    public IEnumerable<(string Path, string Value)> AllStrings()
    {
        var stack = new Stack<(string, JsonElement)>();
        stack.Push(("$", Root));
        while (stack.Count > 0)
        {
            var (path, e) = stack.Pop();
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        // Property names can be expressions too (e.g. userAssignedIdentities keys).
                        yield return ($"{path}.{p.Name}#name", p.Name);
                        stack.Push(($"{path}.{p.Name}", p.Value));
                    }

                    break;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in e.EnumerateArray())
                    {
                        stack.Push(($"{path}[{i++}]", item));
                    }

                    break;
                case JsonValueKind.String:
                    yield return (path, e.GetString()!);
                    break;
            }
        }
    }

    /// <summary>The role definition GUID in a roleDefinitionId expression or id.</summary>
    public static string? RoleGuid(string? roleDefinitionId) =>
        roleDefinitionId is null ? null
        : Regex.Match(roleDefinitionId, "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}") is { Success: true } m
            ? m.Value.ToLowerInvariant()
            : null;

    static void Collect(JsonElement template, string deployment, List<ArmResource> into)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            return;
        }

        IEnumerable<JsonElement> items = resources.ValueKind switch
        {
            JsonValueKind.Array => resources.EnumerateArray(),
            JsonValueKind.Object => resources.EnumerateObject().Select(p => p.Value),
            _ => [],
        };

        foreach (var resource in items)
        {
            if (resource.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True)
            {
                continue;
            }

            var type = resource.GetProperty("type").GetString()!;
            into.Add(new ArmResource(type, resource, deployment));

            if (type == "Microsoft.Resources/deployments"
                && resource.TryGetProperty("properties", out var props)
                && props.TryGetProperty("template", out var nested))
            {
                Collect(nested, resource.GetProperty("name").GetString()!, into);
            }
        }
    }
}
