// The traffic generator on the real lab: writes through the CNAME land on the primary, an unsafe failover
// (promote + repoint, no fencing) is measured as lost/diverged writes with the old primary still writable,
// and a fenced, planned failover loses nothing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { startLab, type Lab } from "../../local/lab";
import { promotedAt, startTraffic, type Traffic } from "../../local/lab/traffic";
import { clients, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

/** Promote the replica through the ARM emulator, then repoint prod at it, as a runbook would. */
async function promoteAndRepoint(lab: Lab, option: "Planned" | "Forced"): Promise<string> {
  const { info } = lab;
  const sdk = clients(lab);
  await sdk.pg.servers.beginUpdateAndWait(
    info.resourceGroup,
    info.servers.replica.name,
    { replica: { promoteMode: "Standalone", promoteOption: option } },
    { updateIntervalInMs: 25 },
  );
  const at = promotedAt(lab.operations());
  assert.ok(at, "the promote operation succeeded");
  const cur = await sdk.dns.recordSets.get(info.resourceGroup, info.zone, "CNAME", info.cnameRecord);
  await sdk.dns.recordSets.createOrUpdate(
    info.resourceGroup,
    info.zone,
    "CNAME",
    info.cnameRecord,
    { ttl: cur.ttl, cnameRecord: { cname: info.servers.replica.aRecordFqdn } },
    { ifMatch: cur.etag },
  );
  return at;
}

const ackedBy = (t: Traffic, address: string, since = 0): number =>
  t.acknowledged().filter((w) => w.server === address && w.ackedAt > since).length;

/** A query on the primary as app_writer, by the server's own name (verify-full). */
async function asWriter(lab: Lab, sql: string): Promise<void> {
  const { writer } = lab.info.postgres;
  const client = new pg.Client({ ...lab.clientConfig("primary"), user: writer.user, password: writer.password });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("traffic generator: unfenced failover", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ promoteDelayMs: 100, azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test("app_writer may insert into and read traffic_writes, and nothing else", LAB_TEST, async () => {
    await asWriter(lab, "insert into traffic_writes(client_id) values (gen_random_uuid())");
    await asWriter(lab, "select count(*) from traffic_writes");
    await assert.rejects(asWriter(lab, "select * from lab_writes"), /permission denied/);
    await assert.rejects(asWriter(lab, "delete from traffic_writes"), /permission denied/);
    await assert.rejects(asWriter(lab, "create temp table t(x int)"), /permission denied/);
    await assert.rejects(lab.appQuery("primary", "select * from traffic_writes"), /permission denied/);
  });

  test(
    "writes through prod land on the primary (pool, and per transaction with a DNS cache that honours the TTL); without a failover nothing is lost",
    LAB_TEST,
    async (t) => {
      for (const mode of ["pool", "per-transaction"] as const) {
        const traffic = startTraffic(lab.info, { mode, rate: 100 });
        t.after(() => traffic.stop());
        await waitFor(`50 ${mode} writes`, () => traffic.stats().acknowledged >= 50, 20_000);
        const report = await traffic.report({ newPrimary: "primary" });
        assert.deepEqual(report.byServer, { "127.0.0.1": report.acknowledged }, `${mode}: all on the primary`);
        assert.equal(report.lost, 0);
        assert.equal(report.oldPrimary.acceptsWrites, false, "the other server, a replica, refuses writes");
        if (mode === "per-transaction") assert.equal(traffic.stats().dnsQueries, 1, "one DNS query within the TTL");
      }
    },
  );

  test(
    "an unfenced forced failover (promote + repoint through ARM) is reported as lost and diverged writes, the old primary still writable",
    LAB_TEST,
    async (t) => {
      const traffic = startTraffic(lab.info);
      t.after(() => traffic.stop());
      await waitFor("writes before the failover", () => traffic.stats().acknowledged >= 100, 20_000);
      const at = await promoteAndRepoint(lab, "Forced");
      // The pool's connections still reach the old primary, which nothing fenced: it keeps acknowledging writes.
      await waitFor(
        "writes acknowledged by the old primary after the promote",
        () => ackedBy(traffic, "127.0.0.1", Date.parse(at)) >= 20,
        20_000,
      );
      const report = await traffic.report({ newPrimary: "replica", promotedAt: at });
      assert.ok((report.diverged ?? 0) >= 20, `diverged ${report.diverged}`);
      assert.ok(report.lost >= (report.diverged ?? 0), `lost ${report.lost} includes the diverged writes`);
      assert.equal(report.oldPrimary.acceptsWrites, true, report.oldPrimary.detail);
      assert.ok(report.lostSample.every((w) => w.server === "127.0.0.1"));
    },
  );
});

describe("traffic generator: fenced planned failover", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ promoteDelayMs: 100, azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test(
    "fence the old primary read-only, planned promote (catch-up), repoint: no acknowledged write is lost, the old primary refuses writes, the outage is measured",
    LAB_TEST,
    async (t) => {
      const { info } = lab;
      const sdk = clients(lab);
      const traffic = startTraffic(info);
      t.after(() => traffic.stop());
      await waitFor("writes before the failover", () => traffic.stats().acknowledged >= 100, 20_000);
      await sdk.pg.configurations.beginPutAndWait(
        info.resourceGroup,
        info.servers.primary.name,
        "default_transaction_read_only",
        { value: "on", source: "user-override" },
        { updateIntervalInMs: 20 },
      );
      const at = await promoteAndRepoint(lab, "Planned");
      // Refused writes drop their connection; new connections resolve prod again and reach the new primary.
      await waitFor("writes acknowledged by the new primary", () => ackedBy(traffic, "127.0.0.2") >= 50, 20_000);
      const report = await traffic.report({ newPrimary: "replica", promotedAt: at });
      assert.equal(report.lost, 0, JSON.stringify(report.lostSample));
      assert.equal(report.diverged, 0);
      assert.equal(report.oldPrimary.acceptsWrites, false);
      assert.match(report.oldPrimary.detail, /read-only transaction/);
      assert.ok(report.failed > 0, "writes failed while no server took them");
      assert.notEqual(report.unavailability.firstFailureToNextSuccessMs, null, "writes came back");
      assert.ok(report.unavailability.longestGapMs >= 100, "no write succeeded during the promote (100 ms delay)");
    },
  );
});
