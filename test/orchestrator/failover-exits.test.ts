// Every way out of the failover runbook, driven through the real durable-functions replay with scripted
// activity results: the outcome and its code, where the CNAME is left, and which compensations ran.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CheckPromotionResult, PreflightResult, VerifyResult } from "../../src/activities/contracts";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import { drive, took, type Driven, type Script } from "./harness";

const ZONE = "corp.private.postgres.database.azure.com";
const OLD = `aaaaaaaaaaaa.${ZONE}`;
const NEW = `bbbbbbbbbbbb.${ZONE}`;
const ref = (name: string, aRecordFqdn: string) => ({
  resourceId: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
  name,
  aRecord: aRecordFqdn.split(".")[0]!,
  aRecordFqdn,
  fqdn: `${name}.postgres.database.azure.com`,
});
const plane = (inRecovery: boolean) => ({ reachable: true, inRecovery, readOnlyDefault: "off" });
const from = {
  ...ref("pg-eus", OLD),
  state: { resourceId: "x", name: "pg-eus", state: "Ready", role: "Primary" },
  dataPlane: plane(false),
};
const to = {
  ...ref("pg-wus", NEW),
  state: { resourceId: "y", name: "pg-wus", state: "Ready", role: "GeoAsyncReplica" },
  dataPlane: plane(true),
};
const cname = { fqdn: `prod.${ZONE}`, target: OLD, ttl: 3600, etag: "e1" };

const input: FailoverInput = {
  runId: "00000000-0000-0000-0000-0000000000aa",
  pair: "prod",
  option: "Planned",
  reason: "drill",
  requester: { oid: "00000000-0000-0000-0000-00000000a11c", name: "alice", roles: ["Failover.Request"], idp: "aad" },
  note: null,
  requestedAt: "2026-11-27T03:00:00.000Z",
  source: "http",
  dryRun: false,
  mode: "failover",
  acceptDataLoss: false,
  policy: {
    ttl: { failoverSeconds: 30, restoreSeconds: "original" },
    timings: {
      drainCapSeconds: 300,
      promoteDeadlineSeconds: 600,
      promotePollSeconds: 15,
      verifyDeadlineSeconds: 60,
      verifyPollSeconds: 5,
      stabiliseSeconds: 300,
      catchUpDeadlineSeconds: 120,
    },
    retry: { firstIntervalSeconds: 5, maxAttempts: 3, backoffCoefficient: 2, maxIntervalSeconds: 60 },
    fence: { watchHours: 24, onReturn: "readOnly" },
    rpo: { maxLagBytes: 1048576 },
    verify: { answers: 3 },
    approval: { mode: "never", twoPerson: true, timeoutMinutes: 60 },
    alerts: { policy: "propose", confirmTries: 3, confirmSeconds: 30, maxAgeMinutes: 60, maxRunsPerHour: 3 },
  },
};
const forced: FailoverInput = { ...input, option: "Forced" };

const measured = { bytes: 0, replaySeconds: 0, source: "measured" as const, measuredAt: input.requestedAt };
const ready: PreflightResult = {
  kind: "ready",
  mode: "failover",
  cname,
  from,
  to,
  lag: { bytes: 0, replaySeconds: 0, measuredAt: input.requestedAt, primaryReachable: true },
  risk: measured,
  fenceBefore: "off",
  warnings: [],
};
const checked = (
  progress: "notStarted" | "promoting" | "writable",
  detail: string = progress,
): CheckPromotionResult => ({
  kind: "checked",
  progress,
  state: to.state,
  inRecovery: progress === "writable" ? false : null,
  detail,
});
const verified: VerifyResult = {
  kind: "verified",
  name: `prod.${ZONE}`,
  cnameChain: [NEW],
  address: "10.1.0.4",
  tls: { protocol: "TLSv1.3", subject: "", issuer: "", subjectAltNames: "", validTo: "" },
  inRecovery: false,
  transactionReadOnly: "off",
  wroteAndRolledBack: true,
  serverVersion: "17",
  verifyFull: { ok: false, error: "ERR_TLS_CERT_ALTNAME_INVALID" },
  dnsAnswers: 3,
};
const fenced = {
  kind: "fenced" as const,
  server: "pg-eus",
  ended: 5,
  stillExiting: 0,
  survivors: [],
  overrides: [],
  lsn: "0/3000100",
  confirmedAt: input.requestedAt,
};

