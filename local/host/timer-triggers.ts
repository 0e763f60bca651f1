// Timer-triggered functions, run like the timer extension's TimerListener: one listener per function;
// its invocations never overlap (an on-demand run waits for a scheduled one and vice versa); the next
// occurrence is computed after each invocation from its start (missed occurrences are not replayed);
// a past-due occurrence (schedule monitor) or runOnStartup runs at start; stop() ends all of it. A function
// disabled by its app setting AzureWebJobs.<name>.Disabled is never scheduled, but still runs on demand
// through the admin API, as in Azure.
// Occurrences are computed on the host clock; the pacing is real time (see README: virtual clock).
import type { Clock } from "./clock";
import { FunctionNameMap } from "./function-names";
import type { Invoker } from "./invoker";
import type { Logger } from "./log";
import type { TimerFunction } from "./registry";
import { parseSchedule, type TimerSchedule } from "./timer-schedule";
import { checkPastDue, NEVER, type ScheduleStatus, type ScheduleStatusStore } from "./timer-status";

/** setTimeout/clearTimeout, replaceable in tests. */
export interface Scheduler {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realScheduler: Scheduler = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

const MAX_DELAY = 2 ** 31 - 1; // setTimeout's limit; longer waits are re-armed in steps

export interface TimerTriggerOptions {
  functions: TimerFunction[];
  /** App settings for %NAME% references in schedules. */
  settings: NodeJS.ProcessEnv;
  invoker: Invoker;
  clock: Clock;
  logger: Logger;
  statusStore: ScheduleStatusStore;
  functionTimeoutMs: number | null;
  scheduler?: Scheduler;
}

/** A .NET DateTime as Newtonsoft writes it (UTC, offset +00:00, fraction without trailing zeros). */
function dotnetTime(ms: number | null): string {
  if (ms === null) return "9999-12-31T23:59:59.9999999+00:00"; // DateTime.MaxValue: no next occurrence
  const [base, frac] = new Date(ms).toISOString().slice(0, -1).split(".");
  const f = (frac ?? "").replace(/0+$/, "");
  return `${base}${f ? `.${f}` : ""}+00:00`;
}

/**
 * TimerInfo as the Functions host serializes it for the Node worker (PascalCase JSON, ScheduleStatus
 * null without the schedule monitor); @azure/functions turns it into `{ schedule: { adjustForDST },
 * scheduleStatus: { last, next, lastUpdated }, isPastDue }`.
 */
export function timerInfoJson(schedule: TimerSchedule, status: ScheduleStatus | null, isPastDue: boolean): string {
  return JSON.stringify({
    Schedule: { AdjustForDST: schedule.adjustForDST },
    ScheduleStatus: status && {
      Last: dotnetTime(status.last),
      Next: dotnetTime(status.next),
      LastUpdated: dotnetTime(status.lastUpdated),
    },
    IsPastDue: isPastDue,
  });
}

type Occasion = "schedule" | "pastDue" | "runOnStartup";

class TimerListener {
  private status: ScheduleStatus;
  private readonly monitor: boolean;
  private handle: unknown = null;
  private armedFor: Occasion | null = null;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly scheduler: Scheduler;

  constructor(
    readonly fn: TimerFunction,
    readonly schedule: TimerSchedule,
    private readonly o: TimerTriggerOptions,
  ) {
    this.scheduler = o.scheduler ?? realScheduler;
    // TimerSchedule.Create: the monitor is off for schedules that fire more than once a minute.
    this.monitor = fn.useMonitor && !schedule.disablesMonitor(o.clock.now());
    this.status = { last: NEVER, next: schedule.next(o.clock.now()), lastUpdated: NEVER };
  }

  get next(): number | null {
    return this.status.next;
  }

  get monitored(): boolean {
    return this.monitor;
  }

  /** TimerListener.StartAsync. */
  start(): void {
    const now = this.o.clock.now();
    let stored: ScheduleStatus | null = null;
    let pastDue = false;
    if (this.monitor) {
      stored = this.o.statusStore.get(this.fn.name);
      pastDue = checkPastDue(this.o.statusStore, this.fn.name, now, this.schedule, stored) > 0;
    }
    this.status = stored ?? { last: NEVER, next: this.schedule.next(now), lastUpdated: NEVER };
    if (pastDue) {
      this.o.logger.host(
        `timer '${this.fn.name}' is past due (missed ${dotnetTime(this.status.next)}); running it now`,
      );
      this.arm(0, "pastDue");
    } else if (this.fn.runOnStartup) {
      this.o.logger.host(`timer '${this.fn.name}' runs on startup`);
      this.arm(0, "runOnStartup");
    } else {
      this.armNext();
    }
  }

  /** Runs the function now (admin API), after any invocation in progress. */
  runNow(): Promise<void> {
    return this.exclusive(() => this.invoke(false));
  }

