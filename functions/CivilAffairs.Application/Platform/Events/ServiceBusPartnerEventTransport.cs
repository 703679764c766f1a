using System.Text;
using System.Text.RegularExpressions;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using CivilAffairs.Application.Platform.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CivilAffairs.Application.Platform.Events;

/// <summary>
/// Azure: life events reach partner units through the Service Bus topic (<c>Events__Topic</c>, default <c>domain-events</c>),
/// one subscription per unit whose SQL filter rule is <c>unit = '{code}'</c> (infra/modules/servicebus.bicep).
/// </summary>
/// <remarks>
/// <para>The message is in CloudEvents <b>structured mode</b> (CloudEvents AMQP protocol binding, section 3.2): the body is the
/// whole CloudEvent JSON in UTF-8, <c>ContentType</c> <c>application/cloudevents+json</c>; there are no binary-mode
/// <c>cloudEvents:</c> application properties. A partner parses one JSON document whatever the transport (the one-machine
/// Storage queue carries the same JSON), and the unit's <c>sealeddetails</c> stay inside the body, never in a property.</para>
/// <para>Broker properties: <c>MessageId</c> = <c>{event id}:{unit}:{attempt}</c> (the topic's duplicate detection drops a second
/// send of the same attempt, e.g. a relay run twice, but not a deliberate resend), <c>Subject</c> = the event type, and the
/// application properties <c>unit</c> (what the unit's subscription filters on) and <c>type</c> (so a unit may add its own
/// rule per type). Properties carry only codes and ids, never personal data.</para>
/// </remarks>
public sealed partial class ServiceBusPartnerEventTransport(ServiceBusSender sender) : IPartnerEventTransport
{
    /// <summary>Application property the unit subscriptions filter on.</summary>
    public const string UnitProperty = "unit";
    /// <summary>Application property holding the CloudEvents <c>type</c>.</summary>
    public const string TypeProperty = "type";
    /// <summary>The topic when <c>Events__Topic</c> is not set (the Bicep's <c>domainEventsTopicName</c>).</summary>
    public const string DefaultTopic = "domain-events";

    public Task SendAsync(PartnerEventMessage message, int attempt, CancellationToken ct) =>
        sender.SendMessageAsync(ToServiceBusMessage(message, attempt), ct);

    /// <summary>The Service Bus message of <paramref name="message"/>'s <paramref name="attempt"/> (1 for the first send).</summary>
    public static ServiceBusMessage ToServiceBusMessage(PartnerEventMessage message, int attempt)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.EventId);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.EventType);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.CloudEventJson);
        // The code goes into a SQL filter and a subscription name: lower-case letters, digits and hyphens only.
        if (!UnitCode().IsMatch(message.UnitCode))
            throw new ArgumentException($"Partner unit code '{message.UnitCode}' is not lower-case letters, digits and hyphens.", nameof(message));

        var sb = new ServiceBusMessage(new BinaryData(Encoding.UTF8.GetBytes(message.CloudEventJson)))
        {
            ContentType = CloudEventsContentType,
            MessageId = $"{message.EventId}:{message.UnitCode}:{attempt}",
            Subject = message.EventType,
        };
        sb.ApplicationProperties[UnitProperty] = message.UnitCode;
        sb.ApplicationProperties[TypeProperty] = message.EventType;
        return sb;
    }

    const string CloudEventsContentType = "application/cloudevents+json";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex UnitCode();
}

public static class ServiceBusPartnerEventsRegistration
{
    /// <summary>
    /// When <c>Events__ServiceBusNamespace</c> (the fully qualified namespace, e.g. <c>sb-xxxx.servicebus.windows.net</c>) is set:
    /// a <see cref="ServiceBusClient"/> authenticated with <c>DefaultAzureCredential</c> (the app's user-assigned managed identity,
    /// <c>AZURE_CLIENT_ID</c>; the identity holds Azure Service Bus Data Sender on the topic only), the sender for the topic
    /// <c>Events__Topic</c> (default <c>domain-events</c>) and <see cref="ServiceBusPartnerEventTransport"/> as the
    /// <see cref="IPartnerEventTransport"/>, replacing any transport registered before (and not replaced by a <c>TryAdd</c> after).
    /// Without the setting nothing is registered and the one-machine Storage-queue transport stays.
    /// </summary>
    /// <returns>True when the Service Bus transport was registered.</returns>
    public static bool AddServiceBusPartnerEvents(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var ns = Setting(configuration, SettingNames.EventsServiceBusNamespace);
        if (ns is null) return false;
        var topic = Setting(configuration, SettingNames.EventsTopic) ?? ServiceBusPartnerEventTransport.DefaultTopic;

        services.TryAddSingleton(_ => new ServiceBusClient(ns,
            new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = configuration[SettingNames.AzureClientId] }),
            new ServiceBusClientOptions { Identifier = "civilaffairs-partner-events" }));
        services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(topic));
        services.RemoveAll<IPartnerEventTransport>();
        services.AddSingleton<IPartnerEventTransport, ServiceBusPartnerEventTransport>();
        return true;
    }

    /// <summary>The setting under its app-setting name (<c>Events__Topic</c>) or its configuration path (<c>Events:Topic</c>).</summary>
    static string? Setting(IConfiguration configuration, string name) =>
        (configuration[name] ?? configuration[name.Replace("__", ":", StringComparison.Ordinal)]) is { Length: > 0 } v && !string.IsNullOrWhiteSpace(v)
            ? v.Trim() : null;
}
