// Re-protection's last change: retire the old server — stop it or delete it — and never ask ARM twice: a server
// already stopped, stopping or gone is reported as done. Only the server named is touched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeRetireServer } from "../../src/activities/retire-server";
import { FakeDns, FakeServers, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const run = { runId: "r1", pair: "prod" };
const old = { resourceId: idOf("pg-eus"), name: "pg-eus" };

function setup(state?: string) {
  const servers = new FakeServers({
    "pg-eus": { ...primaryState("pg-eus"), ...(state ? { state } : {}) },
    "pg-wus": replicaState("pg-wus"),
  });
  return { retire: makeRetireServer(fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers)), servers };
}

test("stop: ARM is asked to stop that server (no operation to follow), and nothing is deleted", async () => {
  const { retire, servers } = setup();
  assert.deepEqual(await retire({ ...run, server: old, how: "stop" }), { kind: "started", operationUrl: null });
  assert.deepEqual(servers.stops, [old.resourceId]);
  assert.deepEqual(servers.deletes, []);
});

test("delete: ARM is asked to delete that server, and its operation is returned to follow", async () => {
  const { retire, servers } = setup();
  assert.deepEqual(await retire({ ...run, server: old, how: "delete" }), {
    kind: "started",
    operationUrl: "https://management.azure.com/operations/3",
  });
  assert.deepEqual(servers.deletes, [old.resourceId]);
  assert.deepEqual(servers.stops, []);
});

test("a server already stopped or stopping is not stopped again; one gone from ARM is not deleted again", async () => {
  for (const state of ["Stopped", "Stopping"]) {
    const { retire, servers } = setup(state);
    assert.deepEqual(await retire({ ...run, server: old, how: "stop" }), { kind: "done", note: `pg-eus is ${state}` });
    assert.deepEqual(servers.stops, []);
  }
  const { retire, servers } = setup();
  const gone = { resourceId: idOf("pg-gone"), name: "pg-gone" };
  for (const how of ["stop", "delete"] as const)
    assert.deepEqual(await retire({ ...run, server: gone, how }), { kind: "done", note: "pg-gone is gone from ARM" });
  assert.deepEqual([servers.stops, servers.deletes], [[], []]);
});
