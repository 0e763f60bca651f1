// The app's custom role on one pair's CNAME record set (in a private DNS zone of this resource group), and nowhere
// else in the zone: a record set is a scope of its own ("How to protect private DNS zones and records", Record set
// level Azure RBAC), so a stolen identity cannot repoint another database's CNAME in the same zone. The app reads
// and writes only that record set (role.json has no zone or A-record action). The record set must exist.

@description('The private DNS zone, e.g. corp.private.postgres.database.azure.com.')
param zoneName string

@description('The pair\'s CNAME record set (its name relative to the zone, e.g. prod).')
param cnameName string

@description('Resource id of the app\'s managed identity (names the assignment: known before the identity exists).')
param identityId string

@description('Principal id of the app\'s managed identity.')
param principalId string

@description('Name (GUID) of the custom role definition.')
param roleDefinitionName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: zoneName
}

resource cname 'Microsoft.Network/privateDnsZones/CNAME@2024-06-01' existing = {
  parent: zone
  name: cnameName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cname.id, identityId, roleDefinitionName)
  scope: cname
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
