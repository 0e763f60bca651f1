// Every way out of a region evacuation, driven through the real durable-functions replay with scripted
// activities and scripted pair runs (sub-orchestrations): the plan refused or empty, one approval for all (and
// its timeout, abort, and what it accepts per pair), a pair another run holds, a pair whose run fails or dies,
// and the batches that keep ARM's throttling at bay.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import type { PlannedPair } from "../../src/orchestrations/evacuation-types";
import { apiDecision, type SubOrchestrations } from "./harness";
import { alice, all, approve, bob, evacuate, holdsA, input, outcomeOf, planned, script } from "./evacuation-fixtures";
import { recordTranscripts } from "./transcript";

recordTranscripts("evacuation-exits");

describe("evacuation: plan, approve once, fail each pair over", () => {
  test("a plan ARM refuses (or with no pair in the region) is refused, and nothing is claimed", async () => {
    const refused = await evacuate(
      input,
      script([], { planEvacuation: () => ({ kind: "refused", code: "Forbidden", reason: "403 on the zone" }) }),
    );
    assert.equal(refused.output.outcome, "refused");
    assert.ok(!refused.steps.includes("claimPair"));
    const empty = await evacuate(
      input,
      script([planned("a", { included: false, reason: "its primary is in westus" })]),
    );
    assert.equal(empty.output.outcome, "refused");
    assert.deepEqual(
      empty.output.pairs.map((p) => [p.pair, p.outcome]),
      [["a", "skipped"]],
    );
    assert.ok(!empty.steps.includes("claimPair"));
  });

  test("each included pair runs as its own failover; one that fails makes it partial, the others go on", async () => {
    const subs: SubOrchestrations = { failover: (i) => outcomeOf(i, i.pair === "b" ? "failed" : "succeeded") };
    const r = await evacuate(
      input,
      script([planned("a"), planned("b"), planned("c", { included: false, reason: "westus" })]),
      subs,
    );
    assert.equal(r.output.outcome, "partial");
    assert.deepEqual(
      r.output.pairs.map((p) => [p.pair, p.outcome]),
      [
        ["c", "skipped"],
        ["a", "succeeded"],
        ["b", "failed"],
      ],
    );
    assert.deepEqual(r.output.summary, { total: 3, skipped: 1, succeeded: 1, failed: 1 });
    assert.equal(r.output.pairs.find((p) => p.pair === "a")?.rto, 42);
  });

  test("a pair another run holds is skipped with its holder; a pair run that dies outright is failed, RunFailed", async () => {
    const r = await evacuate(
      input,
      script([planned("a"), planned("b")], {
        claimPair: holdsA,
      }),
      { failover: () => new Error("the host lost it") },
    );
    assert.deepEqual(
      r.output.pairs.map((p) => [p.pair, p.outcome, p.code ?? null]),
      [
        ["a", "skipped", null],
        ["b", "failed", "RunFailed"],
      ],
    );
    assert.match(r.output.pairs[0]!.reason!, /held|holds the pair: failover-a-r/);
    assert.equal(r.output.outcome, "failed");
  });

  test("a pair whose claim is refused is skipped with the refusal's reason; the others still run", async () => {
    const r = await evacuate(
      input,
      script([planned("a"), planned("b")], {
        claimPair: (i) =>
          i.pair === "a"
            ? { kind: "refused", code: "PairNotFound", reason: "pair a is not configured" }
            : { kind: "claimed" },
      }),
    );
    assert.deepEqual(
      r.output.pairs.map((p) => [p.pair, p.outcome, p.reason ?? null]),
      [
        ["a", "skipped", "pair a is not configured"],
        ["b", "succeeded", null],
      ],
    );
  });

  test("pairs run in batches of `concurrency`: the next batch is claimed only after the last one ended", async () => {
    const r = await evacuate({ ...input, concurrency: 2 }, script([planned("a"), planned("b"), planned("c")]));
    assert.equal(r.output.outcome, "succeeded");
    const claims = r.calls.filter((c) => c.key === "claimPair");
    assert.deepEqual(
      claims.map((c) => c.input.pair),
      ["a", "b", "c"],
    );
    assert.ok(claims[2]!.atMs > claims[1]!.atMs, "c waits for the first batch");
  });
});

describe("evacuation: one approval for all", () => {
  const gated = (over: Partial<PlannedPair> = {}) =>
    script([planned("a", { needsApproval: true, ...over }), planned("b")]);
  test("unanswered, it aborts at the timeout with no pair started", async () => {
    const r = await evacuate(input, gated());
    assert.equal(r.output.outcome, "aborted");
    assert.equal(r.output.approval?.decision, "timeout");
    assert.ok(!r.steps.includes("claimPair"));
    assert.deepEqual(r.output.pairs.map((p) => p.outcome).sort(), ["notStarted", "notStarted"]);
  });

  test("the requester cannot approve it; an abort stops it; a forged event is ignored", async () => {
    const self = await evacuate(input, gated(), all(), [approve({ ...alice, roles: ["Failover.Approve"] }, 1_000)]);
    assert.equal(self.output.outcome, "aborted");
    assert.equal(self.output.approval?.decision, "timeout");
    const forged = await evacuate(input, gated(), all(), [
      { name: "decision", atMs: 1_000, data: { decision: "approve", principal: bob, reason: "forged", at: "x" } },
    ]);
    assert.equal(forged.output.approval?.decision, "timeout");
    const aborted = await evacuate(input, gated(), all(), [
      {
        name: "decision",
        atMs: 1_000,
        data: apiDecision({ decision: "abort", principal: bob, reason: "no", at: "x" }),
      },
    ]);
    assert.deepEqual([aborted.output.outcome, aborted.output.approval?.decision], ["aborted", "abort"]);
  });

  test("approved: every pair runs, each accepting the data at risk the approver saw for it, no more", async () => {
    const seen: FailoverInput[] = [];
    const r = await evacuate(input, gated(), { failover: (i) => (seen.push(i), outcomeOf(i, "succeeded")) }, [
      approve(),
    ]);
    assert.equal(r.output.outcome, "succeeded");
    assert.equal(r.output.approval?.by?.name, "bob");
    assert.deepEqual(
      seen.map((i) => [
        i.pair,
        i.acceptDataLoss,
        i.evacuation?.acceptedRisk,
        i.evacuation?.approvedBy,
        i.policy.approval.mode,
      ]),
      [
        ["a", false, { bytes: 4096 }, "bob", "never"],
        ["b", false, { bytes: 4096 }, "bob", "never"],
      ],
    );
    assert.ok(r.calls.find((c) => c.key === "claimPair")!.atMs >= 60_000, "nothing started before the approval");
  });
});

