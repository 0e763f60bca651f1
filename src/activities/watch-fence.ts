// After a forced failover the old primary could not be fenced (its region was down): record that the
// fence is owed, so the fence watch applies it as soon as the server answers again.
import type { WatchFenceInput, WatchFenceResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeWatchFence(deps: ActivityDeps) {
  return async (input: WatchFenceInput): Promise<WatchFenceResult> => {
    const existing = await deps.state.fence(input.pair);
    if (existing?.runId === input.runId) return { kind: "watching", until: existing.until };
    const since = new Date();
    const until = new Date(since.getTime() + input.watchHours * 3600_000).toISOString();
    await deps.state.putFence({
      pair: input.pair,
      runId: input.runId,
      server: input.server,
      since: since.toISOString(),
      until,
      action: input.action,
      state: "pending",
      attempts: 0,
    });
    return { kind: "watching", until };
  };
}
