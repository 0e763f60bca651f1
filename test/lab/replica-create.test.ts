// The lab creates and deletes read replicas as ARM does, through the real Azure SDK: a PUT with createMode Replica
// starts a real PostgreSQL streaming replica of the source on a new address in the target region (Provisioning →
// Ready, replication Provisioning → Catchup → Active), registers its A record in the zone, and the re-protect role
// is what allows it; a DELETE removes the server, its A record and its slot.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { startLab, type Lab } from "../../local/lab";
import { APP_ROLE_FILE, REPROTECT_ROLE_FILE } from "../../local/lab/arm/rbac";
import { clients, credentialFor, labResolver, streamVia } from "./helpers";
import { LAB_TEST } from "./timeouts";

let lab: Lab;
const sdk = () => clients(lab).pg;

before(async () => {
  lab = await startLab({ azurite: false, role: APP_ROLE_FILE, reprotectRole: REPROTECT_ROLE_FILE });
});
after(async () => {
  await lab?.stop();
});

/** The server by its own name, through the lab DNS, verify-full against the lab CA: the probe's way in. */
async function byOwnName<T extends pg.QueryResultRow>(fqdn: string, sql: string): Promise<T[]> {
  const c = new pg.Client({
    host: fqdn,
    port: lab.info.postgres.port,
    user: lab.info.postgres.admin.user,
    password: lab.info.postgres.admin.password,
    database: "postgres",
    stream: streamVia(labResolver(lab)),
    ssl: { ca: lab.info.caPem, rejectUnauthorized: true },
    connectionTimeoutMillis: 5000,
  });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("the lab creates read replicas as ARM does", LAB_TEST, () => {
  test("a replica of the primary in the other region: Provisioning, then Ready and Active, streaming, its A record in the zone", async () => {
    const name = `${lab.info.servers.primary.name}-r1`;
    const poller = await sdk().servers.beginCreateOrUpdate(lab.info.resourceGroup, name, {
      location: lab.info.servers.replica.location,
      createMode: "Replica",
      sourceServerResourceId: lab.info.servers.primary.resourceId,
    });
    const first = (await sdk().servers.get(lab.info.resourceGroup, name)).state;
    assert.equal(first, "Provisioning", "ARM shows the server at once, Provisioning");
    const created = await poller.pollUntilDone();
    assert.equal(created.state, "Ready");
    const s = await sdk().servers.get(lab.info.resourceGroup, name);
    assert.equal(s.state, "Ready");
    assert.equal(s.replica?.role, "GeoAsyncReplica");
    assert.equal(s.replica?.replicationState, "Active");
    assert.equal(s.sourceServerResourceId, lab.info.servers.primary.resourceId);
    assert.equal(s.location, lab.info.servers.replica.location);
    assert.equal(lab.allServers().find((x) => x.info.name === name)?.source, lab.info.servers.primary.name);

    // Its own name resolves through the zone; a write on the primary arrives on it.
    const info = lab.allServers().find((x) => x.info.name === name)!.info;
    const [a] = await labResolver(lab).resolve4(s.fullyQualifiedDomainName!);
    assert.equal(a, info.address);
    assert.notEqual(info.address, lab.info.servers.primary.address);
    assert.notEqual(info.address, lab.info.servers.replica.address);
    const zoneA = lab.recordSets().find((r) => r.type === "A" && r.name === info.aRecord);
    assert.ok(zoneA, "its A record is in the zone");
    await lab.adminQuery(
      "primary",
      "create table if not exists reprotect_probe(v text); insert into reprotect_probe values ('x1')",
    );
    let rows: { v: string }[] = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      rows = await byOwnName<{ v: string }>(
        s.fullyQualifiedDomainName!,
        "select v from reprotect_probe where v = 'x1'",
      ).catch(() => []);
      if (!rows.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(rows, [{ v: "x1" }]);
    const [rec] = await byOwnName<{ r: boolean }>(s.fullyQualifiedDomainName!, "select pg_is_in_recovery() r");
    assert.equal(rec?.r, true);

    // Deleted: gone from ARM, from the zone, its slot on the primary dropped.
    await (await sdk().servers.beginDelete(lab.info.resourceGroup, name)).pollUntilDone();
    await assert.rejects(
      sdk().servers.get(lab.info.resourceGroup, name),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
    assert.ok(!lab.recordSets().some((r) => r.type === "A" && r.name === info.aRecord), "its A record is gone");
    const slots = await lab.adminQuery<{ slot_name: string }>("primary", "select slot_name from pg_replication_slots");
    assert.ok(
      !slots.some((x) => x.slot_name === name.replace(/[^a-z0-9]/gi, "_").toLowerCase()),
      JSON.stringify(slots),
    );
  });

  test("refused: a name already used, a source that is a replica; nothing is created", async () => {
    const before = lab.allServers().length;
    await assert.rejects(
      sdk().servers.beginCreateOrUpdate(lab.info.resourceGroup, lab.info.servers.replica.name, {
        location: lab.info.servers.replica.location,
        createMode: "Replica",
        sourceServerResourceId: lab.info.servers.primary.resourceId,
      }),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 409 && e.code === "ServerNameAlreadyExists",
    );
    await assert.rejects(
      sdk().servers.beginCreateOrUpdate(lab.info.resourceGroup, "pglab-chained", {
        location: lab.info.servers.primary.location,
        createMode: "Replica",
        sourceServerResourceId: lab.info.servers.replica.resourceId,
      }),
      (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === "InvalidSourceServer",
    );
    assert.equal(lab.allServers().length, before);
  });

  test("a create that fails (quota) ends Failed with ARM's code and leaves nothing running", async () => {
    lab.faults.add({ kind: "createFail", code: "QuotaExceeded", message: "no cores left" });
    const name = `${lab.info.servers.primary.name}-r2`;
    const poller = await sdk().servers.beginCreateOrUpdate(lab.info.resourceGroup, name, {
      location: lab.info.servers.replica.location,
      createMode: "Replica",
      sourceServerResourceId: lab.info.servers.primary.resourceId,
    });
    await assert.rejects(poller.pollUntilDone(), /QuotaExceeded|no cores left/);
    await assert.rejects(
      sdk().servers.get(lab.info.resourceGroup, name),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
    assert.ok(!lab.allServers().some((x) => x.info.name === name));
  });

  test("creating needs the re-protect role: the failover role alone is 403 AuthorizationFailed", async () => {
    const failoverOnly = await startLab({ azurite: false, role: APP_ROLE_FILE });
    try {
      const client = new PostgreSQLManagementFlexibleServerClient(
        credentialFor(failoverOnly),
        failoverOnly.info.subscriptionId,
        {
          endpoint: failoverOnly.info.arm.endpoint,
          tlsOptions: { ca: failoverOnly.info.caPem },
          retryOptions: { maxRetries: 0 },
        },
      );
      await assert.rejects(
        client.servers.beginCreateOrUpdate(failoverOnly.info.resourceGroup, "pglab-denied", {
          location: failoverOnly.info.servers.replica.location,
          createMode: "Replica",
          sourceServerResourceId: failoverOnly.info.servers.primary.resourceId,
        }),
        (e: { statusCode?: number; code?: string }) => e.statusCode === 403 && e.code === "AuthorizationFailed",
      );
      await assert.rejects(
        client.servers.beginDelete(failoverOnly.info.resourceGroup, failoverOnly.info.servers.replica.name),
        (e: { statusCode?: number; code?: string }) => e.statusCode === 403 && e.code === "AuthorizationFailed",
      );
    } finally {
      await failoverOnly.stop();
    }
  });
});
