// Preflight's plan beyond the A records (makePreflight): the lag it measures and the data at risk it reports
// (what the RPO guard and the approver go by), when it refuses for the replica, the fence value it keeps for the
// undo, and the warnings a person reads before approving.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePreflight } from "../../src/activities/preflight";
import type { PreflightInput, PreflightResult } from "../../src/activities/contracts";
import type { LagSample } from "../../src/domain/lag";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, primaryState, replicaState } from "./fixtures";

const PRIMARY = "pg-eus.postgres.database.azure.com";
const REPLICA = "pg-wus.postgres.database.azure.com";
const ADDRESS: Record<string, string> = {
  [EUS]: "10.0.0.4",
  [PRIMARY]: "10.0.0.4",
  [WUS]: "10.1.0.4",
  [REPLICA]: "10.1.0.4",
};

interface World {
  /** Names whose data plane does not answer (every probe call throws). */
  down: Set<string>;
  replicaInRecovery: boolean;
  primaryReadOnly: string;
  walCalls: { name: string; mode: string }[];
}

function setup(o: { ttl?: number } = {}) {
  const world: World = { down: new Set(), replicaInRecovery: true, primaryReadOnly: "off", walCalls: [] };
  const check = (name: string) => {
    if (world.down.has(name)) throw Object.assign(new Error(`connect ECONNREFUSED ${name}`), { code: "ECONNREFUSED" });
  };
  const probe = {
    resolve: async (name: string) => ({ chain: [name], addresses: [ADDRESS[name]!], ttl: 30 }),
    fenceState: async (name: string) => {
      check(name);
      const replica = name === REPLICA;
      return {
        inRecovery: replica ? world.replicaInRecovery : false,
        readOnlyDefault: replica ? "off" : world.primaryReadOnly,
        walLsn: null,
        overrides: [],
      };
    },
    walPosition: async (name: string, _login: unknown, mode: string) => {
      world.walCalls.push({ name, mode });
      check(name);
      return name === REPLICA
        ? { inRecovery: world.replicaInRecovery, lsn: "0/3000000", replaySeconds: 0.5 }
        : { inRecovery: false, lsn: "0/3000060", replaySeconds: null };
    },
  };
  const dns = new FakeDns({ target: EUS, ttl: o.ttl ?? 30 });
  const servers = new FakeServers({ eus: primaryState(), wus: replicaState() });
  const deps = fakeDeps(dns, servers, probe as unknown as PostgresProbe);
  const preflight = makePreflight(deps);
  const run = (i: Partial<PreflightInput> = {}) =>
    preflight({ runId: "r", pair: "prod", option: "Planned", dryRun: false, mode: "failover", ...i });
  return { world, deps, servers, run };
}

const ready = (r: PreflightResult) => {
  assert.ok(r.kind === "ready", JSON.stringify(r));
  return r;
};

test("both servers answer: the lag is measured (bytes between their WAL positions, with verify-full) and is the data at risk", async () => {
  const { world, run } = setup();
  const r = ready(await run());
  assert.deepEqual(
    [r.lag?.bytes, r.lag?.replaySeconds, r.lag?.primaryReachable],
    [0x60, 0.5, true],
    "0/3000060 - 0/3000000",
  );
  assert.deepEqual([r.risk.bytes, r.risk.replaySeconds, r.risk.source], [0x60, 0.5, "measured"]);
  assert.equal(r.risk.measuredAt, r.lag?.measuredAt);
  assert.deepEqual(world.walCalls, [
    { name: REPLICA, mode: "verify-full" },
    { name: PRIMARY, mode: "verify-full" },
  ]);
});

test("a replica that cannot be reached, or answers but is not in recovery: refused ReplicaUnreachable, naming it", async () => {
  const a = setup();
  a.world.down.add(REPLICA);
  const r = await a.run({ option: "Forced" });
  assert.equal(r.kind === "refused" && r.code, "ReplicaUnreachable", JSON.stringify(r));
  assert.match(
    r.kind === "refused" ? r.reason : "",
    new RegExp(`^cannot reach the replica ${REPLICA}: .*ECONNREFUSED`),
  );

  // Answers as a replica to the plan's first look, then as a writable server when the lag is measured.
  const b = setup();
  const walPosition = b.deps.probe.walPosition.bind(b.deps.probe);
  b.deps.probe.walPosition = async (...args: Parameters<PostgresProbe["walPosition"]>) => {
    const w = await walPosition(...args);
    return args[0] === REPLICA ? { ...w, inRecovery: false } : w;
  };
  const r2 = await b.run();
  assert.deepEqual(r2.kind === "refused" && [r2.code, r2.reason], [
    "ReplicaUnreachable",
    `${REPLICA} answers but is not in recovery: it is not a streaming replica`,
  ]);
});

