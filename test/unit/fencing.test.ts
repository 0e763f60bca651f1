// The fence and its lift as the activities do them: the parameter set through ARM, then confirmed on the server
// by its own name (ARM's name when the reference has none); a server that reports the value in another spelling
// (ON, true, 1) is confirmed, one that keeps the old value fails the step after the confirmation window.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { makeFence } from "../../src/activities/fence";
import { makeLiftFence } from "../../src/activities/lift-fence";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState } from "./fixtures";

const withName = {
  resourceId: idOf("pg-eus"),
  name: "pg-eus",
  aRecord: "a1b2c3d4e5f6",
  aRecordFqdn: WUS,
  fqdn: "pg-eus.example",
};
const { fqdn: _f, ...noName } = withName;

/** The server reports `values` in turn for default_transaction_read_only (the last one from then on). */
function world(values: string[], states = { eus: { ...primaryState("pg-eus"), fqdn: "pg-eus.from-arm.example" } }) {
  const asked: string[] = [];
  const servers = new FakeServers(states);
  const probe = {
    fenceState: async (name: string) => {
      asked.push(name);
      const v = values.length > 1 ? values.shift()! : values[0]!;
      return { readOnlyDefault: v, overrides: ["role app_admin"], walLsn: "0/5000060", inRecovery: false };
    },
    endSessions: async () => ({ ended: 4, stillExiting: 1, survivors: [{ user: "azuresu", sessions: 1 }] }),
  } as unknown as PostgresProbe;
  const deps = fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), servers, probe);
  return { deps, servers, asked };
}

test("fence: set through ARM, confirmed on the server's own name, sessions ended, the WAL position after it", async () => {
  const w = world(["on"]);
  const r = await makeFence(w.deps)({ runId: "r", pair: "prod", server: withName });
  assert.deepEqual(w.servers.parameterWrites, [
    { resourceId: idOf("pg-eus"), name: "default_transaction_read_only", value: "on" },
  ]);
  assert.ok(
    w.asked.every((n) => n === "pg-eus.example"),
    w.asked.join(","),
  );
  assert.equal(r.kind, "fenced");
  if (r.kind !== "fenced") return;
  assert.deepEqual(
    {
      server: r.server,
      ended: r.ended,
      stillExiting: r.stillExiting,
      survivors: r.survivors,
      overrides: r.overrides,
      lsn: r.lsn,
    },
    {
      server: "pg-eus",
      ended: 4,
      stillExiting: 1,
      survivors: [{ user: "azuresu", sessions: 1 }],
      overrides: ["role app_admin"],
      lsn: "0/5000060",
    },
  );
});

test("a reference without its name is checked through the name ARM reports; ARM reporting none fails the step", async () => {
  const w = world(["on"]);
  await makeFence(w.deps)({ runId: "r", pair: "prod", server: noName });
  assert.equal(w.asked[0], "pg-eus.from-arm.example");
  const { fqdn: _none, ...bare } = primaryState("pg-eus");
  const nameless = world(["on"], { eus: bare as never });
  await assert.rejects(
    makeFence(nameless.deps)({ runId: "r", pair: "prod", server: noName }),
    /ARM reports no fullyQualifiedDomainName for pg-eus/,
  );
});

test("the server's own spelling of the value counts: ON, true, yes and 1 are on; FALSE, no and 0 are off", async () => {
  for (const v of ["ON", " true", "yes", "1"]) {
    const w = world([v]); // the server never says "on" in those words
    await makeFence(w.deps)({ runId: "r", pair: "prod", server: withName });
    assert.equal(w.asked.length, 2, `${v}: confirmed at the first look, then checked once after the sessions ended`);
  }
  for (const v of ["FALSE", "no", "0", "Off "]) {
    const w = world([v]);
    const r = await makeLiftFence(w.deps)({ runId: "r", pair: "prod", server: withName, previousValue: "off" });
    assert.deepEqual(r, { kind: "lifted", value: "off" });
    assert.equal(w.asked.length, 1, v);
  }
});

test("a fence that does not hold after the sessions were ended fails the step", async () => {
  const w = world(["on", "off"]);
  await assert.rejects(
    makeFence(w.deps)({ runId: "r", pair: "prod", server: withName }),
    /pg-eus.example: the fence did not hold \(default_transaction_read_only off\)/,
  );
});

test("a lift the server never shows fails after the confirmation window, naming what new sessions still get", async () => {
  mock.timers.enable({ apis: ["Date", "setTimeout"], now: 0 });
  try {
    const w = world(["on"]);
    const lift = makeLiftFence(w.deps)({ runId: "r", pair: "prod", server: withName, previousValue: "off" });
    let settled = false;
    lift.catch(() => undefined).finally(() => (settled = true));
    for (let i = 0; i < 200 && !settled; i++) {
      await new Promise((r) => setImmediate(r));
      mock.timers.tick(200);
    }
    await assert.rejects(
      lift,
      /pg-eus.example: new sessions still get default_transaction_read_only = on, expected off/,
    );
    assert.ok(w.asked.length >= 40 && w.asked.length <= 60, `looked ${w.asked.length} times over 10 s`);
    assert.deepEqual(w.servers.parameterWrites.at(-1)?.value, "off");
  } finally {
    mock.timers.reset();
  }
});
