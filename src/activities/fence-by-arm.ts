// The fence when the old primary's data plane cannot be reached (region away, or the probe's login refused
// while the server itself runs): new sessions read-only through ARM's server parameter, which needs no login.
// Its open sessions cannot be ended from here: the fence watch ends them once the server answers. Bounded, so
// an ARM operation against a server in trouble cannot hold the run.
import type { FenceByArmInput, FenceByArmResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { FENCE_PARAMETER } from "./fencing";

export function makeFenceByArm(deps: ActivityDeps) {
  return async (input: FenceByArmInput): Promise<FenceByArmResult> => {
    await deps.servers.setParameter(input.server.resourceId, FENCE_PARAMETER, "on", {
      abortSignal: AbortSignal.timeout(input.timeoutSeconds * 1000),
    });
    return { kind: "parameterSet", server: input.server.name, at: new Date().toISOString() };
  };
}
