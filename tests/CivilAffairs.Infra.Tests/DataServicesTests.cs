using System.Text.Json;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>Security properties of Storage, Key Vault, Service Bus, SignalR, Vision and monitoring in the compiled ARM JSON.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class DataServicesTests(CompiledInfrastructure infra)
{
    [Fact]
    public void Storage_account_allows_only_entra_auth_over_https_tls_1_2_and_no_public_blobs()
    {
        var storage = infra.Arm.Single("Microsoft.Storage/storageAccounts");

        Assert.Equal("StorageV2", storage.String("kind"));
        Assert.False(storage.Bool("properties.allowSharedKeyAccess") ?? true, "allowSharedKeyAccess must be the literal false.");
        Assert.False(storage.Bool("properties.allowBlobPublicAccess") ?? true, "allowBlobPublicAccess must be the literal false.");
        Assert.True(storage.Bool("properties.supportsHttpsTrafficOnly"), "supportsHttpsTrafficOnly must be the literal true.");
        Assert.Equal("TLS1_2", storage.String("properties.minimumTlsVersion"));
        Assert.True(storage.Bool("properties.defaultToOAuthAuthentication"));
        Assert.False(storage.Bool("properties.allowCrossTenantReplication") ?? true);
        Assert.True(storage.Bool("properties.encryption.requireInfrastructureEncryption"));
    }

    [Fact]
    public void Blobs_have_soft_delete_and_versioning_and_no_container_is_public()
    {
        var blob = infra.Arm.Single("Microsoft.Storage/storageAccounts/blobServices");

        Assert.True(blob.Bool("properties.isVersioningEnabled"), "Blob versioning must be on.");
        Assert.True(blob.Bool("properties.deleteRetentionPolicy.enabled"), "Blob soft delete must be on.");
        Assert.True(blob.Bool("properties.containerDeleteRetentionPolicy.enabled"), "Container soft delete must be on.");
        Assert.True(blob.At("properties.deleteRetentionPolicy.days")?.GetInt32() >= 7);

        var containers = infra.Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", c.String("properties.publicAccess")));
    }

    [Fact]
    public void Audit_anchors_live_in_an_immutable_container()
    {
        var containers = infra.Arm.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        var worm = containers.Where(c => c.Bool("properties.immutableStorageWithVersioning.enabled") == true).ToList();

        Assert.Single(worm);
        var storageParameters = infra.Arm.Module("storage").Json.GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[variables('auditAnchorsContainerName')]",
            storageParameters.GetProperty("auditAnchorsContainerName").GetProperty("value").GetString());
        Assert.EndsWith("parameters('auditAnchorsContainerName'))]", worm[0].Json.GetProperty("name").GetString());
        Assert.Equal("audit-anchors", infra.Arm.Root.GetProperty("variables").GetProperty("auditAnchorsContainerName").GetString());

        var policy = infra.Arm.Single("Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies");
        Assert.NotNull(policy.At("properties.immutabilityPeriodSinceCreationInDays"));
        Assert.False(policy.Bool("properties.allowProtectedAppendWritesAll") ?? true);
    }

    [Fact]
    public void Key_vault_uses_rbac_with_soft_delete_and_purge_protection()
    {
        var vault = infra.Arm.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Bool("properties.enableRbacAuthorization"), "enableRbacAuthorization must be the literal true.");
        Assert.True(vault.Bool("properties.enablePurgeProtection"), "enablePurgeProtection must be the literal true.");
        Assert.True(vault.Bool("properties.enableSoftDelete"));
        Assert.False(vault.At("properties.accessPolicies").HasValue, "RBAC only: no access policies.");
        Assert.False(vault.Bool("properties.enabledForTemplateDeployment") ?? true);
    }

    [Fact]
    public void Key_vault_holds_the_master_keys_and_the_service_access_keys()
    {
        var secrets = infra.Arm.OfType("Microsoft.KeyVault/vaults/secrets").ToList();
        var names = infra.Arm.Root.GetProperty("variables").GetProperty("secretNames");
        var byKey = new Dictionary<string, ArmResource>();
        foreach (var s in secrets)
        {
            var name = s.Json.GetProperty("name").GetString()!;
            var key = names.EnumerateObject().Single(p => name.Contains($".{p.Name})", StringComparison.Ordinal)).Name;
            byKey[key] = s;
        }

        Assert.Equal(["blindIndexKey", "certificateSigningKey", "fieldEncryptionKey", "signalRAccessKey", "smsApiKey", "visionKey", "wechatAppSecret"], byKey.Keys.Order());

        // Service keys are copied from the services themselves (never typed in).
        Assert.Contains("listKeys(", byKey["signalRAccessKey"].String("properties.value"));
        Assert.Contains("listKeys(", byKey["visionKey"].String("properties.value"));

        // Operator secrets are written only when given, so a redeploy never overwrites a master key.
        foreach (var key in new[] { "fieldEncryptionKey", "blindIndexKey", "certificateSigningKey", "wechatAppSecret", "smsApiKey" })
        {
            Assert.True(byKey[key].IsConditional, $"{key} secret must be conditional on its parameter.");
        }

        var keyVaultParameters = infra.Arm.ModuleTemplate("keyvault").GetProperty("parameters");
        foreach (var p in new[] { "fieldEncryptionKey", "blindIndexKey", "certificateSigningKey", "wechatAppSecret", "smsApiKey" })
        {
            Assert.Equal("securestring", keyVaultParameters.GetProperty(p).GetProperty("type").GetString());
            Assert.Equal("securestring", infra.Arm.Root.GetProperty("parameters").GetProperty(p).GetProperty("type").GetString());
        }
    }

    [Fact]
    public void Service_bus_is_entra_only_with_the_domain_events_topic_and_a_subscription_per_partner_unit()
    {
        var ns = infra.Arm.Single("Microsoft.ServiceBus/namespaces");
        Assert.True(ns.Bool("properties.disableLocalAuth"), "disableLocalAuth must be the literal true (no SAS keys).");
        Assert.Equal("1.2", ns.String("properties.minimumTlsVersion"));

        var topic = infra.Arm.Single("Microsoft.ServiceBus/namespaces/topics");
        Assert.EndsWith("parameters('topicName'))]", topic.Json.GetProperty("name").GetString());
        Assert.Equal("domain-events", infra.Arm.Root.GetProperty("variables").GetProperty("domainEventsTopicName").GetString());
        Assert.True(topic.Bool("properties.requiresDuplicateDetection"), "The outbox relay relies on duplicate detection.");

        var subscriptions = infra.Arm.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions");
        Assert.True(subscriptions.IsLoop, "One subscription per partner unit: a loop over the parameter.");
        Assert.Equal("[length(parameters('partnerUnits'))]", subscriptions.String("copy.count"));

        var partners = infra.Arm.Root.GetProperty("parameters").GetProperty("partnerUnits");
        Assert.Equal("array", partners.GetProperty("type").GetString());
        Assert.True(partners.GetProperty("defaultValue").GetArrayLength() > 0);
    }

    [Fact]
    public void SignalR_runs_in_serverless_mode()
    {
        var signalR = infra.Arm.Single("Microsoft.SignalRService/signalR");
        var features = signalR.At("properties.features");

        Assert.Equal("SignalR", signalR.String("kind"));
        Assert.True(features is { ValueKind: JsonValueKind.Array });
        Assert.Contains(features!.Value.EnumerateArray(), f =>
            f.GetProperty("flag").GetString() == "ServiceMode" && f.GetProperty("value").GetString() == "Serverless");
        Assert.False(signalR.Bool("properties.tls.clientCertEnabled") ?? true);
    }

    [Fact]
    public void Vision_is_a_computer_vision_account_with_a_custom_subdomain()
    {
        var vision = infra.Arm.Single("Microsoft.CognitiveServices/accounts");

        Assert.Equal("ComputerVision", vision.String("kind"));
        Assert.NotNull(vision.String("properties.customSubDomainName"));
    }

    [Fact]
    public void Application_insights_is_workspace_based_and_accepts_only_entra_authenticated_telemetry()
    {
        var appInsights = infra.Arm.Single("Microsoft.Insights/components");
        var workspace = infra.Arm.Single("Microsoft.OperationalInsights/workspaces");

        Assert.True(appInsights.Bool("properties.DisableLocalAuth"), "DisableLocalAuth must be the literal true.");
        Assert.NotNull(appInsights.String("properties.WorkspaceResourceId"));
        Assert.True(workspace.Bool("properties.features.disableLocalAuth"));
        Assert.True(workspace.At("properties.retentionInDays").HasValue);
        Assert.True(infra.Arm.Root.GetProperty("parameters").GetProperty("logRetentionInDays").GetProperty("minValue").GetInt32() >= 180,
            "Network logs must be kept at least six months.");
    }

    [Fact]
    public void Static_web_app_hosts_the_front_ends()
    {
        var site = infra.Arm.Single("Microsoft.Web/staticSites");

        Assert.Equal("staticwebapp", site.Deployment);
        Assert.True(infra.Arm.Module("staticwebapp").IsConditional, "Optional (not offered in Azure China).");
    }
}
