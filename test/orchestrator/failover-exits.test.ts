// Every way out of the failover runbook, driven through the real durable-functions replay with scripted
// activity results: the outcome and its code, where the CNAME is left, and which compensations ran.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CheckPromotionResult } from "../../src/activities/contracts";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import { apiDecision, drive, took, type Driven, type Script } from "./harness";
import {
  NEW,
  OLD,
  ZONE,
  cname,
  checked,
  count,
  fail,
  fenced,
  forced,
  from,
  input,
  measured,
  plane,
  ready,
  script,
  to,
} from "./failover-fixtures";
import { recordTranscripts } from "./transcript";

recordTranscripts("failover-exits");

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

  test("a bug in a step (any error, not only a Stop) unwinds everything: fence lifted, TTL restored, audited, lease released", async () => {
    // A fence result without its survivors list makes the runbook itself throw a TypeError after the fence.
    const broken = { ...fenced, survivors: undefined } as unknown as typeof fenced;
    const r = await drive(input, script({ fence: () => broken }));
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["failed", "InternalError", "fence"]);
    assert.match(r.output.reason!, /TypeError|Cannot read properties of undefined/);
    assert.equal(count(r, "liftFence"), 1, "the fence was lifted");
    assert.equal(count(r, "restoreTtl"), 1, "the TTL was restored");
    assert.equal(count(r, "promote"), 0);
    assert.deepEqual(r.steps.slice(-2), ["recordEvent", "releaseLease"], "the end is audited and the lease released");
    const end = r.calls.find((c) => c.key === "recordEvent" && c.input.event === "completed")!;
    assert.match(String(end.input.summary), /failed at fence: InternalError/);
    assert.equal(r.output.fence?.state, "lifted");
  });

  test("a lift refused outright is not retried: the result's first line says the old primary is still fenced", async () => {
    const gone = { kind: "refused" as const, code: "ServerNotFound", reason: "pg-eus does not exist" };
    const r = await drive(input, script({ fence: () => fenced, checkCatchUp: fail("boom"), liftFence: () => gone }));
    assert.equal(r.output.outcome, "failed");
    assert.equal(count(r, "liftFence"), 1);
    assert.match(r.output.warnings[0]!, /^pg-eus IS STILL FENCED and takes no writes: .*\(pg-eus does not exist\)/);
  });

  test("a fence that will not lift is retried until its deadline, then is the result's first line", async () => {
    const busy = () => new Error("ServerIsNotReady: Current Server State = Updating");
    const r = await drive(input, script({ fence: () => fenced, checkCatchUp: fail("boom"), liftFence: busy }));
    assert.equal(r.output.outcome, "failed");
    assert.ok(count(r, "liftFence") > input.policy.retry.maxAttempts, `lift tried ${count(r, "liftFence")} times`);
    assert.match(r.output.warnings[0]!, /pg-eus IS STILL FENCED and takes no writes/);
    const lastLift = r.calls.filter((c) => c.key === "liftFence").at(-1)!;
    const firstLift = r.calls.find((c) => c.key === "liftFence")!;
    assert.ok(lastLift.atMs - firstLift.atMs >= 600_000, "kept trying for the lift deadline");

    let tries = 0;
    const eventually = await drive(
      input,
      script({
        checkCatchUp: fail("boom"),
        // More failures than one attempt's retries: only the lift's own rounds get past them.
        liftFence: (i) =>
          ++tries <= input.policy.retry.maxAttempts + 1 ? busy() : { kind: "lifted", value: i.previousValue },
      }),
    );
    assert.equal(eventually.output.fence?.state, "lifted");
    assert.ok(!eventually.output.warnings.some((w) => /STILL FENCED/.test(w)));
  });

  test("a fence that reports no WAL position: CatchUpFailed before any catch-up or promote, fence lifted", async () => {
    const r = await drive(input, script({ fence: () => ({ ...fenced, lsn: null }) }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "CatchUpFailed"]);
    assert.equal(r.output.reason, "pg-eus reported no WAL position after the fence");
    assert.ok(!r.steps.includes("checkCatchUp") && !r.steps.includes("promote"), r.steps.join(","));
    assert.equal(r.output.fence?.state, "lifted");
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

  test("a promote whose operation fails while the replica is still in recovery: refused, fence lifted, TTL restored", async () => {
    let polls = 0;
    const r = await drive(
      input,
      script({
        promote: () => ({ kind: "started", state: to.state, operationUrl: "https://management.azure.com/op/1" }),
        checkPromotion: () => (++polls < 3 ? checked("promoting") : checked("failed")),
      }),
    );
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["refused", "PromoteFailed", "promote"]);
    assert.match(r.output.reason!, /InternalServerError: the promote failed.*still a replica/);
    assert.equal(r.output.promoteAccepted, false);
    assert.equal(count(r, "liftFence"), 1, "the fence was lifted");
    assert.equal(count(r, "restoreTtl"), 1);
    assert.equal(count(r, "repointCname"), 0);
    assert.equal(r.output.fence?.state, "lifted");
    assert.equal(
      r.calls.find((c) => c.key === "checkPromotion")!.input.operationUrl,
      "https://management.azure.com/op/1",
      "the promote's operation is polled",
    );
  });

  test("a planned promote names its source (both must be Ready); a forced one does not", async () => {
    const r = await drive(input, script());
    assert.equal((r.calls.find((c) => c.key === "promote")!.input.source as { name: string }).name, "pg-eus");
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

  test("a TTL restore refused (the CNAME is someone else's now): succeeded, the refusal's reason in the warning", async () => {
    const refusal = { kind: "refused" as const, code: "CnameChanged", reason: "the CNAME now points at other.example" };
    const r = await drive(input, script({ restoreTtl: () => refusal }));
    assert.equal(r.output.outcome, "succeeded");
    assert.ok(
      r.output.warnings.includes("the CNAME TTL was not restored: the CNAME now points at other.example"),
      r.output.warnings.join("; "),
    );
    const last = r.output.phases.at(-1)!;
    assert.deepEqual([last.phase, last.outcome, last.note], ["restoreTtl", "refused", refusal.reason]);
    assert.equal(count(r, "restoreTtl"), 1, "a refusal is not retried");
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
      "fenceByArm",
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

  test("an old primary whose data plane cannot be reached but whose ARM answers is made read-only through ARM, and watched", async () => {
    // Reproduced before: the probe's login refused (the server running), the run left it "watching" — writable.
    const r = await drive(
      forced,
      script({
        preflight: () => sampled(4096),
        fenceByArm: (i) => ({ kind: "parameterSet", server: i.server.name, at: input.requestedAt }),
      }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.equal(r.output.fence?.state, "fencedByArm");
    assert.match(r.output.fence!.note, /new sessions are read-only \(set through ARM\)/);
    assert.deepEqual(
      r.steps.filter((k) => ["fence", "fenceByArm", "watchFence"].includes(k)),
      ["fenceByArm", "watchFence"],
      "the ARM fence, then the watch that ends its sessions when it answers",
    );
    assert.ok(r.output.warnings.some((w) => /only partly fenced/.test(w)));
  });

  test("a fence watch that cannot be recorded: succeeded, with a warning to fence the old primary by hand", async () => {
    const refusal = { kind: "refused" as const, code: "WatchNotRecorded", reason: "the state table refused it" };
    const r = await drive(forced, script({ preflight: () => sampled(4096), watchFence: () => refusal }));
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.ok(
      r.output.warnings.includes(
        "pg-eus is not fenced and no fence watch was recorded: the state table refused it; fence it by hand",
      ),
      r.output.warnings.join("; "),
    );
    const fence = r.output.phases.find((p) => p.phase === "fence")!;
    assert.deepEqual([fence.outcome, fence.note], ["failed", refusal.reason]);
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
    assert.deepEqual(r.steps.slice(0, 7), [
      "preflight",
      "lowerTtl",
      "repointCname",
      "verify",
      "fenceByArm",
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
    data: apiDecision({ decision: d, principal: by, reason: `${d} for the drill`, at: "2026-11-27T03:05:00.000Z" }),
  });
  const ignored = (r: Driven, pattern: RegExp) =>
    r.calls.some(
      (c) => c.key === "recordEvent" && c.input.event === "ignored" && pattern.test(String(c.input.summary)),
    );

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
      ["preflight", "readDecision", "recordEvent", "releaseLease"],
      "no change: the ignored answer and the outcome are recorded, nothing else",
    );
    assert.equal(r.output.approval?.decision, "timeout");
  });

  test("a decision raised outside the API (the Durable webhook with the system key) is ignored, whatever principal it claims", async () => {
    // Reproduced: raiseEvent/decision with {oid: <made up>, name: "bob", roles: ["Failover.Approve"]} approved a run.
    const forged = {
      name: "decision",
      atMs: 1_000,
      data: { decision: "approve", principal: bob, reason: "forged", at: "2026-11-27T03:01:00.000Z" },
    };
    const r = await drive(gated, script({ preflight: () => down }), [forged]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"]);
    assert.ok(!r.steps.includes("lowerTtl"), "nothing changed");
    assert.ok(!r.steps.includes("readDecision"), "not even looked up: it names no stored decision");
    assert.ok(ignored(r, /names no stored decision/));
    assert.ok(
      !r.calls.some((c) => JSON.stringify(c.input).includes("forged")),
      "the forged content is not written to the audit",
    );
  });

  test("a stored decision counts only for the run it was given for, and a made-up nonce for none", async () => {
    const other = {
      name: "decision",
      atMs: 1_000,
      data: apiDecision(
        { decision: "approve", principal: bob, reason: "for another run", at: "2026-11-27T03:01:00.000Z" },
        "failover-prod-another",
      ),
    };
    const madeUp = { name: "decision", atMs: 2_000, data: { nonce: "0".repeat(48) } };
    const r = await drive(gated, script({ preflight: () => down }), [other, madeUp]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"]);
    assert.equal(r.calls.filter((c) => c.key === "readDecision").length, 2);
    assert.equal(
      r.calls.filter(
        (c) =>
          c.key === "recordEvent" &&
          c.input.event === "ignored" &&
          /no decision is stored/.test(String(c.input.summary)),
      ).length,
      2,
    );
  });

  test("the two-person rule compares object ids whatever their case", async () => {
    const shouting = { ...alice, oid: alice.oid.toUpperCase() };
    const r = await drive(gated, script({ preflight: () => down }), [decision("approve", shouting, 1_000)]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"]);
    assert.ok(ignored(r, /requested this failover and cannot approve/));
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

  test("an evacuation's pair: its approval covers the data at risk it showed, and no more (more, or unknown, asks again)", async () => {
    const child = (accepted: number | null): FailoverInput => ({
      ...forced,
      source: "evacuation",
      policy: { ...forced.policy, approval: { mode: "never", twoPerson: true, timeoutMinutes: 30 } },
      evacuation: { id: "evacuation-x", runId: "r", approvedBy: "bob", acceptedRisk: { bytes: accepted } },
    });
    const at = (bytes: number | null) => ({
      ...down,
      risk: { bytes, replaySeconds: 9, source: "sample" as const, measuredAt: "2026-11-27T02:59:00.000Z" },
    });
    const big = 64 * 1048576;
    const covered = await drive(child(big), script({ preflight: () => at(big) }));
    assert.equal(covered.output.outcome, "succeeded", covered.output.reason);
    assert.ok(!covered.statuses.some((s) => s.awaitingApproval), "what the approver saw is accepted");

    for (const [accepted, measured] of [
      [big, big + 1],
      [big, null],
      [null, big],
    ] as const) {
      const r = await drive(child(accepted), script({ preflight: () => at(measured) }), [
        decision("approve", bob, 60_000),
      ]);
      const waiting = r.statuses.find((s) => s.awaitingApproval)?.awaitingApproval;
      assert.ok(waiting, `accepted ${accepted}, measured ${measured}: asks again`);
      assert.equal(waiting.acceptsDataLoss, true);
      assert.ok(
        waiting.warnings.some((w) =>
          w.endsWith(`; the evacuation's approval accepted ${accepted ?? "unknown"} bytes for this pair`),
        ),
        waiting.warnings.join("; "),
      );
      assert.equal(r.output.outcome, "succeeded", r.output.reason);
      assert.ok(r.calls.find((c) => c.key === "lowerTtl")!.atMs >= 60_000, "nothing changed before the new yes");
    }
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
        tries: Array.from({ length: i.tries }, (_, n) => ({
          liveness: "down" as const,
          detail: `try ${n + 1}: no answer`,
        })),
        arm: { state: "Ready", detail: "ARM: state Ready" },
        health: { state: "Unavailable", detail: "Resource Health: Unavailable (Unplanned)" },
      }),
      ...over,
    });

  test("a primary that answers makes the alert a false alarm: nothing changes", async () => {
    const r = await drive(
      auto,
      downScript({
        confirmDown: () => ({
          kind: "checked",
          tries: [{ liveness: "alive", detail: "try 1: answered, refusing: 28000: no pg_hba.conf entry" }],
          arm: { state: "Ready", detail: "ARM: state Ready" },
          health: { state: "Available", detail: "Resource Health: Available" },
        }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["falseAlarm", "PrimaryAnswers", "confirm"],
    );
    assert.deepEqual(r.steps, ["preflight", "confirmDown", "recordEvent", "releaseLease"]);
    assert.deepEqual(r.output.confirmation, {
      down: false,
      evidence: [
        "try 1: answered, refusing: 28000: no pg_hba.conf entry",
        "ARM: state Ready",
        "Resource Health: Available",
      ],
    });
  });

  const silent = (health: "Available" | "Unavailable" | null, armState: string | null = "Ready") =>
    downScript({
      confirmDown: (i) => ({
        kind: "checked",
        tries: Array.from({ length: i.tries }, (_, n) => ({
          liveness: "down" as const,
          detail: `try ${n + 1}: ECONNREFUSED`,
        })),
        arm: { state: armState, detail: `ARM: state ${armState}` },
        health: { state: health, detail: `Resource Health: ${health ?? "HTTP 500"}` },
      }),
    });

  test("auto: silent, but ARM Ready and Resource Health Available (or unreadable): no automatic promote", async () => {
    for (const health of ["Available", null] as const) {
      const r = await drive(auto, silent(health));
      assert.deepEqual([r.output.outcome, r.output.code], ["falseAlarm", "AzureSaysAvailable"], String(health));
      assert.ok(!r.steps.includes("lowerTtl") && !r.steps.includes("promote"));
      assert.match(r.output.reason!, /ARM reports it Ready and Resource Health/);
    }
  });

  test("auto: silent and Resource Health Unavailable (or ARM not Ready): the forced failover runs", async () => {
    const a = await drive(auto, silent("Unavailable"));
    assert.equal(a.output.outcome, "succeeded", a.output.reason);
    const b = await drive(auto, silent("Available", "Inaccessible"));
    assert.equal(b.output.outcome, "succeeded", b.output.reason);
  });

  test("propose: silent while Azure says Available still asks a person, who sees both side by side", async () => {
    const r = await drive(proposed, silent("Available"));
    const plan = r.statuses.find((s) => s.awaitingApproval)!.awaitingApproval!;
    assert.deepEqual(plan.alert?.confirmation.slice(-2), ["ARM: state Ready", "Resource Health: Available"]);
    assert.equal(r.output.code, "ApprovalTimedOut");
  });

  test("a look that could not tell (our DNS, our token) leaves the alert unconfirmed: nothing changes", async () => {
    const r = await drive(
      auto,
      downScript({
        confirmDown: () => ({
          kind: "checked",
          tries: [
            { liveness: "down", detail: "try 1: ECONNREFUSED" },
            { liveness: "unknown", detail: "try 2: could not be asked: token request failed" },
          ],
          arm: { state: "Ready", detail: "ARM: state Ready" },
          health: { state: "Unavailable", detail: "Resource Health: Unavailable" },
        }),
      }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["falseAlarm", "NotConfirmed"]);
    assert.ok(!r.steps.includes("lowerTtl"));
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

  test("auto: a person's request that arrives while the alert run confirms takes it over before any change", async () => {
    const carol = {
      oid: "00000000-0000-0000-0000-0000000000c0",
      name: "carol",
      roles: ["Failover.Request"],
      idp: "aad",
    };
    const slowConfirm = downScript({
      confirmDown: (i) =>
        took(20_000, {
          kind: "checked",
          tries: Array.from({ length: i.tries }, (_, n) => ({ liveness: "down" as const, detail: `try ${n + 1}` })),
          arm: { state: "Ready", detail: "ARM: state Ready" },
          health: { state: "Unavailable", detail: "Resource Health: Unavailable" },
        }),
    });
    const takeover = {
      name: "decision",
      atMs: 5_000,
      data: apiDecision({
        decision: "abort",
        principal: carol,
        reason: "taken over by a request of carol: planned by hand",
        at: "2026-11-27T03:00:05.000Z",
      }),
    };
    const r = await drive(auto, slowConfirm, [takeover]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "Aborted"]);
    assert.ok(!r.steps.includes("lowerTtl"), "nothing changed");
    assert.equal(r.output.approval?.by?.name, "carol");
    const untouched = await drive(auto, slowConfirm);
    assert.equal(untouched.output.outcome, "succeeded", "without a takeover the auto run goes on");
  });

  test("propose: the identity that delivers alerts cannot approve what an alert proposed; a person can", async () => {
    const bob = { oid: "00000000-0000-0000-0000-0000000000b0", name: "bob", roles: ["Failover.Approve"], idp: "aad" };
    const alertApp = {
      oid: "00000000-0000-0000-0000-00000000a2a2",
      name: "AzNS AAD Webhook",
      roles: ["Failover.Alert", "Failover.Approve"],
      idp: "aad",
    };
    const at = "2026-11-27T03:01:00.000Z";
    const r = await drive(proposed, downScript(), [
      {
        name: "decision",
        atMs: 30_000,
        data: apiDecision({ decision: "approve", principal: alertApp, reason: "auto", at }),
      },
      {
        name: "decision",
        atMs: 60_000,
        data: apiDecision({ decision: "approve", principal: bob, reason: "confirmed", at }),
      },
    ]);
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.equal(r.output.approval?.by?.name, "bob");
    assert.ok(
      r.calls.some(
        (c) =>
          c.key === "recordEvent" && c.input.event === "ignored" && /delivers alerts/.test(String(c.input.summary)),
      ),
    );
  });

  test("propose: confirmed down, it waits with the alert and the confirmation in the plan; the alert's Resolved aborts it", async () => {
    const resolved = {
      name: "decision",
      atMs: 60_000,
      data: apiDecision({
        decision: "abort",
        principal: actionGroup,
        reason: 'the alert "pg-prod-primary-down" resolved',
        at: "2026-11-27T03:01:00.000Z",
      }),
    };
    const r = await drive(proposed, downScript(), [resolved]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "Aborted"]);
    const plan = r.statuses.find((s) => s.awaitingApproval)!.awaitingApproval!;
    assert.equal(plan.alert?.rule, "pg-prod-primary-down");
    assert.deepEqual(plan.alert?.confirmation, [
      "try 1: no answer",
      "try 2: no answer",
      "try 3: no answer",
      "ARM: state Ready",
      "Resource Health: Unavailable (Unplanned)",
    ]);
    assert.ok(!r.steps.includes("lowerTtl"));
  });
});

describe("the runbook's smaller branches, each as the operator sees it", () => {
  const reachableForced = { ...forced };
  const down = {
    ...ready,
    from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    lag: null,
    fenceBefore: null,
  };

  test("a planned failover is not held by the RPO guard, however far behind the replica is: the catch-up loses nothing", async () => {
    const behind = { ...ready, risk: { ...measured, bytes: 64 * 1048576 } };
    const r = await drive(input, script({ preflight: () => behind }));
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.ok(r.steps.includes("checkCatchUp"));
    assert.deepEqual(r.output.risk?.bytes, 0, "measured again after the catch-up");
  });

  test("a TTL below the drain cap is waited out in full, with no 'capped' note", async () => {
    const shortTtl = { ...ready, cname: { ...cname, ttl: 60 } };
    const r = await drive(input, script({ preflight: () => shortTtl }));
    const drain = r.output.phases.find((p) => p.phase === "drain")!;
    assert.deepEqual([drain.outcome, drain.seconds, drain.note], ["ok", 60, undefined]);
  });

  test("the lift puts back the server's own earlier setting (read-only before the run stays read-only)", async () => {
    const wasReadOnly = { ...ready, fenceBefore: "on" };
    const r = await drive(input, script({ preflight: () => wasReadOnly, checkCatchUp: fail("boom") }));
    assert.equal(r.output.outcome, "failed");
    assert.equal(r.calls.find((c) => c.key === "liftFence")!.input.previousValue, "on");
    assert.match(r.output.fence!.note, /default_transaction_read_only back to on/);

    let polls = 0;
    const failedPromote = await drive(
      input,
      script({
        preflight: () => wasReadOnly,
        checkPromotion: () => (++polls < 2 ? checked("promoting") : checked("failed")),
      }),
    );
    assert.equal(failedPromote.output.code, "PromoteFailed");
    assert.equal(failedPromote.calls.find((c) => c.key === "liftFence")!.input.previousValue, "on");
  });

  test("a forced promote that fails has no fence to lift: the old primary was never fenced", async () => {
    const r = await drive(
      forced,
      script({
        preflight: () => ({ ...down, risk: { ...measured, bytes: 10 } }),
        checkPromotion: () => checked("failed"),
      }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["refused", "PromoteFailed"]);
    assert.equal(count(r, "liftFence"), 0);
    assert.equal(r.output.fence?.state, "none");
  });

  test("a failed promote names what Azure said, or its status, or that the operation failed", async () => {
    const failedWith = (operation: Extract<CheckPromotionResult, { kind: "checked" }>["operation"]) =>
      drive(input, script({ checkPromotion: () => ({ ...checked("failed"), operation }) }));
    const noError = await failedWith({ status: "Canceled" });
    assert.match(noError.output.reason!, /the promote of pg-wus failed \(Canceled\); pg-wus is still a replica/);
    const nothing = await failedWith(null);
    assert.match(nothing.output.reason!, /the promote of pg-wus failed \(the operation failed\)/);
  });

  test("a promote under way for many watches is waited for: only watches that see nothing happening count as idle", async () => {
    let polls = 0;
    const sequence = ["notStarted", "notStarted", "promoting", "notStarted", "notStarted", "promoting", "promoting"];
    const r = await drive(
      input,
      script({
        checkPromotion: () => {
          const p = sequence[polls++];
          return p ? checked(p as "notStarted" | "promoting") : checked("writable");
        },
      }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.equal(count(r, "checkPromotion"), sequence.length + 1);
  });

  test("onReturn 'stop': a reachable old primary is not fenced read-only after a forced failover; it is stopped when watched", async () => {
    const stopping: FailoverInput = {
      ...reachableForced,
      policy: { ...reachableForced.policy, fence: { watchHours: 24, onReturn: "stop" } },
    };
    const r = await drive(stopping, script({ preflight: () => ({ ...ready, risk: measured }) }));
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.ok(!r.steps.includes("fence"), r.steps.join(","));
    assert.equal(r.calls.find((c) => c.key === "watchFence")!.input.action, "stop");
    assert.match(r.output.fence!.note, /it is fenced \(stop\) as soon as it comes back/);
  });

  test("after a forced failover, a fence of the reachable old primary that fails or is refused falls back to ARM and the watch", async () => {
    const refusal = { kind: "refused" as const, code: "LoginRefused", reason: "password authentication failed" };
    for (const fence of [fail("ECONNRESET"), () => refusal]) {
      const r = await drive(
        forced,
        script({
          preflight: () => ({ ...ready, risk: measured }),
          fence,
          fenceByArm: (i) => ({ kind: "parameterSet", server: i.server.name, at: input.requestedAt }),
        }),
      );
      assert.equal(r.output.outcome, "succeeded", r.output.reason);
      assert.equal(r.output.fence?.state, "fencedByArm");
      assert.ok(r.steps.includes("watchFence"));
    }
  });

  test("a fence watch that fails on every attempt: succeeded, the error in the warning to fence by hand", async () => {
    const r = await drive(
      forced,
      script({
        preflight: () => ({ ...down, risk: { ...measured, bytes: 10 } }),
        fenceByArm: (i) => ({ kind: "parameterSet", server: i.server.name, at: input.requestedAt }),
        watchFence: fail("table unavailable"),
      }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.ok(
      r.output.warnings.some((w) =>
        /^pg-eus is read-only for new sessions only and no fence watch was recorded: .*table unavailable.*; fence it by hand$/.test(
          w,
        ),
      ),
      r.output.warnings.join("; "),
    );
    assert.equal(r.output.phases.find((p) => p.phase === "fence")!.outcome, "failed");
  });

  test("no stabilising wait when the policy sets none; a fixed restore TTL is used instead of the original", async () => {
    const quick: FailoverInput = {
      ...input,
      policy: {
        ...input.policy,
        ttl: { failoverSeconds: 30, restoreSeconds: 300 },
        timings: { ...input.policy.timings, stabiliseSeconds: 0 },
      },
    };
    const r = await drive(quick, script());
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.equal(r.output.phases.find((p) => p.phase === "stabilise")!.outcome, "skipped");
    assert.equal(r.calls.find((c) => c.key === "restoreTtl")!.input.ttl, 300);
    assert.equal(r.output.cname.ttl, 300);
  });

  test("an approval request within the RPO threshold accepts no data loss and predicts the RTO", async () => {
    const gated: FailoverInput = {
      ...forced,
      policy: { ...forced.policy, approval: { mode: "forced", twoPerson: false, timeoutMinutes: 30 } },
    };
    const r = await drive(
      gated,
      script({ preflight: () => ({ ...down, risk: { ...measured, bytes: 10 }, warnings: ["pg-eus: no lag sample"] }) }),
    );
    const plan = r.statuses.find((s) => s.awaitingApproval)!.awaitingApproval!;
    assert.equal(plan.acceptsDataLoss, false);
    assert.deepEqual(plan.warnings, ["pg-eus: no lag sample"]);
    assert.deepEqual(plan.predictedRtoSeconds, { drain: 0, atMost: plan.predictedRtoSeconds.atMost });
    assert.ok(plan.predictedRtoSeconds.atMost > 0);
    assert.equal(plan.twoPerson, false);
    assert.equal(plan.alert, undefined, "not an alert run");
  });
});

// Mutation testing (issue 23): the promote's edges the operator reads about.
describe("the promote's edges", () => {
  const down = {
    ...ready,
    from: { ...from, dataPlane: { reachable: false, inRecovery: null, readOnlyDefault: null } },
    lag: null,
    fenceBefore: null,
    risk: { bytes: 0, replaySeconds: 0, source: "sample" as const, measuredAt: "2026-11-27T02:59:00.000Z" },
  };

  test("ARM refusing to report the promote (the replica gone): refused with ARM's code, the fence kept", async () => {
    const r = await drive(
      input,
      script({ checkPromotion: () => ({ kind: "refused", code: "ServerNotFound", reason: "pg-wus does not exist" }) }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.reason],
      ["refused", "ServerNotFound", "pg-wus does not exist"],
    );
    assert.ok(!r.steps.includes("liftFence"), "the promote was accepted: the old primary stays fenced");
    assert.match(r.output.fence!.note, /stays fenced because the promote of pg-wus may complete/);
  });

  test("a forced promote that fails with the old primary unreachable claims no fence it never placed", async () => {
    const r = await drive(forced, script({ preflight: () => down, promote: fail("socket hang up") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteFailed"]);
    assert.deepEqual(r.output.fence, {
      server: "pg-eus",
      state: "none",
      note: "not fenced by this run",
      previousValue: null,
    });
  });

  test("a forced promote ARM reports failed, the old primary unreachable: no fence to lift, none claimed", async () => {
    const r = await drive(forced, script({ preflight: () => down, checkPromotion: () => checked("failed") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["refused", "PromoteFailed"]);
    assert.ok(!r.steps.includes("liftFence"));
    assert.equal(r.output.fence?.state, "none");
  });
});

describe("the fence's warnings, as the operator reads them", () => {
  test("every superuser session left and every setting that turns the fence off is named, one list each", async () => {
    const r = await drive(
      input,
      script({
        fence: () => ({
          ...fenced,
          survivors: [
            { user: "azure_pg_admin", sessions: 2 },
            { user: "ops", sessions: 1 },
          ],
          overrides: ["role app", "database orders"],
        }),
      }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.ok(
      r.output.warnings.includes(
        "sessions of superusers on pg-eus could not be ended and could still write: 2 of azure_pg_admin, 1 of ops",
      ),
      r.output.warnings.join("\n"),
    );
    assert.ok(
      r.output.warnings.includes("on pg-eus, role/database settings turn the fence off for: role app, database orders"),
      r.output.warnings.join("\n"),
    );
  });
});

describe("a run that stops before it read anything", () => {
  test("a preflight failing outright: failed PreflightFailed, the CNAME said to be unread, nothing changed", async () => {
    const r = await drive(input, script({ preflight: fail("ECONNREFUSED") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PreflightFailed"]);
    assert.deepEqual(r.output.cname, {
      target: null,
      ttl: null,
      note: "not read: the run stopped before preflight read it",
    });
    assert.deepEqual(r.output.rto, { total: null, preflight: r.output.rto.preflight });
    assert.deepEqual(
      r.steps.filter((s) => s !== "preflight"),
      ["recordEvent", "releaseLease"],
    );
  });
});
