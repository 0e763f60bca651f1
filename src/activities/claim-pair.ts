// An evacuation starts each pair's failover as a sub-orchestration: first it takes the pair's lease (one
// run per pair at a time, as for a person's request) and puts the request on record under the pair's own
// runId, so the run can be found by it like any other.
import { who } from "../auth/who";
import type { Lease, LeaseStore } from "../state/pair-leases";
import { acquireLease, type RunState } from "../state/single-flight";
import type { ClaimPairInput, ClaimPairResult } from "./contracts";
import type { ActivityDeps } from "./deps";

/**
 * Activities have no durable client: whether a lease's run has ended is read from the audit, where every
 * run's last word is its "completed" entry.
 */
async function runStateFromAudit(deps: ActivityDeps, holder: Lease): Promise<RunState> {
  const entries = await deps.journal.list(holder.runId);
  // Only recordEvent writes a "completed" entry, always as the run's own (step "run").
  const completed = entries.some((e) => e.event === "completed");
  // Stryker disable next-line StringLiteral: acquireLease takes over any state but "running" ("unknown" while young)
  if (completed) return "ended";
  return entries.length ? "running" : "unknown";
}

export function makeClaimPair(deps: ActivityDeps, leases: LeaseStore) {
  return async (input: ClaimPairInput): Promise<ClaimPairResult> => {
    const wanted: Lease = {
      pair: input.pair,
      runId: input.childRunId,
      instanceId: input.instanceId,
      acquiredAt: new Date().toISOString(),
    };
    // A retry of this activity finds its own lease: that is a claim, not a conflict.
    const held = await leases.get(input.pair);
    if (held?.lease.runId !== input.childRunId) {
      const lease = await acquireLease(leases, wanted, (holder) => runStateFromAudit(deps, holder));
      if (!lease.ok) return { kind: "held", holder: lease.holder };
    }
    await deps.journal.append({
      runId: input.childRunId,
      pair: input.pair,
      step: "run",
      event: "requested",
      summary: `${input.option} failover requested by ${who(input.requester)} (evacuation of ${input.region}, ${input.runId}): ${input.reason}`,
      detail: {
        instanceId: input.instanceId,
        option: input.option,
        evacuation: input.runId,
        requester: input.requester,
        reason: input.reason,
      },
    });
    return { kind: "claimed" };
  };
}
