using System.Text.RegularExpressions;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary><c>bicep build</c> and <c>bicep lint</c> of infra/main.bicep must be silent: zero warnings, zero errors.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class BicepBuildTests(CompiledInfrastructure infra)
{
    // Bicep diagnostics look like: /path/main.bicep(12,5) : Warning no-unused-params: ...
    static readonly Regex Diagnostic = new(@"\(\d+,\d+\)\s*:\s*(Warning|Error|Info)\b", RegexOptions.Compiled);

    [Fact]
    public void Build_of_main_bicep_succeeds_with_zero_warnings()
    {
        var diagnostics = DiagnosticLines(infra.Build.AllOutput);

        Assert.True(infra.Build.ExitCode == 0, $"bicep build exited {infra.Build.ExitCode}:\n{infra.Build.StdErr}");
        Assert.True(diagnostics.Count == 0, "bicep build reported:\n" + string.Join('\n', diagnostics));
        Assert.True(string.IsNullOrWhiteSpace(infra.Build.StdErr), "bicep build wrote to stderr:\n" + infra.Build.StdErr);
    }

    [Fact]
    public void Lint_of_main_bicep_is_clean()
    {
        var diagnostics = DiagnosticLines(infra.Lint.AllOutput);

        Assert.True(infra.Lint.ExitCode == 0, $"bicep lint exited {infra.Lint.ExitCode}:\n{infra.Lint.AllOutput}");
        Assert.True(diagnostics.Count == 0, "bicep lint reported:\n" + string.Join('\n', diagnostics));
    }

    [Fact]
    public void Build_uses_the_bicep_cli_restored_from_nuget()
    {
        var version = BicepCli.Run(TimeSpan.FromMinutes(1), "--version");

        Assert.Equal(0, version.ExitCode);
        Assert.Contains($"Bicep CLI version {BicepCli.Version}", version.StdOut);
        Assert.Contains(Path.Combine("azure.bicep.commandline.linux-x64", BicepCli.Version), BicepCli.ExecutablePath);
    }

    [Fact]
    public void Linter_configuration_turns_the_security_rules_into_errors()
    {
        // The stricter rules live in infra/bicepconfig.json; make sure nobody relaxes them silently.
        var config = File.ReadAllText(Path.Combine(RepoPaths.Infra, "bicepconfig.json"));
        using var json = System.Text.Json.JsonDocument.Parse(config);
        var rules = json.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules");

        foreach (var rule in new[]
                 {
                     "no-hardcoded-env-urls", "outputs-should-not-contain-secrets", "secure-parameter-default",
                     "secure-secrets-in-params", "use-secure-value-for-secure-inputs", "no-unused-params",
                     "use-resource-symbol-reference", "what-if-short-circuiting",
                 })
        {
            Assert.True(rules.TryGetProperty(rule, out var r), $"bicepconfig.json does not configure {rule}");
            Assert.Equal("error", r.GetProperty("level").GetString());
        }
    }

    static List<string> DiagnosticLines(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Where(l => Diagnostic.IsMatch(l))
        .ToList();
}
