import assert from "node:assert/strict";
import { test } from "node:test";
import { serverRefs } from "../../src/domain/pair-refs";
import { lagBytes } from "../../src/domain/lsn";
import { decideFailover, isStandalone, promotionDone } from "../../src/domain/topology";
import { EUS, WUS, pair, primaryState, replicaState } from "./fixtures";

const refs = serverRefs(pair);

test("the CNAME's target is the primary; the other server is the target", () => {
  const d = decideFailover(refs, [primaryState(), replicaState()], { target: EUS + "." }, "Planned");
  assert.deepEqual(d, { ok: true, fromIndex: 0, toIndex: 1, warnings: [] });
});

test("the direction follows the CNAME, whichever server is listed first", () => {
  const d = decideFailover(
    refs,
    [replicaState("pg-eus", "pg-wus"), primaryState("pg-wus")],
    { target: WUS.toUpperCase() },
    "Planned",
  );
  assert.equal(d.ok && d.toIndex, 0);
});

test("no replica left (after a failover) is refused with a re-protect hint", () => {
  const d = decideFailover(refs, [primaryState("pg-eus"), primaryState("pg-wus")], { target: WUS }, "Planned");
  assert.equal(d.ok, false);
  assert.equal(!d.ok && d.code, "NoReplica");
  assert.match(!d.ok ? d.reason : "", /pg-eus is not a replica.*re-protect/);
});

test("a replica of another server is refused", () => {
  const d = decideFailover(refs, [primaryState(), replicaState("pg-wus", "pg-other")], { target: EUS }, "Forced");
  assert.equal(!d.ok && d.code, "ReplicaOfAnotherServer");
});

test("a CNAME pointing elsewhere is refused", () => {
  const d = decideFailover(refs, [primaryState(), replicaState()], { target: "elsewhere.example.com" }, "Planned");
  assert.equal(!d.ok && d.code, "CnameTargetUnknown");
});

test("planned needs the primary Ready; forced goes on when its region is down", () => {
  const down = { ...primaryState(), state: "Inaccessible" };
  const planned = decideFailover(refs, [down, replicaState()], { target: EUS }, "Planned");
  assert.equal(!planned.ok && planned.code, "PrimaryNotReady");
  const forced = decideFailover(refs, [down, replicaState()], { target: EUS }, "Forced");
  assert.equal(forced.ok, true);
});

test("planned needs replication Active; forced only warns", () => {
  const lagging = { ...replicaState(), replicationState: "Catchup" };
  assert.equal(decideFailover(refs, [primaryState(), lagging], { target: EUS }, "Planned").ok, false);
  const f = decideFailover(refs, [primaryState(), lagging], { target: EUS }, "Forced");
  assert.ok(f.ok && f.warnings.some((w) => /Catchup/.test(w)));
});

test("a promoted server is standalone and done only when Ready", () => {
  const promoted = { ...replicaState(), role: "Primary", sourceServerResourceId: undefined, state: "Updating" };
  assert.equal(isStandalone(promoted), true);
  assert.equal(promotionDone(promoted), false);
  assert.equal(promotionDone({ ...promoted, state: "Ready" }), true);
  assert.equal(promotionDone({ ...promoted, role: "None", state: "Ready" }), true);
  assert.equal(promotionDone(replicaState()), false);
});

test("lag in bytes from two LSNs", () => {
  assert.equal(lagBytes("0/3000060", "0/3000000"), 0x60);
  assert.equal(lagBytes("1/0", "0/FFFFFFFF"), 1);
  assert.equal(lagBytes("0/10", "0/20"), 0);
});

test("the fence's WAL target steps back over a page header the next record has not written yet", async () => {
  const { lastInsertedLsn } = await import("../../src/domain/lsn");
  const azure = { page: 8192, segment: 16 * 1024 * 1024 };
  const small = { page: 8192, segment: 1024 * 1024 };
  assert.equal(lastInsertedLsn("1/1000028", azure), "1/1000000", "a segment's first page: long header (40 bytes)");
  assert.equal(lastInsertedLsn("0/800028", small), "0/800000", "the same with 1 MB segments");
  assert.equal(lastInsertedLsn("0/800028", azure), "0/800028", "offset 40 inside a segment is a record's end");
  assert.equal(lastInsertedLsn("0/802018", azure), "0/802000", "any other page: short header (24 bytes)");
  assert.equal(lastInsertedLsn("16/B374D848", azure), "16/B374D848", "inside a page: as it is");
});
