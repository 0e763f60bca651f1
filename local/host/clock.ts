// Real or virtual time. The virtual clock runs with real time but jumps forward when a durable
// timer is due, so tests need not wait; it never goes backwards.
export interface Clock {
  readonly virtual: boolean;
  now(): number;
  /** Virtual clock: make now() >= ms. Real clock: no-op. */
  advanceTo(ms: number): void;
  /** Called after every forward jump of a virtual clock; returns an unsubscribe function. */
  onJump(listener: () => void): () => void;
}

export function createClock(virtual: boolean): Clock {
  let offset = 0;
  const listeners = new Set<() => void>();
  return {
    virtual,
    now: () => Date.now() + offset,
    advanceTo(ms: number): void {
      if (!virtual || Date.now() + offset >= ms) return;
      offset = ms - Date.now();
      for (const l of [...listeners]) l();
    },
    onJump(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
