// Durable timers: armed from history (also after a restart); with the virtual clock they fire
// at once and move the clock to FireAt.
import type { Clock } from "./clock";

const MAX_DELAY = 2 ** 31 - 1; // setTimeout's limit; longer waits are re-armed in steps

export class TimerService {
  private readonly handles = new Map<string, Map<string, NodeJS.Timeout>>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  arm(instanceId: string, key: string, fireAtMs: number, onFire: () => void): void {
    if (this.stopped) return;
    const byInstance = this.handles.get(instanceId) ?? new Map<string, NodeJS.Timeout>();
    this.handles.set(instanceId, byInstance);
    if (byInstance.has(key)) return;
    const schedule = () => {
      if (this.clock.virtual) this.clock.advanceTo(fireAtMs);
      const wait = fireAtMs - this.clock.now();
      const h = setTimeout(
        () => {
          // Real timers may wake a millisecond early; never fire before FireAt.
          if (this.clock.now() < fireAtMs) return schedule();
          byInstance.delete(key);
          onFire();
        },
        Math.min(Math.max(wait, 0), MAX_DELAY),
      );
      byInstance.set(key, h);
    };
    schedule();
  }

  cancelInstance(instanceId: string): void {
    for (const h of this.handles.get(instanceId)?.values() ?? []) clearTimeout(h);
    this.handles.delete(instanceId);
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.handles.keys()]) this.cancelInstance(id);
  }
}
