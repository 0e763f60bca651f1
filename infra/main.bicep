// pgflex-failover in one deployment: a Function App on Flex Consumption with VNet integration and a user-assigned
// managed identity, no FTP and no basic-auth publishing; storage reached by that identity only (shared keys off)
// and only from the app's subnet; Application Insights; App Service Authentication; the app's custom role
// (infra/role.json) on each pair's CNAME record set and servers, the stop role (infra/role-stop.json) only for
// pairs that stop a returning old primary; per pair, the alert rules and the action group that call the app; and,
// optionally, an activity log alert when the app's identity changes a server. Compiled to infra/main.json.
//
//   az deployment group create -g <rg> -f infra/main.bicep -p @params.json      (or: azd up)
targetScope = 'resourceGroup'

metadata description = 'pgflex-failover: cross-region failover of Azure Database for PostgreSQL Flexible Server behind a private DNS CNAME.'

// ---------------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------------

@description('Base name of the resources (the Function App is "<name>-<suffix>"; with azd, the environment name).')
@minLength(2)
@maxLength(24)
param name string = 'pgflex'

@description('Region of the Function App and its storage, identity and monitoring (a region offering Flex Consumption). Default: the resource group\'s.')
param location string = resourceGroup().location

@description('The pairs, exactly as the app reads them from PGFLEX_PAIRS (README, "Configuration reference"): written to that app setting as JSON. The template also uses each pair\'s name, dns (subscriptionId, resourceGroup, zone, cname), servers[].resourceId and fence.onReturn: the custom role is assigned on the CNAME record set and on both servers, the stop role on both servers when fence.onReturn is "stop", and the alert rules watch both servers.')
@minLength(1)
param pairs pair[]

@description('Resource id of an existing subnet for VNet integration, delegated to Microsoft.App/environments (Flex Consumption), with a Microsoft.Storage service endpoint (the storage account admits this subnet only), in a VNet linked to every pair\'s private DNS zone and able to reach both servers of each pair on 5432.')
param subnetResourceId string

@description('Client id (application id) of the app registration that defines the app roles Failover.Read, Failover.Request, Failover.Approve and Failover.Alert: the audience App Service Authentication accepts (as itself and as api://<client id>).')
param authClientId string

@description('Tenant of the app registration. Default: the tenant of this deployment.')
param authTenantId string = tenant().tenantId

@description('Node.js version of the Functions runtime.')
@allowed(['20', '22'])
param nodeVersion string = '22'

@description('Flex Consumption instance memory (MB).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count (the app needs few; the plan\'s minimum is 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Table of the audit journal (PGFLEX_AUDIT_TABLE).')
param auditTable string = 'PgFlexFailoverAudit'

@description('Table of the pairs\' leases, lag samples and owed fences (PGFLEX_STATE_TABLE).')
param stateTable string = 'PgFlexFailoverState'

@description('Create, per pair, the action group that calls /api/alerts and a metric alert rule (is_db_alive < 1) on each of its two servers.')
param alerts bool = true

@description('Resource id of an action group (e.g. the on-call team\'s) to notify when the app\'s identity writes a Flexible Server, one of its parameters, or stops one (an activity log alert on each servers\' resource group): expected only during a failover run. Empty: no such alert.')
param changeAlertActionGroupId string = ''

@description('Minutes a pair must stay not ready (every pgflex.readiness record the app logs in that window says ready: false) before the readiness alert fires. The app logs one record per pair each minute.')
@minValue(5)
@maxValue(1440)
param readinessAlertMinutes int = 15

@description('Resource id of an action group (e.g. the on-call team\'s) the readiness alert notifies. Empty: the rule fires into Azure Monitor alerts without notifying anyone. Never the pairs\' own action groups: those call /api/alerts, which fails over.')
param readinessActionGroupId string = ''

@description('More app settings, as they are: for a pair with probe.auth "password", the setting its probe.passwordSetting names, as a Key Vault reference (@Microsoft.KeyVault(SecretUri=...)), resolved with the app\'s user-assigned identity (keyVaultReferenceIdentity); the identity then needs "Key Vault Secrets User" on that secret.')
@secure()
param extraAppSettings { *: string } = {}

