namespace CivilAffairs.Infra.Tests.Support;

/// <summary>
/// Builds and lints infra/main.bicep once for the whole test run (build and lint run in
/// parallel, a few seconds each) and keeps the outputs and the compiled ARM JSON.
/// </summary>
public sealed class CompiledInfrastructure
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public CompiledInfrastructure()
    {
        var build = Task.Run(() => BicepCli.Run(Timeout, "build", RepoPaths.MainBicep, "--stdout"));
        var lint = Task.Run(() => BicepCli.Run(Timeout, "lint", RepoPaths.MainBicep));
        Build = build.GetAwaiter().GetResult();
        Lint = lint.GetAwaiter().GetResult();
        Template = Build.ExitCode == 0 && Build.StdOut.TrimStart().StartsWith('{') ? new ArmTemplate(Build.StdOut) : null;
    }

    public BicepCli.Result Build { get; }

    public BicepCli.Result Lint { get; }

    ArmTemplate? Template { get; }

    /// <summary>The compiled template; fails the calling test when the build failed.</summary>
    public ArmTemplate Arm => Template
        ?? throw new InvalidOperationException($"bicep build failed (exit {Build.ExitCode}):\n{Build.AllOutput}");
}

[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureCollection : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "Compiled infrastructure";
}
