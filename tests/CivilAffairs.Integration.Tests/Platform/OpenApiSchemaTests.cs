using System.Text.Json;

namespace CivilAffairs.Integration.Tests.Platform;

/// <summary>
/// The OpenAPI document describes numbers as JSON numbers, so generated clients (TypeScript, C#) get numeric types:
/// no string-or-number unions and no numeric patterns, integers with an int32/int64 format.
/// </summary>
[Collection(RuntimeCollection.Name)]
public class OpenApiSchemaTests(RuntimeFixture fx)
{
    static readonly string[] Numeric = ["integer", "number"];

    [Fact]
    public async Task No_schema_describes_a_number_as_a_string_or_with_a_pattern()
    {
        var doc = await (await fx.Http.GetAsync("api/openapi.json")).JsonAsync();

        var problems = new List<string>();
        var numericSchemas = 0;
        Walk(doc, "#", (path, schema) =>
        {
            var types = Types(schema);
            if (!types.Intersect(Numeric).Any()) return;
            numericSchemas++;
            // e.g. ["string", "number"]: a generated client would type the field as string | number.
            if (types.Except(Numeric).Except(["null"]).Any()) problems.Add($"{path}: type [{string.Join(", ", types)}]");
            if (schema.TryGetProperty("pattern", out _)) problems.Add($"{path}: numeric schema with a pattern");
        });

        Assert.True(numericSchemas > 20, $"expected numeric schemas in the document, found {numericSchemas}");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Known_numeric_fields_are_integers_or_numbers()
    {
        var doc = await (await fx.Http.GetAsync("api/openapi.json")).JsonAsync();
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        JsonElement Property(string schema, string property) => schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);

        // A need's quantity (reported and as viewed), a warehouse receipt's quantity: decimals.
        AssertNumber(Property("ReportNeedRequest", "quantity"), "number", "decimal", nullable: true);
        AssertNumber(Property("NeedView", "quantity"), "number", "decimal", nullable: false);
        AssertNumber(Property("ReceiptRequest", "quantity"), "number", "decimal", nullable: true);
        AssertNumber(Property("ReceiptView", "movement").GetProperty("properties").GetProperty("quantity"), "number", "decimal", nullable: false);

        // Upload block size: a 32-bit integer, optional in the request.
        AssertNumber(Property("CreateUploadRequest", "blockSize"), "integer", "int32", nullable: true);
        AssertNumber(Property("UploadView", "blockSize"), "integer", "int32", nullable: false);

        // Coordinates are doubles.
        AssertNumber(Property("ReportNeedRequest", "position").GetProperty("properties").GetProperty("latitude"), "number", "double", nullable: true);

        // pageSize query parameters.
        var pageSizes = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject())
            .Where(o => o.Value.TryGetProperty("parameters", out _))
            .SelectMany(o => o.Value.GetProperty("parameters").EnumerateArray())
            .Where(p => p.GetProperty("name").GetString() == "pageSize" && p.GetProperty("in").GetString() == "query")
            .ToList();
        Assert.NotEmpty(pageSizes);
        Assert.All(pageSizes, p => AssertNumber(p.GetProperty("schema"), "integer", "int32", nullable: false));
    }

    static void AssertNumber(JsonElement schema, string type, string format, bool nullable)
    {
        string[] expected = nullable ? [type, "null"] : [type];
        Assert.Equal(expected, Types(schema));
        Assert.Equal(format, schema.GetProperty("format").GetString());
        Assert.False(schema.TryGetProperty("pattern", out _), $"unexpected pattern in {schema}");
    }

    /// <summary>The schema's <c>type</c> as a list (a single type or an OpenAPI 3.1 type array); empty when absent.</summary>
    static string[] Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray()
        : type.ValueKind == JsonValueKind.String ? [type.GetString()!]
        : [];

    /// <summary>Calls <paramref name="visit"/> for every object in the document that has a <c>type</c>.</summary>
    static void Walk(JsonElement node, string path, Action<string, JsonElement> visit)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                if (node.TryGetProperty("type", out var type) && type.ValueKind is JsonValueKind.String or JsonValueKind.Array) visit(path, node);
                foreach (var property in node.EnumerateObject()) Walk(property.Value, $"{path}/{property.Name}", visit);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in node.EnumerateArray()) Walk(item, $"{path}/{i++}", visit);
                break;
        }
    }
}