@description('Tags for every resource this template creates.')
param tags settingMap = {}

@description('Re-protection (POST /api/pairs/{pair}/reprotect): assign the optional role infra/role-reprotect.json on the servers\' resource groups, so the app may create a replica of a pair\'s primary, act on it as on the pair\'s other servers, and stop or delete a retired old server. Off: re-protection is refused AuthorizationFailed, having changed nothing.')
param reprotect bool = false

// A pair as PGFLEX_PAIRS holds it. The template uses name, dns and servers; the rest is the app's (validated by the
// app at start-up, which refuses unknown fields) and passes through to the app setting unchanged.
@description('A failover pair (README, "Configuration reference").')
type pair = {
  @description('Lower-case pair name.')
  name: string
  @description('Where the pair\'s CNAME lives.')
  dns: {
    subscriptionId: string
    resourceGroup: string
    zone: string
    cname: string
  }
  @description('The two servers: Flexible Server resource ids and their A records in the zone.')
  servers: {
    resourceId: string
    aRecord: string
  }[]
  @description('How the app reaches each server by its own name (database, user, auth, caFile, passwordSetting, port, connectTimeoutSeconds).')
  probe: appSection
  promoteOption: ('Planned' | 'Forced')?
  ttl: appSection?
  timings: appSection?
  fence: appSection?
  rpo: appSection?
  verify: appSection?
  approval: appSection?
  alerts: appSection?
  retry: appSection?
}

// The app validates these sections strictly with its own schema (src/config/pair-schema.ts: unknown fields and bad
// values stop it at start-up, naming the JSON path); a copy of that schema here would be a second one to keep in
// step, so the template passes them through as they are.
#disable-next-line use-user-defined-types
type appSection = object

@description('The app\'s managed identity.')
type identityInfo = {
  name: string
  clientId: string
  principalId: string
}

@description('The custom roles as deployed.')
type roleInfo = {
  id: string
  actions: string[]
  statusActions: string[]
  @description('The stop role\'s actions, and the servers it is assigned on (empty: no pair stops; not created).')
  stopActions: string[]
  stopServers: string[]
}

@description('Names to string values (app settings, tags).')
type settingMap = {
  *: string
}

// ---------------------------------------------------------------------------------------------------------------
// Names and derived values
// ---------------------------------------------------------------------------------------------------------------

var suffix = uniqueString(resourceGroup().id, name)
var appName = '${name}-${suffix}'
var storageName = take('st${toLower(replace(name, '-', ''))}${suffix}', 24)
var deploymentContainer = 'app-package'
var allTags = union(tags, { application: 'pgflex-failover' })

// Built-in roles (ids are the same in every tenant).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

// The app's custom roles: the single source, also what the lab's ARM emulator enforces (at the same scopes).
var role = loadJsonContent('role.json')
var stopRole = loadJsonContent('role-stop.json')
var reprotectRole = loadJsonContent('role-reprotect.json')
// ARM checks an LRO's status URL (/subscriptions/{id}/providers/Microsoft.DBforPostgreSQL/locations/...) at a
// scope that is not the server's, so those reads are granted on the servers' resource groups (a role of their
// own); everything else is granted on the pair's CNAME record set and on its two servers themselves.
var statusActions = filter(role.Actions, a => contains(toLower(a), '/locations/'))
var resourceActions = filter(role.Actions, a => !contains(toLower(a), '/locations/'))

