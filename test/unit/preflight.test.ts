// Preflight's A-record check: the repoint writes the target's A record into the CNAME, so that record must
// lead to the server the run promotes. One that leads elsewhere (a stale or mistyped record) refuses the run
// before anything changes; the same problem on the old primary's record is only a warning.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePreflight } from "../../src/activities/preflight";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, primaryState, replicaState } from "./fixtures";

const PRIMARY_ADDRESS = "10.0.0.4";
const REPLICA_ADDRESS = "10.1.0.4";

/** Each server's own name and the A record the pair names for it, answering these addresses. */
function probeWith(records: { eus: string[]; wus: string[] }) {
  const answers: Record<string, string[]> = {
    [EUS]: records.eus,
    [WUS]: records.wus,
    "pg-eus.postgres.database.azure.com": [PRIMARY_ADDRESS],
    "pg-wus.postgres.database.azure.com": [REPLICA_ADDRESS],
  };
  const probe = {
    resolve: async (name: string) => ({ chain: [name], addresses: answers[name] ?? [], ttl: 30 }),
    fenceState: async (name: string) => ({
      inRecovery: name.startsWith("pg-wus"),
      readOnlyDefault: "off",
      walLsn: name.startsWith("pg-wus") ? null : "0/3000060",
      overrides: [],
    }),
    walPosition: async (name: string) =>
      name.startsWith("pg-wus")
        ? { inRecovery: true, lsn: "0/3000000", replaySeconds: 0.5 }
        : { inRecovery: false, lsn: "0/3000060", replaySeconds: null },
  };
  return probe as unknown as PostgresProbe;
}

function setup(records: { eus: string[]; wus: string[] }) {
  const dns = new FakeDns({ target: EUS, ttl: 30 });
  const servers = new FakeServers({ eus: primaryState(), wus: replicaState() });
  const preflight = makePreflight(fakeDeps(dns, servers, probeWith(records)));
  const run = () => preflight({ runId: "r", pair: "prod", option: "Planned", dryRun: false, mode: "failover" });
  return { dns, servers, run };
}

test("records that lead to their servers: ready, from the primary to the replica, no A-record warning", async () => {
  const { run } = setup({ eus: [PRIMARY_ADDRESS], wus: [REPLICA_ADDRESS] });
  const r = await run();
  assert.equal(r.kind, "ready", JSON.stringify(r));
  assert.equal(r.kind === "ready" && `${r.from.name} → ${r.to.name}`, "pg-eus → pg-wus");
  assert.deepEqual(r.kind === "ready" && r.warnings.filter((w) => /A record/.test(w)), []);
});

test("the replica's A record leads to the primary's address: refused ARecordMismatch, naming both, nothing changed", async () => {
  const { dns, servers, run } = setup({ eus: [PRIMARY_ADDRESS], wus: [PRIMARY_ADDRESS] });
  const r = await run();
  assert.equal(r.kind, "refused");
  assert.equal(r.kind === "refused" && r.code, "ARecordMismatch");
  const reason = r.kind === "refused" ? r.reason : "";
  assert.match(reason, new RegExp(`the A record ${WUS.replace(/\./g, "\\.")} \\(10\\.0\\.0\\.4\\)`));
  assert.match(reason, /does not lead to pg-wus \(pg-wus\.postgres\.database\.azure\.com → 10\.1\.0\.4\)/);
  assert.deepEqual([dns.puts, servers.parameterWrites, servers.promotes], [[], [], []]);
});

test("the replica's A record has no address, or one extra address elsewhere: refused too", async () => {
  for (const wus of [[], [REPLICA_ADDRESS, PRIMARY_ADDRESS]]) {
    const r = await setup({ eus: [PRIMARY_ADDRESS], wus }).run();
    assert.equal(r.kind === "refused" && r.code, "ARecordMismatch", `${JSON.stringify(wus)}: ${JSON.stringify(r)}`);
  }
});

test("the old primary's A record leads elsewhere: only a warning (the CNAME leaves it), the run is ready", async () => {
  const { run } = setup({ eus: [REPLICA_ADDRESS], wus: [REPLICA_ADDRESS] });
  const r = await run();
  assert.equal(r.kind, "ready", JSON.stringify(r));
  const warnings = r.kind === "ready" ? r.warnings : [];
  assert.equal(warnings.filter((w) => w.includes(`the A record ${EUS}`)).length, 1, JSON.stringify(warnings));
});
