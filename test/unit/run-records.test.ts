// The steps that keep a run's records: an evacuation claiming each pair's lease (one run per pair, a retry is
// not a conflict, a stale lease is taken over) and putting the request on record; an approver's decision read
// back only for its own instance; the run's own audit entries; the lease handed back at the end.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeClaimPair } from "../../src/activities/claim-pair";
import { makeReadDecision } from "../../src/activities/read-decision";
import { makeRecordEvent } from "../../src/activities/record-event";
import { makeReleaseLease } from "../../src/activities/release-lease";
import { MemoryLeaseStore } from "../../src/state/pair-leases";
import { EUS, FakeDns, FakeServers, fakeDeps, primaryState, replicaState } from "./fixtures";

const alice = { oid: "0000-a11ce", name: "alice@contoso.com", roles: ["Failover.Evacuate"], idp: "aad" };

function world() {
  const deps = fakeDeps(
    new FakeDns({ target: EUS, ttl: 30 }),
    new FakeServers({ eus: primaryState(), wus: replicaState() }),
  );
  const leases = new MemoryLeaseStore();
  return { deps, leases };
}

const claim = (childRunId: string) => ({
  runId: "evac-1",
  pair: "prod",
  region: "eastus",
  option: "Forced" as const,
  reason: "eastus is down",
  requester: alice,
  childRunId,
  instanceId: `failover-${childRunId}`,
});

test("an evacuation claims a free pair: the lease is its pair run's, and the request is on that run's record", async () => {
  const { deps, leases } = world();
  assert.deepEqual(await makeClaimPair(deps, leases)(claim("run-a")), { kind: "claimed" });
  const held = await leases.get("prod");
  assert.deepEqual([held?.lease.runId, held?.lease.instanceId], ["run-a", "failover-run-a"]);
  const entries = await deps.journal.list("run-a");
  assert.deepEqual(
    entries.map((e) => [e.pair, e.step, e.event]),
    [["prod", "run", "requested"]],
  );
  assert.equal(
    entries[0]!.summary,
    "Forced failover requested by alice@contoso.com (0000-a11ce) (evacuation of eastus, evac-1): eastus is down",
  );
  assert.deepEqual(entries[0]!.detail, {
    instanceId: "failover-run-a",
    option: "Forced",
    evacuation: "evac-1",
    requester: alice,
    reason: "eastus is down",
  });
});

test("a retry of the claim finds its own lease: claimed again, not held by someone else", async () => {
  const { deps, leases } = world();
  const step = makeClaimPair(deps, leases);
  await step(claim("run-a"));
  assert.deepEqual(await step(claim("run-a")), { kind: "claimed" });
});

test("a pair whose run is still going is held: the claim names the holder and puts nothing on record", async () => {
  const { deps, leases } = world();
  await leases.create({
    pair: "prod",
    runId: "run-x",
    instanceId: "failover-run-x",
    acquiredAt: new Date().toISOString(),
  });
  // What a run's record holds while it goes: its request, then steps that start and end (never "completed").
  await deps.journal.append({ runId: "run-x", pair: "prod", step: "run", event: "requested", summary: "…" });
  await deps.journal.append({ runId: "run-x", pair: "prod", step: "preflight", event: "succeeded", summary: "…" });
  await deps.journal.append({ runId: "run-x", pair: "prod", step: "promote", event: "started", summary: "…" });
  const r = await makeClaimPair(deps, leases)(claim("run-a"));
  assert.equal(r.kind, "held");
  assert.equal(r.kind === "held" && r.holder.runId, "run-x");
  assert.deepEqual(await deps.journal.list("run-a"), []);
  assert.equal((await leases.get("prod"))?.lease.runId, "run-x");
});

test("a lease whose run has ended (its completed entry in the audit) is taken over", async () => {
  const { deps, leases } = world();
  await leases.create({
    pair: "prod",
    runId: "run-x",
    instanceId: "failover-run-x",
    acquiredAt: new Date().toISOString(),
  });
  await deps.journal.append({ runId: "run-x", pair: "prod", step: "run", event: "completed", summary: "done" });
  assert.deepEqual(await makeClaimPair(deps, leases)(claim("run-a")), { kind: "claimed" });
  assert.equal((await leases.get("prod"))?.lease.runId, "run-a");
});

test("a lease naming a run with no record at all: held while young (its start may be in flight), taken over when old", async () => {
  const { deps, leases } = world();
  await leases.create({
    pair: "prod",
    runId: "run-x",
    instanceId: "failover-run-x",
    acquiredAt: new Date().toISOString(),
  });
  assert.equal((await makeClaimPair(deps, leases)(claim("run-a"))).kind, "held");
  const old = world();
  await old.leases.create({
    pair: "prod",
    runId: "run-x",
    instanceId: "failover-run-x",
    acquiredAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  });
  assert.deepEqual(await makeClaimPair(old.deps, old.leases)(claim("run-a")), { kind: "claimed" });
});

test("the lease is handed back by its own run only", async () => {
  const { leases } = world();
  await leases.create({ pair: "prod", runId: "run-a", instanceId: "i", acquiredAt: new Date().toISOString() });
  await makeReleaseLease(leases)({ runId: "run-b", pair: "prod" });
  assert.equal((await leases.get("prod"))?.lease.runId, "run-a", "another run's release leaves it");
  await makeReleaseLease(leases)({ runId: "run-a", pair: "prod" });
  assert.equal(await leases.get("prod"), undefined);
});

test("a decision is read back for the instance it was given for, with who, why and when; any other is unknown", async () => {
  const { deps } = world();
  const stored = { decision: "approve" as const, principal: alice, reason: "go", at: "2026-12-04T10:00:00.000Z" };
  const nonce = await deps.decisions.put({ ...stored, instanceId: "failover-run-a" });
  const read = makeReadDecision(deps);
  assert.deepEqual(await read({ runId: "run-a", pair: "prod", instanceId: "failover-run-a", nonce }), {
    kind: "found",
    decision: stored,
  });
  assert.deepEqual(await read({ runId: "run-b", pair: "prod", instanceId: "failover-run-b", nonce }), {
    kind: "unknown",
  });
  assert.deepEqual(await read({ runId: "run-a", pair: "prod", instanceId: "failover-run-a", nonce: "made-up" }), {
    kind: "unknown",
  });
});

test("the run's own entries go to its audit as run-level events", async () => {
  const { deps } = world();
  await makeRecordEvent(deps)({
    runId: "run-a",
    pair: "prod",
    event: "completed",
    summary: "verified",
    detail: { code: "Ok" },
  });
  const [e] = await deps.journal.list("run-a");
  assert.deepEqual(
    [e?.pair, e?.step, e?.event, e?.summary, e?.detail],
    ["prod", "run", "completed", "verified", { code: "Ok" }],
  );
});
