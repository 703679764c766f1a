// Private endpoints, each with its private DNS zone linked to the VNet and a zone group so
// the service host name resolves to the private address inside the VNet. Zone names are
// passed in (derived from environment() in main.bicep), so the module works in every cloud.
@description('Prefix of private endpoint names.')
param namePrefix string

@description('Region.')
param location string

@description('Tags.')
param tags object

@description('Virtual network id (DNS zone links).')
param vnetId string

@description('Subnet of the private endpoints.')
param subnetId string

@description('Endpoints to create.')
param endpoints {
  @description('Short name, unique within this list.')
  name: string
  @description('Resource type of the target service, e.g. Microsoft.Storage/storageAccounts.')
  resourceType: string
  @description('Name of the target service (in this resource group).')
  resourceName: string
  @description('Private link sub-resource (blob, queue, table, vault, namespace, signalr, account).')
  groupId: string
  @description('Private DNS zone, e.g. privatelink.blob.core.windows.net.')
  dnsZoneName: string
}[]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.dnsZoneName
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: 'vnet-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnetId
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: '${namePrefix}-${endpoint.name}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: subnetId
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: resourceId(endpoint.resourceType, endpoint.resourceName)
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: endpoint.name
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]
