// Least privilege, proven on the lab: the ARM emulator holds the app's token to infra/role.json and
// infra/role-stop.json (the roles the Bicep template deploys), at the scopes the template assigns them. Every
// action the app needs is allowed, anything else — or the same action on another record set — is ARM's 403
// AuthorizationFailed, and each action in the files is needed: without it some step of the app fails.
// Also the data plane: the probe's PostgreSQL role can do what the failover needs and no more.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import https from "node:https";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { staticTokenCredential } from "../../src/azure/credential";
import { ArmDnsRecords } from "../../src/azure/dns-records";
import { ArmResourceHealth } from "../../src/azure/resource-health";
import { ArmPermissions } from "../../src/azure/permissions";
import { ArmFlexibleServers } from "../../src/azure/flexible-servers";
import { ArmRefusal } from "../../src/azure/errors";
import { startLab, type Lab } from "../../local/lab";
import { deploymentAssignments, resourceGroupOf } from "../../local/lab/arm/assignments";
import {
  actionMatches,
  APP_ROLE_FILE,
  assignmentsAllow,
  loadRole,
  requiredAction,
  roleAllows,
  scopeCovers,
  STOP_ROLE_FILE,
  type RoleDefinition,
} from "../../local/lab/arm/rbac";
import { stopPairs } from "../../local/drill/stack";
import { cnameRecord, failover, start, type Stack } from "../e2e/helpers";
import { waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

const ROLE = JSON.parse(readFileSync(APP_ROLE_FILE, "utf8")) as Required<Pick<RoleDefinition, "Name" | "Actions">> &
  RoleDefinition;
const STOP_ROLE = JSON.parse(readFileSync(STOP_ROLE_FILE, "utf8")) as typeof ROLE;
const without = (action: string): RoleDefinition => ({ ...ROLE, Actions: ROLE.Actions.filter((a) => a !== action) });
const FENCE = "default_transaction_read_only";

describe("rbac: the action each ARM request needs", () => {
  const sub = "/subscriptions/11111111-2222-3333-4444-555555555555";
  const rg = `${sub}/resourceGroups/rg-lab`;
  const zone = `${rg}/providers/Microsoft.Network/privateDnsZones/lab.private.postgres.database.azure.com`;
  const server = `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-lab-eastus`;
  const ops = `${sub}/providers/Microsoft.DBforPostgreSQL/locations/eastus`;

  test("reads, writes, deletes, POST actions and LRO status polls map to the operation names ARM checks", () => {
    const cases: [string, string, string, string][] = [
      ["GET", `${zone}/CNAME/prod`, "Microsoft.Network/privateDnsZones/CNAME/read", `${zone}/CNAME/prod`],
      ["PUT", `${zone}/CNAME/prod`, "Microsoft.Network/privateDnsZones/CNAME/write", `${zone}/CNAME/prod`],
      ["PATCH", `${zone}/cname/prod`, "Microsoft.Network/privateDnsZones/CNAME/write", `${zone}/cname/prod`],
      ["DELETE", `${zone}/CNAME/prod`, "Microsoft.Network/privateDnsZones/CNAME/delete", `${zone}/CNAME/prod`],
      ["PUT", `${zone}/A/abc`, "Microsoft.Network/privateDnsZones/A/write", `${zone}/A/abc`],
      ["GET", `${zone}/ALL`, "Microsoft.Network/privateDnsZones/ALL/read", `${zone}/ALL`],
      ["GET", zone, "Microsoft.Network/privateDnsZones/read", zone],
      ["PUT", zone, "Microsoft.Network/privateDnsZones/write", zone],
      ["GET", server, "Microsoft.DBforPostgreSQL/flexibleServers/read", server],
      ["PATCH", server, "Microsoft.DBforPostgreSQL/flexibleServers/write", server],
      ["PUT", server, "Microsoft.DBforPostgreSQL/flexibleServers/write", server],
      ["DELETE", server, "Microsoft.DBforPostgreSQL/flexibleServers/delete", server],
      ["POST", `${server}/stop`, "Microsoft.DBforPostgreSQL/flexibleServers/stop/action", server],
      ["POST", `${server}/START`, "Microsoft.DBforPostgreSQL/flexibleServers/start/action", server],
      ["GET", `${server}/replicas`, "Microsoft.DBforPostgreSQL/flexibleServers/replicas/read", `${server}/replicas`],
      [
        "PUT",
        `${server}/configurations/${FENCE}`,
        "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write",
        `${server}/configurations/${FENCE}`,
      ],
      [
        "GET",
        `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers`,
        "Microsoft.DBforPostgreSQL/flexibleServers/read",
        `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers`,
      ],
      [
        "GET",
        `${ops}/azureAsyncOperation/abc`,
        "Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read",
        `${ops}/azureAsyncOperation/abc`,
      ],
      [
        "GET",
        `${ops.toLowerCase()}/operationresults/abc`,
        "Microsoft.DBforPostgreSQL/locations/operationResults/read",
        `${ops.toLowerCase()}/operationresults/abc`,
      ],
      ["GET", rg, "Microsoft.Resources/subscriptions/resourceGroups/read", rg],
      ["DELETE", rg, "Microsoft.Resources/subscriptions/resourceGroups/delete", rg],
      ["GET", sub, "Microsoft.Resources/subscriptions/read", sub],
      // Extension resources: the action is the extension provider's, scoped to the resource it extends.
      [
        "GET",
        `${server}/providers/Microsoft.Insights/diagnosticSettings/x`,
        "Microsoft.Insights/diagnosticSettings/read",
        `${server}/providers/Microsoft.Insights/diagnosticSettings/x`,
      ],
      [
        "GET",
        `${server}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`,
        "Microsoft.ResourceHealth/availabilityStatuses/read",
        `${server}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`,
      ],
    ];
    for (const [method, path, action, scope] of cases)
      assert.deepEqual(requiredAction(method, path), { action, scope }, `${method} ${path}`);
    assert.equal(requiredAction("GET", "/_lab/info"), undefined, "not an ARM path");
    assert.equal(requiredAction("OPTIONS", server), undefined, "no action for a method ARM does not route");
  });

  test("matching is ARM's: case-insensitive, * spans segments, NotActions subtract, per permission block", () => {
    assert.ok(
      actionMatches("microsoft.network/privatednszones/cname/READ", "Microsoft.Network/privateDnsZones/CNAME/read"),
    );
    assert.ok(actionMatches("Microsoft.Network/privateDnsZones/*", "Microsoft.Network/privateDnsZones/CNAME/write"));
    assert.ok(actionMatches("*/read", "Microsoft.DBforPostgreSQL/locations/operationResults/read"));
    assert.ok(actionMatches("Microsoft.DBforPostgreSQL/*/read", "Microsoft.DBforPostgreSQL/flexibleServers/read"));
    assert.ok(
      !actionMatches(
        "Microsoft.DBforPostgreSQL/flexibleServers/read",
        "Microsoft.DBforPostgreSQL/flexibleServers/readx",
      ),
    );
    assert.ok(!actionMatches("Microsoft.Network/privateDnsZones/CNAME/*", "Microsoft.Network/privateDnsZones/A/write"));
    const dnsAdmin = loadRole({
      Name: "dns",
      Actions: ["Microsoft.Network/privateDnsZones/*"],
      NotActions: ["Microsoft.Network/privateDnsZones/*/delete"],
    });
    assert.ok(roleAllows(dnsAdmin, "Microsoft.Network/privateDnsZones/CNAME/write"));
    assert.ok(!roleAllows(dnsAdmin, "Microsoft.Network/privateDnsZones/CNAME/delete"));
    // ARM's own shape: one block's NotActions do not take away what another block grants.
    const twoBlocks = loadRole({
      roleName: "two",
      permissions: [
        { actions: ["*"], notActions: ["Microsoft.Network/*"] },
        { actions: ["Microsoft.Network/privateDnsZones/CNAME/read"] },
      ],
    });
    assert.ok(roleAllows(twoBlocks, "Microsoft.Network/privateDnsZones/CNAME/read"));
    assert.ok(!roleAllows(twoBlocks, "Microsoft.Network/privateDnsZones/CNAME/write"));
    assert.ok(roleAllows(twoBlocks, "Microsoft.DBforPostgreSQL/flexibleServers/delete"));
    assert.throws(() => loadRole({ Actions: ["x/read"] }), /Name \(or roleName\) is required/);
    assert.throws(() => loadRole({ Name: "x", Actions: "x/read" as unknown as string[] }), /Actions must be an array/);
    assert.throws(() => loadRole("/nonexistent/role.json"), /cannot read it as JSON/);
    assert.equal(loadRole(APP_ROLE_FILE).source, APP_ROLE_FILE);
  });

  test("scopes are ARM's: an assignment covers its scope and below, a record set is a scope of its own", () => {
    assert.ok(scopeCovers(`${zone}/CNAME/prod`, `${zone}/CNAME/prod`));
    assert.ok(scopeCovers(`${zone}/CNAME/prod`, `${zone.toUpperCase()}/cname/PROD`), "resource ids ignore case");
    assert.ok(!scopeCovers(`${zone}/CNAME/prod`, `${zone}/CNAME/prod-1`), "segment by segment, not a string prefix");
    assert.ok(!scopeCovers(`${zone}/CNAME/prod`, `${zone}/CNAME/billing`));
    assert.ok(!scopeCovers(`${zone}/CNAME/prod`, zone), "a record set's assignment does not reach the zone");
    assert.ok(!scopeCovers(`${zone}/CNAME/prod`, `${zone}/A/prod`), "nor the A record of the same name");
    assert.ok(scopeCovers(zone, `${zone}/CNAME/billing`), "a zone's assignment reaches every record set in it");
    assert.ok(scopeCovers(server, `${server}/configurations/${FENCE}`));
    assert.ok(!scopeCovers(server, `${server}-2`));
    assert.ok(scopeCovers(rg, server) && scopeCovers(sub, server));
    // LRO status URLs: under no resource group; ARM lets a resource-group assignment of that subscription read them.
    assert.ok(scopeCovers(rg, `${ops}/azureAsyncOperation/abc`));
    assert.ok(!scopeCovers(server, `${ops}/azureAsyncOperation/abc`), "a resource's assignment cannot track status");
    assert.ok(!scopeCovers("/subscriptions/other/resourceGroups/rg-lab", `${ops}/azureAsyncOperation/abc`));
    assert.equal(resourceGroupOf(server), rg);
    assert.throws(() => resourceGroupOf(ops), /not a resource id in a resource group/);
  });

  test("the deployment's assignments: role.json on each CNAME record set and server, status reads on the resource group, the stop role only on stop pairs", () => {
    const role = loadRole(APP_ROLE_FILE);
    const stop = loadRole(STOP_ROLE_FILE);
    const otherServer = (k: number) => `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-${k}`;
    const pairs = [
      { name: "a", cnameRecordSetId: `${zone}/CNAME/prod`, serverIds: [server, otherServer(1)] },
      { name: "b", cnameRecordSetId: `${zone}/CNAME/prod-1`, serverIds: [otherServer(2), otherServer(3)] },
    ];
    const granted = deploymentAssignments({ role, stopRole: { role: stop, pairs: ["b"] } }, pairs);
    const need = (method: string, path: string) => requiredAction(method, path)!;
    const allows = (method: string, path: string) => assignmentsAllow(granted, need(method, path));
    assert.ok(allows("PUT", `${zone}/CNAME/prod`) && allows("PUT", `${zone}/CNAME/prod-1`));
    assert.ok(!allows("PUT", `${zone}/CNAME/billing`), "another database's CNAME in the same zone");
    assert.ok(!allows("GET", `${zone}/CNAME/billing`));
    assert.ok(allows("PATCH", server) && allows("PUT", `${server}/configurations/${FENCE}`));
    assert.ok(!allows("PATCH", `${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/not-ours`));
    assert.ok(allows("GET", `${ops}/operationResults/abc`) && allows("GET", `${ops}/azureAsyncOperation/abc`));
    assert.ok(!allows("POST", `${server}/stop`) && !allows("POST", `${otherServer(1)}/stop`), "pair a: readOnly");
    assert.ok(allows("POST", `${otherServer(2)}/stop`) && allows("POST", `${otherServer(3)}/stop`), "pair b: stop");
    assert.ok(!granted.some((a) => a.scope === zone), "nothing at the zone");
    assert.deepEqual(
      deploymentAssignments({ role }, pairs).filter((a) =>
        roleAllows(a.role, "Microsoft.DBforPostgreSQL/flexibleServers/stop/action"),
      ),
      [],
      "no stop role deployed: no stop anywhere",
    );
    // The stack gives the stop role to the pairs the template would: those whose fence.onReturn is "stop".
    assert.deepEqual(stopPairs(3), []);
    assert.deepEqual(stopPairs(3, { fence: { onReturn: "stop" } }), ["lab", "lab-1", "lab-2"]);
    assert.deepEqual(stopPairs(3, { perPair: { "lab-1": { fence: { onReturn: "stop" } } } }), ["lab-1"]);
    assert.deepEqual(
      stopPairs(2, { fence: { onReturn: "stop" }, perPair: { lab: { fence: { onReturn: "readOnly" } } } }),
      ["lab-1"],
    );
    assert.throws(
      () => deploymentAssignments({ stopRole: { role: stop, pairs: ["c"] } }, pairs),
      /stopRole\.pairs: no pair 'c'/,
    );
  });
});

/** A raw call to the emulator with a given token (shapes the app never sends). */
function armCall(lab: Lab, token: string, method: string, path: string, body?: unknown) {
  const url = new URL(path.includes("?") ? path : `${path}?api-version=2024-08-01`, lab.info.arm.endpoint);
  return new Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: lab.info.caPem,
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }),
          );
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    },
  );
}

