// One failover per pair at a time: take the pair's lease before starting a run. A lease whose run has
// ended (or never started, after a grace period) is stale and is taken over; a live one means 409.
import type { Lease, LeaseStore } from "./pair-leases";

/** How long a lease may point at a run the task hub does not know yet (taken, start in flight). */
export const START_GRACE_MS = 60_000;

export type RunState = "running" | "ended" | "unknown";

export type Acquired = { ok: true } | { ok: false; holder: Lease };

export async function acquireLease(
  store: LeaseStore,
  wanted: Lease,
  runState: (holder: Lease) => Promise<RunState>,
  nowMs: number = Date.now(),
): Promise<Acquired> {
  for (let tries = 0; tries < 5; tries++) {
    if (await store.create(wanted)) return { ok: true };
    const current = await store.get(wanted.pair);
    if (!current) continue; // released meanwhile: try to create again
    const state = await runState(current.lease);
    const young = nowMs - Date.parse(current.lease.acquiredAt) < START_GRACE_MS;
    if (state === "running" || (state === "unknown" && young)) return { ok: false, holder: current.lease };
    if (await store.replace(wanted, current.etag)) return { ok: true };
  }
  const holder = (await store.get(wanted.pair))?.lease ?? wanted;
  return { ok: false, holder };
}