// Mutation testing (issue 23): what each pair's run is asked to do, what the approver is shown, and the count
// people follow between batches.
describe("evacuation: what each pair run is asked, what the approver sees", () => {
  test("without an approval, each pair runs a real failover of the evacuation, accepting no measured risk", async () => {
    const seen: FailoverInput[] = [];
    await evacuate(input, script([planned("a")]), { failover: (i) => (seen.push(i), outcomeOf(i, "succeeded")) });
    const [a] = seen;
    assert.deepEqual(
      [a?.dryRun, a?.source, a?.mode, a?.reason, a?.option, a?.requester, a?.acceptDataLoss],
      [false, "evacuation", "failover", "evacuation of eastus: eastus is down", "Forced", alice, false],
    );
    assert.deepEqual(a?.evacuation, { id: "t", runId: input.runId, approvedBy: null, acceptedRisk: null });
  });

  test("approved with a pair whose risk could not be measured: that pair accepts an unknown risk (bytes null)", async () => {
    const seen: FailoverInput[] = [];
    await evacuate(
      input,
      script([planned("a", { needsApproval: true, risk: null })]),
      { failover: (i) => (seen.push(i), outcomeOf(i, "succeeded")) },
      [approve(bob, 1_000)],
    );
    assert.deepEqual(seen[0]?.evacuation?.acceptedRisk, { bytes: null });
  });

  test("the approver is shown each pair with its primary and the data at risk", async () => {
    const r = await evacuate(input, script([planned("a", { needsApproval: true }), planned("b")]));
    const asking = r.statuses.find((s) => (s as { awaitingApproval?: unknown }).awaitingApproval);
    assert.deepEqual((asking as unknown as { awaitingApproval: unknown }).awaitingApproval, {
      region: "eastus",
      option: "Forced",
      requester: alice,
      reason: "eastus is down",
      pairs: ["a", "b"].map((p) => ({ pair: p, primary: `pg-${p}-eus`, risk: planned(p).risk })),
      twoPerson: true,
      expiresAt: "2026-11-27T03:30:00.010Z",
    });
  });

  test("between batches, the count done leaves out the pairs skipped or still running", async () => {
    const r = await evacuate(
      { ...input, concurrency: 2 },
      script([planned("a"), planned("b"), planned("c")], {
        claimPair: holdsA,
      }),
    );
    assert.ok(
      r.statuses.some((s) => s.message === "1 of 3 pair(s) done"),
      r.statuses.map((s) => s.message).join("\n"),
    );
    assert.deepEqual(
      r.output.pairs.map((p) => [p.pair, p.outcome]),
      [
        ["a", "skipped"],
        ["b", "succeeded"],
        ["c", "succeeded"],
      ],
    );
  });
});

describe("evacuation: its outcome and timeline", () => {
  test("pairs the plan left out do not make an evacuation partial; its own steps are in its result", async () => {
    const r = await evacuate(input, script([planned("a"), planned("c", { included: false, reason: "westus" })]));
    assert.equal(r.output.outcome, "succeeded");
    assert.deepEqual(
      r.output.phases.map((p) => [p.phase, p.outcome, p.note ?? null]),
      [
        ["plan", "ok", "1 pair(s) to fail over"],
        ["failover", "ok", null],
      ],
    );
    const approved = await evacuate(input, script([planned("a", { needsApproval: true })]), all(), [
      approve(bob, 1_000),
    ]);
    assert.deepEqual(
      approved.output.phases.map((p) => [p.phase, p.note ?? null]),
      [
        ["plan", "1 pair(s) to fail over"],
        ["approval", "approved by bob"],
        ["failover", null],
      ],
    );
  });

  test("a batch whose every pair is held starts nothing and the next batch still runs", async () => {
    const r = await evacuate(
      { ...input, concurrency: 1 },
      script([planned("a"), planned("b")], {
        claimPair: holdsA,
      }),
    );
    assert.deepEqual(
      r.output.pairs.map((p) => [p.pair, p.outcome]),
      [
        ["a", "skipped"],
        ["b", "succeeded"],
      ],
    );
    assert.equal(r.output.outcome, "partial");
  });

  test("while a batch runs, the status shows its pairs running", async () => {
    const r = await evacuate({ ...input, concurrency: 2 }, script([planned("a"), planned("b"), planned("c")]));
    const during = r.statuses.map((s) => (s as unknown as { pairs: { pair: string; outcome: string }[] }).pairs);
    assert.ok(
      during.some((pairs) => pairs.some((p) => p.pair === "a" && p.outcome === "running")),
      JSON.stringify(during),
    );
  });
});
