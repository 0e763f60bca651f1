// Durability: SIGKILL the host inside an activity and inside a durable timer, restart it on the
// same data dir, and check the orchestration completes with every completed activity run once.
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

  it("resumes retries and sub-orchestrations after SIGKILL at an arbitrary point", async () => {
    const dataDir = tempDir("crash2-data");
    const marks = tempDir("crash2-marks");
    try {
      const a = await startFixtureHost({ dataDir });
      await startOrchestration(a, "parent", undefined, "p1");
      const s2 = await startOrchestration(a, "retry", { dir: marks, failTimes: 2, max: 5 }, "r1");
      await new Promise((r) => setTimeout(r, 15));
      await a.kill("SIGKILL");
      const b = await startFixtureHost({ dataDir });
      for (const id of ["p1", "r1"]) {
        const r = await until(`${id} to finish`, async () => {
          const x = await statusOf(b, id);
          return x.status === 200 ? x : undefined;
        });
        assert.equal(r.body.runtimeStatus, "Completed", `${id}: ${JSON.stringify(r.body.output)}`);
      }
      await b.stop();
      // Each flaky attempt writes one marker; completed attempts are never repeated.
      assert.equal(runs(marks, "r.attempt3"), 1);
      assert.ok(!existsSync(join(marks, "r.attempt4")), "no attempt after the successful one");
      assert.ok(s2.id === "r1");
    } finally {
      removeDir(dataDir);
      removeDir(marks);
    }
  });
});