/** The happy path; each test overrides what it breaks. */
function script(over: Script = {}): Script {
  let polls = 0;
  let ttl = 3600;
  return {
    preflight: () => ready,
    lowerTtl: (i) => ((ttl = i.ttl), { kind: "done", ttl: i.ttl, previousTtl: 3600, etag: "e2", changed: true }),
    fence: () => fenced,
    liftFence: (i) => ({ kind: "lifted", value: i.previousValue }),
    checkCatchUp: (i) => ({ kind: "checked", caughtUp: true, replayLsn: i.lsn, lagBytes: 0, detail: "caught up" }),
    promote: () => ({ kind: "started", state: to.state }),
    checkPromotion: () => (++polls < 3 ? checked("promoting") : checked("writable")),
    repointCname: (i) => ({ kind: "done", changed: true, cname: { ...cname, target: i.toTarget, ttl } }),
    verify: () => verified,
    watchFence: () => ({ kind: "watching", until: "2026-11-28T03:00:00.000Z" }),
    restoreTtl: (i) => {
      const prev = ttl;
      ttl = i.ttl;
      return { kind: "done", ttl: i.ttl, previousTtl: prev, etag: "e9", changed: prev !== i.ttl };
    },
    ...over,
  };
}

const fail = (msg: string) => () => new Error(msg);
const count = (r: Driven, key: string) => r.calls.filter((c) => c.key === key).length;

