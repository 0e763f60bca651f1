// Region outage, stop/start and server parameters through the real SDK, acting on the real processes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startLab, type Lab } from "../../local/lab";
import { ArmResourceHealth } from "../../src/azure/resource-health";
import { alive, armFetch, clients, credentialFor, queryByName } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("lab regions: outage, stop/start, server parameters", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  before(async () => {
    lab = await startLab({ promoteDelayMs: 100, stopStartDelayMs: 50, azurite: false });
    sdk = clients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);
  const rg = () => lab.info.resourceGroup;

  test(
    "server parameters: default_transaction_read_only PUT through the SDK is applied to the real server",
    LAB_TEST,
    async () => {
      const name = lab.info.servers.primary.name;
      const before = await sdk.pg.configurations.get(rg(), name, "default_transaction_read_only");
      assert.equal(before.value, "off");
      assert.equal(before.dataType, "Boolean");
      const put = await sdk.pg.configurations.beginPutAndWait(
        rg(),
        name,
        "default_transaction_read_only",
        { value: "on", source: "user-override" },
        { updateIntervalInMs: 20 },
      );
      assert.equal(put.value, "on");
      const [ro] = await lab.appQuery<{ ro: string }>("primary", "select current_setting('transaction_read_only') ro");
      assert.equal(ro?.ro, "on");
      await assert.rejects(lab.appQuery("primary", "create temp table probe(x int)"), /read-only transaction/);
      await sdk.pg.configurations.beginPutAndWait(
        rg(),
        name,
        "default_transaction_read_only",
        { value: "off" },
        { updateIntervalInMs: 20 },
      );
      await lab.appQuery("primary", "create temp table probe(x int); drop table probe");
      await assert.rejects(
        sdk.pg.configurations.beginPutAndWait(
          rg(),
          name,
          "default_transaction_read_only",
          { value: "maybe" },
          { updateIntervalInMs: 20 },
        ),
        (e: any) => e.statusCode === 400 && e.code === "InvalidParameterValue",
      );
      await assert.rejects(
        sdk.pg.configurations.get(rg(), name, "no_such_parameter"),
        (e: any) => e.statusCode === 404,
      );
    },
  );

  test(
    "stop/start: the LRO really stops and starts the server process; state Stopping → Stopped → Ready",
    LAB_TEST,
    async () => {
      const name = lab.info.servers.replica.name;
      const [pid] = lab.pids().postgres.slice(1);
      assert.ok(pid);
      const hold = lab.faults.add({ kind: "hold", operation: "stop" });
      const stopping = await sdk.pg.servers.beginStop(rg(), name, { updateIntervalInMs: 20 });
      assert.equal((await sdk.pg.servers.get(rg(), name)).state, "Stopping");
      assert.equal(alive(pid), true, "held: the process still runs");
      lab.faults.clear(hold.id);
      await stopping.pollUntilDone();
      assert.equal(alive(pid), false);
      assert.equal((await sdk.pg.servers.get(rg(), name)).state, "Stopped");
      await assert.rejects(
        sdk.pg.servers.beginStopAndWait(rg(), name, { updateIntervalInMs: 20 }),
        (e: any) => e.statusCode === 409,
      );
      await assert.rejects(
        sdk.pg.servers.beginUpdateAndWait(
          rg(),
          name,
          { replica: { promoteMode: "Standalone", promoteOption: "Forced" } },
          { updateIntervalInMs: 20 },
        ),
        (e: any) => e.statusCode === 409 && e.code === "ServerNotReady",
      );
      await sdk.pg.servers.beginStartAndWait(rg(), name, { updateIntervalInMs: 20 });
      assert.equal((await sdk.pg.servers.get(rg(), name)).state, "Ready");
      const [row] = await lab.adminQuery<{ rec: boolean }>("replica", "select pg_is_in_recovery() rec");
      assert.equal(row?.rec, true, "comes back as a streaming standby");
    },
  );

  test(
    "region down: the primary's process dies, ARM says Inaccessible, a Planned promote is refused, a Forced promote works; region up brings the old primary back (split brain, as Azure warns)",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const [primaryPid] = lab.pids().postgres;
      assert.ok(primaryPid);
      const health = new ArmResourceHealth(credentialFor(lab), { endpoint: info.arm.endpoint, caPem: info.caPem });
      assert.equal((await health.availability(info.servers.primary.resourceId)).state, "Available");
      await lab.regionDown(info.servers.primary.region);
      assert.equal(alive(primaryPid), false);
      const p = await sdk.pg.servers.get(rg(), info.servers.primary.name);
      assert.equal(p.state, "Inaccessible");
      assert.deepEqual(await health.availability(info.servers.primary.resourceId), {
        state: "Unavailable",
        reasonType: "Unplanned",
        summary: "We're sorry, your Azure Database for PostgreSQL flexible server is unavailable.",
      });
      assert.equal((await health.availability(info.servers.replica.resourceId)).state, "Available");
      await assert.rejects(queryByName(lab, info.servers.primary.fqdn, "select 1"), (e: any) =>
        /ECONNREFUSED/.test(`${e.code} ${e.message}`),
      );
      await assert.rejects(
        sdk.pg.servers.beginUpdateAndWait(
          rg(),
          info.servers.replica.name,
          { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
          { updateIntervalInMs: 20 },
        ),
        (e: any) => e.statusCode === 409 && e.code === "SourceServerUnavailable",
      );
      const promoted = await sdk.pg.servers.beginUpdateAndWait(
        rg(),
        info.servers.replica.name,
        { replica: { promoteMode: "Standalone", promoteOption: "Forced" } },
        { updateIntervalInMs: 20 },
      );
      assert.equal(promoted.replicationRole, "Primary");
      await queryByName(
        lab,
        info.servers.replica.fqdn,
        "insert into lab_writes(note) values ('written during the outage')",
      );

      const up = await armFetch(lab, "POST", `/_lab/regions/${info.servers.primary.region}/up`);
      assert.equal(up.status, 200);
      assert.equal((await sdk.pg.servers.get(rg(), info.servers.primary.name)).state, "Ready");
      assert.equal((await health.availability(info.servers.primary.resourceId)).state, "Available");
      const [old] = await lab.adminQuery<{ rec: boolean }>("primary", "select pg_is_in_recovery() rec");
      assert.equal(old?.rec, false, "the old primary is writable again: never point the CNAME back automatically");
      const unknown = await armFetch(lab, "POST", "/_lab/regions/mars/down");
      assert.equal(unknown.status, 404);
    },
  );
});
