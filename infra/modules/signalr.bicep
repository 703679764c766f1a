// Azure SignalR Service in Serverless mode: the function app calls its REST API and signs
// client/server JWTs with the access key (kept in Key Vault, referenced from app settings).
// Browsers connect to it directly, so it keeps a public endpoint for client connections;
// with private networking the app's REST calls go through a private endpoint.
@description('SignalR Service name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Tier.')
param skuName string

@description('Log Analytics workspace for diagnostic settings.')
param logAnalyticsWorkspaceId string

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: skuName
    capacity: 1
  }
  properties: {
    features: [
      {
        flag: 'ServiceMode'
        value: 'Serverless'
      }
      {
        flag: 'EnableConnectivityLogs'
        value: 'True'
      }
      {
        flag: 'EnableMessagingLogs'
        value: 'False'
      }
    ]
    tls: {
      clientCertEnabled: false
    }
    // The design signs JWTs with the access key (REST API), so local auth stays on.
    disableLocalAuth: false
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: signalR
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

output id string = signalR.id
output name string = signalR.name
output endpoint string = 'https://${signalR.properties.hostName}'
