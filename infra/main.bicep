// Smart Civil Affairs (智慧民政) — the whole platform in one resource group.
//
//   azd up                                  (reads main.parameters.json, see README.md)
//   az deployment sub create -l <region> -f infra/main.bicep -p environmentName=<env> location=<region>
//
// Cloud-neutral: every endpoint suffix comes from environment() or from the deployed
// resources themselves, so the same template deploys to Azure global and Azure China
// (see README.md for the services that differ there).
targetScope = 'subscription'

metadata description = 'Smart Civil Affairs: Flex Consumption function app, Storage, Service Bus, SignalR (serverless), AI Vision, Key Vault, monitoring and Static Web App, identity-based and least-privilege.'

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the environment (the azd environment name). Used in the resource group name, the resource token and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Primary region for all resources (must offer Azure Functions Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user, group or pipeline principal. When set it gets data-plane roles for operations (blob/queue/table data, Key Vault secrets officer, Service Bus receiver). Leave empty to grant nothing.')
param principalId string = ''

@description('Kind of principal in principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Private networking: VNet integration for the function app, private endpoints (and private DNS zones) for Storage, Service Bus (then Premium), Key Vault, SignalR and Vision, and public network access to Storage, Service Bus, Key Vault and Vision switched off.')
param enablePrivateNetworking bool = false

@description('Address space of the virtual network (only with enablePrivateNetworking).')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Partner units that receive life events (person.died, marriage.*, assistance.*): each gets its own subscription on the domain-events topic, filtered on the message property unit = \'<code>\'. Codes as in the platform\'s partner catalogue (Platform:Events:Partners): lower-case letters, digits and hyphens.')
param partnerUnits string[] = [
  // Default: the units of LifeEventOptions.DefaultPartners (which event types each one gets is app configuration;
  // the subscription only selects the unit's own messages).
  'police' // public security bureau: household register (deaths, marriages)
  'hrss' // human resources and social security: pensions
  'medical-security' // medical insurance and medical assistance
  'housing-fund' // housing provident fund
  'veterans' // veterans affairs: allowances
  'disabled-fed' // disabled persons' federation: subsidies
  'bank-icbc' // banks paying benefits into accounts
  'bank-gzcb'
  'bank-grcb'
  'housing' // housing bureau: public rental housing support
]

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory of each Flex Consumption instance (MB).')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Always-ready instances for the durable group (orchestrators, activities and entities), so workflows do not wait for a cold start.')
@minValue(1)
@maxValue(10)
param durableAlwaysReadyInstanceCount int = 1

@description('Storage redundancy. ZRS keeps the system of record across availability zones; use LRS only in a region without zones.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Days a blob in the audit-anchors container stays immutable (time-based retention, unlocked; lock it after review, see README). MLPS level 3 and the Cybersecurity Law ask for at least six months of audit logs, hence the floor of 180.')
@minValue(180)
@maxValue(146000)
param auditAnchorRetentionDays int = 3650

@description('Retention of the Log Analytics workspace in days (the Cybersecurity Law requires network logs to be kept for at least six months).')
@minValue(180)
@maxValue(730)
param logRetentionInDays int = 180

@description('Azure SignalR Service tier (Free_F1 has no SLA and no private endpoint).')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param signalRSku string = 'Standard_S1'

@description('Region of the Azure AI Vision account (Image Analysis 4.0 features are offered in a subset of regions).')
param visionLocation string = location

@description('Deploy the Static Web App for the web front-ends (not offered in Azure China: set false there, see README).')
param deployStaticWebApp bool = true

@description('Region of the Static Web App (a small set of regions host Static Web Apps).')
param staticWebAppLocation string = 'eastasia'

@description('Static Web App tier.')
@allowed([
  'Free'
  'Standard'
])
param staticWebAppSku string = 'Standard'

@description('Extra browser origins allowed to call the function app (the Static Web App origin is always allowed).')
param corsAllowedOrigins string[] = []

@description('Entra ID tenant that signs in the bureau\'s staff (defaults to the tenant of the deployment).')
param entraTenantId string = tenant().tenantId

@description('Audience of the staff API app registration (its application id URI or client id); set after the app registration exists (see README).')
param staffApiAudience string = ''

@description('WeChat API base URL.')
param wechatBaseUrl string = 'https://api.weixin.qq.com'

@description('WeChat app id of the citizen mini-program / official account.')
param wechatAppId string = ''

@description('WeChat subscribe template id for case progress notifications (办理进度提醒); empty disables WeChat delivery.')
param wechatCaseTemplateId string = ''

