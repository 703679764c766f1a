// Service Bus namespace for outbound life events to partner units: one topic, one
// subscription per partner unit whose $Default rule is the SQL filter unit = '<code>'
// (the app sets the application property `unit` on every message; see
// ServiceBusPartnerEventTransport). Local (SAS) authentication is off: senders and
// receivers use Entra identities (the app holds Data Sender on the topic only; a unit's
// receiver needs Data Receiver on its own subscription).
@description('Namespace name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Private endpoints need the Premium tier; public network access is then disabled.')
param enablePrivateNetworking bool

@description('Domain-events topic name.')
param topicName string

@description('Partner unit codes (lower-case letters, digits and hyphens); one subscription each, filtered on unit = \'<code>\'.')
param partnerUnits string[]

@description('Log Analytics workspace for diagnostic settings.')
param logAnalyticsWorkspaceId string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: enablePrivateNetworking
    ? {
        name: 'Premium'
        tier: 'Premium'
        capacity: 1
      }
    : {
        name: 'Standard'
        tier: 'Standard'
      }
  properties: {
    minimumTlsVersion: '1.2'
    disableLocalAuth: true
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // The outbox relay may send an event twice; Service Bus drops the copy by MessageId.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    enableBatchedOperations: true
  }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for unit in partnerUnits: {
    parent: topic
    name: unit
    properties: {
      lockDuration: 'PT1M'
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: 'P14D'
    }
  }
]

// Each subscription keeps only its unit's messages: the $Default rule (TrueFilter when
// Service Bus creates it) is replaced by a SQL filter on the `unit` application property.
resource unitFilters 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for (unit, i) in partnerUnits: {
    parent: subscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: 'unit = \'${unit}\''
      }
    }
  }
]

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = namespace.id
output name string = namespace.name
output topicName string = topic.name
// https://<name>.servicebus.windows.net:443/ -> <name>.servicebus.windows.net (any cloud)
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