  /** A virtual clock jumped: an occurrence it passed is due at once. */
  clockJumped(): void {
    if (this.armedFor === "schedule") this.armNext();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  private armNext(): void {
    if (this.status.next === null) return this.disarm();
    this.arm(this.status.next - this.o.clock.now(), "schedule");
  }

  private arm(waitMs: number, occasion: Occasion): void {
    this.disarm();
    if (this.stopped) return;
    this.armedFor = occasion;
    this.handle = this.scheduler.set(
      () => {
        this.handle = null;
        this.armedFor = null;
        // A wait beyond setTimeout's limit is taken in steps, as TimerListener does past 24 days.
        if (occasion === "schedule" && this.status.next !== null && this.status.next - this.o.clock.now() > 1000)
          return this.armNext();
        void this.fire(occasion);
      },
      Math.min(Math.max(waitMs, 0), MAX_DELAY),
    );
  }

  private disarm(): void {
    if (this.handle !== null) this.scheduler.clear(this.handle);
    this.handle = null;
    this.armedFor = null;
  }

  /** TimerListener.InvokeJobFunction, then the timer for the next occurrence. */
  private async fire(occasion: Occasion): Promise<void> {
    const invocationTime = this.o.clock.now();
    await this.exclusive(async () => {
      await this.invoke(occasion === "pastDue");
      // Fired a little before Next (clock skew): count from Next, so it is not due twice.
      const from =
        occasion === "schedule" && this.status.next !== null && this.status.next > invocationTime
          ? this.status.next
          : invocationTime;
      this.status = { last: from, next: this.schedule.next(from), lastUpdated: from };
      if (this.monitor) this.o.statusStore.update(this.fn.name, this.status);
    });
    this.armNext();
  }

  /** Serializes this function's invocations; nothing starts once stopped. */
  private exclusive(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.stopped ? undefined : job()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async invoke(isPastDue: boolean): Promise<void> {
    const json = timerInfoJson(this.schedule, this.monitor ? this.status : null, isPastDue);
    try {
      await this.o.invoker.invoke(
        this.fn.name,
        [{ name: this.fn.triggerBinding, data: { json } }],
        this.o.functionTimeoutMs,
      );
    } catch (err) {
      // As in the extension, a failed invocation does not stop the schedule.
      this.o.logger.hostError(`function '${this.fn.name}' failed: ${(err as Error).message}`);
    }
  }
}

/** The app setting that disables a function (Azure Functions: "How to disable functions"). */
export function disabledSetting(name: string): string {
  return `AzureWebJobs.${name}.Disabled`;
}

/** AzureWebJobs.<name>.Disabled is true (or 1), the setting's name matched ignoring case as the host's configuration does. */
function disabledBy(settings: NodeJS.ProcessEnv, name: string): boolean {
  const key = disabledSetting(name).toLowerCase();
  return Object.entries(settings).some(([k, v]) => k.toLowerCase() === key && /^(true|1)$/i.test((v ?? "").trim()));
}

export class TimerTriggers {
  private readonly listeners = new FunctionNameMap<TimerListener>();
  /** Names (lower case) disabled by their setting, read once at start-up as the Functions host does. */
  private readonly disabledNames = new Set<string>();
  private unsubscribe: (() => void) | null = null;

  /** Parses every schedule; a bad one refuses the start with the extension's message. */
  constructor(private readonly o: TimerTriggerOptions) {
    for (const fn of o.functions) {
      let schedule: TimerSchedule;
      try {
        schedule = parseSchedule(fn.schedule, o.settings);
      } catch (err) {
        throw new Error(`Timer function '${fn.name}': ${(err as Error).message}`, { cause: err });
      }
      this.listeners.set(fn.name, new TimerListener(fn, schedule, o));
      if (disabledBy(o.settings, fn.name)) this.disabledNames.add(fn.name.toLowerCase());
    }
  }

  start(): void {
    for (const name of this.scheduled()) this.listeners.get(name)!.start();
    this.unsubscribe = this.o.clock.onJump(() => {
      for (const name of this.scheduled()) this.listeners.get(name)!.clockJumped();
    });
  }

  /** The function is disabled by its AzureWebJobs.<name>.Disabled setting (registered name, any case). */
  disabled(name: string): boolean {
    return this.disabledNames.has(name.toLowerCase());
  }

  private scheduled(): string[] {
    return this.listeners.names().filter((n) => !this.disabled(n));
  }

  has(name: string): boolean {
    return this.listeners.has(name);
  }

  /** Runs a timer function on demand (after an invocation in progress); resolves when it has run. */
  runNow(name: string): Promise<void> {
    const l = this.listeners.get(name);
    if (!l) return Promise.reject(new Error(`No timer function '${name}'.`));
    return l.runNow();
  }

  /** One line per timer function for the start-up listing. */
  describe(): string[] {
    return this.listeners.names().map((name) => {
      const l = this.listeners.get(name)!;
      if (this.disabled(name)) return `timer: ${name} ${l.schedule.describe()} -> disabled (${disabledSetting(name)})`;
      const next = l.next === null ? "never" : new Date(l.next).toISOString();
      const flags = [`schedule monitor ${l.monitored ? "on" : "off"}`, ...(l.fn.runOnStartup ? ["runOnStartup"] : [])];
      return `timer: ${name} ${l.schedule.describe()} -> next ${next} (${flags.join(", ")})`;
    });
  }

  /** No invocation starts after this; one in progress finishes on its own (JavaScript cannot cancel it). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const name of this.listeners.names()) this.listeners.get(name)!.stop();
  }
}
