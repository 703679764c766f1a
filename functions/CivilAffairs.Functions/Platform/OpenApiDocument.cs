using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Application.Platform.Json;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>
/// Builds the OpenAPI 3.1 document from the compiled HTTP functions: routes and methods from
/// <see cref="HttpTriggerAttribute"/>, the route prefix from host.json, descriptions and
/// schemas from the Api* attributes (schemas via System.Text.Json's schema exporter, with
/// the platform's JSON conventions).
/// </summary>
public static partial class OpenApiDocument
{
    static readonly Lazy<string> Cached = new(() => Build(FunctionAssemblies(), HostJson.RoutePrefix()).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static string Json => Cached.Value;

    /// <summary>
    /// The platform's JSON options as the schemas describe them: numbers are JSON numbers. The API itself keeps
    /// <see cref="JsonSerializerDefaults.Web"/>'s <see cref="JsonNumberHandling.AllowReadingFromString"/> (so what it
    /// accepts does not change), but it writes numbers and clients should send numbers; advertising string-or-number
    /// unions with patterns would make generated clients type every integer and amount as a string.
    /// </summary>
    static readonly JsonSerializerOptions SchemaOptions = new(JsonDefaults.Options)
    {
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = JsonDefaults.Options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver(),
    };

    static readonly JsonSchemaExporterOptions PrimitiveExport = new() { TransformSchemaNode = AddNumberFormat };
    static readonly JsonSchemaExporterOptions TypeExport = new() { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = AddNumberFormat };

    public static IEnumerable<Assembly> FunctionAssemblies()
    {
        var app = typeof(OpenApiDocument).Assembly;
        yield return app;
        foreach (var name in app.GetReferencedAssemblies().Where(n => n.Name!.StartsWith("CivilAffairs.", StringComparison.Ordinal)))
            yield return Assembly.Load(name);
    }

    public static JsonObject Build(IEnumerable<Assembly> assemblies, string routePrefix)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var functions = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .OrderBy(x => x.Trigger!.Route ?? x.Function!.Name, StringComparer.Ordinal);

        foreach (var (method, function, trigger) in functions)
        {
            var route = trigger!.Route ?? function!.Name;
            var path = "/" + (string.IsNullOrEmpty(routePrefix) ? "" : routePrefix + "/") + RouteConstraint().Replace(route, "{$1}");
            var pathItem = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = pathItem;
            var op = method.GetCustomAttribute<ApiOperationAttribute>();
            var operation = new JsonObject
            {
                ["operationId"] = function!.Name,
                ["summary"] = op?.Summary ?? function.Name,
                ["tags"] = new JsonArray(op?.Tag ?? "platform"),
            };
            if (op?.Description is { } d) operation["description"] = d;

            var parameters = new JsonArray();
            foreach (Match m in RouteParameter().Matches(route))
                parameters.Add(new JsonObject { ["name"] = m.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
            foreach (var q in method.GetCustomAttributes<ApiQueryAttribute>())
                parameters.Add(new JsonObject { ["name"] = q.Name, ["in"] = "query", ["description"] = q.Description, ["schema"] = SchemaRef(q.Type, schemas) });
            if (parameters.Count > 0) operation["parameters"] = parameters;

            if (op?.Request is { } request)
                operation["requestBody"] = new JsonObject
                {
                    ["required"] = true,
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = SchemaRef(request, schemas) } },
                };

            var responses = new JsonObject();
            foreach (var r in method.GetCustomAttributes<ApiResponseAttribute>().OrderBy(r => r.Status))
            {
                var response = new JsonObject { ["description"] = r.Description };
                var type = r.Body ?? (r.Status >= 400 ? typeof(ProblemDetailsBody) : null);
                if (type is not null)
                    response["content"] = new JsonObject { [r.Status >= 400 ? ResultMapping.ProblemContentType : "application/json"] = new JsonObject { ["schema"] = SchemaRef(type, schemas) } };
                responses[r.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = response;
            }
            if (responses.Count == 0) responses["200"] = new JsonObject { ["description"] = "OK" };
            operation["responses"] = responses;
            if (trigger.AuthLevel is AuthorizationLevel.Function or AuthorizationLevel.Admin)
                operation["security"] = new JsonArray(new JsonObject { ["functionKey"] = new JsonArray() });

            foreach (var verb in trigger.Methods ?? ["get", "post", "put", "patch", "delete"])
                pathItem[verb.ToLowerInvariant()] = operation.DeepClone();
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "智慧民政 Smart Civil Affairs API",
                ["version"] = typeof(OpenApiDocument).Assembly.GetName().Version?.ToString() ?? "1.0.0",
                ["description"] = "Generated from the compiled HTTP functions. Errors are RFC 9457 problem details with a stable code.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["functionKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-functions-key" },
                },
            },
        };
    }

    static JsonNode SchemaRef(Type type, JsonObject schemas)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsPrimitive || underlying == typeof(string) || underlying.IsEnum || underlying == typeof(decimal))
            return JsonSchemaExporter.GetJsonSchemaAsNode(SchemaOptions, underlying, PrimitiveExport);
        var name = underlying.Name;
        if (!schemas.ContainsKey(name))
        {
            schemas[name] = new JsonObject(); // placeholder against recursion
            schemas[name] = JsonSchemaExporter.GetJsonSchemaAsNode(SchemaOptions, underlying, TypeExport);
        }
        return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
    }

    /// <summary>Adds the OpenAPI <c>format</c> of a numeric CLR type (int32, int64, float, double, decimal) to its schema.</summary>
    static JsonNode AddNumberFormat(JsonSchemaExporterContext context, JsonNode schema)
    {
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        if (type.IsEnum || schema is not JsonObject node || node.ContainsKey("format") || !IsNumeric(node["type"])) return schema;
        var format = Type.GetTypeCode(type) switch
        {
            TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 => "int32",
            TypeCode.UInt32 or TypeCode.Int64 => "int64",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.Decimal => "decimal",
            _ => null,
        };
        if (format is not null) node["format"] = format;
        return schema;

        static bool IsNumeric(JsonNode? t) => t switch
        {
            JsonValue v => v.GetValue<string>() is "integer" or "number",
            JsonArray a => a.Any(IsNumeric),
            _ => false,
        };
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?::[^}]*)?\??\}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex(@"\{\*?([A-Za-z0-9_]+)")]
    private static partial Regex RouteParameter();
}

/// <summary>Reads settings from the deployed host.json next to the app (same file the Functions host reads).</summary>
public static class HostJson
{
    public static string RoutePrefix()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "host.json");
        if (!File.Exists(path)) return "api";
        var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return node?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
    }
}