/** The app's own ARM adapters (src/azure) with the app's token, as the app builds them. */
function appClients(lab: Lab) {
  const cred = staticTokenCredential(lab.info.arm.token);
  const arm = { endpoint: lab.info.arm.endpoint, caPem: lab.info.caPem };
  return {
    dns: new ArmDnsRecords(cred, arm),
    servers: new ArmFlexibleServers(cred, arm),
    health: new ArmResourceHealth(cred, arm),
    permissions: new ArmPermissions(cred, arm),
  };
}

/** A person (an Owner) with the lab's admin token: real SDK clients, no retries. */
function adminClients(lab: Lab) {
  const cred = staticTokenCredential(lab.info.arm.adminToken);
  const o = {
    endpoint: lab.info.arm.endpoint,
    credentialScopes: [`${lab.info.arm.endpoint}/.default`],
    tlsOptions: { ca: lab.info.caPem },
    retryOptions: { maxRetries: 0 },
  };
  return {
    dns: new PrivateDnsManagementClient(cred, lab.info.subscriptionId, o),
    pg: new PostgreSQLManagementFlexibleServerClient(cred, lab.info.subscriptionId, o),
  };
}

describe("lab rbac: the app's token holds infra/role.json", () => {
  let lab: Lab;
  let app: ReturnType<typeof appClients>;
  let admin: ReturnType<typeof adminClients>;
  before(async () => {
    lab = await startLab({
      role: APP_ROLE_FILE,
      stopRole: { role: STOP_ROLE_FILE, pairs: ["lab"] }, // as for a pair with fence.onReturn "stop"
      azurite: false,
      promoteDelayMs: 100,
      stopStartDelayMs: 50,
    });
    app = appClients(lab);
    admin = adminClients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  const zone = () => ({
    subscriptionId: lab.info.subscriptionId,
    resourceGroup: lab.info.resourceGroup,
    zone: lab.info.zone,
    cname: lab.info.cnameRecord,
  });
  const primary = () => lab.info.servers.primary;
  const replica = () => lab.info.servers.replica;
  const zonePath = () =>
    `/subscriptions/${lab.info.subscriptionId}/resourceGroups/${lab.info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${lab.info.zone}`;
  const fenceOff = async () => {
    await waitFor("no configuration operation running", async () =>
      lab.operations().some((o) => o.kind === "configuration" && o.status === "InProgress") ? undefined : true,
    );
    await admin.pg.configurations.beginPutAndWait(
      lab.info.resourceGroup,
      primary().name,
      FENCE,
      { value: "off", source: "user-override" },
      { updateIntervalInMs: 20 },
    );
  };
  const startAgain = async () => {
    await waitFor("the stop finished", async () =>
      lab.operations().some((o) => o.kind === "stop" && o.status === "InProgress") ? undefined : true,
    );
    await admin.pg.servers.beginStartAndWait(lab.info.resourceGroup, primary().name, { updateIntervalInMs: 20 });
  };

  /**
   * For each action in role.json: the app step that needs it, and what puts the lab back afterwards. Keyed by
   * the action so that an action added to role.json without a step here fails the test below.
   */
  const NEEDED_BY: Record<string, { step: string; run: () => Promise<unknown>; undo?: () => Promise<void> }> = {
    "Microsoft.Network/privateDnsZones/CNAME/read": {
      step: "preflight reads the CNAME",
      run: () => app.dns.getCname(zone()),
    },
    "Microsoft.Network/privateDnsZones/CNAME/write": {
      step: "lower the TTL (If-Match write of the CNAME)",
      run: async () => {
        const c = await app.dns.getCname(zone());
        return app.dns.putCname(zone(), { target: c.target, ttl: 30 }, c);
      },
    },
    "Microsoft.DBforPostgreSQL/flexibleServers/read": {
      step: "preflight reads the servers",
      run: () => app.servers.get(primary().resourceId),
    },
    "Microsoft.DBforPostgreSQL/flexibleServers/write": {
      step: "promote (PATCH replica.promoteMode Standalone)",
      run: () => app.servers.startPromote(replica().resourceId, "Planned"),
    },
    "Microsoft.DBforPostgreSQL/flexibleServers/configurations/read": {
      step: "the fence (the SDK reads the configuration back once its LRO has succeeded)",
      run: () => app.servers.setParameter(primary().resourceId, FENCE, "on"),
      undo: fenceOff,
    },
    "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write": {
      step: "the fence (PUT default_transaction_read_only = on)",
      run: () => app.servers.setParameter(primary().resourceId, FENCE, "on"),
    },
    "Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read": {
      step: "the fence (its LRO is polled through Azure-AsyncOperation)",
      run: () => app.servers.setParameter(primary().resourceId, FENCE, "on"),
      undo: fenceOff,
    },
    "Microsoft.ResourceHealth/availabilityStatuses/read": {
      step: "an automatic alert run asks Resource Health whether the primary is available",
      run: () => app.health.availability(primary().resourceId),
    },
    "Microsoft.Authorization/permissions/read": {
      step: "the readiness score reads the app's own permissions on a server",
      run: () => app.permissions.of(primary().resourceId),
    },
    "Microsoft.DBforPostgreSQL/locations/operationResults/read": {
      step: "the stop (its LRO is polled through Location)",
      run: () => app.servers.startStop(primary().resourceId),
      undo: startAgain,
    },
  };

  /** The stop role's one action, and the step that needs it. */
  const STOP_NEEDED_BY: typeof NEEDED_BY = {
    "Microsoft.DBforPostgreSQL/flexibleServers/stop/action": {
      step: 'the fence watch stops a returning old primary (fence.onReturn: "stop")',
      run: () => app.servers.startStop(primary().resourceId),
    },
  };

  test(
    "anything else is ARM's 403 AuthorizationFailed, naming the client, the action and the scope; nothing happens",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const server = primary().resourceId;
      // Another database's CNAME in the same zone (not a pair of this app): out of the app's reach.
      await admin.dns.recordSets.createOrUpdate(info.resourceGroup, info.zone, "CNAME", "billing", {
        ttl: 3600,
        cnameRecord: { cname: `${replica().aRecord}.${info.zone}` },
      });
      const denied: [string, string, string, unknown?][] = [
        [
          "PUT",
          `${zonePath()}/CNAME/billing`,
          "Microsoft.Network/privateDnsZones/CNAME/write",
          { properties: { ttl: 5, cnameRecord: { cname: "rogue.example.com" } } },
        ],
        ["GET", `${zonePath()}/CNAME/billing`, "Microsoft.Network/privateDnsZones/CNAME/read"],
        ["DELETE", `${zonePath()}/CNAME/prod`, "Microsoft.Network/privateDnsZones/CNAME/delete"],
        [
          "PUT",
          `${zonePath()}/A/${primary().aRecord}`,
          "Microsoft.Network/privateDnsZones/A/write",
          { properties: { ttl: 5, aRecords: [{ ipv4Address: "127.0.0.9" }] } },
        ],
        ["GET", `${zonePath()}/A/${primary().aRecord}`, "Microsoft.Network/privateDnsZones/A/read"],
        ["GET", zonePath(), "Microsoft.Network/privateDnsZones/read"],
        ["PUT", zonePath(), "Microsoft.Network/privateDnsZones/write", { location: "global" }],
        ["DELETE", server, "Microsoft.DBforPostgreSQL/flexibleServers/delete"],
        ["POST", `${server}/start`, "Microsoft.DBforPostgreSQL/flexibleServers/start/action"],
        ["POST", `${server}/restart`, "Microsoft.DBforPostgreSQL/flexibleServers/restart/action"],
        ["GET", `${server}/replicas`, "Microsoft.DBforPostgreSQL/flexibleServers/replicas/read"],
      ];
      for (const [method, path, action, body] of denied) {
        const r = await armCall(lab, info.arm.token, method, path, body);
        assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.headers["x-ms-failure-cause"], "gateway");
        assert.deepEqual(r.body, {
          error: {
            code: "AuthorizationFailed",
            message:
              `The client '${info.arm.appObjectId}' with object id '${info.arm.appObjectId}' does not have authorization ` +
              `to perform action '${action}' over scope '${method === "POST" ? server : path}' or the scope is invalid. ` +
              "If access was recently granted, please refresh your credentials.",
          },
        });
      }
      // A PUT of a server is flexibleServers/write, which the role grants (the promote is a PATCH of the same
      // action): ARM cannot tell them apart by action, so the lab answers it as the resource provider would.
      assert.notEqual((await armCall(lab, info.arm.token, "PUT", server, { location: "eastus" })).status, 403);
      // The refused requests never reached the resource provider.
      assert.ok(
        lab.recordSets().some((r) => r.type === "CNAME" && r.name === "prod"),
        "the CNAME is still there",
      );
      assert.deepEqual(
        lab.recordSets().find((r) => r.type === "CNAME" && r.name === "billing")?.cnameRecord,
        { cname: `${replica().aRecord}.${info.zone}` },
        "the other CNAME was not repointed",
      );
      assert.equal(lab.operations().length, 0, "no start/restart was run");
      // A person with the admin token is not held to the role; the lab's control routes take either token.
      assert.equal((await armCall(lab, info.arm.adminToken, "GET", `${server}/replicas`)).status, 200);
      assert.equal((await armCall(lab, info.arm.adminToken, "GET", zonePath())).status, 200);
      assert.equal((await armCall(lab, info.arm.adminToken, "GET", "/_lab/info")).status, 200);
      assert.equal((await armCall(lab, info.arm.token, "GET", "/_lab/info")).status, 200);
      assert.equal((await armCall(lab, "not-a-lab-token", "GET", zonePath())).status, 401);
      assert.notEqual(info.arm.adminToken, info.arm.token);
    },
  );

  test(
    "each action in role.json and role-stop.json is needed: without it, a step of the app fails with 403 naming that action",
    LAB_TEST,
    async () => {
      assert.deepEqual(Object.keys(NEEDED_BY).sort(), [...ROLE.Actions].sort(), "one app step per action in role.json");
      for (const action of ROLE.Actions) {
        const need = NEEDED_BY[action]!;
        lab.setRole(without(action));
        try {
          await assert.rejects(
            need.run(),
            // A 403 on the request itself is ArmRefusal(403, AuthorizationFailed); one on an LRO poll ends the
            // SDK's poller, which the adapter reports as OperationFailed with the 403 in its message.
            (e: unknown) =>
              e instanceof ArmRefusal &&
              (e.status === 403 ? e.code === "AuthorizationFailed" : e.code === "OperationFailed") &&
              e.message.includes("HTTP 403 AuthorizationFailed") &&
              e.message.includes(`'${action}'`),
            `without ${action}: ${need.step} must fail`,
          );
        } finally {
          lab.setRole(APP_ROLE_FILE);
          await need.undo?.();
        }
      }
      assert.equal(lab.role()?.source, APP_ROLE_FILE);
      // The stop role's action likewise: without the role on the pair's servers, the stop is refused.
      assert.deepEqual(Object.keys(STOP_NEEDED_BY), STOP_ROLE.Actions, "one app step per action in role-stop.json");
      const stops = () => lab.operations().filter((o) => o.kind === "stop").length;
      const stopsBefore = stops();
      for (const action of STOP_ROLE.Actions) {
        const need = STOP_NEEDED_BY[action]!;
        for (const stopRole of [undefined, { role: STOP_ROLE_FILE, pairs: [] }]) {
          lab.setStopRole(stopRole);
          try {
            await assert.rejects(
              need.run(),
              (e: unknown) =>
                e instanceof ArmRefusal &&
                e.status === 403 &&
                e.code === "AuthorizationFailed" &&
                e.message.includes(`'${action}'`),
              `without role-stop.json on the pair's servers: ${need.step} must fail`,
            );
          } finally {
            lab.setStopRole({ role: STOP_ROLE_FILE, pairs: ["lab"] });
          }
        }
      }
      assert.equal(stops(), stopsBefore, "no stop was run");
    },
  );

  test(
    "with the whole roles every step of the app succeeds, and together they need exactly the roles' actions",
    LAB_TEST,
    async () => {
      const seen = new Set<string>();
      const step = async <T>(fn: () => Promise<T>): Promise<T> => {
        lab.clearRequests();
        const out = await fn();
        for (const r of lab.requests()) seen.add(requiredAction(r.method, r.path)!.action);
        return out;
      };
      const c = await step(() => app.dns.getCname(zone()));
      await step(() => app.dns.putCname(zone(), { target: c.target, ttl: c.ttl }, c));
      await step(() => app.servers.get(primary().resourceId));
      await step(() => app.servers.get(replica().resourceId));
      assert.equal((await step(() => app.health.availability(primary().resourceId))).state, "Available");
      assert.ok((await step(() => app.permissions.of(primary().resourceId))).length > 0, "readiness: its permissions");
      assert.equal(await step(() => app.servers.getParameter(primary().resourceId, FENCE)), "off");
      await step(() => app.servers.setParameter(primary().resourceId, FENCE, "on"));
      await step(() => app.servers.setParameter(primary().resourceId, FENCE, "off"));
      await step(() => app.servers.startStop(primary().resourceId));
      await startAgain();
      await step(() => app.servers.startPromote(replica().resourceId, "Planned"));
      assert.deepEqual([...seen].sort(), [...ROLE.Actions, ...STOP_ROLE.Actions].sort());
      await waitFor("the promote", async () =>
        (await admin.pg.servers.get(lab.info.resourceGroup, replica().name)).replicationRole === "Primary"
          ? true
          : undefined,
      );
    },
  );
});

