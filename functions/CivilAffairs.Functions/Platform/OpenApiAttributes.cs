namespace CivilAffairs.Functions.Platform;

/// <summary>Describes an HTTP function in the generated OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag { get; } = tag;
    public string Summary { get; } = summary;
    public string? Description { get; init; }
    /// <summary>JSON request body type, if any.</summary>
    public Type? Request { get; init; }
}

/// <summary>A response of an HTTP function (repeatable).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, string description) : Attribute
{
    public int Status { get; } = status;
    public string Description { get; } = description;
    public Type? Body { get; init; }
}

/// <summary>A query parameter of an HTTP function (repeatable).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public Type Type { get; init; } = typeof(string);
}
