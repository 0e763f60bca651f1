// Every way out of a re-protection, driven through the real durable-functions replay with scripted activities:
// the plan refused, the approval (and the delete that always asks a second person), the create refused or failing
// later, the replica that never gets ready, the join, retiring the old server, and the dry run that proves it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FailoverInput, FailoverOutput } from "../../src/orchestrations/failover-types";
import type { ReprotectOutput, ReprotectStatus } from "../../src/orchestrations/reprotect-types";
import { apiDecision, TEST_POLICY } from "./harness";
import { alice, bob, dryRunOk, input, plan, ready, reprotect, script } from "./reprotect-fixtures";
import { recordTranscripts } from "./transcript";

recordTranscripts("reprotect-exits");

describe("reprotect: plan, create, replicate, join, retire, prove", () => {
  test("the whole way: the replica joins the pair, the old server is kept, the dry run plans the next failover", async () => {
    const r = await reprotect(input, script());
    assert.equal(r.output.outcome, "succeeded", JSON.stringify(r.output));
    assert.deepEqual(r.steps, [
      "planReprotect",
      "createReplica",
      "checkReplica",
      "joinPair",
      "recordEvent",
      "releaseLease",
    ]);
    assert.deepEqual(r.output.replica, {
      name: "pg-eus-r000000",
      resourceId: plan.target.resourceId,
      location: "eastus",
      aRecord: "ccc",
      joined: true,
    });
    const join = r.calls.find((c) => c.key === "joinPair")!;
    assert.deepEqual(join.input.add, { resourceId: plan.target.resourceId, aRecord: "ccc" });
    assert.equal(join.input.remove, plan.old.resourceId);
    assert.equal(r.output.old?.retired, "keep");
    assert.equal(r.output.nextFailover?.to, "pg-eus-r000000");
    assert.deepEqual(
      r.output.phases.map((p) => p.phase),
      ["plan", "create", "replicate", "join", "dryRun"],
    );
  });

  test("the replica is polled on durable timers until ready, at the pair's re-protection interval", async () => {
    const r = await reprotect(
      input,
      script({
        checkReplica: () => {
          polls++;
          return polls < 4 ? { kind: "waiting", detail: "ARM state Provisioning, not Ready" } : ready;
        },
      }),
    );
    assert.equal(r.output.outcome, "succeeded");
    const at = r.calls.filter((c) => c.key === "checkReplica").map((c) => c.atMs);
    assert.equal(at.length, 4);
    for (let i = 1; i < at.length; i++)
      assert.ok(at[i]! - at[i - 1]! >= 60_000, `poll ${i} after ${at[i]! - at[i - 1]!} ms`);
  });
  let polls = 0;

  test("a plan refused (already protected, name taken) changes nothing and names the code", async () => {
    const r = await reprotect(
      input,
      script({ planReprotect: () => ({ kind: "refused", code: "AlreadyProtected", reason: "pg-eus is a replica" }) }),
    );
    assert.equal(r.output.outcome, "refused");
    assert.equal(r.output.code, "AlreadyProtected");
    assert.equal(r.output.failedStep, "plan");
    assert.ok(!r.steps.includes("createReplica"));
    assert.ok(r.steps.includes("releaseLease"), "the lease is released");
  });

  test("ARM refuses the create (quota): refused with ARM's code, no replica reported, nothing to undo", async () => {
    const r = await reprotect(
      input,
      script({ createReplica: () => ({ kind: "refused", code: "QuotaExceeded", reason: "no cores left in eastus" }) }),
    );
    assert.equal(r.output.outcome, "refused");
    assert.equal(r.output.code, "QuotaExceeded");
    assert.equal(r.output.replica, null);
    assert.deepEqual(r.output.warnings, []);
  });

  test("the create fails later: the run stops and says which server it created", async () => {
    const r = await reprotect(
      input,
      script({ checkReplica: () => ({ kind: "refused", code: "CreateFailed", reason: "ARM: InternalServerError" }) }),
    );
    assert.equal(r.output.outcome, "refused");
    assert.equal(r.output.failedStep, "replicate");
    assert.equal(r.output.replica?.joined, false);
    assert.ok(
      r.output.warnings.some((w) => w.includes("pg-eus-r000000 was created but did not join")),
      r.output.warnings.join("; "),
    );
    assert.ok(!r.steps.includes("joinPair"));
  });

  test("a replica never ready within the deadline: failed ReplicaNotReady, with what it was waiting for", async () => {
    const r = await reprotect(
      { ...input, policy: { ...TEST_POLICY, timings: { ...TEST_POLICY.timings, reprotectDeadlineSeconds: 300 } } },
      script({ checkReplica: () => ({ kind: "waiting", detail: "replication Catchup, not Active" }) }),
    );
    assert.equal(r.output.outcome, "failed");
    assert.equal(r.output.code, "ReplicaNotReady");
    assert.match(r.output.reason!, /Catchup/);
    assert.ok(r.output.warnings.some((w) => w.includes("did not join")));
  });

  test("stop and delete retire the old server after the join, and wait for ARM's operation", async () => {
    const stop = await reprotect(
      { ...input, retireOld: "stop" },
      script({ retireServer: () => ({ kind: "started", operationUrl: null }) }),
    );
    assert.equal(stop.output.outcome, "succeeded");
    assert.equal(stop.output.old?.retired, "stop");
    assert.ok(stop.steps.indexOf("retireServer") > stop.steps.indexOf("joinPair"));

    const del = await reprotect({ ...input, retireOld: "delete", needsApproval: false }, script());
    assert.equal(del.output.old?.retired, "delete");
    assert.ok(del.steps.includes("checkOperation"));
  });

  test("a retire that fails is a warning, not a failed re-protection: the pair is protected", async () => {
    const r = await reprotect(
      { ...input, retireOld: "stop" },
      script({ retireServer: () => ({ kind: "refused", code: "AuthorizationFailed", reason: "no stop/action" }) }),
    );
    assert.equal(r.output.outcome, "succeeded");
    assert.equal(r.output.old?.retired, null);
    assert.ok(r.output.warnings.some((w) => w.includes("pg-eus was not stopped")));
  });

  test("a delete waits for a second person, who sees the data the old server may hold", async () => {
    const i = {
      ...input,
      retireOld: "delete" as const,
      needsApproval: true,
      policy: { ...TEST_POLICY, approval: { ...TEST_POLICY.approval, twoPerson: true } },
    };
    const decision = {
      decision: "approve" as const,
      principal: bob,
      reason: "old region is gone",
      at: "2026-11-27T03:01:00.000Z",
    };
    const r = await reprotect(i, script(), [{ name: "decision", atMs: 60_000, data: apiDecision(decision) }]);
    assert.equal(r.output.outcome, "succeeded", JSON.stringify(r.output));
    assert.equal(r.output.approval?.by?.name, "bob");
    const waiting = (r.statuses as unknown as ReprotectStatus[]).find((s) => s.awaitingApproval);
    assert.equal(waiting?.awaitingApproval?.oldRisk?.bytes, 8192);
    assert.ok(waiting?.awaitingApproval?.warnings.some((w) => w.includes("approving deletes pg-eus")));
    const first = r.calls.find((c) => c.key === "createReplica")!;
    assert.ok(first.atMs >= 60_000, "nothing is created before the approval");
  });

  test("the requester cannot approve their own delete; unanswered, the run aborts having changed nothing", async () => {
    const i = { ...input, retireOld: "delete" as const, needsApproval: true };
    const self = { decision: "approve" as const, principal: alice, reason: "me", at: "2026-11-27T03:01:00.000Z" };
    const r = await reprotect(i, script(), [{ name: "decision", atMs: 60_000, data: apiDecision(self) }]);
    assert.equal(r.output.outcome, "aborted");
    assert.equal(r.output.code, "ApprovalTimedOut");
    assert.ok(!r.steps.includes("createReplica"));
  });

  test("the approver aborts the delete: aborted with who and why, nothing created", async () => {
    const i = { ...input, retireOld: "delete" as const, needsApproval: true };
    const abort = { decision: "abort" as const, principal: bob, reason: "keep pg-eus", at: "2026-11-27T03:01:00.000Z" };
    const r = await reprotect(i, script(), [{ name: "decision", atMs: 60_000, data: apiDecision(abort) }]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "Aborted"]);
    assert.match(r.output.reason ?? "", /^aborted by bob: keep pg-eus; nothing was changed$/);
    assert.equal(r.output.approval?.decision, "abort");
    assert.ok(!r.steps.includes("createReplica"), "nothing is created");
    const audit = r.calls.filter((c) => c.key === "recordEvent").map((c) => c.input.event);
    assert.deepEqual(audit, ["aborted", "completed"]);
  });

  test("a delete that never finishes: RetireFailed at the re-protection's deadline, naming the server", async () => {
    const r = await reprotect(
      { ...input, retireOld: "delete" },
      script({ checkOperation: () => ({ status: "InProgress" }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "RetireFailed"]);
    assert.equal(r.output.reason, "delete of pg-eus did not finish in time");
    assert.equal(r.output.replica?.joined, true, "the replica joined before the retire");
  });

  test("a delete that ARM's operation ends as failed: a warning to do it by hand, the pair still protected", async () => {
    const r = await reprotect(
      { ...input, retireOld: "delete" },
      script({ checkOperation: () => ({ status: "Failed", error: "ServerIsBusy: try later" }) }),
    );
    assert.equal(r.output.outcome, "succeeded", "the replica joined: the pair is protected");
    assert.deepEqual(r.output.old, { name: "pg-eus", retired: null, note: "delete Failed: ServerIsBusy: try later" });
    assert.ok(r.output.warnings.includes("pg-eus: delete ended Failed; do it by hand"), r.output.warnings.join("; "));
    assert.deepEqual(
      r.output.phases.filter((p) => p.phase === "retire").map((p) => [p.outcome, p.note]),
      [["failed", "ServerIsBusy: try later"]],
    );
  });

  test("a dry run that fails outright fails the re-protection with DryRunFailed and why", async () => {
    const r = await reprotect(input, script(), [], { failover: () => new Error("orchestrator crashed") });
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "DryRunFailed"]);
    assert.match(r.output.reason ?? "", /^the dry run failed outright: .*orchestrator crashed/);
    assert.equal(r.output.replica?.joined, true, "the replica stays joined: only the proof is missing");
  });

  test("a dry run that does not plan the next failover fails the re-protection: the pair is not proven protected", async () => {
    const r = await reprotect(input, script(), [], {
      failover: (fi) =>
        ({
          ...dryRunOk().failover!(fi, "x"),
          outcome: "refused",
          code: "NoReplica",
          reason: "not a replica",
        }) as FailoverOutput,
    });
    assert.equal(r.output.outcome, "failed");
    assert.equal(r.output.code, "NotProtected");
    assert.equal(r.output.replica?.joined, true, "the join stands: it is the pair's membership now");
  });
});

