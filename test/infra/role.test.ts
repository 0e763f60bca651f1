// The deployment, checked without Bicep: infra/role.json and infra/role-stop.json are role definitions the Azure CLI
// and the template accept, are what the compiled template (infra/main.json) carries and the lab enforces, at the
// scopes the lab enforces them (the CNAME record set, not the zone; the stop role only for pairs that stop); the
// template is hardened (no FTP or basic-auth publishing, storage from the app's subnet only, Key Vault references
// with the user-assigned identity), and can alert on server changes by the app's identity; the template's App Service
// Authentication is the lab's; every app setting it writes is read by the app or by the Functions platform (and the
// app accepts them); the alert wiring calls the app's real alert function. (That infra/main.json is what
// infra/main.bicep compiles to, and that the linter is clean, is infra/check.sh's job in CI.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/settings";
import { pairSchema } from "../../src/config/pair-schema";
import { deploymentAssignments } from "../../local/lab/arm/assignments";
import { APP_ROLE_FILE, loadRole, STOP_ROLE_FILE } from "../../local/lab/arm/rbac";
import { authSettingsV2, EXCLUDED_PATHS } from "../../local/lab/identity/auth-settings";

const ROOT = resolve(__dirname, "..", "..", "..");
const read = (p: string): string => readFileSync(resolve(ROOT, p), "utf8");
const json = (p: string): any => JSON.parse(read(p));

const ROLE = json("infra/role.json");
const STOP_ROLE = json("infra/role-stop.json");
const STOP = "Microsoft.DBforPostgreSQL/flexibleServers/stop/action";
const TEMPLATE = json("infra/main.json");
const BICEP = read("infra/main.bicep");

/**
 * Operation names as Microsoft Learn's "Azure resource provider operations" lists them (Microsoft.DBforPostgreSQL
 * under Databases, Microsoft.Network under Networking): a misspelt action would grant nothing in Azure.
 */
const DOCUMENTED = new Set([
  "Microsoft.Network/privateDnsZones/CNAME/read",
  "Microsoft.Network/privateDnsZones/CNAME/write",
  "Microsoft.Network/privateDnsZones/CNAME/delete",
  "Microsoft.Network/privateDnsZones/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/write",
  "Microsoft.DBforPostgreSQL/flexibleServers/delete",
  "Microsoft.DBforPostgreSQL/flexibleServers/start/action",
  "Microsoft.DBforPostgreSQL/flexibleServers/stop/action",
  "Microsoft.DBforPostgreSQL/flexibleServers/restart/action",
  "Microsoft.DBforPostgreSQL/flexibleServers/configurations/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write",
  "Microsoft.DBforPostgreSQL/flexibleServers/replicas/read",
  "Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read",
  "Microsoft.DBforPostgreSQL/locations/operationResults/read",
  "Microsoft.ResourceHealth/availabilityStatuses/read",
  // "Permissions - List For Resource" (Microsoft.Authorization, 2022-04-01): the caller's own permissions.
  "Microsoft.Authorization/permissions/read",
  // Networking operations a VNet-integrated server's creation needs (Learn: "Networking with private access": the
  // delegated subnet's join action and the private DNS zone's join action).
  "Microsoft.Network/virtualNetworks/subnets/join/action",
  "Microsoft.Network/privateDnsZones/join/action",
]);

