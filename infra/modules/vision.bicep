// Azure AI Vision (Computer Vision) account for Image Analysis 4.0 (REST). The key is
// copied into Key Vault by keyvault.bicep and reaches the app as a Key Vault reference.
@description('Account name (also its custom subdomain).')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Disable public network access (reached through a private endpoint instead).')
param enablePrivateNetworking bool

@description('Log Analytics workspace for diagnostic settings.')
param logAnalyticsWorkspaceId string

resource vision 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'ComputerVision'
  sku: {
    name: 'S1'
  }
  properties: {
    customSubDomainName: name
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: enablePrivateNetworking ? 'Deny' : 'Allow'
    }
    // The design calls Image Analysis with a key (from Key Vault), so local auth stays on.
    disableLocalAuth: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vision
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

output id string = vision.id
output name string = vision.name
output endpoint string = vision.properties.endpoint
