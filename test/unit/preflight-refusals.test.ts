// Preflight's own refusals and facts, beyond the A-record check (preflight.test.ts): a topology that refuses (no
// replica) refuses the run with that code and what it saw, before any record is compared; a data plane that
// answered is reachable; a lag needs both positions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePreflight } from "../../src/activities/preflight";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, fakeDeps, primaryState, replicaState } from "./fixtures";

function preflightWith(o: { wusRole?: "Primary"; primaryLsn?: string | null } = {}) {
  const resolved: string[] = [];
  const probe = {
    resolve: async (name: string) => {
      resolved.push(name);
      return {
        chain: [name],
        addresses: [name.includes("wus") || name.startsWith("0a") ? "10.1.0.4" : "10.0.0.4"],
        ttl: 30,
      };
    },
    fenceState: async (name: string) => ({
      inRecovery: name.startsWith("pg-wus") && o.wusRole === undefined,
      readOnlyDefault: "off",
      walLsn: null,
      overrides: [],
    }),
    walPosition: async (name: string) =>
      name.startsWith("pg-wus")
        ? { inRecovery: true, lsn: "0/3000000", replaySeconds: 0.5 }
        : { inRecovery: false, lsn: o.primaryLsn === undefined ? "0/3000060" : o.primaryLsn, replaySeconds: null },
  } as unknown as PostgresProbe;
  const wus = o.wusRole ? primaryState("pg-wus") : replicaState();
  const preflight = makePreflight(
    fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), new FakeServers({ eus: primaryState(), wus }), probe),
  );
  const run = () => preflight({ runId: "r", pair: "prod", option: "Planned", dryRun: false, mode: "failover" });
  return { run, resolved };
}

test("two writable primaries are refused with the topology's code, the CNAME and both servers, before any record is resolved", async () => {
  const { run, resolved } = preflightWith({ wusRole: "Primary" });
  const r = await run();
  assert.equal(r.kind, "refused", JSON.stringify(r));
  if (r.kind !== "refused") return;
  assert.equal(r.code, "TwoWritablePrimaries");
  assert.equal(r.cname?.target, EUS);
  assert.deepEqual(
    r.servers?.map((s) => s?.name),
    ["pg-eus", "pg-wus"],
  );
  assert.deepEqual(resolved, [], "nothing compared for a run that cannot go ahead");
});

test("the servers' data planes that answered are reachable, with what they said; a lag needs both positions", async () => {
  const r = await preflightWith().run();
  assert.equal(r.kind, "ready", JSON.stringify(r));
  if (r.kind !== "ready") return;
  assert.deepEqual(r.from.dataPlane, { reachable: true, inRecovery: false, readOnlyDefault: "off" });
  assert.deepEqual(r.to.dataPlane, { reachable: true, inRecovery: true, readOnlyDefault: "off" });
  assert.equal(r.lag?.bytes, 0x60);
  const unknown = await preflightWith({ primaryLsn: null }).run();
  assert.deepEqual(
    unknown.kind === "ready" && [unknown.lag?.bytes, unknown.lag?.primaryReachable],
    [null, true],
    "no primary position: the lag is unknown, not 0, and the primary still answered",
  );
});
