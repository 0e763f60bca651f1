// A custom role on one Flexible Server of this resource group: the app's role (read, promote, fence) on every pair's
// servers, the stop role (infra/role-stop.json) on the servers of pairs whose fence.onReturn is "stop".

@description('The Flexible Server\'s name.')
param serverName string

@description('Resource id of the app\'s managed identity (names the assignment: known before the identity exists).')
param identityId string

@description('Principal id of the app\'s managed identity.')
param principalId string

@description('Name (GUID) of the custom role definition.')
param roleDefinitionName string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' existing = {
  name: serverName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(server.id, identityId, roleDefinitionName)
  scope: server
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
