// The function app: Flex Consumption (FC1), .NET 10 isolated worker, one user-assigned
// identity for everything, deployment package in a blob container read with that identity,
// always-ready instances for the durable group.
//
// App settings: every key the code reads in Azure (SettingNames.cs in
// CivilAffairs.Application) is written here and only here; infrastructure tests compare
// the two lists. Services are referenced by URI + identity; secrets are Key Vault
// references. Host-owned settings (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_*) are not allowed on Flex Consumption and are not written.
@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Blob endpoint of the storage account (https://<account>.blob.<suffix>/).')
param storageBlobEndpoint string

@description('Queue endpoint of the storage account.')
param storageQueueEndpoint string

@description('Table endpoint of the storage account.')
param storageTableEndpoint string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (not a secret: ingestion needs an Entra token).')
param appInsightsConnectionString string

@description('Key Vault URI (ends with /).')
param keyVaultUri string

@description('Key Vault secret names (one source: main.bicep).')
param secretNames {
  fieldEncryptionKey: string
  blindIndexKey: string
  certificateSigningKey: string
  signalRAccessKey: string
  visionKey: string
  wechatAppSecret: string
  smsApiKey: string
}

@description('Service Bus namespace host name.')
param serviceBusFullyQualifiedNamespace string

@description('Domain-events topic name.')
param domainEventsTopicName string

@description('SignalR Service endpoint.')
param signalREndpoint string

@description('Azure AI Vision endpoint.')
param visionEndpoint string

@description('Entra ID tenant of the staff.')
param entraTenantId string

@description('Audience of the staff API app registration.')
param staffApiAudience string

@description('WeChat API base URL.')
param wechatBaseUrl string

@description('WeChat app id.')
param wechatAppId string

@description('WeChat subscribe template for case progress notifications; empty disables WeChat delivery.')
param wechatCaseTemplateId string

@description('SMS gateway base URL (real-name binding codes); empty disables binding.')
param smsBaseUrl string

@description('Browser origins allowed by CORS.')
param allowedOrigins string[]

@description('Upper bound of instances.')
param maximumInstanceCount int

@description('Instance memory (MB).')
param instanceMemoryMB int

@description('Always-ready instances of the durable group.')
param durableAlwaysReadyInstanceCount int

@description('Subnet (delegated to Microsoft.App/environments) for VNet integration; empty for none.')
param virtualNetworkSubnetId string

@description('Log Analytics workspace for diagnostic settings.')
param logAnalyticsWorkspaceId string

var secretUri = '${keyVaultUri}secrets/'

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: durableAlwaysReadyInstanceCount
          }
        ]
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: false
      }
      appSettings: [
        // ---- Storage: identity-based (service URIs + managed identity; no keys) ----
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storageBlobEndpoint
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storageQueueEndpoint
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: storageTableEndpoint
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        // ---- Monitoring: Entra-authenticated ingestion ----
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD;ClientId=${identityClientId}'
        }
        // ---- Service catalogue ----
        {
          name: 'CatalogStatisticsSchedule'
          value: '0 0 18 * * *' // 02:00 China Standard Time (timers run in UTC)
        }
        {
          name: 'Catalog__PreReviewValidity'
          value: '30.00:00:00'
        }
        // ---- Elderly care: 平安通 silent-terminal sweep ----
        {
          name: 'ElderlyWelfareCheckSchedule'
          value: '0 */5 * * * *'
        }
        // ---- Elderly care: institutions ----
        {
          name: 'ElderlyInstitutionRatingSchedule'
          value: '0 30 16 * * *' // 00:30 China Standard Time: ratings follow the new business date
        }
        // ---- Funeral: custody deadline sweep (cremation and preservation time rules) ----
        {
          name: 'FuneralCustodyAlertSchedule'
          value: '0 */10 * * * *'
        }
        // ---- Abuse limits (per instance; put API Management or Front Door in front for global limits) ----
        {
          name: 'Security__RateLimit__PublicPerMinute'
          value: '240'
        }
        {
          name: 'Security__RateLimit__LoginPerMinute'
          value: '20'
        }
        {
          // The App Service front end appends the caller's address to X-Forwarded-For; only that last entry is believed.
          name: 'Security__TrustedProxy__Header'
          value: 'X-Forwarded-For'
        }
        // ---- Key Vault: master keys read by name with the app identity ----
        {
          name: 'KeyVault__Uri'
          value: keyVaultUri
        }
        {
          name: 'KeyVault__FieldEncryptionKeySecretName'
          value: secretNames.fieldEncryptionKey
        }
        {
          name: 'KeyVault__BlindIndexKeySecretName'
          value: secretNames.blindIndexKey
        }
        {
          name: 'KeyVault__CertificateSigningKeySecretName'
          value: secretNames.certificateSigningKey
        }
        // ---- Domain events: Service Bus, identity-based sender ----
        {
          name: 'Events__ServiceBusNamespace'
          value: serviceBusFullyQualifiedNamespace
        }
        {
          name: 'Events__Topic'
          value: domainEventsTopicName
        }
        // ---- Real-time push: SignalR Service REST API ----
        {
          name: 'SignalR__Endpoint'
          value: signalREndpoint
        }
        {
          name: 'SignalR__AccessKey'
          value: '@Microsoft.KeyVault(SecretUri=${secretUri}${secretNames.signalRAccessKey})'
        }
        // ---- Image analysis: Azure AI Vision ----
        {
          name: 'Vision__Endpoint'
          value: visionEndpoint
        }
        {
          name: 'Vision__Key'
          value: '@Microsoft.KeyVault(SecretUri=${secretUri}${secretNames.visionKey})'
        }
        // ---- Staff sign-in: Entra ID (authority host from the cloud environment) ----
        {
          name: 'Identity__Entra__Instance'
          value: environment().authentication.loginEndpoint
        }
        {
          name: 'Identity__Entra__TenantId'
          value: entraTenantId
        }
        {
          name: 'Identity__Entra__Audience'
          value: staffApiAudience
        }
        // ---- WeChat ----
        {
          name: 'WeChat__BaseUrl'
          value: wechatBaseUrl
        }
        {
          name: 'WeChat__AppId'
          value: wechatAppId
        }
        {
          name: 'WeChat__AppSecret'
          value: '@Microsoft.KeyVault(SecretUri=${secretUri}${secretNames.wechatAppSecret})'
        }
        {
          name: 'Notifications__WeChatTemplateId'
          value: wechatCaseTemplateId
        }
        // ---- SMS gateway: the second factor of real-name binding ----
        {
          name: 'Sms__BaseUrl'
          value: smsBaseUrl
        }
        {
          name: 'Sms__ApiKey'
          value: '@Microsoft.KeyVault(SecretUri=${secretUri}${secretNames.smsApiKey})'
        }
      ]
    }
  }
}

// Basic (publishing-profile) credentials off: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource planDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: plan
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
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

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