// Every server of every pair, parsed from its resource id; stop: the pair's fence.onReturn is "stop" (the app's
// default is "readOnly"), so the fence watch may stop it through ARM.
var servers = flatten(map(pairs, p => map(p.servers, s => {
  pair: p.name
  resourceId: s.resourceId
  subscriptionId: split(s.resourceId, '/')[2]
  resourceGroup: split(s.resourceId, '/')[4]
  name: last(split(s.resourceId, '/'))
  stop: (p.?fence.?onReturn ?? 'readOnly') == 'stop'
})))
var stopServers = filter(servers, s => s.stop)
// Each pair's CNAME record set once (two pairs may share a zone, not a CNAME); resource groups once each.
var cnames = union(map(pairs, p => {
  subscriptionId: p.dns.subscriptionId
  resourceGroup: p.dns.resourceGroup
  zone: toLower(p.dns.zone)
  cname: toLower(p.dns.cname)
}), [])
var serverGroups = union(map(servers, s => {
  subscriptionId: s.subscriptionId
  resourceGroup: s.resourceGroup
}), [])
var assignableScopes = union(
  [resourceGroup().id],
  map(cnames, z => '/subscriptions/${z.subscriptionId}/resourceGroups/${z.resourceGroup}'),
  map(serverGroups, g => '/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}')
)

// Paths App Service Authentication lets through without a token: the alert endpoint (an action group calls it with
// the function key) and the status page's files (they hold no
// data; the page then shows its own sign-in). The same list as the lab's Easy Auth.
var excludedPaths = [
  '/api/alerts'
  '/api/ui'
  '/api/ui/*'
]

// ---------------------------------------------------------------------------------------------------------------
// Identity, storage, monitoring
// ---------------------------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${appName}'
  location: location
  tags: allTags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: storageName
  location: location
  tags: allTags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Reached from the app's subnet only, through its Microsoft.Storage service endpoint: "How to use a secured
    // storage account with Azure Functions" (supported on Flex Consumption; "Restrict traffic to specific subnets
    // ... one of the allowed subnets is the one your function app is network integrated with and your subnet has a
    // service endpoint to Microsoft.Storage"). No trusted-service bypass, no IP rule.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      virtualNetworkRules: [
        {
          id: subnetResourceId
          action: 'Allow'
        }
      ]
      ipRules: []
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainer
}

// The Functions host (blobs: leases, the deployment package), the Durable task hub (queues, tables, blobs) and the
// app's audit and state tables: data roles only, on this storage account only.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for r in [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]: {
    name: guid(storage.id, identity.id, r)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', r)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: 'log-${appName}'
  location: location
  tags: allTags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

// Telemetry is sent with the identity (local authentication is off).
resource telemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Function App
// ---------------------------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${appName}'
  location: location
  tags: allTags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// The app's settings. Storage by identity: the Functions host and the Durable task hub through AzureWebJobsStorage__*
// (accountName, credential, clientId); the app's own audit and state tables through AzureWebJobsStorage__tableServiceUri,
// which the app reads (src/config/settings.ts) with its PGFLEX_* credential. WEBSITE_AUTH_PRESERVE_URL_FRAGMENT: a
// status page link (#/runs/<id>) survives the sign-in.
// PGFLEX_AUTH_*: whose tokens the app validates itself (src/config/settings.ts), whether or not Easy Auth runs in front.
var appSettings = union(extraAppSettings, {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  PGFLEX_PAIRS: string(pairs)
  PGFLEX_CREDENTIAL: 'managedIdentity'
  PGFLEX_MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
  PGFLEX_AUDIT_TABLE: auditTable
  PGFLEX_STATE_TABLE: stateTable
  WEBSITE_AUTH_PRESERVE_URL_FRAGMENT: 'true'
  PGFLEX_AUTH_TENANT_ID: authTenantId
  PGFLEX_AUTH_CLIENT_ID: authClientId
  PGFLEX_AUTH_AUTHORITY: environment().authentication.loginEndpoint
})

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(allTags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: subnetResourceId
    // Key Vault references (extraAppSettings) resolve with the user-assigned identity: by default they use the
    // system-assigned one, which this app does not have ("Use Key Vault references as app settings in Azure App
    // Service, Azure Functions, and Azure Logic Apps", Access vaults with a user-assigned identity).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
  dependsOn: [
    packageContainer
    storageRoles
    telemetryRole
  ]
}

