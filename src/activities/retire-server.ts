// Re-protection, last change: retire the old server once the new replica has joined — stop it, or delete it.
// Idempotent: a server already stopped (or already gone) is reported, not asked again.
import type { ActivityDeps } from "./deps";
import { serverIfExists } from "./server-if-exists";
import type { RetireServerInput, RetireServerResult } from "./reprotect-contracts";

export function makeRetireServer(deps: ActivityDeps) {
  return async (input: RetireServerInput): Promise<RetireServerResult> => {
    const s = await serverIfExists(deps, input.server.resourceId);
    if (!s) return { kind: "done", note: `${input.server.name} is gone from ARM` };
    if (input.how === "stop") {
      const state = s.state?.toLowerCase();
      if (state === "stopped" || state === "stopping") return { kind: "done", note: `${s.name} is ${s.state}` };
      await deps.servers.startStop(input.server.resourceId);
      return { kind: "started", operationUrl: null };
    }
    const started = await deps.servers.startDelete(input.server.resourceId);
    return { kind: "started", operationUrl: started.operationUrl };
  };
}
