// A region evacuation as a durable orchestration: plan which pairs have their primary in the region, ask
// once for approval when any of them needs it, then fail each over as its own failover run (a
// sub-orchestration with its own id, lease and audit), a bounded number at a time. A pair that fails does
// not stop the others.
import type { OrchestrationContext, Task } from "durable-functions";
import { ORCHESTRATION } from "../activities/catalog";
import type { ClaimPairResult } from "../activities/contracts";
import type { RetryPolicy } from "../config/pair-schema";
import { addSeconds, Kernel, Stop, withoutFalseAlarm } from "./kernel";
import { errorMessage, type Attempt, type Gen } from "./durable-calls";
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

/** An evacuation spans pairs, so no one pair's retry policy is its own: it uses the pairs' default. */
export const EVACUATION_RETRY: RetryPolicy = {
  firstIntervalSeconds: 5,
  maxAttempts: 5,
  backoffCoefficient: 2,
  maxIntervalSeconds: 60,
};

type EvacuationPhase = Exclude<EvacuationStatus["step"], "done">;

export function* evacuationOrchestrator(ctx: OrchestrationContext): Gen<EvacuationOutput> {
  const input = ctx.df.getInput<EvacuationInput>();
  const results: PairResult[] = [];
  const k = new Kernel<EvacuationPhase>(ctx, {
    ref: { runId: input.runId, pair: `evacuation:${input.region}` },
    retry: EVACUATION_RETRY,
    requester: input.requester,
    alertRun: false,
    statusExtra: () => ({ pairs: results }),
  });
  const startedAt = k.now().toISOString();
  let approval: EvacuationOutput["approval"] = null;
  let plan: PlannedPair[] = [];
  return yield* k.execute(
    () => runbook(),
    function* (e): Gen<EvacuationOutput> {
      const outcome = e.ok ? e.value : withoutFalseAlarm(e.stop.outcome);
      const line = e.ok ? JSON.stringify(summarize(results)) : e.stop.reason;
      const out: EvacuationOutput = {
        outcome,
        runId: input.runId,
        region: input.region,
        option: input.option,
        pairs: results,
        plan,
        summary: summarize(results),
        approval,
        phases: k.phases,
        startedAt,
        endedAt: k.now().toISOString(),
        ...(e.ok ? {} : { code: e.stop.code, reason: e.stop.reason }),
      };
      k.status(`${outcome}: ${line}`);
      yield* k.audit("completed", `evacuation of ${input.region} ${outcome}: ${line}`, { outcome, pairs: results });
      return out;
    },
  );

  function* runbook(): Gen<EvacuationOutput["outcome"]> {
    // 1. Plan: the pairs whose current primary is in the region (or the ones named).
    k.begin("plan", `finding the pairs whose primary is in ${input.region}`);
    const planned = yield* k.call("planEvacuation", { region: input.region, option: input.option, pairs: input.pairs });
    plan = planned.plan;
    const included = plan.filter((p) => p.included);
    for (const p of plan.filter((x) => !x.included))
      results.push({ pair: p.pair, id: null, runId: null, outcome: "skipped", reason: p.reason });
    if (included.length === 0)
      throw new Stop("refused", "NothingToEvacuate", `no pair has its primary in ${input.region}`);
    k.end("ok", `${included.length} pair(s) to fail over`);
    // 2. One approval covers the evacuation when any pair's rule asks for a person.
    if (included.some((p) => p.needsApproval)) yield* approve(included);
    // 3. Each pair's failover.
    k.begin("failover", `failing over ${included.length} pair(s), ${input.concurrency} at a time`);
    yield* failOver(included);
    k.end("ok");
    return evacuationOutcome(results.filter((x) => included.some((p) => p.pair === x.pair)));
  }

  function* approve(included: PlannedPair[]): Gen<void> {
    const { twoPerson, timeoutMinutes } = input.policy.approval;
    const expiresAt = addSeconds(k.now(), timeoutMinutes * 60);
    const awaitingApproval: EvacuationStatus["awaitingApproval"] = {
      region: input.region,
      option: input.option,
      requester: input.requester,
      reason: input.reason,
      pairs: included.map((p) => ({ pair: p.pair, primary: p.primary, risk: p.risk })),
      twoPerson,
      expiresAt: expiresAt.toISOString(),
    };
    k.begin(
      "approval",
      `awaiting approval of the evacuation of ${included.length} pair(s) until ${expiresAt.toISOString()}`,
      { awaitingApproval },
    );
    const d = yield* k.decision(twoPerson, expiresAt);
    if (!d) {
      approval = {
        decision: "timeout",
        by: null,
        reason: `no answer within ${timeoutMinutes} min`,
        at: k.now().toISOString(),
      };
      for (const p of included)
        results.push({ pair: p.pair, id: null, runId: null, outcome: "notStarted", reason: "not approved" });
      throw new Stop("aborted", "ApprovalTimedOut", `no answer within ${timeoutMinutes} min`);
    }
    approval = { decision: d.decision, by: d.principal, reason: d.reason, at: d.at };
    const verb = d.decision === "approve" ? "approved" : "aborted";
    yield* k.audit(verb, `${verb} by ${d.principal.name} (${d.principal.oid}): ${d.reason}`, d);
    if (d.decision === "abort") {
      for (const p of included)
        results.push({ pair: p.pair, id: null, runId: null, outcome: "notStarted", reason: "aborted" });
      throw new Stop("aborted", "Aborted", `aborted by ${d.principal.name}: ${d.reason}`);
    }
    k.end("ok", `approved by ${d.principal.name}`);
  }

  // Each pair's failover, a bounded number at a time: in batches, because a sliding window over Task.any would
  // schedule the pending runs again (a new compound task schedules its children).
  function* failOver(included: PlannedPair[]): Gen<void> {
    const approvedBy = approval?.by?.name ?? null;
    const named = (p: PlannedPair) => {
      const childRunId = ctx.df.newGuid(`${input.runId}:${p.pair}`);
      return { p, childRunId, id: `failover-${p.pair}-${childRunId}` };
    };
    // Each pair's lease, taken for a whole batch at once (one round trip, not one per pair).
    const claimAll = (group: ReturnType<typeof named>[]) =>
      k.attemptEach(
        "claimPair",
        group.map(({ p, childRunId, id }) => ({
          args: {
            region: input.region,
            option: input.option,
            reason: input.reason,
            requester: input.requester,
            childRunId,
            instanceId: id,
          },
          ref: { runId: input.runId, pair: p.pair },
        })),
      );
    const startOne = (
      { p, childRunId, id }: ReturnType<typeof named>,
      claim: Attempt<ClaimPairResult>,
    ): { task: Task; id: string } | undefined => {
      const c = claim.ok ? claim.value : { kind: "failed" as const, reason: claim.error };
      if (c.kind !== "claimed") {
        const why = c.kind === "held" ? `a run holds the pair: ${c.holder.instanceId}` : c.reason;
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
        requestedAt: k.now().toISOString(),
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
    for (let i = 0; i < included.length; i += input.concurrency) {
      const group = included.slice(i, i + input.concurrency).map(named);
      const claims = yield* claimAll(group);
      const batch = group.flatMap((g, j) => startOne(g, claims[j]!) ?? []);
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
      k.status(
        `${results.filter((x) => x.outcome !== "running" && x.outcome !== "skipped").length} of ${included.length} pair(s) done`,
      );
    }
  }
}
