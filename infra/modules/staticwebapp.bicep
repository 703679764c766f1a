// Static Web App hosting the citizen, staff and public web front-ends (web/). The
// front-ends call the function app directly (its CORS allows this site's origin).
@description('Static Web App name.')
param name string

@description('Region (Static Web Apps run in a small set of regions).')
param location string

@description('Tags.')
param tags object

@description('Tier.')
param skuName string

resource site 'Microsoft.Web/staticSites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'web'
  })
  sku: {
    name: skuName
    tier: skuName
  }
  properties: {
    stagingEnvironmentPolicy: 'Enabled'
    allowConfigFileUpdates: true
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostname}'
