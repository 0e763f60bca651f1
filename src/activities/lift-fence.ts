// Compensation of the fence, only ever before a promote: the old primary's parameter goes back to the
// value it had before the run, so it takes writes again as it did.
import type { LiftFenceInput, LiftFenceResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { liftFence } from "./fencing";

export function makeLiftFence(deps: ActivityDeps) {
  return async (input: LiftFenceInput): Promise<LiftFenceResult> => {
    await liftFence(deps, await deps.pair(input.pair), input.server, input.previousValue);
    return { kind: "lifted", value: input.previousValue };
  };
}
