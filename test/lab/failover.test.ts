// The failover path end to end on real parts: SDK promote → real pg_promote → writable through the server's
// own name (verify-full via the lab DNS) → CNAME repoint → libpq verify-ca through the CNAME.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLab, type Lab } from "../../local/lab";
import { clients, hasCommand, labResolver, queryByName } from "./helpers";
import { LAB_TEST } from "./timeouts";

const run = promisify(execFile);

describe("lab failover: promote through ARM, repoint the CNAME, verify over TLS", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  before(async () => {
    lab = await startLab({ promoteDelayMs: 300, azurite: false });
    sdk = clients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test(
    "GET reports the pair as Azure does: Primary in eastus, GeoAsyncReplica in westus with its source",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const p = await sdk.pg.servers.get(info.resourceGroup, info.servers.primary.name);
      const r = await sdk.pg.servers.get(info.resourceGroup, info.servers.replica.name);
      assert.equal(p.state, "Ready");
      assert.equal(p.replicationRole, "Primary");
      assert.equal(p.replica?.role, "Primary");
      assert.equal(p.fullyQualifiedDomainName, info.servers.primary.fqdn);
      assert.equal(p.sourceServerResourceId, undefined);
      assert.equal(r.replicationRole, "GeoAsyncReplica");
      assert.equal(r.replica?.role, "GeoAsyncReplica");
      assert.equal(r.replica?.replicationState, "Active");
      assert.equal(r.replicaCapacity, 0);
      assert.equal(r.sourceServerResourceId, info.servers.primary.resourceId);
      assert.notEqual(p.location, r.location);
      const replicas = [];
      for await (const s of sdk.pg.replicas.listByServer(info.resourceGroup, info.servers.primary.name))
        replicas.push(s.name);
      assert.deepEqual(replicas, [info.servers.replica.name]);
      await assert.rejects(
        sdk.pg.servers.get(info.resourceGroup, "no-such-server"),
        (e: any) => e.statusCode === 404 && e.code === "ResourceNotFound",
      );
    },
  );

  test(
    "each server's certificate names only itself: verify-full by its own name works, through the CNAME only verify-ca works (libpq and node-postgres)",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const [row] = await queryByName<{ rec: boolean }>(
        lab,
        info.servers.primary.fqdn,
        "select pg_is_in_recovery() rec",
      );
      assert.equal(row?.rec, false);
      const [viaA] = await queryByName<{ rec: boolean }>(
        lab,
        info.servers.replica.aRecordFqdn,
        "select pg_is_in_recovery() rec",
      );
      assert.equal(viaA?.rec, true);
      const prod = `prod.${info.zone}`;
      await assert.rejects(queryByName(lab, prod, "select 1"), (e: any) => e.code === "ERR_TLS_CERT_ALTNAME_INVALID");
      const [viaCname] = await queryByName<{ addr: string }>(lab, prod, "select inet_server_addr()::text addr", {
        mode: "verify-ca",
        as: "app",
      });
      assert.equal(viaCname?.addr, "127.0.0.1/32");
      assert.ok(hasCommand("psql"), "psql (libpq) is needed for this test; CI installs postgresql-client");
      const [ip] = await labResolver(lab).resolve4(prod);
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "psql-home-"));
      const psql = (mode: string) =>
        run(
          "psql",
          [
            `host=${prod} hostaddr=${ip} port=${info.postgres.port} dbname=postgres user=${info.postgres.app.user} sslmode=${mode} sslrootcert=${info.caFile}`,
            "-XAtc",
            "select pg_is_in_recovery()",
          ],
          {
            env: { PATH: process.env.PATH, HOME: home, PGPASSWORD: info.postgres.app.password, PGCONNECT_TIMEOUT: "5" },
          },
        );
      try {
        assert.equal((await psql("verify-ca")).stdout.trim(), "f");
        await assert.rejects(psql("verify-full"), (e: any) =>
          /does not match host name|server certificate for/i.test(e.stderr),
        );
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
  );

  test(
    "a server presenting a certificate from another CA is refused (verify-ca and verify-full)",
    LAB_TEST,
    async () => {
      const { info } = lab;
      await lab.useRogueCert("replica", true);
      try {
        await assert.rejects(queryByName(lab, info.servers.replica.fqdn, "select 1", { mode: "verify-ca" }), (e: any) =>
          /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i.test(e.code ?? e.message),
        );
        await assert.rejects(queryByName(lab, info.servers.replica.fqdn, "select 1"), (e: any) =>
          /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i.test(e.code ?? e.message),
        );
        // trusting the rogue CA instead proves the server really serves the rogue certificate
        const rogueCa = fs.readFileSync(info.rogueCaFile, "utf8");
        const [ok] = await queryByName<{ one: number }>(lab, info.servers.replica.fqdn, "select 1 one", {
          ca: rogueCa,
        });
        assert.equal(ok?.one, 1);
      } finally {
        await lab.useRogueCert("replica", false);
      }
      const [row] = await queryByName<{ one: number }>(lab, info.servers.replica.fqdn, "select 1 one");
      assert.equal(row?.one, 1);
    },
  );

  test(
    "the app role may probe (recovery, read-only, TEMP table on a primary only), end non-superuser sessions (the fence), and nothing more",
    LAB_TEST,
    async () => {
      // The fence ends every session it may: an application's, never a superuser's.
      const { info } = lab;
      const writer = new pg.Client({
        ...lab.clientConfig("primary", "app"),
        user: info.postgres.writer.user,
        password: info.postgres.writer.password,
      });
      const admin = new pg.Client(lab.clientConfig("primary", "admin"));
      for (const c of [writer, admin]) c.on("error", () => undefined);
      await Promise.all([writer.connect(), admin.connect()]);
      try {
        const end = (user: string) =>
          lab.appQuery<{ ok: boolean }>(
            "primary",
            "select pg_terminate_backend(pid) ok from pg_stat_activity where usename = $1",
            [user],
          );
        assert.deepEqual(await end(info.postgres.writer.user), [{ ok: true }]);
        await assert.rejects(end(info.postgres.admin.user), /permission denied|must be a superuser/);
      } finally {
        await Promise.allSettled([writer.end(), admin.end()]);
      }
      const probe = "select pg_is_in_recovery() rec, current_setting('transaction_read_only') ro";
      const [p] = await lab.appQuery<{ rec: boolean; ro: string }>("primary", probe);
      assert.deepEqual(p, { rec: false, ro: "off" });
      await lab.appQuery("primary", "create temp table probe(x int); drop table probe");
      await assert.rejects(lab.appQuery("replica", "create temp table probe(x int)"), /read-only transaction|recovery/);
      await assert.rejects(lab.appQuery("primary", "select * from lab_writes"), /permission denied/);
      await assert.rejects(lab.appQuery("primary", "create table t(x int)"), /permission denied/);
    },
  );

  test("a promote of a server that is not a replica is refused with 400 ServerNotReplica", LAB_TEST, async () => {
    const { info } = lab;
    await assert.rejects(
      sdk.pg.servers.beginUpdateAndWait(
        info.resourceGroup,
        info.servers.primary.name,
        { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
        { updateIntervalInMs: 20 },
      ),
      (e: any) => e.statusCode === 400 && e.code === "ServerNotReplica",
    );
  });

  test(
    "planned promote via the SDK: the LRO ends Succeeded, data written before is there, the replica is writable and standalone; the CNAME repoint is seen by DNS and libpq",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const rg = info.resourceGroup;
      await lab.adminQuery(
        "primary",
        "insert into lab_writes(note) select 'before promote ' || g from generate_series(1, 500) g",
      );
      lab.clearRequests();
      const hold = lab.faults.add({ kind: "hold", operation: "promote" });
      const t0 = Date.now();
      const poller = await sdk.pg.servers.beginUpdate(
        rg,
        info.servers.replica.name,
        { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
        { updateIntervalInMs: 25 },
      );
      // As Microsoft documents it: the primary shows Updating; the replica stays Ready and shows its progress
      // in replica.replicationState (Reconfiguring first).
      const during = await sdk.pg.servers.get(rg, info.servers.replica.name);
      assert.deepEqual([during.state, during.replica?.replicationState], ["Ready", "Reconfiguring"]);
      const source = await sdk.pg.servers.get(rg, info.servers.primary.name);
      assert.equal(source.state, "Updating", "the primary shows Updating");
      await assert.rejects(
        sdk.pg.configurations.beginPutAndWait(rg, info.servers.primary.name, "default_transaction_read_only", {
          value: "on",
          source: "user-override",
        }),
        (e: any) => e.statusCode === 409 && e.code === "ServerIsNotReady",
        "server parameters cannot change on the primary while a replica is promoted",
      );
      await assert.rejects(
        sdk.pg.servers.beginUpdate(rg, info.servers.replica.name, {
          replica: { promoteMode: "Standalone", promoteOption: "Planned" },
        }),
        (e: any) => e.statusCode === 409 && e.code === "ServerBusy",
        "an overlapping operation is refused: busy",
      );
      lab.faults.clear(hold.id);
      const result = await poller.pollUntilDone();
      const promoteMs = Date.now() - t0;
      assert.equal(result.replica?.role, "Primary");
      assert.equal(result.state, "Ready");
      assert.ok(promoteMs >= 300, `promote took ${promoteMs} ms, at least the configured delay`);

      const patches = lab
        .requests()
        .filter((r) => r.method === "PATCH" && r.path.toLowerCase().endsWith(info.servers.replica.name));
      assert.deepEqual(
        patches.map((p) => p.status),
        [202, 409],
        "the promote accepted, the overlapping one refused",
      );

      const after = await sdk.pg.servers.get(rg, info.servers.replica.name);
      assert.equal(after.replicationRole, "Primary");
      assert.equal(after.sourceServerResourceId, undefined);
      const replicas = [];
      for await (const s of sdk.pg.replicas.listByServer(rg, info.servers.primary.name)) replicas.push(s);
      assert.equal(replicas.length, 0);

      // writable through its own name, verify-full, resolved by the lab DNS
      const [w] = await queryByName<{ rec: boolean; n: string }>(
        lab,
        info.servers.replica.fqdn,
        "select pg_is_in_recovery() rec, (select count(*) from lab_writes where note like 'before promote%')::text n",
      );
      assert.equal(w?.rec, false);
      assert.equal(w?.n, "500");
      await queryByName(lab, info.servers.replica.fqdn, "insert into lab_writes(note) values ('after promote')");

      // repoint prod → the new primary's A record
      const cur = await sdk.dns.recordSets.get(rg, info.zone, "CNAME", info.cnameRecord);
      await sdk.dns.recordSets.createOrUpdate(
        rg,
        info.zone,
        "CNAME",
        info.cnameRecord,
        { ttl: cur.ttl, cnameRecord: { cname: info.servers.replica.aRecordFqdn } },
        { ifMatch: cur.etag },
      );
      const [ip] = await labResolver(lab).resolve4(`prod.${info.zone}`);
      assert.equal(ip, "127.0.0.2");
      const [viaProd] = await queryByName<{ addr: string; rec: boolean }>(
        lab,
        `prod.${info.zone}`,
        "select inet_server_addr()::text addr, pg_is_in_recovery() rec",
        { mode: "verify-ca", as: "app" },
      );
      assert.deepEqual(viaProd, { addr: "127.0.0.2/32", rec: false });
      await lab.appQuery("replica", "create temp table probe(x int); drop table probe");

      // promoting again: it is no longer a replica
      await assert.rejects(
        sdk.pg.servers.beginUpdateAndWait(
          rg,
          info.servers.replica.name,
          { replicationRole: "None" },
          { updateIntervalInMs: 20 },
        ),
        (e: any) => e.statusCode === 400 && e.code === "ServerNotReplica",
      );
    },
  );
});
