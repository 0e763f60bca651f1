// A region evacuation's test world, shared by the orchestrator tests: pairs planned in eastus, their pair runs
// scripted as sub-orchestrations, and one approval by a second person.
import type { FailoverInput, FailoverOutput, RunPolicy } from "../../src/orchestrations/failover-types";
import type { EvacuationInput, EvacuationOutput, PlannedPair } from "../../src/orchestrations/evacuation-types";
import {
  apiDecision,
  alice,
  bob,
  driveOrchestration,
  failoverOutput,
  TEST_POLICY,
  type Script,
  type SubOrchestrations,
} from "./harness";

export { alice, bob };

export const policy: RunPolicy = { ...TEST_POLICY, approval: { mode: "forced", twoPerson: true, timeoutMinutes: 30 } };
export const input: EvacuationInput = {
  runId: "00000000-0000-0000-0000-0000000000ee",
  region: "eastus",
  option: "Forced",
  reason: "eastus is down",
  requester: alice,
  note: null,
  requestedAt: "2026-11-27T03:00:00.000Z",
  pairs: null,
  acceptDataLoss: false,
  concurrency: 8,
  policy: { approval: { twoPerson: true, timeoutMinutes: 30 } },
};
export const planned = (pair: string, over: Partial<PlannedPair> = {}): PlannedPair => ({
  pair,
  included: true,
  reason: `its primary pg-${pair}-eus is in eastus`,
  primary: `pg-${pair}-eus`,
  region: "eastus",
  policy: { ...policy, approval: { ...policy.approval, mode: "never" } },
  needsApproval: false,
  risk: { bytes: 4096, replaySeconds: 1, source: "sample", measuredAt: "2026-11-27T02:59:00.000Z" },
  ...over,
});
export const outcomeOf = (i: FailoverInput, outcome: FailoverOutput["outcome"]): FailoverOutput =>
  failoverOutput(i, {
    outcome,
    rto: { total: outcome === "succeeded" ? 42 : null },
    promoteAccepted: outcome === "succeeded",
    ...(outcome === "succeeded" ? {} : { code: "PromoteFailed", reason: "the promote failed" }),
  });
export const script = (plan: PlannedPair[], over: Script = {}): Script => ({
  planEvacuation: () => ({ kind: "planned", plan }),
  claimPair: () => ({ kind: "claimed" }),
  ...over,
});
export const all = (outcome: FailoverOutput["outcome"] = "succeeded"): SubOrchestrations => ({
  failover: (i) => outcomeOf(i, outcome),
});
/** An approval of the evacuation by `by`, raised as the HTTP API raises it, `atMs` into the run. */
export const approve = (by = bob, atMs = 60_000) => ({
  name: "decision",
  atMs,
  data: apiDecision({ decision: "approve", principal: by, reason: "go", at: "2026-11-27T03:01:00.000Z" }),
});
/** Pair a is held by another run; every other pair is claimed. */
export const holdsA: Script["claimPair"] = (i) =>
  i.pair === "a"
    ? { kind: "held", holder: { pair: "a", runId: "r", instanceId: "failover-a-r", acquiredAt: input.requestedAt } }
    : { kind: "claimed" };
export const evacuate = (
  i: EvacuationInput,
  s: Script,
  subs: SubOrchestrations = all(),
  events = [] as Parameters<typeof driveOrchestration>[3],
) => driveOrchestration<EvacuationOutput>("evacuation", i, s, events, subs);
