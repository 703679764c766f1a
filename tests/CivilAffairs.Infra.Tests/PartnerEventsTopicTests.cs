using System.Text.RegularExpressions;
using CivilAffairs.Application.Platform.Configuration;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Infra.Tests.Support;

namespace CivilAffairs.Infra.Tests;

/// <summary>
/// Life events to partner units in Azure: the domain-events topic, one subscription per partner unit that keeps only the
/// messages whose <c>unit</c> property is the unit's code (what <see cref="ServiceBusPartnerEventTransport"/> sets), and an app
/// that may only send.
/// </summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class PartnerEventsTopicTests(CompiledInfrastructure infra)
{
    static readonly string[] Units =
        ["police", "hrss", "medical-security", "housing-fund", "veterans", "disabled-fed", "bank-icbc", "bank-gzcb", "bank-grcb", "housing"];

    const string UnitParameter = "parameters('partnerUnits')[copyIndex()]";

    [Fact]
    public void The_topic_drops_a_second_send_of_the_same_attempt()
    {
        var topic = infra.Arm.Single("Microsoft.ServiceBus/namespaces/topics");

        Assert.True(topic.Bool("properties.requiresDuplicateDetection"), "requiresDuplicateDetection must be the literal true.");
        var window = topic.String("properties.duplicateDetectionHistoryTimeWindow");
        Assert.True(window is not null && System.Xml.XmlConvert.ToTimeSpan(window) >= TimeSpan.FromMinutes(10),
            $"The duplicate-detection window ({window}) must cover a relay retried after a crash.");
    }

    [Fact]
    public void Every_partner_unit_that_subscribes_to_life_events_has_its_own_subscription_by_default()
    {
        var parameter = infra.Arm.Root.GetProperty("parameters").GetProperty("partnerUnits");
        Assert.Equal("array", parameter.GetProperty("type").GetString());
        Assert.Equal(Units, parameter.GetProperty("defaultValue").EnumerateArray().Select(u => u.GetString()));
        Assert.All(Units, u => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", u));

        var module = infra.Arm.Module("servicebus").Json.GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[parameters('partnerUnits')]", module.GetProperty("partnerUnits").GetProperty("value").GetString());

        var subscriptions = infra.Arm.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions");
        Assert.True(subscriptions.IsLoop);
        Assert.Equal("[length(parameters('partnerUnits'))]", subscriptions.String("copy.count"));
        Assert.EndsWith($"{UnitParameter})]", subscriptions.String("name"));
    }

    [Fact]
    public void Each_unit_subscription_keeps_only_messages_whose_unit_property_is_its_code()
    {
        var rules = infra.Arm.OfType("Microsoft.ServiceBus/namespaces/topics/subscriptions/rules").ToList();
        var rule = Assert.Single(rules);

        // One rule per subscription, replacing the TrueFilter Service Bus would create as $Default.
        Assert.True(rule.IsLoop);
        Assert.Equal("[length(parameters('partnerUnits'))]", rule.String("copy.count"));
        Assert.Equal($"[format('{{0}}/{{1}}/{{2}}/{{3}}', parameters('name'), parameters('topicName'), {UnitParameter}, '$Default')]", rule.String("name"));
        Assert.Contains(rule.Json.GetProperty("dependsOn").EnumerateArray(), d => d.GetString()!.StartsWith("[format('subscriptions[", StringComparison.Ordinal));

        Assert.Equal("SqlFilter", rule.String("properties.filterType"));
        var expression = rule.String("properties.sqlFilter.sqlExpression")!;
        var format = Regex.Match(expression, $@"^\[format\('(?<f>.*)', {Regex.Escape(UnitParameter)}\)\]$");
        Assert.True(format.Success, $"The filter must be built from the unit code: {expression}");
        foreach (var unit in Units)
        {
            var sql = format.Groups["f"].Value.Replace("''", "'", StringComparison.Ordinal).Replace("{0}", unit, StringComparison.Ordinal);
            Assert.Equal($"{ServiceBusPartnerEventTransport.UnitProperty} = '{unit}'", sql);
        }
    }

    [Fact]
    public void Undeliverable_messages_are_dead_lettered()
    {
        var subscriptions = infra.Arm.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions");

        Assert.True(subscriptions.Bool("properties.deadLetteringOnMessageExpiration"));
        Assert.True(subscriptions.Bool("properties.deadLetteringOnFilterEvaluationExceptions"));
        Assert.InRange(subscriptions.At("properties.maxDeliveryCount")!.Value.GetInt32(), 1, 100);
    }

    [Fact]
    public void The_app_identity_can_only_send_to_the_topic()
    {
        const string dataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
        var onServiceBus = infra.Arm.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.String("scope")?.Contains("Microsoft.ServiceBus/", StringComparison.Ordinal) == true)
            .ToList();
        var roles = infra.Arm.ModuleTemplate("role-assignments").GetProperty("variables").GetProperty("roles");
        string Role(ArmResource r)
        {
            var definition = r.String("properties.roleDefinitionId")!;
            return ArmTemplate.RoleGuid(definition)
                ?? roles.GetProperty(Regex.Match(definition, @"variables\('roles'\)\.(\w+)").Groups[1].Value).GetString()!.ToLowerInvariant();
        }

        var app = onServiceBus.Where(r => r.String("properties.principalId")?.Contains("parameters('appIdentityName')", StringComparison.Ordinal) == true).ToList();
        var sender = Assert.Single(app);
        Assert.Equal(dataSender, Role(sender));
        Assert.Equal("ServicePrincipal", sender.String("properties.principalType"));
        Assert.StartsWith("[resourceId('Microsoft.ServiceBus/namespaces/topics',", sender.String("scope"));

        // Whatever else is granted on Service Bus (the deploying developer's receiver, for local debugging) is optional.
        Assert.All(onServiceBus.Except(app), r => Assert.True(r.IsConditional, $"Unexpected Service Bus role assignment: {r}"));
    }

    [Fact]
    public void The_app_is_told_the_namespace_and_topic_from_the_deployed_service_bus()
    {
        var settings = FunctionAppSettings.All(infra.Arm);
        Assert.Equal("[parameters('serviceBusFullyQualifiedNamespace')]", settings[SettingNames.EventsServiceBusNamespace]);
        Assert.Equal("[parameters('domainEventsTopicName')]", settings[SettingNames.EventsTopic]);

        var module = infra.Arm.Module("functionapp").Json.GetProperty("properties").GetProperty("parameters");
        Assert.Equal("[reference('serviceBus').outputs.fullyQualifiedNamespace.value]",
            module.GetProperty("serviceBusFullyQualifiedNamespace").GetProperty("value").GetString());
        Assert.Equal("[reference('serviceBus').outputs.topicName.value]",
            module.GetProperty("domainEventsTopicName").GetProperty("value").GetString());
        Assert.Equal(ServiceBusPartnerEventTransport.DefaultTopic,
            infra.Arm.Root.GetProperty("variables").GetProperty("domainEventsTopicName").GetString());
    }
}
