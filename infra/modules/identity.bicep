// User-assigned managed identity of the function app: one identity for the host
// (AzureWebJobsStorage), the deployment container, Key Vault references and the app's own
// Azure SDK clients. Its roles are granted in role-assignments.bicep.
@description('Identity name.')
param name string

@description('Region.')
param location string

@description('Tags.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
