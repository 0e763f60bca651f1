// The pure decisions' words and edges where a person acts on them: a decision reference only as a string, a
// principal's id compared trimmed on both sides, a confirmation with nothing read, a read-only server that is
// not writable, the readiness reasons for a replica whose state is unknown, and failover refusals naming what
// ARM did not say.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decisionRef, samePrincipal } from "../../src/domain/approval";
import { confirmVerdict } from "../../src/domain/confirm";
import { serverRefs } from "../../src/domain/pair-refs";
import { promotionOf } from "../../src/domain/promotion";
import { readiness, type ReadinessFacts } from "../../src/domain/readiness";
import { decideFailover, type Plane } from "../../src/domain/topology";
import { EUS, pair, primaryState, replicaState } from "./fixtures";

test("a decision reference is a string of 48 hex digits, not anything that prints as one", () => {
  const nonce = "ab".repeat(24);
  assert.deepEqual(decisionRef({ nonce }), { nonce });
  assert.equal(decisionRef({ nonce: [nonce] }), undefined);
});

test("the same principal whatever blanks either side's id carries", () => {
  assert.equal(
    samePrincipal({ oid: "00000000-0000-0000-0000-0000000000b0" }, { oid: " 00000000-0000-0000-0000-0000000000B0 " }),
    true,
  );
});

test("a confirmation with no look says so; a down server whose ARM and health could not be read says that", () => {
  assert.deepEqual(confirmVerdict("pg-eus", { tries: [], armState: null, health: null }, false), {
    down: false,
    code: "NotConfirmed",
    reason: "could not tell whether pg-eus is down: no look was made",
  });
  assert.deepEqual(
    confirmVerdict(
      "pg-eus",
      { tries: [{ liveness: "down", detail: "ETIMEDOUT" }], armState: null, health: null },
      false,
    ),
    { down: true, summary: "pg-eus is down: 1 look(s), none answered; ARM unreadable, Resource Health unreadable" },
  );
});

test("a server out of recovery whose sessions are read-only is not writable", () => {
  const look = { plane: { inRecovery: false, transactionReadOnly: "on" }, arm: null, operation: null };
  assert.notEqual(promotionOf(look), "writable");
});

const NOW = Date.parse("2026-12-04T12:00:00Z");
function facts(servers: ReadinessFacts["servers"]): ReadinessFacts {
  return {
    now: NOW,
    servers,
    cname: { ttl: 30 },
    drainCapSeconds: 300,
    maxLagBytes: 1_048_576,
    lastSample: { at: new Date(NOW - 30_000).toISOString(), bytes: 120 },
    fenceOwed: null,
    permissions: [],
    lastDryRunAt: new Date(NOW - 86_400_000).toISOString(),
  };
}
const primary = { name: "pg-eus", servesCname: true, state: "Ready", role: "Primary", loggedIn: true };

test("readiness names every server ARM could not read, and a replica whose state or replication is unknown", () => {
  const unread = readiness(
    facts([
      { name: "pg-eus", servesCname: true, armError: "403 Forbidden", loggedIn: true },
      { name: "pg-wus", servesCname: false, armError: "timeout", loggedIn: false },
    ]),
  );
  assert.ok(
    unread.reasons.includes("ARM could not be read for pg-eus (403 Forbidden), pg-wus (timeout): no replica is known"),
    JSON.stringify(unread.reasons),
  );
  const noState = readiness(
    facts([primary, { name: "pg-wus", servesCname: false, role: "AsyncReplica", loggedIn: true }]),
  );
  assert.ok(
    noState.reasons.includes("the replica pg-wus is in an unknown state, not Ready"),
    JSON.stringify(noState.reasons),
  );
  const noReplication = readiness(
    facts([primary, { name: "pg-wus", servesCname: false, state: "Ready", role: "AsyncReplica", loggedIn: true }]),
  );
  assert.ok(
    noReplication.reasons.includes("the replica pg-wus replicates in an unknown state, not Active"),
    JSON.stringify(noReplication.reasons),
  );
});

const refs = serverRefs(pair);
const writable: Plane = { inRecovery: false, readOnlyDefault: "off" };
const recovering: Plane = { inRecovery: true, readOnlyDefault: "off" };
const refusal = (d: ReturnType<typeof decideFailover>) => (d.ok ? "decided" : `${d.code}: ${d.reason}`);
const decide = (states: Parameters<typeof decideFailover>[1], option: "Planned" | "Forced" = "Planned") =>
  refusal(decideFailover(refs, states, { target: EUS }, option, { planes: [writable, recovering], mode: "failover" }));

test("failover refusals name what ARM did not say: no role, a source, no state; replication not Active is its own code", () => {
  const { role: _r, sourceServerResourceId: _s, ...bare } = replicaState();
  assert.match(
    decide([primaryState(), bare]),
    /^NoReplica: pg-wus is not a replica \(role unknown, no source server\)/,
  );
  const sourced = { ...primaryState("pg-wus"), sourceServerResourceId: "/x/pg-eus" };
  assert.match(
    decide([primaryState(), sourced]),
    /^NoReplica: pg-wus is not a replica \(role Primary, source \/x\/pg-eus\)/,
  );
  const { state: _st, ...stateless } = primaryState();
  assert.equal(
    decide([stateless, replicaState()]),
    "PrimaryNotReady: a planned failover needs pg-eus Ready, but it is unknown; use option Forced if its region is down",
  );
  assert.match(decide([primaryState(), { ...replicaState(), replicationState: "Broken" }]), /^ReplicationNotActive: /);
});
