// The last thing a run does: hand back its pair's lease so the next failover of the pair may start.
import type { LeaseStore } from "../state/pair-leases";
import type { RunRef } from "./contracts";

export function makeReleaseLease(leases: LeaseStore) {
  return async (input: RunRef): Promise<void> => {
    await leases.release(input.pair, input.runId);
  };
}
