using System.Text.Json;
using System.Text.RegularExpressions;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>azure.yaml, main.parameters.json and the deployment guide agree with main.bicep and the repository.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class DeploymentFilesTests(CompiledInfrastructure infra)
{
    [Fact]
    public void Main_template_is_subscription_scoped_and_creates_the_resource_group()
    {
        Assert.Contains("subscriptionDeploymentTemplate.json", infra.Arm.Root.GetProperty("$schema").GetString());
        var rg = infra.Arm.Single("Microsoft.Resources/resourceGroups");
        Assert.Equal("", rg.Deployment);

        var modules = infra.Arm.OfType("Microsoft.Resources/deployments").Where(d => d.Deployment == "").ToList();
        Assert.NotEmpty(modules);
        var rgName = rg.Json.GetProperty("name").GetString();
        Assert.Contains("variables('abbrs').resourcesResourceGroups", rgName);
        Assert.All(modules, m => Assert.Equal(rgName, m.String("resourceGroup"))); // every module deploys into that group
    }

    [Fact]
    public void Parameters_file_matches_the_parameters_of_main_bicep()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Infra, "main.parameters.json")));
        var supplied = file.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        var declared = infra.Arm.Root.GetProperty("parameters").EnumerateObject().ToList();

        var unknown = supplied.Except(declared.Select(p => p.Name)).ToList();
        var required = declared.Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name).ToList();
        var requiredMissing = required.Except(supplied).ToList();

        Assert.True(unknown.Count == 0, "main.parameters.json sets parameters main.bicep does not declare: " + string.Join(", ", unknown));
        Assert.True(requiredMissing.Count == 0, "main.parameters.json lacks required parameters: " + string.Join(", ", requiredMissing));
        Assert.Equal("${AZURE_ENV_NAME}", file.RootElement.GetProperty("parameters").GetProperty("environmentName").GetProperty("value").GetString());
    }

    [Fact]
    public void Azure_yaml_deploys_the_function_project_as_service_api()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "azure.yaml"));

        var api = Regex.Match(yaml, @"^services:\s*\n\s+api:\s*\n(?<body>(?:\s{4,}.*\n?)+)", RegexOptions.Multiline);
        Assert.True(api.Success, "azure.yaml must declare services.api");
        var body = api.Groups["body"].Value;
        Assert.Matches(@"host:\s*function\b", body);
        Assert.Matches(@"language:\s*dotnet\b", body);

        var project = Regex.Match(body, @"project:\s*(?<path>\S+)").Groups["path"].Value;
        Assert.StartsWith("./functions/", project);
        var folder = Path.GetFullPath(Path.Combine(RepoPaths.Root, project));
        Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.csproj").Any(), $"No project at {project}");

        Assert.Matches(@"(?m)^infra:\s*\n(\s+.*\n)*?\s+path:\s*infra\s*$", yaml);
    }

    [Fact]
    public void Readme_explains_how_to_deploy_to_azure_and_azure_china()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Infra, "README.md"));

        foreach (var required in new[] { "Deploy to Azure", "azd up", "az deployment sub create", "AzureChinaCloud", "Prerequisites", "Parameters", "Post-deployment" })
        {
            Assert.Contains(required, readme);
        }

        // Every parameter of main.bicep is documented.
        var undocumented = infra.Arm.Root.GetProperty("parameters").EnumerateObject()
            .Select(p => p.Name).Where(p => !readme.Contains($"`{p}`", StringComparison.Ordinal)).ToList();
        Assert.True(undocumented.Count == 0, "Parameters missing from infra/README.md: " + string.Join(", ", undocumented));
    }
}
