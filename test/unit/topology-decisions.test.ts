// decideFailover's refusals that protect the pair, each with the reason the operator reads: two writable
// servers, a failover that already promoted (finish it with "complete"), completing when nothing was promoted,
// a replica not Ready; and the warnings a run carries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverRefs } from "../../src/domain/pair-refs";
import { acceptsWrites, decideFailover, isReplicaRole, type Plane } from "../../src/domain/topology";
import { EUS, pair, primaryState, replicaState } from "./fixtures";

const refs = serverRefs(pair);
const writable: Plane = { inRecovery: false, readOnlyDefault: "off" };
const fenced: Plane = { inRecovery: false, readOnlyDefault: "on" };
const recovering: Plane = { inRecovery: true, readOnlyDefault: "off" };
const promoted = { ...primaryState("pg-wus") };

const decide = (
  states = [primaryState(), replicaState()] as Parameters<typeof decideFailover>[1],
  planes: [Plane | undefined, Plane | undefined] = [writable, recovering],
  mode: "failover" | "complete" = "failover",
  option: "Planned" | "Forced" = "Planned",
) => decideFailover(refs, states, { target: EUS }, option, { planes, mode });

test("new sessions can write only out of recovery and not fenced", () => {
  assert.equal(acceptsWrites(writable), true);
  assert.equal(acceptsWrites(fenced), false);
  assert.equal(acceptsWrites(recovering), false);
  assert.equal(acceptsWrites({ inRecovery: null, readOnlyDefault: "off" }), false, "did not answer");
  assert.equal(acceptsWrites(undefined), false);
  assert.equal(isReplicaRole("GeoAsyncReplica") && isReplicaRole("AsyncReplica") && isReplicaRole("georeplica"), true);
  assert.equal(isReplicaRole("Primary") || isReplicaRole(undefined) || isReplicaRole(""), false);
});

test("the other server already promoted and writable while the primary is fenced: IncompleteFailover, finish it", () => {
  const d = decide([primaryState(), promoted], [fenced, writable]);
  assert.equal(!d.ok && d.code, "IncompleteFailover");
  assert.equal(
    !d.ok && d.reason,
    'pg-wus is already a standalone server that accepts writes while the CNAME serves pg-eus. If pg-wus was promoted for a failover (a run that stopped, or by hand), finish it with "complete": true; otherwise fence or remove one of them by hand',
  );
});

test("both servers writable: TwoWritablePrimaries, named as such", () => {
  const d = decide([primaryState(), promoted], [writable, writable]);
  assert.equal(!d.ok && d.code, "TwoWritablePrimaries");
  assert.match(!d.ok ? d.reason : "", /which accepts writes too \(not fenced\): two writable primaries\. If pg-wus/);
});

test("a promoted server that does not accept writes yet is not a finished failover: NoReplica, not IncompleteFailover", () => {
  const d = decide([primaryState(), promoted], [writable, recovering]);
  assert.equal(!d.ok && d.code, "NoReplica");
  assert.equal(
    !d.ok && d.reason,
    "pg-wus is not a replica (role Primary, no source server): there is nothing to fail over to; re-protect the pair by creating a new replica of pg-eus",
  );
});

test("complete: the promoted, writable target is where the failover goes; a still-writable old primary is a warning", () => {
  const d = decide([primaryState(), promoted], [writable, writable], "complete");
  assert.deepEqual(d, {
    ok: true,
    fromIndex: 0,
    toIndex: 1,
    warnings: ["pg-eus still accepts writes: it is fenced before the CNAME moves"],
  });
  assert.deepEqual(decide([primaryState(), promoted], [fenced, writable], "complete"), {
    ok: true,
    fromIndex: 0,
    toIndex: 1,
    warnings: [],
  });
});

test("complete with nothing promoted: NothingToComplete, saying what the target is", () => {
  const replica = decide([primaryState(), replicaState()], [writable, recovering], "complete");
  assert.equal(!replica.ok && replica.code, "NothingToComplete");
  assert.equal(
    !replica.ok && replica.reason,
    "pg-wus is not a standalone server that accepts writes (role GeoAsyncReplica, in recovery true, default_transaction_read_only off): there is no promoted server to complete a failover to",
  );
  // Standalone but fenced, or not answering: not a server to complete to either.
  assert.equal(
    (() => {
      const d = decide([primaryState(), promoted], [writable, fenced], "complete");
      return !d.ok && d.code;
    })(),
    "NothingToComplete",
  );
  const silent = decide([primaryState(), { ...promoted, role: undefined }], [writable, undefined], "complete");
  assert.match(
    !silent.ok ? silent.reason : "",
    /\(role unknown, in recovery unknown, default_transaction_read_only unknown\)/,
  );
});

test("a replica that is not Ready is refused, naming its state", () => {
  const d = decide([primaryState(), { ...replicaState(), state: "Updating" }]);
  assert.deepEqual(d, { ok: false, code: "ReplicaNotReady", reason: "pg-wus is in state Updating, not Ready" });
  const unknown = decide([primaryState(), { ...replicaState(), state: undefined }]);
  assert.equal(!unknown.ok && unknown.reason, "pg-wus is in state unknown, not Ready");
});

test("forced with the primary Ready and replication not Active: it runs, with both warnings", () => {
  const d = decide(
    [primaryState(), { ...replicaState(), replicationState: "Catchup" }],
    undefined,
    "failover",
    "Forced",
  );
  assert.deepEqual(d, {
    ok: true,
    fromIndex: 0,
    toIndex: 1,
    warnings: [
      "pg-eus is Ready: a forced promote may lose the replica lag; Planned loses nothing",
      "pg-wus replication state is Catchup",
    ],
  });
  const down = decide([{ ...primaryState(), state: "Stopped" }, replicaState()], undefined, "failover", "Forced");
  assert.deepEqual(down.ok && down.warnings, []);
});

test("planned refusals name what is wrong and what to do", () => {
  const p = decide([{ ...primaryState(), state: "Stopped" }, replicaState()]);
  assert.equal(
    !p.ok && p.reason,
    "a planned failover needs pg-eus Ready, but it is Stopped; use option Forced if its region is down",
  );
  const r = decide([primaryState(), { ...replicaState(), replicationState: "Broken" }]);
  assert.equal(
    !r.ok && r.reason,
    "a planned failover needs replication Active, but pg-wus reports Broken; use option Forced to accept data loss",
  );
  const other = decide([primaryState(), replicaState("pg-wus", "pg-other")]);
  assert.match(
    !other.ok ? other.reason : "",
    /^pg-wus replicates from \/subscriptions\/.*\/pg-other, not from pg-eus which the CNAME serves$/,
  );
  const noSource = decide([primaryState(), { ...replicaState(), sourceServerResourceId: undefined }]);
  assert.equal(!noSource.ok && noSource.code, "NoReplica");
});

test("the CNAME pointing at neither server: the reason names the target and both A records", () => {
  const d = decideFailover(refs, [primaryState(), replicaState()], { target: "Other.Example.COM." }, "Planned");
  assert.equal(
    !d.ok && d.reason,
    `the CNAME points at "other.example.com", which is neither server's A record (${refs[0].aRecordFqdn}, ${refs[1].aRecordFqdn}); fix the CNAME by hand before failing over`,
  );
});
