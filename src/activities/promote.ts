// Step 4: start the standalone promote of the replica. Idempotent: a server already promoted, or whose
// promote is already running (a retry after a crash), is not promoted again. A permanent ARM answer to
// the PATCH comes back from the adapter as an ArmRefusal, which the audit wrapper turns into a refusal.
import { isReplicaRole, isStandalone } from "../domain/topology";
import type { PromoteInput, PromoteResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makePromote(deps: ActivityDeps) {
  return async (input: PromoteInput): Promise<PromoteResult> => {
    const state = await deps.servers.get(input.server.resourceId);
    if (isStandalone(state)) return { kind: state.state === "Ready" ? "alreadyPromoted" : "inProgress", state };
    if (state.state === "Updating") return { kind: "inProgress", state };
    if (!isReplicaRole(state.role)) {
      return {
        kind: "refused",
        code: "NotAReplica",
        reason: `${state.name} has role ${state.role ?? "unknown"}; only a replica can be promoted`,
      };
    }
    const { pollError } = await deps.servers.startPromote(input.server.resourceId, input.option);
    // Once ARM accepted the PATCH the promote is under way, whatever a later read says.
    const note = pollError ? `ARM accepted the promote; its first poll failed (${pollError})` : undefined;
    const after = await deps.servers.get(input.server.resourceId).catch(() => state);
    return { kind: "started", state: after, ...(note ? { note } : {}) };
  };
}
