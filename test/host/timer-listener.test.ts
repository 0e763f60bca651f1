// TimerTriggers driven in-process with a manual clock, scheduler and invoker: invocations never
// overlap, stop() leaves nothing armed or queued, past-due and runOnStartup runs, virtual clock jumps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock } from "../../local/host/clock";
import type { InputBinding, Invoker } from "../../local/host/invoker";
import { createLogger } from "../../local/host/log";
import type { TimerFunction } from "../../local/host/registry";
import { ScheduleStatusStore } from "../../local/host/timer-status";
import { TimerTriggers, type Scheduler } from "../../local/host/timer-triggers";
import { removeDir, tempDir } from "./helpers";

const T0 = Date.parse("2026-03-04T12:00:00.000Z");

class ManualTime implements Clock, Scheduler {
  readonly virtual = true;
  t = T0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  private seq = 0;
  private jumpListeners = new Set<() => void>();
  now = () => this.t;
  advanceTo(ms: number): void {
    if (ms <= this.t) return;
    this.t = ms;
    for (const l of this.jumpListeners) l();
  }
  onJump(l: () => void): () => void {
    this.jumpListeners.add(l);
    return () => this.jumpListeners.delete(l);
  }
  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  get armed(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.t);
  }
  /** Moves time forward (without a clock jump) and runs the timers that are due. */
  async pass(ms: number): Promise<void> {
    this.t += ms;
    for (const [id, p] of [...this.pending]) {
      if (p.at > this.t) continue;
      this.pending.delete(id);
      p.fn();
    }
    await settle();
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

interface Call {
  name: string;
  timer: { Schedule: { AdjustForDST: boolean }; ScheduleStatus: Record<string, string> | null; IsPastDue: boolean };
  finish: () => void;
}

function manualInvoker(): Invoker & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    invoke(name: string, inputs: InputBinding[]) {
      return new Promise((resolve) => {
        calls.push({
          name,
          timer: JSON.parse(inputs[0]!.data.json!) as Call["timer"],
          finish: () => resolve({ invocationId: "x" }),
        });
      });
    },
  };
}

const fn = (name: string, schedule: string, extra: Partial<TimerFunction> = {}): TimerFunction => ({
  name,
  triggerBinding: "myTimer",
  schedule,
  runOnStartup: false,
  useMonitor: true,
  ...extra,
});

function setup(functions: TimerFunction[], dataDir: string, settings: Record<string, string> = {}) {
  const time = new ManualTime();
  const invoker = manualInvoker();
  const statusStore = new ScheduleStatusStore(dataDir);
  const timers = new TimerTriggers({
    functions,
    settings,
    invoker,
    clock: time,
    logger: createLogger({ quiet: true }),
    statusStore,
    functionTimeoutMs: null,
    scheduler: time,
  });
  return { time, invoker, statusStore, timers };
}

