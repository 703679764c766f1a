using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace CivilAffairs.Infra.Tests.Support;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64, which the test
/// project restores with a PackageDownload item: nothing is downloaded when tests run.
/// </summary>
public static class BicepCli
{
    const string PackageId = "azure.bicep.commandline.linux-x64";

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string AllOutput => StdOut + StdErr;
    }

    public static string Version { get; } = Metadata("BicepCliVersion")
        ?? throw new InvalidOperationException("BicepCliVersion assembly metadata is missing.");

    public static string ExecutablePath { get; } = Locate();

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep the CLI offline and quiet.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish within {timeout}.");
        }

        process.WaitForExit(); // flush the async readers
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    static string Locate()
    {
        var roots = new[]
        {
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Metadata("NuGetPackageRoot"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };

        var candidates = roots
            .Where(r => !string.IsNullOrWhiteSpace(r))
            .Select(r => Path.Combine(r!, PackageId, Version, "tools", "bicep"))
            .Distinct()
            .ToList();

        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Bicep CLI {Version} not found; restore tests/CivilAffairs.Infra.Tests (PackageDownload). Looked in: "
                + string.Join(", ", candidates));

        // NuGet extraction does not always keep the execute bit.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | exec);
            }
        }

        return path;
    }

    static string? Metadata(string key) => typeof(BicepCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == key)?.Value;
}