// Mutation testing (issue 23): what the proof's run is asked, what an approver is shown, and the notes a person
// reads on each step.
describe("reprotect: what the proof runs, what the approver sees, what each step says", () => {
  test("the proof is a dry run of a planned failover of this pair, accepting no data loss", async () => {
    const seen: { i: FailoverInput; id: string }[] = [];
    const r = await reprotect(input, script(), [], {
      failover: (i, id) => (seen.push({ i, id }), dryRunOk().failover!(i, id) as FailoverOutput),
    });
    assert.equal(r.output.outcome, "succeeded");
    const [{ i, id }] = seen as [{ i: FailoverInput; id: string }];
    assert.deepEqual(
      [i.dryRun, i.option, i.acceptDataLoss, i.mode, i.source, i.pair, i.reason, i.requester, i.policy],
      [
        true,
        "Planned",
        false,
        "failover",
        "http",
        "orders",
        `proof of re-protection ${input.runId}`,
        alice,
        TEST_POLICY,
      ],
    );
    assert.equal(id, `dryrun-orders-${i.runId}`);
    assert.notEqual(i.runId, input.runId, "the dry run is a run of its own");
  });

  test("approving a stop shows no data at risk and no deletion warning; a delete with an unknown risk says so", async () => {
    const gated = { ...input, needsApproval: true };
    const stop = await reprotect({ ...gated, retireOld: "stop" }, script());
    const asked = (stop.statuses as unknown as ReprotectStatus[]).find((s) => s.awaitingApproval)?.awaitingApproval;
    assert.deepEqual(asked, {
      kind: "reprotect",
      pair: "orders",
      primary: "pg-wus",
      old: "pg-eus",
      replica: { name: "pg-eus-r000000", location: "eastus" },
      retireOld: "stop",
      oldRisk: null,
      requester: alice,
      reason: input.reason,
      twoPerson: true,
      expiresAt: asked?.expiresAt,
      warnings: [],
    });
    assert.ok(
      stop.statuses.some((st) => st.message === `awaiting approval by a second person until ${asked?.expiresAt}`),
      "the status says a second person must answer",
    );
    const unknown = await reprotect(
      { ...gated, retireOld: "delete" },
      script({ planReprotect: () => ({ ...plan, oldRisk: { ...plan.oldRisk, bytes: null } }) }),
    );
    const del = (unknown.statuses as unknown as ReprotectStatus[]).find((s) => s.awaitingApproval)?.awaitingApproval;
    assert.deepEqual(del?.warnings, [
      "approving deletes pg-eus: any write it holds that pg-wus never received (unknown bytes by the last sample) is gone for good",
    ]);
  });

  test("each step's note: a create ARM accepted or one asked before, a stop ARM reports done, a delete", async () => {
    const notes = (r: { output: ReprotectOutput }) =>
      Object.fromEntries(r.output.phases.filter((p) => p.note).map((p) => [p.phase, p.note]));
    const fresh = await reprotect({ ...input, retireOld: "delete" }, script());
    assert.equal(notes(fresh).create, "ARM accepted the create");
    assert.equal(notes(fresh).retire, "deleted");
    assert.equal(fresh.output.old?.note, "deleted");
    const again = await reprotect(
      { ...input, retireOld: "stop" },
      script({
        createReplica: () => ({ kind: "exists" }),
        retireServer: () => ({ kind: "done", note: "pg-eus is Stopped" }),
      }),
    );
    assert.equal(notes(again).create, "pg-eus-r000000 exists already (asked before)");
    assert.deepEqual(again.output.old, { name: "pg-eus", retired: "stop", note: "pg-eus is Stopped" });
    const accepted = await reprotect(
      { ...input, retireOld: "stop" },
      script({ retireServer: () => ({ kind: "started", operationUrl: null }) }),
    );
    assert.equal(accepted.output.old?.note, "stop accepted by ARM");
  });
});

