// The alert's confirmation step (makeConfirmDown): how many looks it takes at the primary and over what window,
// when it stops looking, and what it reports of each look, of ARM and of Resource Health — the evidence an
// approver reads and confirmVerdict decides on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeConfirmDown } from "../../src/activities/confirm-down";
import type { ServerFacts } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeHealth, FakeServers, fakeDeps, idOf, pair, primaryState, tickUntil } from "./fixtures";

const refused = () => Object.assign(new Error("connect ECONNREFUSED 10.0.0.4:5432"), { code: "ECONNREFUSED" });
const ourDns = () => Object.assign(new Error("queryA ETIMEOUT pg-eus.x"), { code: "ETIMEOUT", syscall: "queryA" });
const server = { resourceId: idOf("pg-eus"), name: "pg-eus", aRecord: "a", aRecordFqdn: EUS, fqdn: "pg-eus.x" };

function setup(look: (n: number, name: string) => Partial<ServerFacts>, health = new FakeHealth()) {
  const servers = new FakeServers({ eus: primaryState() });
  const looks: { name: string; at: number; mode: string; fresh: boolean | undefined }[] = [];
  const deps = fakeDeps(
    new FakeDns({ target: EUS, ttl: 30 }),
    servers,
    {
      inspect: async (name: string, _login: unknown, mode: string, o?: { fresh?: boolean }) => {
        looks.push({ name, at: Date.now(), mode, fresh: o?.fresh });
        return look(looks.length, name) as ServerFacts;
      },
    },
    health,
  );
  const confirm = makeConfirmDown(deps);
  // Every look's outcome is a fact (never a refusal): the orchestrator decides.
  const checked = async (input: Parameters<typeof confirm>[0]) => {
    const r = await confirm(input);
    assert.ok(r.kind === "checked", JSON.stringify(r));
    return r;
  };
  return { servers, looks, confirm: checked };
}

test("a primary that never answers is looked at `tries` times, spread evenly over the window", async (t) => {
  // The clock is the test's (node:test mock timers): the pauses are measured exactly, whatever the machine's load.
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const { looks, confirm } = setup(() => {
    throw refused();
  });
  let endedAt: number | undefined;
  const confirmed = confirm({ runId: "r", pair: pair.name, server, tries: 3, windowSeconds: 0.6 }).then((r) => {
    endedAt = Date.now();
    return r;
  });
  await tickUntil(t.mock.timers, () => endedAt !== undefined, { stepMs: 10, limitMs: 5000 });
  assert.notEqual(endedAt, undefined, "the confirmation ended within 5 s of its own clock");
  const r = await confirmed;
  assert.deepEqual(
    r.tries.map((x) => [x.liveness, x.detail]),
    [
      ["down", "try 1: pg-eus.x did not answer: ECONNREFUSED: connect ECONNREFUSED 10.0.0.4:5432"],
      ["down", "try 2: pg-eus.x did not answer: ECONNREFUSED: connect ECONNREFUSED 10.0.0.4:5432"],
      ["down", "try 3: pg-eus.x did not answer: ECONNREFUSED: connect ECONNREFUSED 10.0.0.4:5432"],
    ],
  );
  // Two pauses of window / (tries - 1) = 300 ms: the looks cover the window (a server restarting is not
  // "down"), and no more: no pause after the last look either.
  assert.deepEqual(
    looks.map((l) => l.at),
    [0, 300, 600],
  );
  assert.equal(endedAt, 600, "no pause after the last look");
});

test("one look, or a server that answers: no pause, no further look", async () => {
  const once = setup(() => {
    throw refused();
  });
  const t0 = Date.now();
  const r1 = await once.confirm({ runId: "r", pair: pair.name, server, tries: 1, windowSeconds: 30 });
  assert.equal(once.looks.length, 1);
  assert.equal(r1.tries.length, 1);
  assert.ok(Date.now() - t0 < 1000, "a single look does not wait for the window");

  const alive = setup((n) => {
    if (n === 1) throw refused();
    return { address: "10.0.0.4", inRecovery: false };
  });
  const r2 = await alive.confirm({ runId: "r", pair: pair.name, server, tries: 5, windowSeconds: 0.04 });
  assert.equal(alive.looks.length, 2, "the answer ends the looks");
  assert.deepEqual(r2.tries[1], {
    liveness: "alive",
    detail: "try 2: pg-eus.x answered (10.0.0.4, in recovery false)",
  });
});

test("a look that could not even be made (our DNS) is unknown, said as such; the name looked at is the server's own, else its A record", async () => {
  const { looks, confirm } = setup(() => {
    throw ourDns();
  });
  const r = await confirm({
    runId: "r",
    pair: pair.name,
    server: { ...server, fqdn: undefined },
    tries: 2,
    windowSeconds: 0,
  });
  assert.deepEqual(
    looks.map((l) => l.name),
    [EUS, EUS],
  );
  assert.deepEqual(
    r.tries.map((t) => t.liveness),
    ["unknown", "unknown"],
  );
  assert.match(r.tries[0]!.detail, new RegExp(`^try 1: ${EUS.replace(/\./g, "\\.")} could not be asked: `));
});

test("ARM's state and Resource Health are reported with their details; a read that fails is null with why", async () => {
  const health = new FakeHealth();
  health.states.set(server.resourceId, { state: "Unavailable", reasonType: "Unplanned", summary: "host failure" });
  const a = setup(() => {
    throw refused();
  }, health);
  a.servers.states.eus!.state = "Ready";
  const r = await a.confirm({ runId: "r", pair: pair.name, server, tries: 1, windowSeconds: 0 });
  assert.deepEqual(r.arm, { state: "Ready", detail: "ARM: state Ready" });
  assert.deepEqual(r.health, {
    state: "Unavailable",
    detail: "Resource Health: Unavailable (Unplanned): host failure",
  });

  const plain = new FakeHealth();
  plain.states.set(server.resourceId, { state: "Unknown", reasonType: null, summary: null });
  const b = setup(() => {
    throw refused();
  }, plain);
  b.servers.states.eus!.state = undefined as unknown as string;
  const r2 = await b.confirm({ runId: "r", pair: pair.name, server, tries: 1, windowSeconds: 0 });
  assert.deepEqual(r2.arm, { state: null, detail: "ARM: state unknown" });
  assert.deepEqual(r2.health, { state: "Unknown", detail: "Resource Health: Unknown" });

  const failing = new FakeHealth();
  failing.availability = async () => {
    throw new Error("health down");
  };
  const c = setup(() => {
    throw refused();
  }, failing);
  c.servers.get = async () => {
    throw new Error("arm down");
  };
  const r3 = await c.confirm({ runId: "r", pair: pair.name, server, tries: 1, windowSeconds: 0 });
  assert.deepEqual([r3.arm.state, r3.health.state], [null, null]);
  assert.match(r3.arm.detail, /^ARM: .*arm down/);
  assert.match(r3.health.detail, /^Resource Health: .*health down/);
});

// Mutation testing (issue 23): each look is a new verify-full connection, never a cached answer.
test("each look is a fresh verify-full connection to the server's own name", async () => {
  const { looks, confirm } = setup(() => {
    throw refused();
  });
  await confirm({ runId: "r", pair: pair.name, server, tries: 1, windowSeconds: 60 });
  assert.deepEqual(
    looks.map((l) => [l.name, l.mode, l.fresh]),
    [["pg-eus.x", "verify-full", true]],
  );
});
