// The app's custom role on a private DNS zone of this resource group (the pairs' CNAMEs live there).

@description('The private DNS zone, e.g. corp.private.postgres.database.azure.com.')
param zoneName string

@description('Resource id of the app\'s managed identity (names the assignment: known before the identity exists).')
param identityId string

@description('Principal id of the app\'s managed identity.')
param principalId string

@description('Name (GUID) of the custom role definition.')
param roleDefinitionName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: zoneName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(zone.id, identityId, roleDefinitionName)
  scope: zone
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