test("forced with the primary gone: the lag is not measured, the data at risk is the last sample taken while it lived", async () => {
  const { world, deps, run } = setup();
  world.down.add(PRIMARY);
  const sample = (o: Partial<LagSample>): LagSample => ({
    at: "2026-11-27T02:58:00.000Z",
    primary: "pg-eus",
    replica: "pg-wus",
    bytes: 2048,
    replaySeconds: 2,
    primaryAlive: true,
    ...o,
  });
  const unknown = ready(await run({ option: "Forced" }));
  assert.deepEqual([unknown.lag?.bytes, unknown.lag?.primaryReachable, unknown.lag?.replaySeconds], [null, false, 0.5]);
  assert.match(unknown.lag?.note ?? "", /^primary unreachable: .*ECONNREFUSED/);
  assert.deepEqual(unknown.risk, { bytes: null, replaySeconds: null, source: "unknown", measuredAt: null });

  await deps.state.addSample("prod", sample({}));
  await deps.state.addSample("prod", sample({ at: "2026-11-27T02:59:00.000Z", primaryAlive: false, bytes: null }));
  const r = ready(await run({ option: "Forced" }));
  assert.deepEqual(r.risk, { bytes: 2048, replaySeconds: 2, source: "sample", measuredAt: "2026-11-27T02:58:00.000Z" });
  assert.equal(r.from.dataPlane.reachable, false);
  assert.match(r.from.dataPlane.error ?? "", /ECONNREFUSED/);
});

test("completing a failover measures no lag (the target is promoted)", async () => {
  const { world, servers, run } = setup();
  Object.assign(servers.states.wus!, {
    role: "Primary",
    sourceServerResourceId: undefined,
    replicationState: undefined,
  });
  world.replicaInRecovery = false;
  world.primaryReadOnly = "on";
  const r = ready(await run({ option: "Forced", mode: "complete" }));
  assert.equal(r.lag, null);
  assert.deepEqual(world.walCalls, []);
  assert.equal(r.fenceBefore, "off", "completing keeps the fence value for the undo, as a planned run does");
});

test("the fence value kept for the undo: read for a planned run (null when unreadable), not for a forced one", async () => {
  const a = setup();
  a.servers.parameters.set(`${primaryState().resourceId}|default_transaction_read_only`, "on");
  assert.equal(ready(await a.run({ option: "Planned" })).fenceBefore, "on");
  assert.equal(ready(await a.run({ option: "Forced" })).fenceBefore, null);
  a.servers.getParameter = async () => {
    throw new Error("ARM read failed");
  };
  assert.equal(ready(await a.run({ option: "Planned" })).fenceBefore, null);
});

test("warnings: an old primary already fenced, and a TTL longer than the drain cap (only when longer)", async () => {
  const fenced = setup();
  fenced.world.primaryReadOnly = "on";
  const f = ready(await fenced.run({ option: "Forced" }));
  assert.ok(f.warnings.includes("pg-eus is already fenced (new sessions are read-only)"), JSON.stringify(f.warnings));
  assert.equal(f.from.dataPlane.readOnlyDefault, "on");

  const cap = ready(await setup().run()).warnings.length;
  assert.equal(cap, 0, "a TTL of 30 s and an unfenced primary: nothing to warn of");
  const long = ready(await setup({ ttl: 301 }).run());
  assert.equal(long.warnings.length, 1);
  assert.match(long.warnings[0]!, /^the CNAME's TTL \(301s\) is longer than the drain cap \(300s\)/);
  assert.equal(ready(await setup({ ttl: 300 }).run()).warnings.length, 0, "equal to the cap: no warning");
});

test("a server ARM reports without a name is unreachable by its data plane, said so; its fqdn falls back to the Azure default", async () => {
  const { servers, run } = setup();
  delete servers.states.eus!.fqdn;
  const r = await run({ option: "Forced" });
  const from = r.kind === "ready" ? r.from : undefined;
  assert.deepEqual(
    [from?.dataPlane.reachable, from?.dataPlane.error, from?.fqdn],
    [false, "ARM reports no fullyQualifiedDomainName", PRIMARY],
  );
});
