// What preflight tells the person who runs or approves a failover, word for word where they act on it: an A record
// that leads elsewhere (every address on both sides, or "no address"), a record it could not resolve, the
// topology's own warnings, a TTL longer than the drain cap; and a lag store it cannot read costs only the sample.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePreflight } from "../../src/activities/preflight";
import type { PreflightResult } from "../../src/activities/contracts";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, primaryState, replicaState } from "./fixtures";

type Addresses = Record<string, string[] | Error>;

function preflightWith(o: { addresses?: Addresses; ttl?: number; primaryDown?: boolean; samplesFail?: boolean } = {}) {
  const addresses: Addresses = {
    [EUS]: ["10.0.0.4"],
    "pg-eus.postgres.database.azure.com": ["10.0.0.4"],
    [WUS]: ["10.1.0.4"],
    "pg-wus.postgres.database.azure.com": ["10.1.0.4"],
    ...o.addresses,
  };
  const down = () => Object.assign(new Error("connect ETIMEDOUT 10.0.0.4:5432"), { code: "ETIMEDOUT" });
  const probe = {
    resolve: async (name: string) => {
      const a = addresses[name];
      if (a instanceof Error) throw a;
      return { chain: [name], addresses: a ?? [], ttl: 30 };
    },
    fenceState: async (name: string) => {
      if (o.primaryDown && name.startsWith("pg-eus")) throw down();
      return { inRecovery: name.startsWith("pg-wus"), readOnlyDefault: "off", walLsn: null, overrides: [] };
    },
    walPosition: async (name: string) => {
      if (name.startsWith("pg-wus")) return { inRecovery: true, lsn: "0/3000000", replaySeconds: 0.5 };
      if (o.primaryDown) throw down();
      return { inRecovery: false, lsn: "0/3000060", replaySeconds: null };
    },
  } as unknown as PostgresProbe;
  const deps = fakeDeps(
    new FakeDns({ target: EUS, ttl: o.ttl ?? 30 }),
    new FakeServers({ eus: primaryState(), wus: replicaState() }),
    probe,
  );
  if (o.samplesFail) deps.state.samples = () => Promise.reject(new Error("table unreachable"));
  const preflight = makePreflight(deps);
  return (option: "Planned" | "Forced" = "Planned") =>
    preflight({ runId: "r", pair: "prod", option, dryRun: false, mode: "failover" });
}

const refusal = (r: PreflightResult) => (r.kind === "refused" ? `${r.code}: ${r.reason}` : `not refused: ${r.kind}`);
const warnings = (r: PreflightResult) => (r.kind === "ready" ? r.warnings : [`not ready: ${JSON.stringify(r)}`]);

test("the target's A record leading elsewhere is refused with every address on both sides", async () => {
  const r = await preflightWith({
    addresses: { [WUS]: ["10.9.0.1", "10.9.0.2"], "pg-wus.postgres.database.azure.com": ["10.1.0.4", "10.1.0.5"] },
  })();
  assert.equal(
    refusal(r),
    `ARecordMismatch: the A record ${WUS} (10.9.0.1, 10.9.0.2) does not lead to pg-wus (pg-wus.postgres.database.azure.com → 10.1.0.4, 10.1.0.5): fix the pair's aRecord or the zone before failing over`,
  );
});

test("an A record or a name without any address says so rather than leaving the parentheses empty", async () => {
  const r = await preflightWith({ addresses: { [WUS]: [], "pg-wus.postgres.database.azure.com": [] } })();
  assert.equal(
    refusal(r),
    `ARecordMismatch: the A record ${WUS} (no address) does not lead to pg-wus (pg-wus.postgres.database.azure.com → no address): fix the pair's aRecord or the zone before failing over`,
  );
});

test("an old primary's record that cannot be resolved is a warning naming both names and the error", async () => {
  const r = await preflightWith({
    addresses: { [EUS]: Object.assign(new Error("queryA ENOTFOUND"), { code: "ENOTFOUND" }) },
  })();
  assert.ok(
    warnings(r).includes(
      `cannot resolve ${EUS} and pg-eus.postgres.database.azure.com to compare them: ENOTFOUND: queryA ENOTFOUND`,
    ),
    JSON.stringify(warnings(r)),
  );
});

test("the topology's own warnings reach the plan (a forced promote of a Ready primary may lose the lag)", async () => {
  const r = await preflightWith()("Forced");
  assert.ok(
    warnings(r).includes("pg-eus is Ready: a forced promote may lose the replica lag; Planned loses nothing"),
    JSON.stringify(warnings(r)),
  );
});

test("a TTL longer than the drain cap is a warning that says what clients may do and what avoids it", async () => {
  const r = await preflightWith({ ttl: 3600 })();
  assert.ok(
    warnings(r).includes(
      "the CNAME's TTL (3600s) is longer than the drain cap (300s): clients may keep the old answer for up to 3600s after a repoint (a forced failover cannot drain at all); a steady-state TTL of 300s or less avoids that",
    ),
    JSON.stringify(warnings(r)),
  );
});

test("with the primary away and the lag samples unreadable, the data at risk is unknown (not a failed preflight)", async () => {
  const r = await preflightWith({ primaryDown: true, samplesFail: true })("Forced");
  assert.equal(r.kind, "ready", JSON.stringify(r));
  assert.deepEqual(r.kind === "ready" && r.risk, {
    bytes: null,
    replaySeconds: null,
    source: "unknown",
    measuredAt: null,
  });
});
