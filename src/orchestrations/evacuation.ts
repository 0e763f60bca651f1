// A region evacuation as a durable orchestration: plan which pairs have their primary in the region, ask
// once for approval when any of them needs it, then fail each over as its own failover run (a
// sub-orchestration with its own id, lease and audit), a bounded number at a time. A pair that fails does
// not stop the others.
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";
import type { PlanEvacuationResult } from "../activities/contracts";
import { ORCHESTRATION } from "../activities/catalog";
import { awaitDecision } from "./approval-wait";
import { callActivity, errorMessage, type Gen } from "./durable-calls";
import {
  evacuationOutcome,
  summarize,
  type EvacuationInput,
  type EvacuationOutput,
  type EvacuationStatus,
  type PairResult,
  type PlannedPair,
} from "./evacuation-types";
import type { FailoverInput, FailoverOutput } from "./failover-types";

const RETRY = Object.assign(new df.RetryOptions(5000, 5), {
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 60_000,
});

export function* evacuationOrchestrator(ctx: OrchestrationContext): Gen<EvacuationOutput> {
  const input = ctx.df.getInput<EvacuationInput>();
  const ref = { runId: input.runId, pair: `evacuation:${input.region}` };
  const now = () => ctx.df.currentUtcDateTime;
  const startedAt = now().toISOString();
  const results: PairResult[] = [];
  let approval: EvacuationOutput["approval"] = null;
  const status = (step: EvacuationStatus["step"], message: string, extra: Partial<EvacuationStatus> = {}) =>
    ctx.df.setCustomStatus({
      step,
      since: now().toISOString(),
      message,
      runId: input.runId,
      pairs: results,
      ...extra,
    } satisfies EvacuationStatus);
  const audit = (event: "approved" | "aborted" | "ignored" | "completed", summary: string, detail?: unknown) =>
    callActivity(ctx, "recordEvent", RETRY, { ...ref, event, summary, detail });
  const finish = function* (outcome: EvacuationOutput["outcome"], plan: PlannedPair[]): Gen<EvacuationOutput> {
    const out: EvacuationOutput = {
      outcome,
      runId: input.runId,
      region: input.region,
      option: input.option,
      pairs: results,
      plan,
      summary: summarize(results),
      approval,
      startedAt,
      endedAt: now().toISOString(),
    };
    status("done", `${outcome}: ${JSON.stringify(out.summary)}`);
    yield* audit("completed", `evacuation of ${input.region} ${outcome}: ${JSON.stringify(out.summary)}`, {
      outcome,
      pairs: results,
    });
    return out;
  };

  // 1. Plan: the pairs whose current primary is in the region (or the ones named).
  status("plan", `finding the pairs whose primary is in ${input.region}`);
  const planned = yield* callActivity(ctx, "planEvacuation", RETRY, {
    ...ref,
    region: input.region,
    option: input.option,
    pairs: input.pairs,
  });
  const plan: PlannedPair[] = planned.ok && planned.value.kind === "planned" ? planned.value.plan : [];
  if (!planned.ok || planned.value.kind !== "planned") {
    const why = planned.ok
      ? (planned.value as Extract<PlanEvacuationResult, { kind: "refused" }>).reason
      : planned.error;
    status("done", `refused: ${why}`);
    yield* audit("completed", `evacuation of ${input.region} refused: ${why}`);
    return yield* finish("refused", plan);
  }
  const included = plan.filter((p) => p.included);
  for (const p of plan.filter((x) => !x.included))
    results.push({ pair: p.pair, id: null, runId: null, outcome: "skipped", reason: p.reason });
  if (included.length === 0) return yield* finish("refused", plan);

  // 2. One approval covers the evacuation when any pair's rule asks for a person.
  if (included.some((p) => p.needsApproval)) {
    const { twoPerson, timeoutMinutes } = input.policy.approval;
    const expiresAt = new Date(now().getTime() + timeoutMinutes * 60_000);
    const awaitingApproval: EvacuationStatus["awaitingApproval"] = {
      region: input.region,
      option: input.option,
      requester: input.requester,
      reason: input.reason,
      pairs: included.map((p) => ({ pair: p.pair, primary: p.primary, risk: p.risk })),
      twoPerson,
      expiresAt: expiresAt.toISOString(),
    };
    status(
      "approval",
      `awaiting approval of the evacuation of ${included.length} pair(s) until ${expiresAt.toISOString()}`,
      { awaitingApproval },
    );
    const d = yield* awaitDecision(ctx, {
      ref,
      retry: RETRY,
      requester: input.requester,
      twoPerson,
      alertRun: false,
      expiresAt,
    });
    if (!d) {
      approval = {
        decision: "timeout",
        by: null,
        reason: `no answer within ${timeoutMinutes} min`,
        at: now().toISOString(),
      };
      for (const p of included)
        results.push({ pair: p.pair, id: null, runId: null, outcome: "notStarted", reason: "not approved" });
      return yield* finish("aborted", plan);
    }
    approval = { decision: d.decision, by: d.principal, reason: d.reason, at: d.at };
    yield* audit(
      d.decision === "approve" ? "approved" : "aborted",
      `${d.decision === "approve" ? "approved" : "aborted"} by ${d.principal.name} (${d.principal.oid}): ${d.reason}`,
      d,
    );
    if (d.decision === "abort") {
      for (const p of included)
        results.push({ pair: p.pair, id: null, runId: null, outcome: "notStarted", reason: "aborted" });
      return yield* finish("aborted", plan);
    }
  }

  // 3. Each pair's failover, a bounded number at a time: in batches, because a durable task must not be
  // awaited twice (a sliding window over Task.any would schedule the pending runs again).
  const approvedBy = approval?.by?.name ?? null;
  const startOne = function* (p: PlannedPair): Gen<{ task: Task; id: string } | undefined> {
    const childRunId = ctx.df.newGuid(`${input.runId}:${p.pair}`);
    const id = `failover-${p.pair}-${childRunId}`;
    const claim = yield* callActivity(ctx, "claimPair", RETRY, {
      ...ref,
      pair: p.pair,
      region: input.region,
      option: input.option,
      reason: input.reason,
      requester: input.requester,
      childRunId,
      instanceId: id,
    });
    if (!claim.ok || claim.value.kind !== "claimed") {
      const c = claim.ok ? claim.value : undefined;
      const why = !claim.ok
        ? claim.error
        : c?.kind === "held"
          ? `a run holds the pair: ${c.holder.instanceId}`
          : c?.kind === "refused"
            ? c.reason
            : "";
      results.push({ pair: p.pair, id: null, runId: null, outcome: "skipped", reason: why });
      return undefined;
    }
    const child: FailoverInput = {
      runId: childRunId,
      pair: p.pair,
      option: input.option,
      reason: `evacuation of ${input.region}: ${input.reason}`,
      requester: input.requester,
      note: input.note,
      requestedAt: now().toISOString(),
      source: "evacuation",
      dryRun: false,
      mode: "failover",
      // An approved evacuation showed each pair's data at risk: the approval accepts that much for that pair,
      // and a run that measures more (or cannot tell) asks for its own approval.
      acceptDataLoss: input.acceptDataLoss,
      policy: { ...p.policy!, approval: { ...p.policy!.approval, mode: "never" } },
      evacuation: {
        id: ctx.df.instanceId,
        runId: input.runId,
        approvedBy,
        acceptedRisk: approval?.decision === "approve" ? { bytes: p.risk?.bytes ?? null } : null,
      },
    };
    results.push({ pair: p.pair, id, runId: childRunId, outcome: "running" });
    return { task: ctx.df.callSubOrchestrator(ORCHESTRATION.failover, child, id), id };
  };
  status("failover", `failing over ${included.length} pair(s), ${input.concurrency} at a time`);
  for (let i = 0; i < included.length; i += input.concurrency) {
    const batch: { task: Task; id: string }[] = [];
    for (const p of included.slice(i, i + input.concurrency)) {
      const started = yield* startOne(p);
      if (started) batch.push(started);
    }
    if (batch.length === 0) continue;
    try {
      yield ctx.df.Task.all(batch.map((b) => b.task));
    } catch {
      // A run that failed outright (a fault, not an outcome) ends the batch's wait at once; see below.
    }
    for (const b of batch) {
      const r = results.find((x) => x.id === b.id)!;
      if (b.task.isCompleted && !b.task.isFaulted) {
        const out = b.task.result as FailoverOutput;
        Object.assign(r, { outcome: out.outcome, code: out.code, reason: out.reason, rto: out.rto.total });
      } else if (b.task.isFaulted) {
        Object.assign(r, { outcome: "failed", code: "RunFailed", reason: errorMessage(b.task.result) });
      } else {
        r.reason = "still running when another run of its batch failed outright: follow its own status";
      }
    }
    status(
      "failover",
      `${results.filter((x) => x.outcome !== "running" && x.outcome !== "skipped").length} of ${included.length} pair(s) done`,
    );
  }
  return yield* finish(evacuationOutcome(results.filter((x) => included.some((p) => p.pair === x.pair))), plan);
}
