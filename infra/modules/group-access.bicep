// A role on this resource group: the reads of PostgreSQL long-running operation status, whose URLs ARM does not
// scope to the server (Track asynchronous Azure operations: "Permission for tracking async status").

@description('Resource id of the app\'s managed identity (names the assignment: known before the identity exists).')
param identityId string

@description('Principal id of the app\'s managed identity.')
param principalId string

@description('Name (GUID) of the role definition.')
param roleDefinitionName string

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, identityId, roleDefinitionName)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionName)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