// No publishing with basic (user name and password) credentials, over FTP or to the SCM site: deployments sign in
// with Entra ID ("Disable basic authentication in App Service deployments").
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
  dependsOn: [auth] // one change of the site's configuration at a time
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
  dependsOn: [ftpPublishing]
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// App Service Authentication: every call but the excluded paths needs an Entra token for the app registration; the
// app then requires its app roles of the principal it is handed.
resource auth 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: excludedPaths
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
          clientId: authClientId
        }
        validation: {
          allowedAudiences: [authClientId, 'api://${authClientId}']
        }
      }
    }
    login: {
      // The token store hands the app the session's tokens (X-MS-TOKEN-AAD-*), which it validates itself.
      tokenStore: { enabled: true }
    }
  }
  dependsOn: [settings] // one change of the site's configuration at a time
}

// ---------------------------------------------------------------------------------------------------------------
// The app's custom roles (infra/role.json, infra/role-stop.json) and where they are assigned
// ---------------------------------------------------------------------------------------------------------------

resource failoverRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, name, 'pgflex-failover')
  properties: {
    roleName: '${role.Name} (${appName})'
    description: role.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: resourceActions
        notActions: role.NotActions
        dataActions: role.DataActions
        notDataActions: role.NotDataActions
      }
    ]
    assignableScopes: assignableScopes
  }
}

resource statusRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, name, 'pgflex-failover-operation-status')
  properties: {
    roleName: '${role.Name} operation status (${appName})'
    description: 'Read the status of Azure Database for PostgreSQL long-running operations (the ${role.Name} role\'s LRO polls), granted on the resource groups of its servers.'
    type: 'CustomRole'
    permissions: [
      {
        actions: statusActions
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

// Only when a pair stops a returning old primary (fence.onReturn "stop"): the failover role has no stop.
resource stopRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (!empty(stopServers)) {
  name: stopRoleName
  properties: {
    roleName: '${stopRole.Name} (${appName})'
    description: stopRole.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: stopRole.Actions
        notActions: stopRole.NotActions
        dataActions: stopRole.DataActions
        notDataActions: stopRole.NotDataActions
      }
    ]
    assignableScopes: assignableScopes
  }
}
var stopRoleName = guid(resourceGroup().id, name, 'pgflex-failover-stop')

// Only with re-protection: creating a server needs its resource group (it has no scope of its own before it exists).
resource reprotectRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (reprotect) {
  name: reprotectRoleName
  properties: {
    roleName: '${reprotectRole.Name} (${appName})'
    description: reprotectRole.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: reprotectRole.Actions
        notActions: reprotectRole.NotActions
        dataActions: reprotectRole.DataActions
        notDataActions: reprotectRole.NotDataActions
      }
    ]
    assignableScopes: assignableScopes
  }
}
var reprotectRoleName = guid(resourceGroup().id, name, 'pgflex-failover-reprotect')

module cnameAccess 'modules/cname-access.bicep' = [
  for (z, i) in cnames: {
    name: 'pgflex-cname-access-${i}-${suffix}'
    scope: resourceGroup(z.subscriptionId, z.resourceGroup)
    params: {
      zoneName: z.zone
      cnameName: z.cname
      identityId: identity.id
      principalId: identity.properties.principalId
      roleDefinitionName: failoverRole.name
    }
  }
]

module serverAccess 'modules/server-access.bicep' = [
  for (s, i) in servers: {
    name: 'pgflex-server-access-${i}-${suffix}'
    scope: resourceGroup(s.subscriptionId, s.resourceGroup)
    params: {
      serverName: s.name
      identityId: identity.id
      principalId: identity.properties.principalId
      roleDefinitionName: failoverRole.name
    }
  }
]

module stopAccess 'modules/server-access.bicep' = [
  for (s, i) in stopServers: {
    name: 'pgflex-stop-access-${i}-${suffix}'
    scope: resourceGroup(s.subscriptionId, s.resourceGroup)
    params: {
      serverName: s.name
      identityId: identity.id
      principalId: identity.properties.principalId
      roleDefinitionName: stopRoleName
    }
    dependsOn: [stopRoleDefinition]
  }
]

module reprotectAccess 'modules/group-access.bicep' = [
  for (g, i) in (reprotect ? serverGroups : []): {
    name: 'pgflex-reprotect-access-${i}-${suffix}'
    scope: resourceGroup(g.subscriptionId, g.resourceGroup)
    params: {
      identityId: identity.id
      principalId: identity.properties.principalId
      roleDefinitionName: reprotectRoleName
    }
    dependsOn: [reprotectRoleDefinition]
  }
]

