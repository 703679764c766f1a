using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Messaging.ServiceBus;
using CivilAffairs.Application.Platform.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Application.Tests.Platform;

/// <summary>
/// The contract between the platform and a partner unit on Azure Service Bus: what the transport sends for each life event,
/// read back the way a unit's receiver sees it (a <see cref="ServiceBusReceivedMessage"/> from its subscription).
/// </summary>
public sealed partial class ServiceBusPartnerEventTransportTests
{
    const string IdNumber = "44010619900101123X";

    /// <summary>Captures what the transport sends instead of talking to a namespace.</summary>
    sealed class CapturingSender : ServiceBusSender
    {
        public List<ServiceBusMessage> Sent { get; } = [];

        public override string EntityPath => "domain-events";

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    public static TheoryData<string, string> Events => new()
    {
        { LifeEventTypes.PersonDied, "police" },
        { LifeEventTypes.PersonDied, "bank-icbc" },
        { LifeEventTypes.MarriageRegistered, "police" },
        { LifeEventTypes.MarriageEnded, "police" },
        { LifeEventTypes.AssistanceGranted, "medical-security" },
        { LifeEventTypes.AssistanceEnded, "housing" },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task A_partner_receives_the_event_as_a_structured_cloud_event_on_its_own_subscription(string type, string unit)
    {
        var sender = new CapturingSender();
        var transport = new ServiceBusPartnerEventTransport(sender);
        var (message, eventId) = PartnerMessage(type, unit);

        await transport.SendAsync(message, 1, CancellationToken.None);

        var sent = Assert.Single(sender.Sent);
        var received = Receive(sent);
        Assert.Equal("application/cloudevents+json", received.ContentType);
        Assert.Equal($"{eventId}:{unit}:1", received.MessageId);
        Assert.Equal(type, received.Subject);
        Assert.Equal(unit, received.ApplicationProperties["unit"]);
        Assert.Equal(type, received.ApplicationProperties["type"]);
        // Structured mode: no binary-mode CloudEvents attributes in the properties.
        Assert.DoesNotContain(received.ApplicationProperties.Keys, k => k.StartsWith("cloudEvents", StringComparison.OrdinalIgnoreCase));
        Assert.True(MatchesUnitFilter(received, unit), "The unit's subscription rule unit = '<code>' selects the message.");
        Assert.False(MatchesUnitFilter(received, "some-other-unit"), "Another unit's subscription does not.");

        // The partner parses the body as a CloudEvents 1.0 JSON document.
        using var body = JsonDocument.Parse(received.Body.ToString());
        var ce = body.RootElement;
        Assert.Equal("1.0", ce.GetProperty("specversion").GetString());
        Assert.Equal(eventId, ce.GetProperty("id").GetString());
        Assert.Equal(type, ce.GetProperty("type").GetString());
        Assert.StartsWith("/civilaffairs/", ce.GetProperty("source").GetString());
        Assert.False(string.IsNullOrEmpty(ce.GetProperty("subject").GetString()));
        Assert.True(DateTimeOffset.TryParse(ce.GetProperty("time").GetString(), out _), "time is RFC 3339.");
        Assert.Equal("application/json", ce.GetProperty("datacontenttype").GetString());
        Assert.Equal(JsonValueKind.Object, ce.GetProperty("data").ValueKind);
        Assert.Equal(JsonValueKind.String, ce.GetProperty("sealeddetails").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public async Task No_personal_identifier_appears_outside_the_sealed_details(string type, string unit)
    {
        var sender = new CapturingSender();
        var (message, _) = PartnerMessage(type, unit);

        await new ServiceBusPartnerEventTransport(sender).SendAsync(message, 3, CancellationToken.None);

        var received = Receive(Assert.Single(sender.Sent));
        string?[] brokerProperties = [received.MessageId, received.Subject, received.ContentType, received.CorrelationId, received.SessionId,
            received.PartitionKey, received.To, received.ReplyTo];
        Assert.All(brokerProperties, p => Assert.False(p is not null && IdNumberPattern().IsMatch(p), $"Personal identifier in a broker property: {p}"));
        Assert.All(received.ApplicationProperties, p =>
        {
            Assert.False(IdNumberPattern().IsMatch(p.Key), $"Personal identifier in a property name: {p.Key}");
            Assert.False(IdNumberPattern().IsMatch(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                $"Personal identifier in application property {p.Key}");
        });

        var body = JsonNode.Parse(received.Body.ToString())!.AsObject();
        Assert.True(body.Remove("sealeddetails"), "The test event carries sealed details.");
        Assert.DoesNotMatch(IdNumberPattern(), body.ToJsonString());
    }

    [Fact]
    public async Task A_resend_is_a_new_attempt_that_duplicate_detection_does_not_drop_but_the_same_attempt_twice_is_the_same_message_id()
    {
        var sender = new CapturingSender();
        var transport = new ServiceBusPartnerEventTransport(sender);
        var (message, eventId) = PartnerMessage(LifeEventTypes.PersonDied, "hrss");

        await transport.SendAsync(message, 1, CancellationToken.None);
        await transport.SendAsync(message, 1, CancellationToken.None); // a relay run twice
        await transport.SendAsync(message, 2, CancellationToken.None); // staff resend

        Assert.Equal([$"{eventId}:hrss:1", $"{eventId}:hrss:1", $"{eventId}:hrss:2"], sender.Sent.Select(m => m.MessageId));
        Assert.All(sender.Sent, m => Assert.Equal(message.CloudEventJson, m.Body.ToString()));
    }

    [Theory]
    [InlineData("Police")]
    [InlineData("police' OR 1=1 --")]
    [InlineData("")]
    public async Task A_unit_code_that_could_not_be_a_subscription_filter_is_refused(string unit)
    {
        var sender = new CapturingSender();
        var (message, _) = PartnerMessage(LifeEventTypes.PersonDied, "police");

        await Assert.ThrowsAsync<ArgumentException>(() =>
            new ServiceBusPartnerEventTransport(sender).SendAsync(message with { UnitCode = unit }, 1, CancellationToken.None));
        Assert.Empty(sender.Sent);
    }

    [Fact]
    public async Task Attempts_count_from_one()
    {
        var (message, _) = PartnerMessage(LifeEventTypes.PersonDied, "police");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            new ServiceBusPartnerEventTransport(new CapturingSender()).SendAsync(message, 0, CancellationToken.None));
    }

    [Fact]
    public void Without_a_namespace_setting_nothing_is_registered()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Events:Topic"] = "domain-events" }).Build();

        Assert.False(services.AddServiceBusPartnerEvents(configuration));
        Assert.Empty(services);
    }

    [Theory]
    [InlineData("Events:ServiceBusNamespace", "Events:Topic")]
    [InlineData("Events__ServiceBusNamespace", "Events__Topic")]
    public async Task With_a_namespace_the_service_bus_transport_replaces_the_storage_queue_one_and_sends_to_the_topic(string nsKey, string topicKey)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IPartnerEventTransport, NoTransport>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [nsKey] = "sb-test.servicebus.windows.net",
            [topicKey] = "life-events",
        }).Build();

