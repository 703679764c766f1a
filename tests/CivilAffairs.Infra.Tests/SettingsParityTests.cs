using CivilAffairs.Application.Platform.Configuration;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>
/// Every configuration key the app reads in Azure (SettingNames) has exactly one source: an app
/// setting written by the Bicep; and the Bicep writes nothing the app does not read.
/// </summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class SettingsParityTests(CompiledInfrastructure infra)
{
    [Fact]
    public void App_settings_written_by_bicep_equal_the_settings_the_app_reads()
    {
        var written = FunctionAppSettings.Names(infra.Arm);
        var read = SettingNames.All;

        var missingInBicep = read.Except(written, StringComparer.Ordinal).Order().ToList();
        var notReadByApp = written.Except(read, StringComparer.Ordinal).Order().ToList();

        Assert.True(
            missingInBicep.Count == 0 && notReadByApp.Count == 0,
            "App settings and SettingNames differ.\n"
            + $"  Read by the app (SettingNames) but not written by infra/modules/functionapp.bicep: [{string.Join(", ", missingInBicep)}]\n"
            + $"  Written by the Bicep but not in SettingNames: [{string.Join(", ", notReadByApp)}]");
    }

    [Fact]
    public void Every_app_setting_is_written_exactly_once_with_a_literal_name()
    {
        var names = FunctionAppSettings.Names(infra.Arm);

        Assert.All(names, n => Assert.False(n.StartsWith('['), $"App setting name is an expression: {n}"));
        var duplicates = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "App settings written more than once: " + string.Join(", ", duplicates));
    }

    [Fact]
    public void SettingNames_lists_no_duplicates_and_the_storage_connection_is_identity_based()
    {
        Assert.Equal(SettingNames.All.Count, SettingNames.All.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.DoesNotContain(SettingNames.StorageConnection, SettingNames.All); // the connection name itself is never a setting
        Assert.Contains(SettingNames.StorageBlobServiceUri, SettingNames.All);
    }
}
