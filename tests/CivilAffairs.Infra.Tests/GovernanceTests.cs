using System.Text.RegularExpressions;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>Cross-cutting rules: diagnostics, tags, least-privilege roles, cloud neutrality, optional private networking.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class GovernanceTests(CompiledInfrastructure infra)
{
    /// <summary>Resource types without diagnostic settings of their own, and why.</summary>
    static readonly Dictionary<string, string> DiagnosticsExempt = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Resources/resourceGroups"] = "control-plane operations are in the subscription activity log",
        ["Microsoft.Resources/deployments"] = "a deployment, not a running resource",
        ["Microsoft.Authorization/roleAssignments"] = "recorded in the activity log",
        ["Microsoft.Insights/diagnosticSettings"] = "is the diagnostic setting",
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = "no diagnostic categories; sign-ins are in Entra logs",
        ["Microsoft.Insights/components"] = "workspace-based: its telemetry already lands in the Log Analytics workspace",
        ["Microsoft.Web/staticSites"] = "no resource log categories for Static Web Apps",
        ["Microsoft.Network/privateDnsZones"] = "no resource log categories",
        ["Microsoft.Network/privateEndpoints"] = "no resource log categories",
    };

    /// <summary>Child types that have their own diagnostic settings (logs of the storage services).</summary>
    static readonly string[] ChildTypesWithDiagnostics =
    [
        "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.Storage/storageAccounts/queueServices",
        "Microsoft.Storage/storageAccounts/tableServices",
    ];

    /// <summary>The narrowest built-in roles of the app identity and the resource type each is scoped to.</summary>
    static readonly Dictionary<string, (string Role, string ScopeType)> AppRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = ("Storage Blob Data Owner", "Microsoft.Storage/storageAccounts"),
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = ("Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts"),
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = ("Storage Table Data Contributor", "Microsoft.Storage/storageAccounts"),
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = ("Azure Service Bus Data Sender", "Microsoft.ServiceBus/namespaces/topics"),
        ["4633458b-17de-408a-b874-0445c86b69e6"] = ("Key Vault Secrets User", "Microsoft.KeyVault/vaults"),
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = ("Monitoring Metrics Publisher", "Microsoft.Insights/components"),
    };

    /// <summary>Broad roles nobody gets from this template.</summary>
    static readonly Dictionary<string, string> PrivilegedRoles = new()
    {
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
        ["f58310d9-a9f6-439a-9e8d-f62e7b41a168"] = "Role Based Access Control Administrator",
        ["00482a5a-887f-4fb3-b363-3b7fe8e74483"] = "Key Vault Administrator",
        ["090c5cfd-751d-490a-894a-3ce6f1109419"] = "Azure Service Bus Data Owner",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
        ["81a9662b-bebf-436f-a333-f67b29880f12"] = "Storage Account Key Operator Service Role",
    };

    /// <summary>Host names of one cloud: they must come from environment() or the deployed resources instead.</summary>
    static readonly string[] CloudSpecificHosts =
    [
        "core.windows.net", "servicebus.windows.net", "database.windows.net", "vault.azure.net", "vaultcore.azure.net",
        "azurewebsites.net", "azurestaticapps.net", "cognitiveservices.azure.com", "login.microsoftonline.com",
        "management.azure.com", "chinacloudapi.cn", "azure.cn", "usgovcloudapi.net",
    ];

    [Fact]
    public void Every_resource_sends_diagnostics_to_log_analytics()
    {
        var missing = new List<string>();

        foreach (var group in infra.Arm.Resources.GroupBy(r => (r.Deployment, r.Type)))
        {
            var (deployment, type) = group.Key;
            var isTopLevel = type.Split('/').Length == 2;
            var needsDiagnostics = (isTopLevel && !DiagnosticsExempt.ContainsKey(type))
                                   || ChildTypesWithDiagnostics.Contains(type, StringComparer.OrdinalIgnoreCase);
            if (!needsDiagnostics)
            {
                continue;
            }

            var settings = infra.Arm.Resources
                .Where(r => r.Deployment == deployment && r.Type == "Microsoft.Insights/diagnosticSettings")
                .Where(r => r.String("scope")?.Contains($"resourceId('{type}',", StringComparison.OrdinalIgnoreCase) == true)
                .ToList();

            if (settings.Count < group.Count())
            {
                missing.Add($"{type} in '{deployment}': {group.Count()} resource(s), {settings.Count} diagnostic setting(s)");
            }

            foreach (var setting in settings)
            {
                if (setting.String("properties.workspaceId") is null)
                {
                    missing.Add($"{setting} has no workspaceId");
                }

                var enabled = new[] { "logs", "metrics" }
                    .Select(k => setting.At($"properties.{k}"))
                    .Where(a => a is { ValueKind: System.Text.Json.JsonValueKind.Array })
                    .SelectMany(a => a!.Value.EnumerateArray())
                    .Any(e => e.TryGetProperty("enabled", out var en) && en.GetBoolean());
                if (!enabled)
                {
                    missing.Add($"{setting} enables no logs or metrics");
                }
            }
        }

        Assert.True(missing.Count == 0, "Diagnostic settings missing:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Every_top_level_resource_is_tagged_and_tags_carry_the_azd_environment()
    {
        var untaggable = new[] { "Microsoft.Resources/deployments", "Microsoft.Authorization/roleAssignments", "Microsoft.Insights/diagnosticSettings" };
        var untagged = infra.Arm.Resources
            .Where(r => r.Type.Split('/').Length == 2 && !untaggable.Contains(r.Type))
            .Where(r => !r.Json.TryGetProperty("tags", out var t) || t.ValueKind is System.Text.Json.JsonValueKind.Null)
            .Select(r => r.ToString())
            .ToList();

        Assert.True(untagged.Count == 0, "Resources without tags:\n" + string.Join('\n', untagged));

        var tags = infra.Arm.Root.GetProperty("variables").GetProperty("tags");
        Assert.Equal("[parameters('environmentName')]", tags.GetProperty("azd-env-name").GetString());
    }

    [Fact]
    public void Resource_names_come_from_the_abbreviations_file_and_the_resource_token()
    {
        var variables = infra.Arm.Root.GetProperty("variables");
        Assert.Equal("[toLower(uniqueString(subscription().id, parameters('environmentName'), parameters('location')))]",
            variables.GetProperty("resourceToken").GetString());

        foreach (var name in variables.GetProperty("names").EnumerateObject())
        {
            Assert.Matches(@"^\[format\('\{0\}\{1\}', variables\('abbrs'\)\.\w+, variables\('resourceToken'\)\)\]$", name.Value.GetString());
        }
    }

    [Fact]
    public void App_identity_gets_exactly_the_narrowest_roles_each_on_its_own_resource()
    {
        var assignments = RoleAssignments().Where(a => a.PrincipalType == "ServicePrincipal").ToList();
        var granted = assignments.Select(a => a.RoleGuid).Order().ToList();

        Assert.Equal(AppRoles.Keys.Order(), granted);
        foreach (var a in assignments)
        {
            var (role, scopeType) = AppRoles[a.RoleGuid];
            Assert.False(a.Conditional, $"{role} for the app must always be granted.");
            Assert.True(a.Scope.StartsWith($"[resourceId('{scopeType}',", StringComparison.Ordinal),
                $"{role} must be scoped to {scopeType}, not {a.Scope}");
        }
    }

    [Fact]
    public void Deploying_principal_roles_are_optional_and_no_one_gets_a_privileged_role()
    {
        var all = RoleAssignments().ToList();

        foreach (var a in all.Where(a => a.PrincipalType != "ServicePrincipal"))
        {
            Assert.True(a.Conditional, $"Role {a.RoleGuid} for the deploying principal must depend on principalId being set.");
        }

        Assert.All(all, a => Assert.False(PrivilegedRoles.ContainsKey(a.RoleGuid), $"Privileged role {PrivilegedRoles.GetValueOrDefault(a.RoleGuid)} granted."));
        Assert.All(all, a => Assert.False(string.IsNullOrEmpty(a.Scope), "Every role assignment is scoped to one resource (never the resource group)."));
    }

    [Fact]
    public void Template_hard_codes_no_cloud_specific_host_names()
    {
        var offending = infra.Arm.AllStrings()
            .Where(s => !s.Path.EndsWith(".$schema", StringComparison.Ordinal) && !s.Path.Contains(".metadata", StringComparison.Ordinal))
            .SelectMany(s => CloudSpecificHosts.Where(h => s.Value.Contains(h, StringComparison.OrdinalIgnoreCase)).Select(h => $"{s.Path}: {h} in {s.Value}"))
            .ToList();

        Assert.True(offending.Count == 0, "Use environment() or resource properties instead:\n" + string.Join('\n', offending));
        Assert.Contains(infra.Arm.AllStrings(), s => s.Value.Contains("environment().suffixes.storage", StringComparison.Ordinal));
    }

    [Fact]
    public void Private_networking_is_optional_and_covers_every_data_service()
    {
        const string flag = "[parameters('enablePrivateNetworking')]";
        Assert.Equal("bool", infra.Arm.Root.GetProperty("parameters").GetProperty("enablePrivateNetworking").GetProperty("type").GetString());
        Assert.False(infra.Arm.Root.GetProperty("parameters").GetProperty("enablePrivateNetworking").GetProperty("defaultValue").GetBoolean());
        Assert.Equal(flag, infra.Arm.Module("network").String("condition"));
        Assert.Equal(flag, infra.Arm.Module("private-endpoints").String("condition"));

        var endpoints = infra.Arm.Module("private-endpoints").At("properties.parameters.endpoints.value");
        var groups = endpoints!.Value.EnumerateArray().Select(e => e.GetProperty("groupId").GetString()).Order().ToList();
        Assert.Equal(["account", "blob", "namespace", "queue", "signalr", "table", "vault"], groups);

        var subnet = infra.Arm.Single("Microsoft.Network/virtualNetworks").At("properties.subnets")!.Value.EnumerateArray()
            .SelectMany(s => s.GetProperty("properties").TryGetProperty("delegations", out var d) ? d.EnumerateArray() : [])
            .Select(d => d.GetProperty("properties").GetProperty("serviceName").GetString());
        Assert.Contains("Microsoft.App/environments", subnet);
        Assert.NotNull(FunctionAppSettings.Site(infra.Arm).String("properties.virtualNetworkSubnetId"));

        foreach (var type in new[] { "Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults", "Microsoft.ServiceBus/namespaces", "Microsoft.CognitiveServices/accounts" })
        {
            Assert.Contains("parameters('enablePrivateNetworking')", infra.Arm.Single(type).String("properties.publicNetworkAccess"));
        }
    }

    sealed record Assignment(string RoleGuid, string PrincipalType, string Scope, bool Conditional);

    IEnumerable<Assignment> RoleAssignments()
    {
        var template = infra.Arm.ModuleTemplate("role-assignments");
        var roles = template.GetProperty("variables").GetProperty("roles");

        foreach (var r in infra.Arm.OfType("Microsoft.Authorization/roleAssignments"))
        {
            var definition = r.String("properties.roleDefinitionId")!;
            var guid = ArmTemplate.RoleGuid(definition);
            if (guid is null && Regex.Match(definition, @"variables\('roles'\)\.(\w+)") is { Success: true } m)
            {
                guid = roles.GetProperty(m.Groups[1].Value).GetString()!.ToLowerInvariant();
            }

            Assert.True(guid is not null, $"Cannot read the role of {r}: {definition}");
            yield return new Assignment(guid!, r.String("properties.principalType") ?? "", r.String("scope") ?? "", r.IsConditional);
        }
    }
}
