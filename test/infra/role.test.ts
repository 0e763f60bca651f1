// The deployment, checked without Bicep: infra/role.json is a role definition the Azure CLI and the template accept
// and is what the compiled template (infra/main.json) carries and the lab enforces; the template's App Service
// Authentication is the lab's; every app setting it writes is read by the app or by the Functions platform (and the
// app accepts them); the alert wiring calls the app's real alert function. (That infra/main.json is what
// infra/main.bicep compiles to, and that the linter is clean, is infra/check.sh's job in CI.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/settings";
import { pairSchema } from "../../src/config/pair-schema";
import { APP_ROLE_FILE, loadRole } from "../../local/lab/arm/rbac";
import { authSettingsV2, EXCLUDED_PATHS } from "../../local/lab/identity/auth-settings";

const ROOT = resolve(__dirname, "..", "..", "..");
const read = (p: string): string => readFileSync(resolve(ROOT, p), "utf8");
const json = (p: string): any => JSON.parse(read(p));

const ROLE = json("infra/role.json");
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
/** Resolves "[variables('x')]" to the variable's literal value. */
function literal(template: any, v: unknown): unknown {
  const m = typeof v === "string" ? /^\[variables\('([^']+)'\)\]$/.exec(v) : null;
  return m ? template.variables[m[1]!] : v;
}

test("role.json is one custom role in the shape `az role definition create` and the template read, naming documented operations only", () => {
  assert.deepEqual(Object.keys(ROLE).sort(), [
    "Actions",
    "AssignableScopes",
    "DataActions",
    "Description",
    "IsCustom",
    "Name",
    "NotActions",
    "NotDataActions",
  ]);
  assert.equal(typeof ROLE.Name, "string");
  assert.equal(ROLE.IsCustom, true);
  assert.ok(ROLE.Description.length > 20);
  assert.ok(Array.isArray(ROLE.AssignableScopes) && ROLE.AssignableScopes.length > 0, "the Azure CLI requires them");
  for (const a of ROLE.Actions as string[]) {
    assert.ok(!a.includes("*"), `${a}: no wildcards, each action named`);
    assert.ok(DOCUMENTED.has(a), `${a}: not an operation the resource provider documents`);
  }
  assert.equal(new Set(ROLE.Actions).size, ROLE.Actions.length, "no duplicates");
  assert.deepEqual([ROLE.NotActions, ROLE.DataActions, ROLE.NotDataActions], [[], [], []]);
  // Nothing that deletes, and no other record type than the CNAME.
  assert.deepEqual(
    (ROLE.Actions as string[]).filter((a) => /\/delete$|privateDnsZones\/(?!CNAME\/)/.test(a)),
    [],
  );
  assert.equal(loadRole(APP_ROLE_FILE).permissions[0]!.actions.length, ROLE.Actions.length, "the lab reads it");
});

test("the template loads role.json (the file the lab enforces), and the compiled template carries it unchanged", () => {
  assert.equal(APP_ROLE_FILE, resolve(ROOT, "infra", "role.json"), "the lab's and the stack's role file");
  assert.match(BICEP, /^var role = loadJsonContent\('role\.json'\)$/m);
  const embedded = Object.entries(TEMPLATE.variables).filter(([k]) => k.startsWith("$fxv#"));
  assert.deepEqual(
    embedded.map(([, v]) => v),
    [ROLE],
    "infra/main.json embeds role.json as it is now (else: infra/check.sh --write)",
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
  // Assigned where the app acts: each zone, each server, each server's resource group (status reads only).
  const assignment = "Microsoft.Authorization/roleAssignments";
  assert.equal(
    inner(r.zoneAccess, assignment).scope,
    "[resourceId('Microsoft.Network/privateDnsZones', parameters('zoneName'))]",
  );
  assert.equal(
    inner(r.serverAccess, assignment).scope,
    "[resourceId('Microsoft.DBforPostgreSQL/flexibleServers', parameters('serverName'))]",
  );
  assert.equal(inner(r.statusAccess, assignment).scope, undefined, "the resource group itself");
  assert.equal(r.zoneAccess.copy.count, "[length(variables('zones'))]");
  assert.equal(r.serverAccess.copy.count, "[length(variables('servers'))]");
  assert.equal(r.statusAccess.copy.count, "[length(variables('serverGroups'))]");
  assert.equal(r.serverAccess.resourceGroup, "[variables('servers')[copyIndex()].resourceGroup]");
  assert.equal(r.serverAccess.subscriptionId, "[variables('servers')[copyIndex()].subscriptionId]");
  const failoverRoleName = r.failoverRole.name;
  assert.equal(r.zoneAccess.properties.parameters.roleDefinitionName.value, failoverRoleName);
  assert.equal(r.serverAccess.properties.parameters.roleDefinitionName.value, failoverRoleName);
  assert.equal(r.statusAccess.properties.parameters.roleDefinitionName.value, r.statusRole.name);
  assert.notEqual(failoverRoleName, r.statusRole.name);
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