describe("reprotect: retiring the old server, each way it can go", () => {
  test("a delete ARM refuses, a stop that fails outright: each is a warning naming what to do by hand", async () => {
    const del = await reprotect(
      { ...input, retireOld: "delete" },
      script({ retireServer: () => ({ kind: "refused", code: "ScopeLocked", reason: "a delete lock" }) }),
    );
    assert.equal(del.output.outcome, "succeeded");
    assert.ok(
      del.output.warnings.includes("pg-eus was not deleted: ScopeLocked: a delete lock; do it by hand"),
      del.output.warnings.join("\n"),
    );
    assert.deepEqual(del.output.old, {
      name: "pg-eus",
      retired: null,
      note: "could not delete it: ScopeLocked: a delete lock",
    });
    const stop = await reprotect(
      { ...input, retireOld: "stop" },
      script({ retireServer: () => new Error("ECONNRESET") }),
    );
    assert.equal(stop.output.outcome, "succeeded");
    assert.ok(
      stop.output.warnings.some((w) => /^pg-eus was not stopped: .*ECONNRESET.*; do it by hand$/.test(w)),
      stop.output.warnings.join("\n"),
    );
  });

  test("a retire ARM reports done at once is not followed: no operation is polled", async () => {
    const r = await reprotect(
      { ...input, retireOld: "stop" },
      script({ retireServer: () => ({ kind: "done", note: "pg-eus is Stopped" }) }),
    );
    assert.equal(r.output.old?.retired, "stop");
    assert.ok(!r.steps.includes("checkOperation"), r.steps.join(","));
  });

  test("a re-protection is a person's run: a requester-role holder who neither asked nor approves cannot abort it", async () => {
    const carol = {
      oid: "00000000-0000-0000-0000-00000000ca01",
      name: "carol",
      roles: ["Failover.Request"],
      idp: "aad",
    };
    const i = { ...input, needsApproval: true };
    const abort = { decision: "abort" as const, principal: carol, reason: "no", at: "2026-11-27T03:01:00.000Z" };
    const r = await reprotect(i, script(), [{ name: "decision", atMs: 60_000, data: apiDecision(abort) }]);
    assert.deepEqual([r.output.outcome, r.output.code], ["aborted", "ApprovalTimedOut"], "her abort did not count");
  });
});
