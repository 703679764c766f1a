using System.Text.Json;

namespace CivilAffairs.Infra.Tests.Support;

/// <summary>The app settings of the function app (Microsoft.Web/sites siteConfig.appSettings) in the compiled template.</summary>
public static class FunctionAppSettings
{
    public static ArmResource Site(ArmTemplate arm) => arm.Single("Microsoft.Web/sites");

    public static IReadOnlyDictionary<string, string> All(ArmTemplate arm)
    {
        var site = Site(arm);
        var settings = site.At("properties.siteConfig.appSettings");
        Assert.True(settings is { ValueKind: JsonValueKind.Array },
            "The function app must declare properties.siteConfig.appSettings as a literal array (not an expression).");

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in settings!.Value.EnumerateArray())
        {
            var name = setting.GetProperty("name").GetString()!;
            var value = setting.GetProperty("value");
            Assert.False(result.ContainsKey(name), $"App setting {name} is written twice.");
            result[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        return result;
    }

    public static IReadOnlyList<string> Names(ArmTemplate arm) => All(arm).Keys.ToList();
}
