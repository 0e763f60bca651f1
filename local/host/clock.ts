// Real or virtual time. The virtual clock runs with real time but jumps forward when a durable
// timer is due, so tests need not wait; it never goes backwards.
export interface Clock {
  readonly virtual: boolean;
  now(): number;
  /** Virtual clock: make now() >= ms. Real clock: no-op. */
  advanceTo(ms: number): void;
}

export function createClock(virtual: boolean): Clock {
  let offset = 0;
  return {
    virtual,
    now: () => Date.now() + offset,
    advanceTo(ms: number): void {
      if (virtual && Date.now() + offset < ms) offset = ms - Date.now();
    },
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
