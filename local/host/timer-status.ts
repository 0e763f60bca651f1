// The timer extension's schedule monitor (ScheduleMonitor.CheckPastDueAsync and its status store):
// each monitored timer function's last/next occurrence is kept in <data>/timers/<name>.json, so an
// occurrence missed while the host was down runs at start with isPastDue = true.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./fs-atomic";
import type { TimerSchedule } from "./timer-schedule";

/** default(DateTime): "never" for Last / LastUpdated. */
export const NEVER = Date.parse("0001-01-01T00:00:00Z");

/** ScheduleStatus, in epoch milliseconds; `next` is null for a schedule that never fires again. */
export interface ScheduleStatus {
  last: number;
  next: number | null;
  lastUpdated: number;
}

interface StoredStatus {
  Last: string;
  Next: string | null;
  LastUpdated: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class ScheduleStatusStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "timers");
  }

  private file(name: string): string {
    return join(this.dir, `${encodeURIComponent(name)}.json`);
  }

  get(name: string): ScheduleStatus | null {
    const f = this.file(name);
    if (!existsSync(f)) return null;
    const s = JSON.parse(readFileSync(f, "utf8")) as StoredStatus;
    return {
      last: Date.parse(s.Last),
      next: s.Next === null ? null : Date.parse(s.Next),
      lastUpdated: Date.parse(s.LastUpdated),
    };
  }

  update(name: string, status: ScheduleStatus): void {
    const stored: StoredStatus = {
      Last: iso(status.last),
      Next: status.next === null ? null : iso(status.next),
      LastUpdated: iso(status.lastUpdated),
    };
    writeFileAtomic(this.file(name), JSON.stringify(stored));
  }

  /** The latest LastUpdated of any stored status (a virtual clock must not start behind it). */
  latestUpdate(): number | null {
    if (!existsSync(this.dir)) return null;
    let latest: number | null = null;
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith(".json")) continue;
      const s = JSON.parse(readFileSync(join(this.dir, f), "utf8")) as StoredStatus;
      const t = Date.parse(s.LastUpdated);
      if (latest === null || t > latest) latest = t;
    }
    return latest;
  }
}

/**
 * ScheduleMonitor.CheckPastDueAsync: records an initial status for a new timer, re-bases the status
 * when the schedule changed, and returns how long past due the recorded next occurrence is (0 if not).
 */
export function checkPastDue(
  store: ScheduleStatusStore,
  name: string,
  nowMs: number,
  schedule: TimerSchedule,
  lastStatus: ScheduleStatus | null,
): number {
  let recordedNext: number | null;
  if (lastStatus === null) {
    const next = schedule.next(nowMs);
    store.update(name, { last: NEVER, next, lastUpdated: nowMs });
    recordedNext = next;
  } else {
    let expectedNext: number | null;
    let lastUpdated: number;
    if (lastStatus.last !== NEVER) {
      expectedNext = schedule.next(lastStatus.last);
      lastUpdated = lastStatus.last;
    } else if (lastStatus.lastUpdated !== NEVER) {
      expectedNext = schedule.next(lastStatus.lastUpdated);
      lastUpdated = lastStatus.lastUpdated;
    } else {
      expectedNext = schedule.next(nowMs);
      lastUpdated = nowMs;
    }
    if (lastStatus.next !== expectedNext) {
      // The schedule changed: a next occurrence already in the past would count as missed; re-base it.
      if (expectedNext !== null && nowMs > expectedNext) {
        expectedNext = schedule.next(nowMs);
        lastUpdated = nowMs;
      }
      lastStatus.last = NEVER;
      lastStatus.next = expectedNext;
      lastStatus.lastUpdated = lastUpdated;
      store.update(name, lastStatus);
    }
    recordedNext = lastStatus.next;
  }
  return recordedNext !== null && nowMs > recordedNext ? nowMs - recordedNext : 0;
}
