// Step 4 (planned, and to complete a failover): fence the old primary. Idempotent: fencing a fenced
// server sets the same value and ends whatever sessions appeared since.
import type { FenceInput, FenceResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { fenceServer } from "./fencing";

export function makeFence(deps: ActivityDeps) {
  return async (input: FenceInput): Promise<FenceResult> =>
    fenceServer(deps, await deps.pair(input.pair), input.server);
}