@secure()
@description('WeChat app secret. Written to Key Vault only when given, so a later deployment without it keeps the stored value.')
param wechatAppSecret string = ''

@description('Base URL of the bureau\'s SMS gateway (POST {base}/sms/v1/messages, bearer key). Real-name binding sends its verification code through it; empty disables binding.')
param smsBaseUrl string = ''

@secure()
@description('SMS gateway API key. Written to Key Vault only when given, so a later deployment without it keeps the stored value.')
param smsApiKey string = ''

@secure()
@description('Field-encryption (SM4) master key, base64. Written to Key Vault only when given; never change it once data is encrypted (see README).')
param fieldEncryptionKey string = ''

@secure()
@description('Blind-index (keyed hash) key, base64. Written to Key Vault only when given; never change it once data is indexed (see README).')
param blindIndexKey string = ''

@secure()
@description('Certificate-signing secret (32 random bytes, base64) from which the SM2 key that signs marriage certificate QR codes is made. Written to Key Vault only when given; each new value is a new signing key (rotation), older versions stay published for verification (see README).')
param certificateSigningKey string = ''

// ---------------------------------------------------------------------------------------
// Naming and tags
// ---------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'smart-civil-affairs'
  'data-classification': 'personal-information'
}

// One source for names shared by several modules.
var domainEventsTopicName = 'domain-events'
var deploymentContainerName = 'app-package'
var auditAnchorsContainerName = 'audit-anchors'
var secretNames = {
  fieldEncryptionKey: 'field-encryption-key'
  blindIndexKey: 'blind-index-key'
  certificateSigningKey: 'certificate-signing-key'
  signalRAccessKey: 'signalr-access-key'
  visionKey: 'vision-key'
  wechatAppSecret: 'wechat-app-secret'
  smsApiKey: 'sms-api-key'
}

var names = {
  identity: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  logAnalytics: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  appInsights: '${abbrs.insightsComponents}${resourceToken}'
  storage: '${abbrs.storageStorageAccounts}${resourceToken}'
  serviceBus: '${abbrs.serviceBusNamespaces}${resourceToken}'
  signalR: '${abbrs.signalRServiceSignalR}${resourceToken}'
  vision: '${abbrs.cognitiveServicesComputerVision}${resourceToken}'
  keyVault: '${abbrs.keyVaultVaults}${resourceToken}'
  plan: '${abbrs.webServerFarms}${resourceToken}'
  functionApp: '${abbrs.webSitesFunctions}${resourceToken}'
  staticWebApp: '${abbrs.webStaticSites}${resourceToken}'
  vnet: '${abbrs.networkVirtualNetworks}${resourceToken}'
  nsg: '${abbrs.networkNetworkSecurityGroups}${resourceToken}'
  privateEndpoint: '${abbrs.networkPrivateEndpoints}${resourceToken}'
}

