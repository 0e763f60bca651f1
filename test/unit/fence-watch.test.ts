// The fence watch (src/app/fence-watch.ts): after a forced failover that could not fence the old primary, the
// watch fences it when it comes back — read-only by default, stopped through ARM with fence.onReturn "stop" —
// never fences a server the CNAME serves again (someone failed back by hand), and gives up when the watch expires.
import assert from "node:assert/strict";
import { test } from "node:test";
import { watchFences } from "../../src/app/fence-watch";
import { FENCE_PARAMETER } from "../../src/activities/fencing";
import type { PendingFence } from "../../src/state/pair-state";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, pair, primaryState, replicaState } from "./fixtures";

const NOW = new Date("2026-12-04T12:00:00.000Z");
const OLD_PRIMARY = {
  resourceId: idOf("pg-eus"),
  name: "pg-eus",
  aRecord: "a1b2c3d4e5f6",
  aRecordFqdn: EUS,
  fqdn: "pg-eus.postgres.database.azure.com",
};

function owed(over: Partial<PendingFence> = {}): PendingFence {
  return {
    pair: pair.name,
    runId: "run-forced",
    server: OLD_PRIMARY,
    since: "2026-12-04T10:00:00.000Z",
    until: "2026-12-05T10:00:00.000Z",
    action: "readOnly",
    state: "pending",
    attempts: 3,
    ...over,
  };
}

/** The old primary answering on its own name (or not, while its region is down); the fence holds on it. */
function probe(servers: FakeServers, answers = true) {
  const ended: string[] = [];
  const p = {
    fenceState: async (name: string) => {
      if (!answers) throw Object.assign(new Error(`connect ETIMEDOUT ${name}`), { code: "ETIMEDOUT" });
      return {
        inRecovery: false,
        readOnlyDefault: servers.parameters.get(`${OLD_PRIMARY.resourceId}|${FENCE_PARAMETER}`) ?? "off",
        walLsn: "0/5000000",
        overrides: [],
      };
    },
    endSessions: async (name: string) => {
      ended.push(name);
      return { ended: 2, stillExiting: 0, survivors: [] };
    },
  };
  return { probe: p as unknown as PostgresProbe, ended };
}

function setup(opts: { cnameTarget?: string; fence?: PendingFence; answers?: boolean; armState?: string } = {}) {
  const dns = new FakeDns({ target: opts.cnameTarget ?? WUS, ttl: 30 });
  const servers = new FakeServers({
    eus: { ...primaryState(), state: opts.armState ?? "Ready" },
    wus: { ...replicaState(), role: "Primary" },
  });
  const { probe: p, ended } = probe(servers, opts.answers ?? true);
  const deps = fakeDeps(dns, servers, p);
  if (opts.fence) void deps.state.putFence(opts.fence);
  const watch = () => watchFences(deps, [pair], NOW);
  return { deps, servers, ended, watch };
}

test("the old primary comes back: fenced (new sessions read-only, open sessions ended), recorded and audited", async () => {
  const { deps, servers, ended, watch } = setup({ fence: owed() });
  await watch();
  assert.deepEqual(servers.parameterWrites, [
    { resourceId: OLD_PRIMARY.resourceId, name: FENCE_PARAMETER, value: "on" },
  ]);
  assert.deepEqual(ended, [OLD_PRIMARY.fqdn]);
  const f = await deps.state.fence(pair.name);
  assert.equal(f?.state, "fenced");
  assert.equal(f?.attempts, 4);
  assert.equal(f?.lastAttemptAt, NOW.toISOString());
  assert.equal(f?.note, "2 session(s) ended");
  assert.deepEqual(
    deps.journal.entries.map((e) => [e.runId, e.step, e.event]),
    [["run-forced", "fenceWatch", "succeeded"]],
  );
  assert.match(deps.journal.entries[0]!.summary, /pg-eus came back and was fenced/);
});