        Assert.True(services.AddServiceBusPartnerEvents(configuration));

        await using var provider = services.BuildServiceProvider();
        Assert.IsType<ServiceBusPartnerEventTransport>(provider.GetRequiredService<IPartnerEventTransport>());
        Assert.Single(provider.GetServices<IPartnerEventTransport>());
        var client = provider.GetRequiredService<ServiceBusClient>();
        Assert.Equal("sb-test.servicebus.windows.net", client.FullyQualifiedNamespace);
        Assert.Equal("life-events", provider.GetRequiredService<ServiceBusSender>().EntityPath);
    }

    [Fact]
    public async Task The_topic_defaults_to_domain_events()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Events:ServiceBusNamespace"] = "sb-test.servicebus.windows.net",
        }).Build();

        services.AddServiceBusPartnerEvents(configuration);

        await using var provider = services.BuildServiceProvider();
        Assert.Equal("domain-events", provider.GetRequiredService<ServiceBusSender>().EntityPath);
    }

    sealed class NoTransport : IPartnerEventTransport
    {
        public Task SendAsync(PartnerEventMessage message, int attempt, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>What the unit's receiver gets from its subscription for a sent message.</summary>
    static ServiceBusReceivedMessage Receive(ServiceBusMessage sent) => ServiceBusModelFactory.ServiceBusReceivedMessage(
        body: sent.Body,
        messageId: sent.MessageId,
        correlationId: sent.CorrelationId,
        subject: sent.Subject,
        contentType: sent.ContentType,
        properties: new Dictionary<string, object>(sent.ApplicationProperties),
        deliveryCount: 1,
        enqueuedTime: DateTimeOffset.UtcNow);

    /// <summary>The subscription's SQL filter rule <c>unit = '{code}'</c>, evaluated as Service Bus does for a string property.</summary>
    static bool MatchesUnitFilter(ServiceBusReceivedMessage m, string code) =>
        m.ApplicationProperties.TryGetValue("unit", out var v) && v is string s && string.Equals(s, code, StringComparison.Ordinal);

    /// <summary>A partner-bound event as the relay builds it: ids and facts in <c>data</c>, the personal part only in
    /// <c>sealeddetails</c> (here a readable stand-in holding the ID number, so a leak of it would show).</summary>
    static (PartnerEventMessage Message, string EventId) PartnerMessage(string type, string unit)
    {
        var eventId = Ulid.NewUlid().ToString();
        var subjectId = Ulid.NewUlid().ToString();
        var (source, data) = type switch
        {
            LifeEventTypes.PersonDied => ("/civilaffairs/funeral/deaths", (JsonNode)new JsonObject
            {
                ["deathId"] = subjectId,
                ["personIndex"] = "b1f0c2a7d3e94b5f8a6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345",
                ["dateOfDeath"] = "2026-12-01",
                ["jurisdiction"] = "440106",
            }),
            LifeEventTypes.MarriageRegistered or LifeEventTypes.MarriageEnded => ("/civilaffairs/marriage/records", new JsonObject
            {
                ["recordId"] = subjectId,
                ["jurisdiction"] = "440104",
                ["date"] = "2026-12-02",
            }),
            _ => ("/civilaffairs/assistance/cases", new JsonObject
            {
                ["caseId"] = subjectId,
                ["programme"] = "dibao",
                ["jurisdiction"] = "440111",
                ["effectiveFrom"] = "2026-12-01",
            }),
        };
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = eventId,
            ["source"] = source,
            ["type"] = type,
            ["subject"] = subjectId,
            ["time"] = new DateTimeOffset(2026, 12, 4, 9, 30, 0, TimeSpan.Zero).ToString("O"),
            ["datacontenttype"] = "application/json",
            ["data"] = data,
            ["sealeddetails"] = $"sm4gcm.{unit}.{{\"idNumber\":\"{IdNumber}\",\"name\":\"王磊\"}}",
        };
        return (new PartnerEventMessage(eventId, type, unit, cloudEvent.ToJsonString()), eventId);
    }

    [GeneratedRegex(@"(?<![\dXx])\d{17}[\dXx](?![\dXx])")]
    private static partial Regex IdNumberPattern();
}