/** The template's resources (languageVersion 2.0: keyed by symbolic name). */
function resources(template: any): Record<string, any> {
  return template.resources as Record<string, any>;
}
/** The one resource of a type in a module's inner template (resources as an array or keyed by symbolic name). */
function inner(module: any, type: string): any {
  const list = Object.values(module.properties.template.resources as object) as { type: string }[];
  const found = list.filter((x) => x.type === type);
  assert.equal(found.length, 1, `one ${type} in the module`);
  return found[0];
}
/** The resource type a scope names ("resourceGroup" for a resource group). */
function scopeType(scope: string): string {
  const rest = scope.split("/").slice(6); // after /subscriptions/{id}/resourceGroups/{name}/providers
  return rest.length ? [rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join("/") : "resourceGroup";
}
/** Resolves "[variables('x')]" to the variable's literal value. */
function literal(template: any, v: unknown): unknown {
  const m = typeof v === "string" ? /^\[variables\('([^']+)'\)\]$/.exec(v) : null;
  return m ? template.variables[m[1]!] : v;
}

/** The shape `az role definition create` and the template read. */
function assertRoleShape(role: any): void {
  assert.deepEqual(Object.keys(role).sort(), [
    "Actions",
    "AssignableScopes",
    "DataActions",
    "Description",
    "IsCustom",
    "Name",
    "NotActions",
    "NotDataActions",
  ]);
  assert.equal(typeof role.Name, "string");
  assert.equal(role.IsCustom, true);
  assert.ok(role.Description.length > 20);
  assert.ok(Array.isArray(role.AssignableScopes) && role.AssignableScopes.length > 0, "the Azure CLI requires them");
  for (const a of role.Actions as string[]) {
    assert.ok(!a.includes("*"), `${a}: no wildcards, each action named`);
    assert.ok(DOCUMENTED.has(a), `${a}: not an operation the resource provider documents`);
  }
  assert.equal(new Set(role.Actions).size, role.Actions.length, "no duplicates");
  assert.deepEqual([role.NotActions, role.DataActions, role.NotDataActions], [[], [], []]);
}

test("role.json and role-stop.json are custom roles in the shape `az role definition create` and the template read, naming documented operations only", () => {
  assertRoleShape(ROLE);
  assertRoleShape(STOP_ROLE);
  // Nothing that deletes, and no other record type than the CNAME.
  assert.deepEqual(
    (ROLE.Actions as string[]).filter((a) => /\/delete$|privateDnsZones\/(?!CNAME\/)/.test(a)),
    [],
  );
  assert.equal(loadRole(APP_ROLE_FILE).permissions[0]!.actions.length, ROLE.Actions.length, "the lab reads it");
  // Stopping a server is the stop role's only action, and not the failover role's; the fence's server parameter
  // stays in the failover role (it is set through ARM).
  assert.ok(!ROLE.Actions.includes(STOP), "role.json has no stop");
  assert.ok(ROLE.Actions.includes("Microsoft.DBforPostgreSQL/flexibleServers/configurations/write"));
  assert.deepEqual(STOP_ROLE.Actions, [STOP]);
  assert.notEqual(STOP_ROLE.Name, ROLE.Name);
  assert.deepEqual(loadRole(STOP_ROLE_FILE).permissions[0]!.actions, [STOP], "the lab reads it");
});

test("the template loads role.json (the file the lab enforces), and the compiled template carries it unchanged", () => {
  assert.equal(APP_ROLE_FILE, resolve(ROOT, "infra", "role.json"), "the lab's and the stack's role file");
  assert.match(BICEP, /^var role = loadJsonContent\('role\.json'\)$/m);
  assert.match(BICEP, /^var stopRole = loadJsonContent\('role-stop\.json'\)$/m);
  const embedded = Object.entries(TEMPLATE.variables).filter(([k]) => k.startsWith("$fxv#"));
  assert.deepEqual(
    embedded.map(([, v]) => v),
    [ROLE, STOP_ROLE, json("infra/role-reprotect.json")],
    "infra/main.json embeds role.json, role-stop.json and role-reprotect.json as they are now (else: infra/check.sh --write)",
  );
  // The two role definitions split role.json's actions: the LRO status reads (granted on the servers' resource
  // groups) and the rest (granted on the zone and on each server).
  const r = resources(TEMPLATE);
  assert.equal(r.failoverRole.type, "Microsoft.Authorization/roleDefinitions");
  assert.equal(r.failoverRole.properties.permissions[0].actions, "[variables('resourceActions')]");
  assert.equal(r.statusRole.properties.permissions[0].actions, "[variables('statusActions')]");
  assert.match(
    TEMPLATE.variables.statusActions,
    /filter\(variables\('role'\)\.Actions.*contains\(toLower\(lambdaVariables\('a'\)\), '\/locations\/'\)/,
  );
  assert.match(
    TEMPLATE.variables.resourceActions,
    /filter\(variables\('role'\)\.Actions.*not\(contains\(toLower\(lambdaVariables\('a'\)\), '\/locations\/'\)\)/,
  );
  const status = (ROLE.Actions as string[]).filter((a) => a.toLowerCase().includes("/locations/"));
  assert.deepEqual(status, [
    "Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read",
    "Microsoft.DBforPostgreSQL/locations/operationResults/read",
  ]);
  // Assigned where the app acts: each pair's CNAME record set (not the zone: another CNAME in it is out of reach),
  // each server, each server's resource group (status reads only).
  const assignment = "Microsoft.Authorization/roleAssignments";
  assert.equal(
    inner(r.cnameAccess, assignment).scope,
    "[resourceId('Microsoft.Network/privateDnsZones/CNAME', parameters('zoneName'), parameters('cnameName'))]",
  );
  assert.equal(r.cnameAccess.properties.parameters.zoneName.value, "[variables('cnames')[copyIndex()].zone]");
  assert.equal(r.cnameAccess.properties.parameters.cnameName.value, "[variables('cnames')[copyIndex()].cname]");
  assert.match(TEMPLATE.variables.cnames, /'cname', toLower\(lambdaVariables\('p'\)\.dns\.cname\)/);
  assert.ok(!("zoneAccess" in r), "no assignment on the zone");
  const everyScope = JSON.stringify(TEMPLATE);
  assert.ok(!everyScope.includes("resourceId('Microsoft.Network/privateDnsZones', "), "nothing scoped to a zone");
  assert.equal(
    inner(r.serverAccess, assignment).scope,
    "[resourceId('Microsoft.DBforPostgreSQL/flexibleServers', parameters('serverName'))]",
  );
  assert.equal(inner(r.statusAccess, assignment).scope, undefined, "the resource group itself");
  assert.equal(r.cnameAccess.copy.count, "[length(variables('cnames'))]");
  assert.equal(r.serverAccess.copy.count, "[length(variables('servers'))]");
  assert.equal(r.statusAccess.copy.count, "[length(variables('serverGroups'))]");
  assert.equal(r.serverAccess.resourceGroup, "[variables('servers')[copyIndex()].resourceGroup]");
  assert.equal(r.serverAccess.subscriptionId, "[variables('servers')[copyIndex()].subscriptionId]");
  const failoverRoleName = r.failoverRole.name;
  assert.equal(r.cnameAccess.properties.parameters.roleDefinitionName.value, failoverRoleName);
  assert.equal(r.serverAccess.properties.parameters.roleDefinitionName.value, failoverRoleName);
  assert.equal(r.statusAccess.properties.parameters.roleDefinitionName.value, r.statusRole.name);
  assert.notEqual(failoverRoleName, r.statusRole.name);
  // The lab holds role.json at the same kinds of scope: the CNAME record set, the servers, their resource group.
  const lab = deploymentAssignments({ role: loadRole(APP_ROLE_FILE) }, [
    {
      name: "p",
      cnameRecordSetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z/CNAME/prod",
      serverIds: ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/a"],
    },
  ]);
  assert.deepEqual(
    lab.map((a) => [scopeType(a.scope), a.role.permissions[0]!.actions]),
    [
      ["Microsoft.Network/privateDnsZones/CNAME", ROLE.Actions.filter((a: string) => !a.includes("/locations/"))],
      ["Microsoft.DBforPostgreSQL/flexibleServers", ROLE.Actions.filter((a: string) => !a.includes("/locations/"))],
      ["resourceGroup", ROLE.Actions.filter((a: string) => a.includes("/locations/"))],
    ],
  );
});

test('stop/action only for pairs whose fence.onReturn is "stop": a second role, created and assigned on those pairs\' servers only', () => {
  const r = resources(TEMPLATE);
  // Which servers: both of each pair whose fence.onReturn is "stop" (the app's default is "readOnly").
  assert.match(
    TEMPLATE.variables.servers,
    /'stop', equals\(coalesce\(tryGet\(tryGet\(lambdaVariables\('p'\), 'fence'\), 'onReturn'\), 'readOnly'\), 'stop'\)/,
  );
  assert.equal(
    TEMPLATE.variables.stopServers,
    "[filter(variables('servers'), lambda('s', lambdaVariables('s').stop))]",
  );
  assert.equal(pairSchema.shape.fence.parse(undefined).onReturn, "readOnly", "the default the template assumes");
  // The role: created only when some pair stops, with role-stop.json's actions.
  const def = r.stopRoleDefinition;
  assert.equal(def.type, "Microsoft.Authorization/roleDefinitions");
  assert.equal(def.condition, "[not(empty(variables('stopServers')))]");
  assert.equal(def.name, "[variables('stopRoleName')]");
  assert.equal(def.properties.permissions[0].actions, "[variables('stopRole').Actions]");
  assert.equal(TEMPLATE.variables.stopRole, "[variables('$fxv#1')]", "role-stop.json, embedded");
  assert.notEqual(TEMPLATE.variables.stopRoleName, r.failoverRole.name);
  // Assigned on each such server, nowhere else.
  const stop = r.stopAccess;
  assert.equal(stop.copy.count, "[length(variables('stopServers'))]");
  assert.equal(stop.resourceGroup, "[variables('stopServers')[copyIndex()].resourceGroup]");
  assert.equal(stop.properties.parameters.serverName.value, "[variables('stopServers')[copyIndex()].name]");
  assert.equal(stop.properties.parameters.roleDefinitionName.value, "[variables('stopRoleName')]");
  assert.equal(
    inner(stop, "Microsoft.Authorization/roleAssignments").scope,
    "[resourceId('Microsoft.DBforPostgreSQL/flexibleServers', parameters('serverName'))]",
  );
  assert.ok(stop.dependsOn.includes("stopRoleDefinition"), "the role exists before its assignments");
  // The failover role and its assignments carry no stop.
  assert.equal(r.failoverRole.properties.permissions[0].actions, "[variables('resourceActions')]");
  assert.equal(r.serverAccess.properties.parameters.roleDefinitionName.value, r.failoverRole.name);
  // The output names the stop role's actions and servers (empty when no pair stops).
  assert.equal(
    TEMPLATE.outputs.role.value.stopActions,
    "[if(empty(variables('stopServers')), createArray(), variables('stopRole').Actions)]",
  );
});

test("hardened: no FTP or basic-auth publishing, storage from the app's subnet only, Key Vault references with the user-assigned identity", () => {
  const r = resources(TEMPLATE);
  for (const [key, name] of [
    ["ftpPublishing", "ftp"],
    ["scmPublishing", "scm"],
  ] as const) {
    assert.equal(r[key].type, "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
    assert.equal(r[key].name, `[format('{0}/{1}', variables('appName'), '${name}')]`);
    assert.deepEqual(r[key].properties, { allow: false });
  }
  const site = r.site.properties;
  assert.equal(site.siteConfig.ftpsState, "Disabled");
  assert.equal(site.httpsOnly, true);
  assert.equal(
    site.keyVaultReferenceIdentity,
    "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', format('id-{0}', variables('appName')))]",
    "the identity the site runs as (it has no system-assigned one)",
  );
  assert.deepEqual(r.site.identity.type, "UserAssigned");
  const storage = r.storage.properties;
  assert.equal(storage.allowSharedKeyAccess, false);
  assert.deepEqual(storage.networkAcls, {
    defaultAction: "Deny",
    bypass: "None",
    virtualNetworkRules: [{ id: "[parameters('subnetResourceId')]", action: "Allow" }],
    ipRules: [],
  });
  assert.equal(site.virtualNetworkSubnetId, "[parameters('subnetResourceId')]", "the subnet storage admits");
});

test("optional: an activity log alert when the app's identity writes a server, a server parameter or stops one", () => {
  const r = resources(TEMPLATE);
  assert.equal(TEMPLATE.parameters.changeAlertActionGroupId.defaultValue, "");
  const m = r.changeAlerts;
  assert.equal(
    m.copy.count,
    "[length(if(empty(parameters('changeAlertActionGroupId')), createArray(), variables('serverGroups')))]",
  );
  assert.equal(m.properties.parameters.principalId.value, "[reference('identity').principalId]");
  assert.equal(m.properties.parameters.actionGroupId.value, "[parameters('changeAlertActionGroupId')]");
  const alert = inner(m, "Microsoft.Insights/activityLogAlerts");
  assert.equal(alert.location, "global");
  assert.deepEqual(alert.properties.scopes, ["[resourceGroup().id]"]);
  assert.deepEqual(alert.properties.condition.allOf, [
    { field: "category", equals: "Administrative" },
    { field: "caller", equals: "[parameters('principalId')]" },
    {
      anyOf: [
        { field: "operationName", equals: "Microsoft.DBforPostgreSQL/flexibleServers/write" },
        { field: "operationName", equals: "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write" },
        { field: "operationName", equals: STOP },
      ],
    },
  ]);
  assert.deepEqual(alert.properties.actions, { actionGroups: [{ actionGroupId: "[parameters('actionGroupId')]" }] });
});

test("App Service Authentication in the template is the lab's Easy Auth: Return401 and the same excluded paths", () => {
  const auth = resources(TEMPLATE).auth;
  assert.equal(auth.type, "Microsoft.Web/sites/config");
  assert.equal(auth.name, "[format('{0}/{1}', variables('appName'), 'authsettingsV2')]");
  const lab = authSettingsV2({ issuer: "https://issuer.invalid", clientId: "client" });
  const deployed = auth.properties.globalValidation;
  assert.deepEqual({ ...deployed, excludedPaths: literal(TEMPLATE, deployed.excludedPaths) }, lab.globalValidation);
  assert.deepEqual(literal(TEMPLATE, deployed.excludedPaths), EXCLUDED_PATHS);
  assert.deepEqual(auth.properties.platform, lab.platform);
  const aad = auth.properties.identityProviders.azureActiveDirectory;
  assert.equal(aad.enabled, true);
  assert.equal(aad.registration.clientId, "[parameters('authClientId')]");
  assert.deepEqual(aad.validation.allowedAudiences, [
    "[parameters('authClientId')]",
    "[format('api://{0}', parameters('authClientId'))]",
  ]);
});

/** The app settings main.bicep writes: the keys of the object in `var appSettings = union(extraAppSettings, {...})`. */
function templateSettings(): string[] {
  const m = /^var appSettings = union\(extraAppSettings, \{\n([\s\S]*?)\n\}\)$/m.exec(BICEP);
  assert.ok(m, "main.bicep's appSettings block");
  return m[1]!.split("\n").map((l) => /^ {2}([A-Za-z0-9_]+): /.exec(l)?.[1] ?? assert.fail(`unexpected line: ${l}`));
}

/** Settings the template writes for the platform, not for the app: who reads each. */
const PLATFORM_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage__accountName: "the Functions host and the Durable task hub (identity-based AzureWebJobsStorage)",
  AzureWebJobsStorage__credential: "the Functions host and the Durable task hub (identity-based AzureWebJobsStorage)",
  AzureWebJobsStorage__clientId: "the Functions host and the Durable task hub (identity-based AzureWebJobsStorage)",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "the Functions host's Application Insights logging",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "the Functions host's Application Insights logging (Entra auth)",
  WEBSITE_AUTH_PRESERVE_URL_FRAGMENT:
    "App Service Authentication (a status page link keeps #/runs/<id> through sign-in)",
};

test("every app setting the template writes is read by the app (src/config/settings.ts) or, named here, by the platform", () => {
  const settingsSource = read("src/config/settings.ts");
  const written = templateSettings();
  const compiled = String(resources(TEMPLATE).settings.properties);
  assert.equal(resources(TEMPLATE).settings.name, "[format('{0}/{1}', variables('appName'), 'appsettings')]");
  for (const name of written) {
    assert.ok(compiled.includes(`'${name}'`), `${name} is in infra/main.json too`);
    const readByApp = settingsSource.includes(`"${name}"`);
    assert.ok(readByApp !== name in PLATFORM_SETTINGS, `${name}: read by the app XOR listed as a platform setting`);
  }
  assert.deepEqual(written.filter((n) => !(n in PLATFORM_SETTINGS)).sort(), [
    "AzureWebJobsStorage__tableServiceUri",
    "PGFLEX_AUDIT_TABLE",
    "PGFLEX_AUTH_AUTHORITY",
    "PGFLEX_AUTH_CLIENT_ID",
    "PGFLEX_AUTH_TENANT_ID",
    "PGFLEX_CREDENTIAL",
    "PGFLEX_MANAGED_IDENTITY_CLIENT_ID",
    "PGFLEX_PAIRS",
    "PGFLEX_STATE_TABLE",
  ]);
  // Nothing that is for the lab only, and nothing Flex Consumption refuses as an app setting.
  for (const name of ["PGFLEX_STATIC_TOKEN", "PGFLEX_ARM_ENDPOINT", "PGFLEX_ARM_CA_FILE", "PGFLEX_DNS_SERVERS"])
    assert.ok(!written.includes(name), name);
  for (const name of ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "AzureWebJobsStorage"])
    assert.ok(!written.includes(name), name);
});

test("with the template's settings (and the example parameters' pairs) the app's configuration loads", () => {
  const params = json("infra/params.example.json").parameters;
  const env = {
    AzureWebJobsStorage__accountName: "stpgflexexample",
    AzureWebJobsStorage__credential: "managedidentity",
    AzureWebJobsStorage__clientId: "22222222-2222-2222-2222-222222222222",
    AzureWebJobsStorage__tableServiceUri: "https://stpgflexexample.table.core.windows.net/",
    PGFLEX_PAIRS: JSON.stringify(params.pairs.value),
    PGFLEX_CREDENTIAL: "managedIdentity",
    PGFLEX_MANAGED_IDENTITY_CLIENT_ID: "22222222-2222-2222-2222-222222222222",
    PGFLEX_AUDIT_TABLE: json("infra/main.json").parameters.auditTable.defaultValue,
    PGFLEX_STATE_TABLE: json("infra/main.json").parameters.stateTable.defaultValue,
    WEBSITE_AUTH_PRESERVE_URL_FRAGMENT: "true",
    PGFLEX_AUTH_TENANT_ID: "33333333-3333-3333-3333-333333333333",
    PGFLEX_AUTH_CLIENT_ID: params.authClientId.value,
    // environment().authentication.loginEndpoint in the public cloud: with its trailing slash.
    PGFLEX_AUTH_AUTHORITY: "https://login.microsoftonline.com/",
  };
  assert.deepEqual(
    Object.keys(env).sort(),
    [...templateSettings()].filter((n) => !n.startsWith("APPLICATIONINSIGHTS")).sort(),
  );
  const config = loadConfig(env);
  assert.deepEqual(config.credential, { kind: "managedIdentity", clientId: env.PGFLEX_MANAGED_IDENTITY_CLIENT_ID });
  assert.equal(config.audit.kind, "tableServiceUri");
  assert.equal(config.pairs[0]!.name, "prod");
  assert.equal(config.arm.endpoint, "https://management.azure.com");
  assert.deepEqual(config.auth.entra?.audiences, [params.authClientId.value, `api://${params.authClientId.value}`]);
  assert.equal(config.auth.entra?.authority, "https://login.microsoftonline.com");
  // The template's pair type lists the app's pair fields, no more and no fewer.
  const typeBlock = /^type pair = \{\n([\s\S]*?)\n\}$/m.exec(BICEP);
  assert.ok(typeBlock);
  const typed = typeBlock[1]!.split("\n").flatMap((l) => /^ {2}([a-zA-Z]+)\??: /.exec(l)?.[1] ?? []);
  assert.deepEqual(typed.sort(), Object.keys(pairSchema.shape).sort());
});

test("alerts: per pair an action group calling the app's alerts-function-key function, and is_db_alive rules as the README says", () => {
  const alerts = resources(TEMPLATE).pairAlerts;
  assert.equal(alerts.copy.count, "[length(if(parameters('alerts'), parameters('pairs'), createArray()))]");
  assert.equal(
    alerts.properties.parameters.serverIds.value,
    "[map(if(parameters('alerts'), parameters('pairs'), createArray())[copyIndex()].servers, lambda('s', lambdaVariables('s').resourceId))]",
    "both servers of the pair",
  );
  const receiver = inner(alerts, "Microsoft.Insights/actionGroups").properties.azureFunctionReceivers;
  assert.deepEqual(receiver, [
    {
      name: "pgflex-failover",
      functionAppResourceId: "[parameters('functionAppId')]",
      functionName: "alerts-function-key",
      httpTriggerUrl: "[parameters('alertsUrl')]",
      useCommonAlertSchema: true,
    },
  ]);
  assert.equal(
    alerts.properties.parameters.alertsUrl.value,
    "[format('https://{0}/api/alerts', reference('site').defaultHostName)]",
  );
  // The function and its route as the app registers them, under host.json's route prefix.
  assert.match(read("src/functions/alerts-http.ts"), /app\.http\("alerts-function-key", \{\s*route: "alerts",/);
  assert.equal(json("host.json").extensions.http.routePrefix, "api");
  const rule = inner(alerts, "Microsoft.Insights/metricAlerts");
  assert.equal(rule.copy.count, "[length(parameters('serverIds'))]", "one rule per server");
  const p = rule.properties;
  assert.equal(p.scopes[0], "[parameters('serverIds')[copyIndex()]]");
  assert.deepEqual(
    [p.severity, p.enabled, p.evaluationFrequency, p.windowSize, p.autoMitigate, p.targetResourceType],
    [0, true, "PT1M", "PT5M", true, "Microsoft.DBforPostgreSQL/flexibleServers"],
  );
  assert.equal(p.criteria["odata.type"], "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria");
  assert.deepEqual(p.criteria.allOf, [
    {
      criterionType: "StaticThresholdCriterion",
      name: "DatabaseIsAlive",
      metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
      metricName: "is_db_alive",
      timeAggregation: "Maximum",
      operator: "LessThan",
      threshold: 1,
    },
  ]);
});

test("one command: azure.yaml names the function service the template tags, CI checks the template, and the Bicep CLI version is pinned", () => {
  const yaml = read("azure.yaml");
  for (const line of ["name: pgflex-failover", "  api:", "    project: .", "    language: ts", "    host: function"])
    assert.ok(yaml.split("\n").includes(line), line);
  assert.equal(resources(TEMPLATE).site.tags, "[union(variables('allTags'), createObject('azd-service-name', 'api'))]");
  assert.equal(resources(TEMPLATE).site.kind, "functionapp,linux");
  assert.equal(resources(TEMPLATE).plan.sku.tier, "FlexConsumption");
  assert.match(read(".ci/run"), /^bash infra\/check\.sh$/m);
  const pinned = /version="\$\{BICEP_VERSION:-([0-9.]+)\}"/.exec(read("infra/install-bicep.sh"))?.[1];
  assert.ok(pinned);
  assert.ok(TEMPLATE.metadata._generator.version.startsWith(`${pinned}.`), "main.json was built by the pinned Bicep");
});

test("role-reprotect.json: optional, in the shape the template reads, assigned on the servers' resource groups only when re-protection is on", () => {
  const role = json("infra/role-reprotect.json");
  assertRoleShape(role);
  // What re-protection does beyond failing over: create, delete, stop; and the failover's server actions on the
  // servers it creates (their scope does not exist before them).
  for (const a of [
    "Microsoft.DBforPostgreSQL/flexibleServers/write",
    "Microsoft.DBforPostgreSQL/flexibleServers/delete",
    "Microsoft.DBforPostgreSQL/flexibleServers/stop/action",
    "Microsoft.Network/virtualNetworks/subnets/join/action",
    "Microsoft.Network/privateDnsZones/join/action",
  ])
    assert.ok(role.Actions.includes(a), a);
  for (const a of ROLE.Actions as string[])
    if (a.startsWith("Microsoft.DBforPostgreSQL/"))
      assert.ok(role.Actions.includes(a), `${a}: on the servers it creates`);
  assert.ok(
    !ROLE.Actions.includes("Microsoft.DBforPostgreSQL/flexibleServers/delete"),
    "the failover role stays as it was",
  );
  assert.equal(TEMPLATE.parameters.reprotect.defaultValue, false, "off unless the deployment turns it on");
  const def = resources(TEMPLATE).reprotectRoleDefinition;
  assert.equal(def.condition, "[parameters('reprotect')]");
  assert.deepEqual(literal(TEMPLATE, TEMPLATE.variables.reprotectRole), role);
  const access = resources(TEMPLATE).reprotectAccess;
  assert.match(access.copy.count, /parameters\('reprotect'\)/);
  assert.match(access.copy.count, /serverGroups/);
  // The lab assigns it where the template does: the servers' resource groups.
  const lab = deploymentAssignments({ reprotectRole: loadRole(role) }, [
    {
      name: "p",
      cnameRecordSetId: "/subscriptions/s/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/z/CNAME/c",
      serverIds: [
        "/subscriptions/s/resourceGroups/db/providers/Microsoft.DBforPostgreSQL/flexibleServers/a",
        "/subscriptions/s/resourceGroups/db/providers/Microsoft.DBforPostgreSQL/flexibleServers/b",
      ],
    },
  ]);
  assert.deepEqual(
    lab.map((x) => x.scope),
    ["/subscriptions/s/resourceGroups/db"],
  );
});