test("the CNAME serves the old primary again (failed back by hand): never fenced, the watch ends, refused in the audit", async () => {
  // The CNAME target differs only in case and a trailing dot: DNS names compare case-insensitively.
  const { deps, servers, ended, watch } = setup({ fence: owed(), cnameTarget: `${EUS.toUpperCase()}.` });
  await watch();
  assert.deepEqual(servers.parameterWrites, [], "no fence parameter written");
  assert.deepEqual([ended, servers.stops], [[], []]);
  const f = await deps.state.fence(pair.name);
  assert.equal(f?.state, "expired");
  assert.equal(f?.note, "the CNAME serves this server again: not fencing it");
  assert.deepEqual(
    deps.journal.entries.map((e) => e.event),
    ["refused"],
  );
  assert.match(deps.journal.entries[0]!.summary, /the CNAME points at it again/);
  // And the next round does nothing at all: the watch is over.
  await watch();
  assert.deepEqual([servers.parameterWrites.length, deps.journal.entries.length], [0, 1]);
});

test('fence.onReturn "stop": the returning old primary is stopped through ARM, not made read-only', async () => {
  const { deps, servers, ended, watch } = setup({ fence: owed({ action: "stop" }) });
  await watch();
  assert.deepEqual(servers.stops, [OLD_PRIMARY.resourceId]);
  assert.deepEqual([servers.parameterWrites, ended], [[], []]);
  const f = await deps.state.fence(pair.name);
  assert.deepEqual([f?.state, f?.note], ["fenced", "stopped through ARM"]);
  assert.match(deps.journal.entries[0]!.summary, /pg-eus came back and was stopped through ARM/);
});

test('fence.onReturn "stop" while ARM does not report it Ready: not stopped yet, still pending with the reason', async () => {
  const { deps, servers, watch } = setup({ fence: owed({ action: "stop" }), armState: "Starting" });
  await watch();
  assert.deepEqual(servers.stops, []);
  const f = await deps.state.fence(pair.name);
  assert.equal(f?.state, "pending");
  assert.equal(f?.attempts, 4);
  assert.match(f?.lastError ?? "", /ARM reports it Starting/);
  assert.deepEqual(deps.journal.entries, [], "a retry is not audited, only changes of state");
});

test("the old primary still does not answer: still pending, the attempt and its reason kept, nothing audited", async () => {
  const { deps, watch } = setup({ fence: owed(), answers: false });
  await watch();
  const f = await deps.state.fence(pair.name);
  assert.equal(f?.state, "pending");
  assert.equal(f?.attempts, 4);
  assert.match(f?.lastError ?? "", /ETIMEDOUT/);
  assert.deepEqual(deps.journal.entries, []);
});

test("the watch expired: given up, audited as failed telling the operator to fence it by hand; nothing touched", async () => {
  const until = new Date(NOW.getTime() - 1).toISOString();
  const { deps, servers, ended, watch } = setup({ fence: owed({ until }) });
  await watch();
  assert.deepEqual([servers.parameterWrites, servers.stops, ended], [[], [], []]);
  const f = await deps.state.fence(pair.name);
  assert.equal(f?.state, "expired");
  assert.equal(f?.note, `gave up at ${NOW.toISOString()}`);
  assert.deepEqual(
    deps.journal.entries.map((e) => e.event),
    ["failed"],
  );
  assert.match(deps.journal.entries[0]!.summary, /was not fenced: the watch expired at .*fence it by hand/);
});

test("up to the last moment of the watch it still fences", async () => {
  const { deps, watch } = setup({ fence: owed({ until: NOW.toISOString() }) });
  await watch();
  assert.equal((await deps.state.fence(pair.name))?.state, "fenced");
});

test("a fence already applied or given up is left alone", async () => {
  for (const state of ["fenced", "expired"] as const) {
    const { deps, servers, ended, watch } = setup({ fence: owed({ state }) });
    await watch();
    assert.deepEqual([servers.parameterWrites, servers.stops, ended, deps.journal.entries], [[], [], [], []], state);
    assert.equal((await deps.state.fence(pair.name))?.attempts, 3, state);
  }
});
