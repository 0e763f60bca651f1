// An activity log alert on this resource group: the app's identity changed a Flexible Server (a write — the promote
// is one — a server parameter such as the fence, or a stop). The app does these only inside a failover run, so an
// alert with no run beside it in the audit (GET /api/failovers) means someone else is using the identity.
// Activity log alerts are global and watch the subscription's activity log at the scopes named ("Create or edit an
// activity log alert rule"); `caller` is the principal's object id for a service principal or managed identity
// (MicrosoftDocs/azure-docs#56412) — the identity's principal id.

@description('The alert rule\'s name.')
param alertName string

@description('Principal (object) id of the app\'s managed identity: the activity log\'s caller.')
param principalId string

@description('Resource id of the action group to notify (e.g. the on-call team\'s).')
param actionGroupId string

@description('Tags for the alert rule.')
param tags { *: string } = {}

resource alert 'Microsoft.Insights/activityLogAlerts@2026-01-01' = {
  name: alertName
  location: 'global'
  tags: tags
  properties: {
    description: 'pgflex-failover: its managed identity changed a Flexible Server in this resource group. Expected only during a failover run: compare with the app\'s audit (GET /api/failovers).'
    enabled: true
    scopes: [resourceGroup().id]
    condition: {
      allOf: [
        { field: 'category', equals: 'Administrative' }
        { field: 'caller', equals: principalId }
        {
          anyOf: [
            { field: 'operationName', equals: 'Microsoft.DBforPostgreSQL/flexibleServers/write' }
            { field: 'operationName', equals: 'Microsoft.DBforPostgreSQL/flexibleServers/configurations/write' }
            { field: 'operationName', equals: 'Microsoft.DBforPostgreSQL/flexibleServers/stop/action' }
          ]
        }
      ]
    }
    actions: {
      actionGroups: [{ actionGroupId: actionGroupId }]
    }
  }
}