describe("timer listener", () => {
  it("a function disabled by AzureWebJobs.<name>.Disabled is never scheduled, and still runs on demand", async () => {
    const dir = tempDir("timers");
    try {
      const { time, invoker, timers } = setup([fn("sampler", "*/1 * * * * *"), fn("watch", "*/2 * * * * *")], dir, {
        "azurewebjobs.SAMPLER.disabled": "True",
        "AzureWebJobs.watch.Disabled": "false",
      });
      assert.equal(timers.disabled("sampler"), true, "the setting's name and value are matched ignoring case");
      assert.equal(timers.disabled("watch"), false);
      timers.start();
      assert.deepEqual(time.armed, [2000], "only the enabled function is armed");
      assert.match(timers.describe().join("\n"), /timer: sampler .* -> disabled \(AzureWebJobs\.sampler\.Disabled\)/);
      await time.pass(1000);
      assert.equal(invoker.calls.length, 0, "the disabled schedule never fires");
      const run = timers.runNow("sampler");
      await settle();
      assert.deepEqual(
        invoker.calls.map((c) => c.name),
        ["sampler"],
        "the admin API still runs it",
      );
      invoker.calls[0]!.finish();
      await run;
      assert.deepEqual(time.armed, [1000], "and running it on demand schedules nothing: only watch is armed");
      timers.stop();
    } finally {
      removeDir(dir);
    }
  });

  it("never runs two invocations of a function at once; stop() leaves nothing armed and skips queued runs", async () => {
    const dir = tempDir("timers");
    try {
      const { time, invoker, timers } = setup([fn("sampler", "*/1 * * * * *")], dir);
      timers.start();
      assert.deepEqual(time.armed, [1000]);
      await time.pass(1000);
      assert.equal(invoker.calls.length, 1, "the scheduled run started");
      const onDemand = timers.runNow("SAMPLER");
      await settle();
      assert.equal(invoker.calls.length, 1, "the on-demand run waits for the scheduled one");
      assert.deepEqual(time.armed, [], "no next occurrence is armed while the invocation runs");
      invoker.calls[0]!.finish();
      await settle();
      assert.equal(invoker.calls.length, 2, "then it runs");
      assert.deepEqual(time.armed, [1000], "the next occurrence (next whole second after the run's start) is armed");
      invoker.calls[1]!.finish();
      await onDemand;

      // A scheduled run in progress and an on-demand run queued behind it when stop() comes.
      await time.pass(1000);
      assert.equal(invoker.calls.length, 3);
      void timers.runNow("sampler");
      await settle();
      assert.equal(invoker.calls.length, 3);
      timers.stop();
      assert.deepEqual(time.armed, []);
      invoker.calls[2]!.finish();
      await settle();
      await time.pass(5000);
      assert.equal(invoker.calls.length, 3, "nothing started after stop(), not even the queued run");
      assert.deepEqual(time.armed, [], "and nothing re-armed");
    } finally {
      removeDir(dir);
    }
  });

  it("passes the Timer as the host serializes TimerInfo; with the monitor, records and passes the status", async () => {
    const dir = tempDir("timers");
    try {
      const { time, invoker, statusStore, timers } = setup(
        [fn("sub", "00:00:10"), fn("hourly", "0 0 * * * *", { runOnStartup: true })],
        dir,
      );
      timers.start();
      await time.pass(0);
      const startup = invoker.calls.find((c) => c.name === "hourly")!;
      assert.deepEqual(startup.timer, {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: {
          Last: "0001-01-01T00:00:00+00:00",
          Next: "2026-03-04T13:00:00+00:00",
          LastUpdated: "0001-01-01T00:00:00+00:00",
        },
        IsPastDue: false,
      });
      startup.finish();
      await settle();
      assert.deepEqual(statusStore.get("hourly"), { last: T0, next: T0 + 3_600_000, lastUpdated: T0 });
      await time.pass(10_000);
      const sub = invoker.calls.find((c) => c.name === "sub")!;
      assert.deepEqual(sub.timer, { Schedule: { AdjustForDST: false }, ScheduleStatus: null, IsPastDue: false });
      assert.equal(statusStore.get("sub"), null, "a sub-minute schedule is not monitored");
      sub.finish();
      timers.stop();
    } finally {
      removeDir(dir);
    }
  });

  it("runs a missed occurrence at start with isPastDue, then follows the schedule", async () => {
    const dir = tempDir("timers");
    try {
      new ScheduleStatusStore(dir).update("hourly", {
        last: T0 - 2 * 3_600_000,
        next: T0 - 3_600_000,
        lastUpdated: T0 - 2 * 3_600_000,
      });
      const { time, invoker, statusStore, timers } = setup([fn("hourly", "0 0 * * * *")], dir);
      time.t = T0 + 5 * 60_000;
      timers.start();
      await time.pass(0);
      assert.equal(invoker.calls.length, 1);
      assert.equal(invoker.calls[0]!.timer.IsPastDue, true);
      assert.equal(invoker.calls[0]!.timer.ScheduleStatus!.Next, "2026-03-04T11:00:00+00:00");
      invoker.calls[0]!.finish();
      await settle();
      assert.deepEqual(statusStore.get("hourly")!.next, T0 + 3_600_000);
      assert.deepEqual(time.armed, [55 * 60_000]);
      timers.stop();
    } finally {
      removeDir(dir);
    }
  });

  it("a changed schedule is re-based instead of counting as missed", async () => {
    const dir = tempDir("timers");
    try {
      // Recorded under a daily schedule; now hourly: the recorded next no longer matches.
      new ScheduleStatusStore(dir).update("job", { last: T0 - 86_400_000, next: T0, lastUpdated: T0 - 86_400_000 });
      const { time, invoker, timers } = setup([fn("job", "0 30 * * * *")], dir);
      time.t = T0 + 60_000;
      timers.start();
      await time.pass(0);
      assert.equal(invoker.calls.length, 0, "not past due");
      assert.deepEqual(time.armed, [29 * 60_000]);
      timers.stop();
    } finally {
      removeDir(dir);
    }
  });

  it("a virtual clock jump past the next occurrence makes it due at once (once, not per missed occurrence)", async () => {
    const dir = tempDir("timers");
    try {
      const { time, invoker, timers } = setup([fn("hourly", "0 0 * * * *")], dir);
      timers.start();
      assert.deepEqual(time.armed, [3_600_000]);
      time.advanceTo(T0 + 5 * 3_600_000 + 1000);
      assert.deepEqual(time.armed, [0]);
      await time.pass(0);
      assert.equal(invoker.calls.length, 1);
      invoker.calls[0]!.finish();
      await settle();
      assert.deepEqual(time.armed, [3_600_000 - 1000]);
      timers.stop();
    } finally {
      removeDir(dir);
    }
  });

  it("refuses a bad schedule naming the function", () => {
    const dir = tempDir("timers");
    try {
      assert.throws(
        () => setup([fn("bad", "sometimes")], dir),
        /Timer function 'bad': The schedule expression 'sometimes'/,
      );
    } finally {
      removeDir(dir);
    }
  });
});