// ---------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module network 'modules/network.bicep' = if (enablePrivateNetworking) {
  name: 'network'
  scope: rg
  params: {
    vnetName: names.vnet
    nsgNamePrefix: names.nsg
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    enablePrivateNetworking: enablePrivateNetworking
    deploymentContainerName: deploymentContainerName
    auditAnchorsContainerName: auditAnchorsContainerName
    auditAnchorRetentionDays: auditAnchorRetentionDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    enablePrivateNetworking: enablePrivateNetworking
    topicName: domainEventsTopicName
    partnerUnits: partnerUnits
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module signalR 'modules/signalr.bicep' = {
  name: 'signalr'
  scope: rg
  params: {
    name: names.signalR
    location: location
    tags: tags
    skuName: signalRSku
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module vision 'modules/vision.bicep' = {
  name: 'vision'
  scope: rg
  params: {
    name: names.vision
    location: visionLocation
    tags: tags
    enablePrivateNetworking: enablePrivateNetworking
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePrivateNetworking: enablePrivateNetworking
    secretNames: secretNames
    signalRName: names.signalR
    visionName: names.vision
    fieldEncryptionKey: fieldEncryptionKey
    blindIndexKey: blindIndexKey
    certificateSigningKey: certificateSigningKey
    wechatAppSecret: wechatAppSecret
    smsApiKey: smsApiKey
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
  dependsOn: [
    signalR
    vision
  ]
}

module staticWebApp 'modules/staticwebapp.bicep' = if (deployStaticWebApp) {
  name: 'staticwebapp'
  scope: rg
  params: {
    name: names.staticWebApp
    location: staticWebAppLocation
    tags: tags
    skuName: staticWebAppSku
  }
}

// Roles before the app: the platform reads the deployment container and the Key Vault
// references with the app identity as soon as the site exists.
module appRoles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    appIdentityName: names.identity
    userPrincipalId: principalId
    userPrincipalType: principalType
    storageAccountName: names.storage
    serviceBusNamespaceName: names.serviceBus
    topicName: domainEventsTopicName
    keyVaultName: names.keyVault
    appInsightsName: names.appInsights
  }
  dependsOn: [
    identity
    storage
    serviceBus
    keyVault
    monitoring
  ]
}

// Private DNS zones per cloud. environment() carries the Storage and Key Vault suffixes; the
// other services follow the cloud's portal domain (azure.com, azure.cn, azure.us), except
// SignalR in Azure global (privatelink.service.signalr.net).
var cloudDomain = substring(environment().portal, indexOf(environment().portal, 'portal.') + length('portal.'))
var privateDnsZones = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
  serviceBus: 'privatelink.${replace(environment().suffixes.storage, 'core.', 'servicebus.')}'
  signalR: environment().name == 'AzureCloud' ? 'privatelink.service.signalr.net' : 'privatelink.signalr.${cloudDomain}'
  cognitiveServices: 'privatelink.cognitiveservices.${cloudDomain}'
}

module privateEndpoints 'modules/private-endpoints.bicep' = if (enablePrivateNetworking) {
  name: 'private-endpoints'
  scope: rg
  params: {
    namePrefix: names.privateEndpoint
    location: location
    tags: tags
    vnetId: network.?outputs.vnetId ?? ''
    subnetId: network.?outputs.privateEndpointSubnetId ?? ''
    endpoints: [
      {
        name: 'blob'
        resourceType: 'Microsoft.Storage/storageAccounts'
        resourceName: names.storage
        groupId: 'blob'
        dnsZoneName: privateDnsZones.blob
      }
      {
        name: 'queue'
        resourceType: 'Microsoft.Storage/storageAccounts'
        resourceName: names.storage
        groupId: 'queue'
        dnsZoneName: privateDnsZones.queue
      }
      {
        name: 'table'
        resourceType: 'Microsoft.Storage/storageAccounts'
        resourceName: names.storage
        groupId: 'table'
        dnsZoneName: privateDnsZones.table
      }
      {
        name: 'vault'
        resourceType: 'Microsoft.KeyVault/vaults'
        resourceName: names.keyVault
        groupId: 'vault'
        dnsZoneName: privateDnsZones.vault
      }
      {
        name: 'servicebus'
        resourceType: 'Microsoft.ServiceBus/namespaces'
        resourceName: names.serviceBus
        groupId: 'namespace'
        dnsZoneName: privateDnsZones.serviceBus
      }
      {
        name: 'signalr'
        resourceType: 'Microsoft.SignalRService/signalR'
        resourceName: names.signalR
        groupId: 'signalr'
        dnsZoneName: privateDnsZones.signalR
      }
      {
        name: 'vision'
        resourceType: 'Microsoft.CognitiveServices/accounts'
        resourceName: names.vision
        groupId: 'account'
        dnsZoneName: privateDnsZones.cognitiveServices
      }
    ]
  }
  dependsOn: [
    storage
    keyVault
    serviceBus
    signalR
    vision
  ]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    keyVaultUri: keyVault.outputs.uri
    secretNames: secretNames
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    domainEventsTopicName: serviceBus.outputs.topicName
    signalREndpoint: signalR.outputs.endpoint
    visionEndpoint: vision.outputs.endpoint
    entraTenantId: entraTenantId
    staffApiAudience: staffApiAudience
    wechatBaseUrl: wechatBaseUrl
    wechatAppId: wechatAppId
    wechatCaseTemplateId: wechatCaseTemplateId
    smsBaseUrl: smsBaseUrl
    allowedOrigins: union(corsAllowedOrigins, deployStaticWebApp ? [staticWebApp.?outputs.uri ?? ''] : [])
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    durableAlwaysReadyInstanceCount: durableAlwaysReadyInstanceCount
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
  dependsOn: [
    appRoles
    privateEndpoints
  ]
}

// ---------------------------------------------------------------------------------------
// Outputs (azd writes them to the environment's .env)
// ---------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URI string = functionApp.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_SIGNALR_ENDPOINT string = signalR.outputs.endpoint
output AZURE_VISION_ENDPOINT string = vision.outputs.endpoint
output AZURE_STATIC_WEB_APP_NAME string = staticWebApp.?outputs.name ?? ''
output AZURE_STATIC_WEB_APP_URI string = staticWebApp.?outputs.uri ?? ''
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.logAnalyticsWorkspaceId
