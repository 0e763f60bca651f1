// Durability: SIGKILL the host inside an activity and inside a durable timer, restart it on the
// same data dir, and check the orchestration completes with every completed activity run once; SIGKILL
// between a failed attempt and its retry, down until the retry timer is due: the timer fires once.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { http, removeDir, startFixtureHost, startOrchestration, tempDir, until, type TestHost } from "./helpers";

const runs = (dir: string, name: string): number =>
  existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8").trim().split("\n").length : 0;

const statusOf = (h: TestHost, id: string) =>
  http("GET", `${h.url}/runtime/webhooks/durabletask/instances/${id}?code=${h.masterKey}&showHistory=true`);

describe("crash and resume", () => {
  it("resumes after SIGKILL inside an activity and inside a durable timer; completed activities run once", async () => {
    const dataDir = tempDir("crash-data");
    const marks = tempDir("crash-marks");
    try {
      // Real clock, so the timer is really pending when the host dies.
      const a = await startFixtureHost({ dataDir, virtualClock: false });
      const s = await startOrchestration(a, "crashy", { dir: marks, sleepMs: 600, timerMs: 1200 }, "crashy-1");
      await until("step2 to start", () => runs(marks, "step2.started") === 1 || undefined);
      await a.kill("SIGKILL");
      assert.equal(runs(marks, "step1.completed"), 1);
      assert.equal(runs(marks, "step2.completed"), 0, "killed inside step2");

      const b = await startFixtureHost({ dataDir, virtualClock: false });
      // The status URL handed out before the crash still works (same system key), on the new port.
      const oldUrl = new URL(s.statusQueryGetUri);
      const viaOldKey = await http("GET", `${b.url}${oldUrl.pathname}${oldUrl.search}`);
      assert.equal(viaOldKey.status, 202);
      await until("the durable timer to be pending", async () => {
        const types: string[] = (await statusOf(b, "crashy-1")).body.historyEvents.map(
          (e: { EventType: string }) => e.EventType,
        );
        return types.includes("TimerCreated") && !types.includes("TimerFired") ? true : undefined;
      });
      await b.kill("SIGKILL");
      assert.equal(runs(marks, "step2.started"), 2, "the in-flight activity ran again (at-least-once)");
      assert.equal(runs(marks, "step2.completed"), 1);
      assert.equal(runs(marks, "step3.started"), 0, "killed inside the timer");

      const c = await startFixtureHost({ dataDir, virtualClock: false });
      const done = await until("completion", async () => {
        const r = await statusOf(c, "crashy-1");
        return r.body.runtimeStatus === "Completed" ? r : undefined;
      });
      await c.stop();
      assert.equal(done.status, 200);
      assert.deepEqual(done.body.output, ["step1 done", "step2 done", "step3 done", true]);
      assert.equal(runs(marks, "step1.completed"), 1);
      assert.equal(runs(marks, "step1.started"), 1);
      assert.equal(runs(marks, "step2.completed"), 1);
      assert.equal(runs(marks, "step3.started"), 1);
      assert.equal(runs(marks, "step3.completed"), 1);
      const types = done.body.historyEvents.map((e: { EventType: string }) => e.EventType);
      assert.deepEqual(types, [
        "ExecutionStarted",
        "TaskScheduled",
        "TaskCompleted",
        "TaskScheduled",
        "TaskCompleted",
        "TimerCreated",
        "TimerFired",
        "TaskScheduled",
        "TaskCompleted",
        "ExecutionCompleted",
      ]);
    } finally {
      removeDir(dataDir);
      removeDir(marks);
    }
  });

  it("killed between a failed attempt and its retry, and down until the retry timer is due: the failure is kept, the timer fires once, the retry completes", async () => {
    const dataDir = tempDir("crash2-data");
    const marks = tempDir("crash2-marks");
    try {
      // Real clock: the retry timer is really pending when the host dies, and really due when it returns.
      const a = await startFixtureHost({ dataDir, virtualClock: false });
      await startOrchestration(a, "retry", { dir: marks, failTimes: 2, max: 5, firstRetryMs: 1500 }, "r1");
      const history = async (h: TestHost) =>
        ((await statusOf(h, "r1")).body.historyEvents ?? []) as { EventType: string; FireAt?: string }[];
      // The chosen point: the first attempt's failure is in the history and its retry timer is pending.
      const timer = await until("the first failure recorded and the retry timer pending", async () => {
        const events = await history(a);
        const types = events.map((e) => e.EventType);
        return types.includes("TaskFailed") && !types.includes("TimerFired")
          ? events.find((e) => e.EventType === "TimerCreated")
          : undefined;
      });
      await a.kill("SIGKILL");
      assert.equal(runs(marks, "r.attempt1"), 1);
      assert.ok(!existsSync(join(marks, "r.attempt2")), "killed before the retry");
      // Stay down until the timer is due (its own FireAt), so the new host finds it overdue.
      const fireAt = Date.parse(timer.FireAt!);
      await until("the retry timer to be due", () => Date.now() > fireAt + 100 || undefined, 10_000);

      const b = await startFixtureHost({ dataDir, virtualClock: false });
      const done = await until("completion", async () => {
        const r = await statusOf(b, "r1");
        return r.body.runtimeStatus === "Completed" ? r : undefined;
      });
      await b.stop();
      assert.deepEqual(done.body.output, { key: "r", attempts: 3 });
      assert.ok(!existsSync(join(marks, "r.attempt4")), "no attempt after the successful one");
      const types: string[] = done.body.historyEvents.map((e: { EventType: string }) => e.EventType);
      // The failed attempt was kept, not re-run; each retry timer fired once.
      assert.deepEqual(types, [
        "ExecutionStarted",
        "TaskScheduled",
        "TaskFailed",
        "TimerCreated",
        "TimerFired",
        "TaskScheduled",
        "TaskFailed",
        "TimerCreated",
        "TimerFired",
        "TaskScheduled",
        "TaskCompleted",
        "ExecutionCompleted",
      ]);
    } finally {
      removeDir(dataDir);
      removeDir(marks);
    }
  });
});