module statusAccess 'modules/group-access.bicep' = [
  for (g, i) in serverGroups: {
    name: 'pgflex-status-access-${i}-${suffix}'
    scope: resourceGroup(g.subscriptionId, g.resourceGroup)
    params: {
      identityId: identity.id
      principalId: identity.properties.principalId
      roleDefinitionName: statusRole.name
    }
  }
]

// ---------------------------------------------------------------------------------------------------------------
// Alerts: per pair, an action group calling /api/alerts and an is_db_alive rule on each of its servers
// ---------------------------------------------------------------------------------------------------------------

module pairAlerts 'modules/pair-alerts.bicep' = [
  for (p, i) in (alerts ? pairs : []): {
    name: 'pgflex-alerts-${i}-${suffix}'
    params: {
      pairName: p.name
      serverIds: map(p.servers, s => s.resourceId)
      functionAppId: site.id
      alertsUrl: 'https://${site.properties.defaultHostName}/api/alerts'
      tags: allTags
    }
  }
]

// Readiness: the lag-sampler timer logs one record per pair each minute, `pgflex.readiness {"pair", "ready", "score",
// "reasons"}` (context.log; Application Insights stores a function's logs in the traces table: "Analyze Azure
// Functions telemetry in Application Insights"). A log search alert split by the pair dimension fires for a pair
// whose records in the window all say not ready ("Create or edit a log search alert rule": query, measure Table
// rows, split by dimensions, threshold, evaluation frequency and window).
resource readinessAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'pgflex-${appName}-readiness'
  location: location
  tags: allTags
  kind: 'LogAlert'
  properties: {
    displayName: 'pgflex-failover: a pair is not ready to fail over'
    description: 'Every readiness record of the pair in the last ${readinessAlertMinutes} minutes says ready: false. The reasons are in the records (and on the status page, GET /api/pairs).'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT${readinessAlertMinutes}M'
    criteria: {
      allOf: [
        {
          query: '''
traces
| where message startswith "pgflex.readiness "
| extend r = parse_json(substring(message, strlen("pgflex.readiness ")))
| extend pair = tostring(r.pair), ready = tobool(r.ready), score = toint(r.score)
| summarize records = count(), notReady = countif(ready == false), score = min(score) by pair
| where records > 0 and notReady == records
'''
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            { name: 'pair', operator: 'Include', values: ['*'] }
          ]
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: empty(readinessActionGroupId) ? [] : [readinessActionGroupId] }
  }
}

// Optional: an activity log alert when the identity changes a server (the app does so only inside a run).
module changeAlerts 'modules/server-change-alert.bicep' = [
  for (g, i) in (empty(changeAlertActionGroupId) ? [] : serverGroups): {
    name: 'pgflex-change-alert-${i}-${suffix}'
    scope: resourceGroup(g.subscriptionId, g.resourceGroup)
    params: {
      alertName: 'pgflex-${appName}-server-changes'
      principalId: identity.properties.principalId
      actionGroupId: changeAlertActionGroupId
      tags: allTags
    }
  }
]

// ---------------------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------------------

@description('The Function App (azd finds it by its azd-service-name tag).')
output SERVICE_API_NAME string = site.name

@description('Base URL of the app\'s HTTP API.')
output apiUrl string = 'https://${site.properties.defaultHostName}/api'

@description('The managed identity: name (the PostgreSQL role to create with pgaadauth_create_principal for probe.auth "entra"), client id and principal id.')
output identity identityInfo = {
  name: identity.name
  clientId: identity.properties.clientId
  principalId: identity.properties.principalId
}

@description('The custom role\'s resource id and its actions as deployed.')
output role roleInfo = {
  id: failoverRole.id
  actions: resourceActions
  statusActions: statusActions
  stopActions: empty(stopServers) ? [] : stopRole.Actions
  stopServers: map(stopServers, s => s.resourceId)
}
