// Key Vault (RBAC authorization, soft delete, purge protection) holding the field-encryption
// and blind-index master keys, the certificate-signing secret, the SignalR and Vision access keys, the WeChat app secret and the SMS gateway key.
// The app reads them with Key Vault Secrets User (role-assignments.bicep): the master keys
// by name through KeyVault__Uri, the others as Key Vault references in app settings.
@description('Vault name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Disable public network access (reached through a private endpoint instead).')
param enablePrivateNetworking bool

@description('Secret names (one source: main.bicep).')
param secretNames {
  fieldEncryptionKey: string
  blindIndexKey: string
  certificateSigningKey: string
  signalRAccessKey: string
  visionKey: string
  wechatAppSecret: string
  smsApiKey: string
}

@description('SignalR Service whose primary key is stored.')
param signalRName string

@description('Vision account whose key is stored.')
param visionName string

@secure()
@description('Field-encryption master key (base64); stored only when not empty.')
param fieldEncryptionKey string

@secure()
@description('Blind-index key (base64); stored only when not empty.')
param blindIndexKey string

@secure()
@description('Certificate-signing secret (base64, 32 bytes); stored only when not empty. Each stored version is a signing key: the newest signs.')
param certificateSigningKey string

@secure()
@description('WeChat app secret; stored only when not empty.')
param wechatAppSecret string

@secure()
@description('SMS gateway API key; stored only when not empty.')
param smsApiKey string

@description('Log Analytics workspace for diagnostic settings.')
param logAnalyticsWorkspaceId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: enablePrivateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' existing = {
  name: signalRName
}

resource vision 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: visionName
}

// Service keys are copied on every deployment, so regenerating a key and redeploying
// rotates it (the app picks up the new version of a versionless reference).
resource signalRKey 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: secretNames.signalRAccessKey
  properties: {
    value: signalR.listKeys().primaryKey
    contentType: 'Azure SignalR Service access key'
  }
}

resource visionKey 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: secretNames.visionKey
  properties: {
    value: vision.listKeys().key1
    contentType: 'Azure AI Vision key'
  }
}

// Operator-supplied secrets: written only when a value is given, so a deployment without
// the parameter never overwrites (or blanks) the stored key.
resource fieldEncryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(fieldEncryptionKey)) {
  parent: vault
  name: secretNames.fieldEncryptionKey
  properties: {
    value: fieldEncryptionKey
    contentType: 'SM4 field-encryption master key (base64)'
  }
}

resource blindIndexKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(blindIndexKey)) {
  parent: vault
  name: secretNames.blindIndexKey
  properties: {
    value: blindIndexKey
    contentType: 'Blind-index keyed-hash key (base64)'
  }
}

resource certificateSigningKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(certificateSigningKey)) {
  parent: vault
  name: secretNames.certificateSigningKey
  properties: {
    value: certificateSigningKey
    contentType: 'SM2 certificate-signing secret (base64, 32 bytes)'
  }
}

resource wechatAppSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(wechatAppSecret)) {
  parent: vault
  name: secretNames.wechatAppSecret
  properties: {
    value: wechatAppSecret
    contentType: 'WeChat app secret'
  }
}

resource smsApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(smsApiKey)) {
  parent: vault
  name: secretNames.smsApiKey
  properties: {
    value: smsApiKey
    contentType: 'SMS gateway API key'
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
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

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
