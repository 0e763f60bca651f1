// The failover runbook at its edges, through the real replay: a completing run whose proof fails keeps the old
// primary fenced (the CNAME already moved: lifting it would leave two writable primaries); a fence whose earlier
// value could not be read is lifted back to off; a failed promote whose fence cannot be lifted is not said to be
// kept for a promote that may complete; and the words each step leaves for the person reading the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Driven } from "./harness";
import { apiDecision, bob, drive } from "./harness";
import { NEW, ZONE, checked, cname, from, input, plane, ready, script, to, verified } from "./failover-fixtures";

const noteOf = (r: Driven, phase: string) => r.output.phases.find((p) => p.phase === phase)?.note;
const liftedWith = (r: Driven) => r.calls.filter((c) => c.key === "liftFence").map((c) => c.input.previousValue);

test("completing: a proof that fails after the repoint keeps the old primary fenced (never two writable primaries)", async () => {
  const promoted = {
    ...ready,
    mode: "complete" as const,
    lag: null,
    to: { ...to, state: { ...to.state, role: "Primary" }, dataPlane: plane(false) },
  };
  const r = await drive(
    { ...input, mode: "complete" },
    script({
      preflight: () => promoted,
      verify: () => ({ kind: "refused", code: "NotWritable", reason: "the CNAME's server is read-only" }),
    }),
  );
  assert.equal(r.output.outcome, "refused", r.output.reason);
  assert.deepEqual(liftedWith(r), [], "the fence is not lifted once the CNAME serves the new primary");
  assert.equal(r.output.fence?.state, "fenced");
});

test("a fence whose earlier value could not be read is lifted back to off, after a catch-up or a promote that failed", async () => {
  const unread = { ...ready, fenceBefore: null };
  const catchUpFails = await drive(
    input,
    script({ preflight: () => unread, checkCatchUp: () => new Error("replica unreachable") }),
  );
  assert.equal(catchUpFails.output.outcome, "failed", catchUpFails.output.reason);
  assert.deepEqual(liftedWith(catchUpFails), ["off"]);
  const promoteFails = await drive(input, script({ preflight: () => unread, checkPromotion: () => checked("failed") }));
  assert.equal(promoteFails.output.code, "PromoteFailed", promoteFails.output.reason);
  assert.deepEqual(liftedWith(promoteFails), ["off"]);
});

test("a failed promote whose fence cannot be lifted says it is still fenced, not that the promote may complete", async () => {
  const r = await drive(
    input,
    script({
      checkPromotion: () => checked("failed"),
      liftFence: () => ({ kind: "refused", code: "AuthorizationFailed", reason: "no access" }),
    }),
  );
  assert.equal(r.output.code, "PromoteFailed");
  assert.equal(r.output.fence?.state, "fenced");
  assert.doesNotMatch(r.output.fence!.note, /may complete/);
  assert.match(r.output.warnings[0] ?? "", /^pg-eus IS STILL FENCED/);
});

test("each step's note: a TTL already low, a CNAME already moved, the promote's own note, verify-full passing", async () => {
  const r = await drive(
    input,
    script({
      preflight: () => ({ ...ready, cname: { ...cname, ttl: 30 } }),
      lowerTtl: (i) => ({ kind: "done", ttl: i.ttl, previousTtl: 30, etag: "e1", changed: false }),
      promote: () => ({
        kind: "started",
        state: to.state,
        note: "ARM accepted the promote; its first poll said Succeeded",
      }),
      repointCname: (i) => ({ kind: "done", changed: false, cname: { ...cname, target: i.toTarget, ttl: 30 } }),
      verify: () => ({ ...verified, verifyFull: { ok: true } }),
    }),
  );
  assert.equal(r.output.outcome, "succeeded", r.output.reason);
  assert.equal(noteOf(r, "lowerTtl"), "TTL already 30s");
  assert.equal(noteOf(r, "repoint"), "already pointing there");
  assert.match(noteOf(r, "promote") ?? "", /^started \(ARM accepted the promote; its first poll said Succeeded\); /);
  assert.match(noteOf(r, "verify") ?? "", /; verify-full OK$/);
});

test("while DNS has no answer yet, the status says so", async () => {
  let polls = 0;
  const r = await drive(
    input,
    script({
      verify: () => (++polls < 2 ? { kind: "dnsNotYet", answer: null, ttl: null, inARow: 0 } : verified),
    }),
  );
  assert.equal(r.output.outcome, "succeeded", r.output.reason);
  assert.ok(
    r.statuses.some((s) => s.message === `DNS answered nothing for prod.${ZONE} (after 0 right in a row); waiting`),
    JSON.stringify(r.statuses.map((s) => s.message)),
  );
  assert.equal(r.output.cname.target, NEW);
});

test("a preflight refused before it read the CNAME leaves the CNAME unknown, not a crash", async () => {
  const r = await drive(input, script({ preflight: () => ({ kind: "refused", code: "NoReplica", reason: "x" }) }));
  assert.deepEqual([r.output.outcome, r.output.code], ["refused", "NoReplica"]);
  assert.deepEqual([r.output.cname.target, r.output.cname.ttl], [null, null]);
  assert.equal(r.output.from ?? null, null);
  void from;
});

test("a decision that cannot be read back is ignored with the store's error, and the run waits on", async () => {
  const gated = {
    ...input,
    policy: { ...input.policy, approval: { mode: "always" as const, twoPerson: true, timeoutMinutes: 30 } },
  };
  const r = await drive(gated, script({ readDecision: () => new Error("decision table unreachable") }), [
    {
      name: "decision",
      atMs: 60_000,
      data: apiDecision({ decision: "approve", principal: bob, reason: "go", at: "2026-11-27T03:01:00.000Z" }),
    },
  ]);
  assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"]);
  const ignored = r.calls.find((c) => c.key === "recordEvent" && c.input.event === "ignored");
  assert.match(
    String(ignored?.input.summary),
    /^a decision event was ignored: it could not be read: .*decision table unreachable/,
  );
});

test("a decision raised in the approval's last moment but read only after its deadline does not count", async () => {
  const gated = {
    ...input,
    policy: { ...input.policy, approval: { mode: "always" as const, twoPerson: true, timeoutMinutes: 30 } },
  };
  const deadlineMs = 10 + 30 * 60_000; // the approval begins after preflight's 10 ms
  const r = await drive(gated, script(), [
    { name: "decision", atMs: deadlineMs - 5, data: { nonce: "not a reference" } }, // ignored: audited for 10 ms
    {
      name: "decision",
      atMs: deadlineMs - 1,
      data: apiDecision({ decision: "approve", principal: bob, reason: "go", at: "2026-11-27T03:30:00.000Z" }),
    },
  ]);
  assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"]);
  assert.ok(!r.steps.includes("lowerTtl"));
});
