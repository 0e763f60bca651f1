// An approver's answer, read back from where the HTTP API stored it: the run acts only on a decision the
// API verified (principal, reason, time) for this very instance; a nonce that names nothing is "unknown".
import type { ReadDecisionInput, ReadDecisionResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeReadDecision(deps: ActivityDeps) {
  return async (input: ReadDecisionInput): Promise<ReadDecisionResult> => {
    const d = await deps.decisions.get(input.instanceId, input.nonce);
    if (!d) return { kind: "unknown" };
    const { decision, principal, reason, at } = d;
    return { kind: "found", decision: { decision, principal, reason, at } };
  };
}
