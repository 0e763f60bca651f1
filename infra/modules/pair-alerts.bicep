// One pair's alerting: an action group whose Azure Function action calls the app's /api/alerts (function key,
// common alert schema), and on each of the pair's servers a metric alert rule that fires when the server is down.
// One rule per server: a multi-resource metric alert needs its resources in one region, and a pair spans two.

@description('The pair\'s name (lower-case).')
param pairName string

@description('Resource ids of the pair\'s two Flexible Servers.')
param serverIds string[]

@description('Resource id of the Function App.')
param functionAppId string

@description('https URL of the app\'s alert endpoint (POST /api/alerts).')
param alertsUrl string

@description('Tags for the action group and the alert rules.')
param tags { *: string } = {}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-pgflex-${pairName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('pgf-${pairName}', 12)
    enabled: true
    azureFunctionReceivers: [
      {
        name: 'pgflex-failover'
        functionAppResourceId: functionAppId
        functionName: 'alerts-function-key'
        httpTriggerUrl: alertsUrl
        useCommonAlertSchema: true
      }
    ]
  }
}

resource serverDown 'Microsoft.Insights/metricAlerts@2026-01-01' = [
  for id in serverIds: {
    name: 'pgflex-${pairName}-${last(split(id, '/'))}-down'
    location: 'global'
    tags: tags
    properties: {
      description: 'pgflex-failover pair "${pairName}": ${last(split(id, '/'))} is not alive (is_db_alive < 1 for 5 minutes). Only the server the CNAME serves starts anything.'
      severity: 0
      enabled: true
      scopes: [id]
      evaluationFrequency: 'PT1M'
      windowSize: 'PT5M'
      autoMitigate: true
      targetResourceType: 'Microsoft.DBforPostgreSQL/flexibleServers'
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'DatabaseIsAlive'
            metricNamespace: 'Microsoft.DBforPostgreSQL/flexibleServers'
            metricName: 'is_db_alive'
            timeAggregation: 'Maximum'
            operator: 'LessThan'
            threshold: 1
          }
        ]
      }
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]