describe("planned: fence, catch up, promote, repoint, verify", () => {
  test("the happy path runs the steps in order, keeps the old primary fenced, restores the TTL", async () => {
    const r = await drive(input, script());
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.deepEqual(r.steps, [
      "preflight",
      "lowerTtl",
      "fence",
      "checkCatchUp",
      "promote",
      "checkPromotion",
      "repointCname",
      "verify",
      "restoreTtl",
      "recordEvent",
      "releaseLease",
    ]);
    assert.deepEqual(r.output.cname, {
      target: NEW,
      ttl: 3600,
      note: "the new primary pg-wus, proven writable through its own name",
    });
    assert.equal(r.output.fence?.state, "fenced");
    assert.equal(r.output.fence?.endedSessions, 5);
    assert.doesNotMatch(
      r.output.fence!.note,
      /may complete/,
      "a finished failover does not say the promote may still complete",
    );
    assert.deepEqual(r.output.catchUp?.lsn, "0/3000100");
    assert.deepEqual(r.output.risk?.bytes, 0, "after the catch-up nothing acknowledged is at risk");
    assert.equal(r.output.promoteAccepted, true);
    assert.deepEqual(
      r.output.phases.map((p) => [p.phase, p.outcome]),
      [
        ["preflight", "ok"],
        ["lowerTtl", "ok"],
        ["drain", "ok"],
        ["fence", "ok"],
        ["catchUp", "ok"],
        ["promote", "ok"],
        ["repoint", "ok"],
        ["verify", "ok"],
        ["stabilise", "ok"],
        ["restoreTtl", "ok"],
      ],
    );
    assert.equal(r.output.rto.drain, 300, "a planned failover drains the old TTL, capped at drainCapSeconds");
    assert.equal(
      r.output.rto.promote,
      0.04,
      "the writable watch is called again at once, with no durable timer in between",
    );
    assert.deepEqual(r.output.dns, { answers: 3, convergedSeconds: 0.01 });
    assert.equal(r.calls.at(-1)!.key, "releaseLease", "the pair's lease is released last");
    const promoteCall = r.calls.find((c) => c.key === "promote")!;
    const catchUpCall = r.calls.find((c) => c.key === "checkCatchUp")!;
    assert.ok(
      catchUpCall.atMs < promoteCall.atMs && catchUpCall.input.lsn === "0/3000100",
      "the promote waits for the catch-up to the fence's LSN",
    );
  });

  test("a refused preflight changes nothing and runs no compensation", async () => {
    const r = await drive(
      input,
      script({
        preflight: () => ({ kind: "refused", code: "TwoWritablePrimaries", reason: "both accept writes", cname }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "TwoWritablePrimaries", "preflight"],
    );
    assert.deepEqual(r.output.cname, { target: OLD, ttl: 3600, note: "unchanged" });
    assert.deepEqual(r.steps, ["preflight", "recordEvent", "releaseLease"]);
  });

  test("a dry run stops after preflight with the plan", async () => {
    const r = await drive({ ...input, dryRun: true }, script());
    assert.deepEqual([r.output.outcome, r.output.from, r.output.to], ["dryRun", "pg-eus", "pg-wus"]);
    assert.deepEqual(r.steps, ["preflight", "recordEvent", "releaseLease"]);
  });

  test("lowerTtl refused (someone repointed the CNAME): refused, the TTL compensation runs, no fence", async () => {
    const r = await drive(
      input,
      script({ lowerTtl: () => ({ kind: "refused", code: "ConcurrentChange", reason: "changed" }) }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "ConcurrentChange", "lowerTtl"],
    );
    assert.deepEqual(r.steps, ["preflight", "lowerTtl", "restoreTtl", "recordEvent", "releaseLease"]);
    assert.equal(r.output.fence?.state, "none");
  });

  test("lowerTtl failing on every attempt: failed after the retry policy's attempts, TTL restored", async () => {
    const r = await drive(input, script({ lowerTtl: fail("HTTP 503") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "LowerTtlFailed"]);
    assert.equal(count(r, "lowerTtl"), 3, "maxAttempts");
    assert.match(r.output.reason!, /HTTP 503/);
    assert.equal(count(r, "restoreTtl"), 1);
  });

  test("the fence failing: the fence is lifted (whatever part was applied) and the TTL restored", async () => {
    const r = await drive(input, script({ fence: fail("could not confirm") }));
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["failed", "FenceFailed", "fence"]);
    assert.deepEqual(r.steps.slice(-4), ["liftFence", "restoreTtl", "recordEvent", "releaseLease"]);
    assert.deepEqual(r.calls.find((c) => c.key === "liftFence")!.input.previousValue, "off");
    assert.equal(r.output.fence?.state, "lifted");
    assert.ok(!r.steps.includes("promote"));
  });

  test("a replica that does not catch up in time: CatchUpTimedOut, fence lifted, TTL restored, no promote", async () => {
    // Each call watches for 10 s (the activity's own window) before answering "not yet".
    const behind = (i: { lsn: string }) =>
      took(10_000, {
        kind: "checked" as const,
        caughtUp: false,
        replayLsn: "0/3000000",
        lagBytes: 256,
        detail: `256 bytes behind ${i.lsn}`,
      });
    const r = await drive(input, script({ checkCatchUp: behind }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "CatchUpTimedOut"]);
    assert.match(r.output.reason!, /did not replay up to 0\/3000100 within 120s: 256 bytes behind 0\/3000100/);
    assert.equal(count(r, "checkCatchUp"), 12, "back-to-back 10 s watches until the 120 s deadline");
    assert.equal(r.output.fence?.state, "lifted");
    assert.ok(!r.steps.includes("promote"));
    assert.equal(r.output.cname.target, OLD);
  });

  test("promote refused by ARM (the PATCH was rejected): refused, fence lifted, TTL restored", async () => {
    const r = await drive(
      input,
      script({
        promote: () => ({
          kind: "refused",
          code: "AuthorizationFailed",
          reason: "ARM refused to promote pg-wus (HTTP 403 AuthorizationFailed)",
        }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "AuthorizationFailed", "promote"],
    );
    assert.deepEqual(r.steps.slice(-5), ["promote", "liftFence", "restoreTtl", "recordEvent", "releaseLease"]);
    assert.equal(r.output.fence?.state, "lifted");
    assert.equal(r.output.promoteAccepted, false);
    assert.equal(r.output.cname.target, OLD);
  });

  test("promote failing on every attempt (accepted or not is unknown): the fence stays, the run says the promote may complete", async () => {
    const r = await drive(input, script({ promote: fail("socket hang up") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteFailed"]);
    assert.ok(!r.steps.includes("liftFence"), "never lift the fence once a promote may have been accepted");
    assert.equal(r.output.fence?.state, "fenced");
    assert.match(r.output.fence!.note, /stays fenced because the promote of pg-wus may complete/);
    assert.match(r.output.cname.note, /promote of pg-wus may still complete/);
  });

  test("a promote that does not take effect stops after three idle watches; the fence stays", async () => {
    const r = await drive(
      input,
      script({ checkPromotion: () => checked("notStarted", "pg-wus is still a replica and not updating") }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteDidNotTakeEffect"]);
    assert.equal(count(r, "checkPromotion"), 3);
    assert.ok(!r.steps.includes("liftFence"));
    assert.ok(!r.steps.includes("repointCname"));
    assert.equal(r.output.promoteAccepted, true);
  });

  test("a promote past its deadline: failed, TTL restored, CNAME on the old (fenced) primary, reported", async () => {
    const r = await drive(input, script({ checkPromotion: () => new Error("ECONNREFUSED") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteDeadlineExceeded"]);
    assert.match(r.output.reason!, /not writable within 600s: .*ECONNREFUSED/);
    assert.deepEqual(r.steps.slice(-3), ["restoreTtl", "recordEvent", "releaseLease"]);
    assert.equal(r.output.cname.target, OLD);
    assert.equal(r.output.fence?.state, "fenced");
  });

  test("checkPromotion errors are tolerated until the deadline (the promote is still tracked)", async () => {
    let n = 0;
    const r = await drive(
      input,
      script({ checkPromotion: () => (++n <= 4 ? new Error("ECONNRESET") : checked("writable")) }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
  });

  test("repoint refused because someone else changed the CNAME: their change is kept and reported", async () => {
    const theirs = `cccccccccccc.${ZONE}`;
    const r = await drive(
      input,
      script({
        repointCname: () => ({
          kind: "refused",
          code: "ConcurrentChange",
          reason: "set by someone else",
          cname: { ...cname, target: theirs },
        }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "ConcurrentChange", "repoint"],
    );
    assert.equal(r.output.cname.target, theirs);
    assert.equal(r.output.cname.note, "not moved by this run");
    assert.ok(r.output.warnings.some((w) => /pg-wus is promoted and writable but the CNAME was not moved/.test(w)));
    assert.ok(r.steps.includes("restoreTtl"));
    assert.ok(!r.steps.includes("liftFence"));
  });

  test("DNS that never answers the new target: DnsNotConverged after the verify deadline, TTL restored", async () => {
    const r = await drive(input, script({ verify: () => ({ kind: "dnsNotYet", answer: OLD, ttl: 30, inARow: 0 }) }));
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["failed", "DnsNotConverged", "verify"]);
    assert.equal(count(r, "verify"), 60 / 5 + 1);
    assert.equal(r.output.cname.target, NEW, "the CNAME stays on the promoted server, proven writable by its own name");
    assert.ok(r.steps.includes("restoreTtl"));
  });

  test("the wrong server answering through the CNAME: refused WrongServer", async () => {
    const r = await drive(
      input,
      script({ verify: () => ({ kind: "refused", code: "WrongServer", reason: "certificate does not name pg-wus" }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["refused", "WrongServer", "verify"]);
    assert.equal(r.output.verification, null);
  });

  test("a server that is not writable through the CNAME: refused NotWritable", async () => {
    const r = await drive(
      input,
      script({ verify: () => ({ kind: "refused", code: "NotWritable", reason: "transaction_read_only on" }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["refused", "NotWritable"]);
  });

  test("a TTL that cannot be restored does not undo a verified failover: succeeded, with a warning", async () => {
    const r = await drive(input, script({ restoreTtl: fail("HTTP 500") }));
    assert.equal(r.output.outcome, "succeeded");
    assert.ok(
      r.output.warnings.some((w) => /the CNAME TTL was not restored: .*HTTP 500/.test(w)),
      r.output.warnings.join("; "),
    );
    assert.equal(r.output.phases.at(-1)!.outcome, "failed");
  });
});

describe("forced: the region is gone", () => {
  const down = {
    ...ready,
    from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    lag: null,
    fenceBefore: null,
  };
  const sampled = (bytes: number) => ({
    ...down,
    risk: { bytes, replaySeconds: 2, source: "sample" as const, measuredAt: "2026-11-27T02:59:00.000Z" },
  });

  test("no drain, no fence or catch-up before the promote; the old primary's fence is watched for", async () => {
    const r = await drive(forced, script({ preflight: () => sampled(4096) }));
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.deepEqual(r.steps, [
      "preflight",
      "lowerTtl",
      "promote",
      "checkPromotion",
      "repointCname",
      "verify",
      "watchFence",
      "restoreTtl",
      "recordEvent",
      "releaseLease",
    ]);
    assert.equal(r.output.phases.find((p) => p.phase === "drain")!.outcome, "skipped");
    assert.equal(r.output.fence?.state, "watching");
    assert.match(r.output.fence!.note, /NOT fenced/);
    assert.deepEqual(r.output.risk, {
      bytes: 4096,
      replaySeconds: 2,
      source: "sample",
      measuredAt: "2026-11-27T02:59:00.000Z",
    });
    assert.equal(r.output.rto.fence, undefined, "fencing after the proof is not recovery time");
  });

  test("RPO guard: above rpo.maxLagBytes the promote waits for acceptDataLoss; nothing changes", async () => {
    const r = await drive(forced, script({ preflight: () => sampled(8 * 1048576) }));
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "DataLossNotAccepted", "preflight"],
    );
    assert.match(r.output.reason!, /8388608 bytes behind \(sample at 2026-11-27T02:59:00.000Z\)/);
    assert.deepEqual(r.steps, ["preflight", "recordEvent", "releaseLease"]);
    const accepted = await drive(
      { ...forced, acceptDataLoss: true },
      script({ preflight: () => sampled(8 * 1048576) }),
    );
    assert.equal(accepted.output.outcome, "succeeded");
  });

  test("RPO guard: with no lag sample of the primary alive, the data at risk is unknown and needs acceptDataLoss", async () => {
    const r = await drive(
      forced,
      script({
        preflight: () => ({
          ...down,
          risk: { bytes: null, replaySeconds: null, source: "unknown" as const, measuredAt: null },
        }),
      }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["refused", "DataLossNotAccepted"]);
    assert.match(r.output.reason!, /unknown/);
  });

  test("an old primary that still answers is fenced right after the proof", async () => {
    const r = await drive(forced, script({ preflight: () => ({ ...ready, risk: measured }) }));
    assert.equal(r.output.outcome, "succeeded");
    assert.deepEqual(r.steps.slice(5, 8), ["verify", "fence", "restoreTtl"]);
    assert.equal(r.output.fence?.state, "fenced");
  });
});

describe("completing a failover whose target is already promoted", () => {
  const completing = { ...input, mode: "complete" as const };
  const promoted = {
    ...ready,
    mode: "complete" as const,
    lag: null,
    to: { ...to, state: { ...to.state, role: "Primary" }, dataPlane: plane(false) },
  };

  test("fence the old primary, repoint, verify — no catch-up, no promote", async () => {
    const r = await drive(completing, script({ preflight: () => promoted }));
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.deepEqual(r.steps, [
      "preflight",
      "lowerTtl",
      "fence",
      "repointCname",
      "verify",
      "restoreTtl",
      "recordEvent",
      "releaseLease",
    ]);
    assert.equal(r.output.fence?.state, "fenced");
  });

  test("a repoint refused while completing lifts the fence: back to how the run found the pair", async () => {
    const r = await drive(
      completing,
      script({
        preflight: () => promoted,
        repointCname: () => ({ kind: "refused", code: "ConcurrentChange", reason: "x" }),
      }),
    );
    assert.equal(r.output.outcome, "refused");
    assert.ok(r.steps.includes("liftFence"));
  });

  test("with the old primary away, it is watched for instead", async () => {
    const away = {
      ...promoted,
      from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    };
    const r = await drive(completing, script({ preflight: () => away }));
    assert.equal(r.output.outcome, "succeeded");
    assert.deepEqual(r.steps.slice(0, 6), [
      "preflight",
      "lowerTtl",
      "repointCname",
      "verify",
      "watchFence",
      "restoreTtl",
    ]);
  });
});

describe("approval: a second person before the first change", () => {
  const bob = { oid: "00000000-0000-0000-0000-0000000000b0", name: "bob", roles: ["Failover.Approve"], idp: "aad" };
  const alice = { ...input.requester, roles: ["Failover.Request", "Failover.Approve"] };
  const gated: FailoverInput = {
    ...forced,
    requester: alice,
    policy: { ...forced.policy, approval: { mode: "forced", twoPerson: true, timeoutMinutes: 30 } },
  };
  const down = {
    ...ready,
    from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    lag: null,
    fenceBefore: null,
  };
  const decision = (d: "approve" | "abort", by: typeof bob, atMs: number) => ({
    name: "decision",
    atMs,
    data: { decision: d, principal: by, reason: `${d} for the drill`, at: "2026-11-27T03:05:00.000Z" },
  });

  test("a forced failover waits with the plan in its status, and runs once a second person approves", async () => {
    const r = await drive(gated, script({ preflight: () => ({ ...down, risk: { ...measured, bytes: 100 } }) }), [
      decision("approve", bob, 120_000),
    ]);
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    const waiting = r.statuses.find((s) => s.awaitingApproval)!;
    assert.equal(waiting.step, "approval");
    assert.deepEqual(
      {
        from: waiting.awaitingApproval!.from,
        to: waiting.awaitingApproval!.to,
        requester: waiting.awaitingApproval!.requester.name,
        risk: waiting.awaitingApproval!.risk?.bytes,
      },
      { from: "pg-eus", to: "pg-wus", requester: "alice", risk: 100 },
    );
    assert.equal(waiting.awaitingApproval!.expiresAt, "2026-11-27T03:30:00.010Z");
    assert.deepEqual(r.output.approval && [r.output.approval.decision, r.output.approval.by?.name], ["approve", "bob"]);
    const lower = r.calls.find((c) => c.key === "lowerTtl")!;
    assert.ok(lower.atMs >= 120_000, "nothing changed before the approval");
    assert.ok(
      r.calls.some(
        (c) =>
          c.key === "recordEvent" && c.input.event === "approved" && /approved by bob/.test(String(c.input.summary)),
      ),
    );
  });

  test("the requester cannot approve their own failover: ignored and audited; unanswered, the run aborts at the timeout and changes nothing", async () => {
    const r = await drive(gated, script({ preflight: () => down }), [decision("approve", alice, 1_000)]);
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["aborted", "ApprovalTimedOut", "approval"],
    );
    assert.ok(
      r.calls.some(
        (c) =>
          c.key === "recordEvent" &&
          c.input.event === "ignored" &&
          /requested this failover and cannot approve/.test(String(c.input.summary)),
      ),
    );
    assert.deepEqual(
      r.steps,
      ["preflight", "recordEvent", "releaseLease"],
      "no change: the ignored answer and the outcome are recorded, nothing else",
    );
    assert.equal(r.output.approval?.decision, "timeout");
  });

  test("an abort stops the run before any change, audited with who and why", async () => {
    const r = await drive(gated, script({ preflight: () => down }), [decision("abort", bob, 5_000)]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "Aborted"]);
    assert.match(r.output.reason!, /aborted by bob: abort for the drill/);
    assert.ok(!r.steps.includes("lowerTtl"));
    assert.ok(r.calls.some((c) => c.key === "recordEvent" && c.input.event === "aborted"));
  });

  test("above the RPO threshold, the approval accepts the data loss (the approver is told)", async () => {
    const risky = {
      ...down,
      risk: {
        bytes: 64 * 1048576,
        replaySeconds: 9,
        source: "sample" as const,
        measuredAt: "2026-11-27T02:59:00.000Z",
      },
    };
    const r = await drive(gated, script({ preflight: () => risky }), [decision("approve", bob, 60_000)]);
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    const waiting = r.statuses.find((s) => s.awaitingApproval)!.awaitingApproval!;
    assert.equal(waiting.acceptsDataLoss, true);
    assert.ok(
      waiting.warnings.some((w) => /approving accepts data loss: .*67108864 bytes behind/.test(w)),
      waiting.warnings.join("; "),
    );
  });

  test("a planned failover runs without approval under the default policy, and waits under 'always'", async () => {
    const planned = { ...gated, option: "Planned" as const };
    const r = await drive(planned, script());
    assert.equal(r.output.outcome, "succeeded");
    assert.equal(
      r.statuses.some((s) => s.awaitingApproval),
      false,
    );
    const always = {
      ...planned,
      policy: { ...planned.policy, approval: { mode: "always" as const, twoPerson: true, timeoutMinutes: 30 } },
    };
    const w = await drive(always, script(), [decision("approve", bob, 10_000)]);
    assert.equal(w.output.outcome, "succeeded");
    assert.equal(
      w.statuses.some((s) => s.awaitingApproval),
      true,
    );
  });
});

describe("alert runs: confirm first, then propose or run", () => {
  const actionGroup = {
    oid: "azure-monitor-action-group",
    name: "Azure Monitor action group",
    roles: ["Failover.Alert"],
    idp: "functionKey",
  };
  const alert = {
    alertId: "/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1",
    rule: "pg-prod-primary-down",
    firedAt: null,
    severity: "Sev0",
    description: "is_db_alive < 1",
    targetId: from.resourceId.toUpperCase(),
  };
  const down = {
    ...ready,
    from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    lag: null,
    fenceBefore: null,
    risk: { ...measured, bytes: 10, source: "sample" as const },
  };
  const proposed: FailoverInput = {
    ...forced,
    source: "alert",
    requester: actionGroup,
    alert,
    policy: { ...forced.policy, approval: { mode: "always", twoPerson: true, timeoutMinutes: 30 } },
  };
  const auto: FailoverInput = {
    ...proposed,
    policy: { ...proposed.policy, approval: { mode: "never", twoPerson: true, timeoutMinutes: 30 } },
  };
  const downScript = (over: Script = {}) =>
    script({
      preflight: () => down,
      confirmDown: (i) => ({
        kind: "checked",
        down: true,
        evidence: Array.from({ length: i.tries }, (_, n) => `try ${n + 1}: no answer`),
      }),
      ...over,
    });

  test("a primary that answers makes the alert a false alarm: nothing changes", async () => {
    const r = await drive(
      auto,
      downScript({
        confirmDown: () => ({ kind: "checked", down: false, evidence: ["try 1: ARM state Ready; answered"] }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["falseAlarm", "PrimaryAnswers", "confirm"],
    );
    assert.deepEqual(r.steps, ["preflight", "confirmDown", "recordEvent", "releaseLease"]);
    assert.deepEqual(r.output.confirmation, { down: false, evidence: ["try 1: ARM state Ready; answered"] });
  });

  test("an alert on a server the CNAME does not serve is a false alarm without even looking", async () => {
    const r = await drive({ ...auto, alert: { ...alert, targetId: to.resourceId } }, downScript());
    assert.deepEqual([r.output.outcome, r.output.code], ["falseAlarm", "NotThePrimary"]);
    assert.ok(!r.steps.includes("confirmDown"));
  });

  test("auto: confirmed down, the forced failover runs with no approval", async () => {
    const r = await drive(auto, downScript());
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.deepEqual(r.steps.slice(0, 4), ["preflight", "confirmDown", "lowerTtl", "promote"]);
    assert.deepEqual(r.calls.find((c) => c.key === "confirmDown")!.input, {
      runId: input.runId,
      pair: "prod",
      server: down.from,
      tries: 3,
      windowSeconds: 30,
    });
    assert.equal(r.output.confirmation?.down, true);
  });

  test("propose: confirmed down, it waits with the alert and the confirmation in the plan; the alert's Resolved aborts it", async () => {
    const resolved = {
      name: "decision",
      atMs: 60_000,
      data: {
        decision: "abort",
        principal: actionGroup,
        reason: 'the alert "pg-prod-primary-down" resolved',
        at: "2026-11-27T03:01:00.000Z",
      },
    };
    const r = await drive(proposed, downScript(), [resolved]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "Aborted"]);
    const plan = r.statuses.find((s) => s.awaitingApproval)!.awaitingApproval!;
    assert.equal(plan.alert?.rule, "pg-prod-primary-down");
    assert.deepEqual(plan.alert?.confirmation, ["try 1: no answer", "try 2: no answer", "try 3: no answer"]);
    assert.ok(!r.steps.includes("lowerTtl"));
  });
});
