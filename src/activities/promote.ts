// Step 4: start the standalone promote of the replica. Idempotent: a server already promoted, or whose
// promote is already running (a retry after a crash), is not promoted again.
import { classifyArmError } from "../azure/errors";
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
    try {
      await deps.servers.startPromote(input.server.resourceId, input.option);
    } catch (e) {
      const f = classifyArmError(e);
      if (f.transient) throw e;
      return {
        kind: "refused",
        code: f.code,
        reason: `ARM refused the promote of ${state.name} (HTTP ${f.status ?? "-"}): ${f.message}`,
      };
    }
    return { kind: "started", state: await deps.servers.get(input.server.resourceId) };
  };
}