describe("lab rbac: the probe's PostgreSQL role (app_checker) has exactly what the failover needs", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test(
    "LOGIN, CONNECT + TEMPORARY on postgres and membership in pg_signal_backend, granted to it and nothing else",
    LAB_TEST,
    async () => {
      const user = lab.info.postgres.app.user;
      const [r] = await lab.adminQuery(
        "primary",
        "select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolinherit from pg_roles where rolname = $1",
        [user],
      );
      assert.deepEqual(r, {
        rolcanlogin: true,
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        rolinherit: true,
      });
      const memberOf = await lab.adminQuery(
        "primary",
        "select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles u on u.oid = m.member where u.rolname = $1",
        [user],
      );
      assert.deepEqual(memberOf, [{ rolname: "pg_signal_backend" }]);
      // Privileges granted to the role itself, on every database, table, sequence, schema and function.
      const grants = await lab.adminQuery(
        "primary",
        `select 'database ' || d.datname as object, a.privilege_type as privilege
         from pg_database d, aclexplode(d.datacl) a where a.grantee = $1::regrole
       union all select 'relation ' || c.relname, a.privilege_type
         from pg_class c, aclexplode(c.relacl) a where a.grantee = $1::regrole
       union all select 'schema ' || n.nspname, a.privilege_type
         from pg_namespace n, aclexplode(n.nspacl) a where a.grantee = $1::regrole
       union all select 'function ' || p.proname, a.privilege_type
         from pg_proc p, aclexplode(p.proacl) a where a.grantee = $1::regrole
       union all select 'parameter ' || s.parname, a.privilege_type
         from pg_parameter_acl s, aclexplode(s.paracl) a where a.grantee = $1::regrole
       order by 1, 2`,
        [user],
      );
      assert.deepEqual(grants, [
        { object: "database postgres", privilege: "CONNECT" },
        { object: "database postgres", privilege: "TEMPORARY" },
      ]);
    },
  );

  test(
    "it cannot write application tables, change server settings, create anything lasting or read files",
    LAB_TEST,
    async () => {
      const refused: [string, RegExp][] = [
        [
          "insert into traffic_writes (client_id) values (gen_random_uuid())",
          /permission denied for table traffic_writes/,
        ],
        ["insert into lab_writes (note) values ('x')", /permission denied for table lab_writes/],
        ["update traffic_writes set server = null", /permission denied for table traffic_writes/],
        ["alter system set default_transaction_read_only = off", /permission denied to set parameter/],
        ["select pg_reload_conf()", /permission denied for function pg_reload_conf/],
        ["create role intruder", /permission denied to create role/],
        ["create database intruder", /permission denied to create database/],
        ["create schema intruder", /permission denied for database postgres/],
        ["create table public.intruder (x int)", /permission denied for schema public/],
        ["select pg_read_file('postgresql.conf')", /permission denied for function pg_read_file/],
        ["copy (select 1) to program 'true'", /permission denied to COPY to or from an external program/],
      ];
      for (const [sql, error] of refused) await assert.rejects(lab.appQuery("primary", sql), error, sql);
      // What it needs still works: read the recovery state and the fence, a TEMP table, end an application session.
      await lab.appQuery("primary", "create temp table probe (x int); drop table probe");
      const writer = new pg.Client({
        ...lab.clientConfig("primary", "app"),
        user: lab.info.postgres.writer.user,
        password: lab.info.postgres.writer.password,
      });
      writer.on("error", () => undefined);
      await writer.connect();
      try {
        const ended = await lab.appQuery<{ ok: boolean }>(
          "primary",
          "select pg_terminate_backend(pid) ok from pg_stat_activity where usename = $1",
          [lab.info.postgres.writer.user],
        );
        assert.deepEqual(ended, [{ ok: true }]);
      } finally {
        await writer.end().catch(() => undefined);
      }
      // (That it cannot end a superuser's session is shown in failover.test.ts.)
    },
  );
});

