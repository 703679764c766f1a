using System.Text.Json;
using System.Text.RegularExpressions;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>The function app: Flex Consumption, .NET 10 isolated, HTTPS/TLS 1.2, identity only, no secrets in settings.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class FunctionAppTests(CompiledInfrastructure infra)
{
    /// <summary>Settings the Flex Consumption host owns (or that only other plans use): never written by us.</summary>
    static readonly string[] HostOwnedSettings =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTOVERVNET",
        "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "AzureWebJobsDashboard",
        "AzureWebJobsStorage", // the plain form is a connection string (with a key): identity-based __ settings only
    ];

    /// <summary>Fragments that betray a secret in a setting value (literal or ARM expression).</summary>
    static readonly string[] SecretMarkers =
    [
        "AccountKey=", "SharedAccessKey=", "SharedAccessSignature=", "sig=", "Password=", "pwd=",
        "listKeys(", "listkeys(", "listSecrets(", "listConnectionStrings(", "listCredentials(", "InstrumentationKey=",
    ];

    [Fact]
    public void Plan_is_flex_consumption()
    {
        var plan = infra.Arm.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.String("sku.name"));
        Assert.Equal("FlexConsumption", plan.String("sku.tier"));
        Assert.True(plan.Bool("properties.reserved"), "Flex Consumption runs on Linux (reserved: true).");
    }

    [Fact]
    public void App_runs_dotnet_10_isolated_from_a_deployment_container_with_always_ready_durable_instances()
    {
        var site = FunctionAppSettings.Site(infra.Arm);

        Assert.Equal("functionapp,linux", site.String("kind"));
        Assert.Equal("dotnet-isolated", site.String("properties.functionAppConfig.runtime.name"));
        Assert.Equal("10.0", site.String("properties.functionAppConfig.runtime.version"));
        Assert.Equal("blobContainer", site.String("properties.functionAppConfig.deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", site.String("properties.functionAppConfig.deployment.storage.authentication.type"));
        Assert.NotNull(site.String("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));

        var alwaysReady = site.At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady");
        Assert.True(alwaysReady is { ValueKind: JsonValueKind.Array }, "alwaysReady must be declared.");
        Assert.Contains(alwaysReady!.Value.EnumerateArray(), e =>
            e.GetProperty("name").GetString() == "durable" && e.TryGetProperty("instanceCount", out _));
    }

    [Fact]
    public void App_is_https_only_with_tls_1_2_and_no_ftp_or_basic_publishing_credentials()
    {
        var site = FunctionAppSettings.Site(infra.Arm);

        Assert.True(site.Bool("properties.httpsOnly"), "httpsOnly must be the literal true.");
        Assert.Equal("1.2", site.String("properties.siteConfig.minTlsVersion"));
        Assert.Equal("1.2", site.String("properties.siteConfig.scmMinTlsVersion"));
        Assert.Equal("Disabled", site.String("properties.siteConfig.ftpsState"));

        var policies = infra.Arm.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        var policyNames = policies.Select(p => p.Json.GetProperty("name").GetString()!).ToList();
        Assert.Equal(2, policyNames.Count);
        Assert.Contains(policyNames, n => n.EndsWith("'ftp')]", StringComparison.Ordinal));
        Assert.Contains(policyNames, n => n.EndsWith("'scm')]", StringComparison.Ordinal));
        Assert.All(policies, p => Assert.False(p.Bool("properties.allow") ?? true, $"{p} must set allow: false"));
    }

    [Fact]
    public void App_uses_its_user_assigned_managed_identity_for_storage_key_vault_and_monitoring()
    {
        var site = FunctionAppSettings.Site(infra.Arm);
        var settings = FunctionAppSettings.All(infra.Arm);

        Assert.Equal("UserAssigned", site.String("identity.type"));
        var identities = site.At("identity.userAssignedIdentities");
        Assert.True(identities is { ValueKind: JsonValueKind.Object } && identities.Value.EnumerateObject().Count() == 1,
            "Exactly one user-assigned identity.");
        Assert.NotNull(site.String("properties.keyVaultReferenceIdentity"));

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(settings["AzureWebJobsStorage__clientId"], settings["AZURE_CLIENT_ID"]);
        Assert.Contains("Authorization=AAD;ClientId=", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.True(settings.ContainsKey($"AzureWebJobsStorage__{service}ServiceUri"), $"{service} service URI missing");
        }
    }

    [Fact]
    public void No_app_setting_carries_a_secret_and_secret_settings_are_key_vault_references()
    {
        var settings = FunctionAppSettings.All(infra.Arm);
        var problems = new List<string>();

        foreach (var (name, value) in settings)
        {
            foreach (var marker in SecretMarkers.Where(m => value.Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{name} contains '{marker}': {value}");
            }

            // A setting named like a secret must be a Key Vault reference; *SecretName settings only name a secret.
            var looksSecret = Regex.IsMatch(name, "(Key|Secret|Password|Token)$", RegexOptions.IgnoreCase);
            if (looksSecret && !value.Contains("@Microsoft.KeyVault(SecretUri=", StringComparison.Ordinal))
            {
                problems.Add($"{name} looks like a secret but is not a @Microsoft.KeyVault(SecretUri=...) reference: {value}");
            }
        }

        foreach (var name in new[] { "SignalR__AccessKey", "Vision__Key", "WeChat__AppSecret" })
        {
            Assert.True(settings.ContainsKey(name), $"{name} missing");
            Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0}", settings[name]);
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Key_vault_references_point_into_the_platform_vault()
    {
        var template = infra.Arm.ModuleTemplate("functionapp");
        var secretUri = ArmTemplate.At(template, "variables.secretUri")?.GetString();

        Assert.Equal("[format('{0}secrets/', parameters('keyVaultUri'))]", secretUri);
        var keyVaultUri = ArmTemplate.At(infra.Arm.Module("functionapp").Json, "properties.parameters.keyVaultUri.value")?.GetString();
        Assert.Equal("[reference('keyVault').outputs.uri.value]", keyVaultUri);
    }

    [Fact]
    public void App_writes_no_host_owned_settings()
    {
        var written = FunctionAppSettings.Names(infra.Arm);
        var forbidden = written.Where(n => HostOwnedSettings.Contains(n, StringComparer.OrdinalIgnoreCase)
                                           || n.StartsWith("WEBSITE_", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.True(forbidden.Count == 0, "Flex Consumption owns these settings: " + string.Join(", ", forbidden));
    }

    [Fact]
    public void Fixed_settings_have_the_agreed_values_and_cloud_specific_ones_come_from_the_environment()
    {
        var settings = FunctionAppSettings.All(infra.Arm);

        Assert.Equal("0 0 18 * * *", settings["CatalogStatisticsSchedule"]);
        Assert.Equal("30.00:00:00", settings["Catalog__PreReviewValidity"]);
        Assert.Equal("[environment().authentication.loginEndpoint]", settings["Identity__Entra__Instance"]);

        var main = infra.Arm.Root.GetProperty("parameters");
        Assert.Equal("https://api.weixin.qq.com", main.GetProperty("wechatBaseUrl").GetProperty("defaultValue").GetString());
    }

    [Fact]
    public void App_is_tagged_for_azd_as_the_api_service()
    {
        var site = FunctionAppSettings.Site(infra.Arm);

        Assert.Equal("[union(parameters('tags'), createObject('azd-service-name', 'api'))]", site.String("tags"));
    }
}