describe("the stack runs the app under the deployment's roles", () => {
  let stack: Stack;
  before(async () => {
    stack = await start();
  }, LAB_TEST);
  after(async () => stack?.stop(), LAB_TEST);

  test(
    "its lab enforces infra/role.json: a dry run reads everything; without CNAME write a failover is refused with the 403",
    LAB_TEST,
    async () => {
      assert.equal(stack.lab.role()?.source, APP_ROLE_FILE, "the file infra/main.bicep loads");
      const del = await armCall(
        stack.lab,
        stack.lab.info.arm.token,
        "DELETE",
        `/subscriptions/${stack.lab.info.subscriptionId}/resourceGroups/${stack.lab.info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${stack.lab.info.zone}/CNAME/prod`,
      );
      assert.equal(del.status, 403);
      // The pair's fence.onReturn is the default ("readOnly"): the stack assigns no stop role, as the template.
      const { info } = stack.lab;
      const stop = await armCall(stack.lab, info.arm.token, "POST", `${info.servers.primary.resourceId}/stop`);
      assert.equal(stop.status, 403);
      assert.match(stop.body.error.message, /flexibleServers\/stop\/action/);
      const zoneId = `/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${info.zone}`;
      assert.deepEqual(
        stack.lab
          .assignments()
          .map((a) => a.scope)
          .filter((scope) => scope.includes("privateDnsZones")),
        [`${zoneId}/CNAME/prod`],
        "role.json on the pair's CNAME record set, nothing at the zone",
      );
      const dry = await failover(stack, { dryRun: true });
      assert.equal(dry.out.outcome, "dryRun", dry.out.reason);

      const before = cnameRecord(stack);
      stack.lab.setRole(without("Microsoft.Network/privateDnsZones/CNAME/write"));
      try {
        const run = await failover(stack, { option: "Planned" });
        assert.deepEqual(
          [run.out.outcome, run.out.failedStep, run.out.code],
          ["refused", "lowerTtl", "AuthorizationFailed"],
        );
        assert.match(run.out.reason ?? "", /Microsoft\.Network\/privateDnsZones\/CNAME\/write/);
      } finally {
        stack.lab.setRole(APP_ROLE_FILE);
      }
      assert.deepEqual(cnameRecord(stack), before, "nothing changed");
    },
  );
});
