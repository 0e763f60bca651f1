// Every orchestration action type, driven through the host's HTTP surface as a user would.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  eventTypes,
  http,
  removeDir,
  startFixtureHost,
  startOrchestration,
  tempDir,
  waitForStatus,
  type TestHost,
} from "./helpers";

describe("orchestrations", () => {
  let h: TestHost;
  let marks: string;
  before(async () => {
    h = await startFixtureHost();
    marks = tempDir("marks");
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
    removeDir(marks);
  });

  it("chain: activity, custom status, durable timer (virtual clock moves time past FireAt)", async () => {
    const s = await startOrchestration(h, "chain", { name: "ann" });
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.status, 200);
    assert.equal(r.body.runtimeStatus, "Completed");
    assert.deepEqual(r.body.output, { a: "hi ann", timerOk: true });
    assert.deepEqual(r.body.customStatus, { step: "done" });
    assert.deepEqual(eventTypes(r.body), ["TaskScheduled", "TaskCompleted", "TimerCreated", "TimerFired"]);
  });

  it("a 10-day durable timer: the host writes the extension's sub-timers (+3 d, +6 d, +9 d, final) and the orchestration proceeds", async () => {
    const day = 86_400_000;
    const fireAt = new Date(Date.now() + 10 * day);
    const s = await startOrchestration(h, "waitOnTimer", fireAt.toISOString());
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed");
    assert.equal(r.body.output, "Timer fired!");
    const timers = (r.body.historyEvents as { EventType: string; FireAt?: string; Timestamp: string }[]).filter(
      (e) => e.EventType === "TimerCreated",
    );
    const start = Date.parse(r.body.createdTime);
    // Each sub-timer is 3 days after the episode its predecessor's firing started (the virtual clock has
    // jumped there, plus the few real milliseconds an episode takes); the last one is the fireAt asked for.
    const days = timers.map((t) => (Date.parse(t.FireAt!) - start) / day);
    assert.equal(days.length, 4, `timers at ${days.join(", ")} days`);
    for (const [i, d] of [3, 6, 9].entries())
      assert.ok(Math.abs(days[i]! - d) < 0.001, `sub-timer ${i} at ${days[i]} d`);
    assert.equal(timers[3]!.FireAt, fireAt.toISOString());
  });

  it("retry: an activity failing twice completes, with the extension's exact event sequence", async () => {
    const dir = `${marks}/retry-ok`;
    const s = await startOrchestration(h, "retry", { dir, failTimes: 2, max: 5 });
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed");
    assert.deepEqual(r.body.output, { key: "r", attempts: 3 });
    assert.deepEqual(eventTypes(r.body), [
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
    ]);
    const ev = r.body.historyEvents as {
      EventType: string;
      EventId: number;
      TaskScheduledId?: number;
      TimerId?: number;
      FireAt?: string;
      Timestamp: string;
    }[];
    // DTFx numbering: attempt, timer, attempt, timer, attempt = ids 0..4.
    assert.deepEqual(
      ev.filter((e) => e.EventId >= 0).map((e) => e.EventId),
      [0, 1, 2, 3, 4],
    );
    // Backoff: first delay 20 ms, then 40 ms capped by maxRetryInterval 30 ms.
    const timers = ev.filter((e) => e.EventType === "TimerCreated");
    const failed = ev.filter((e) => e.EventType === "TaskFailed");
    assert.equal(Date.parse(timers[0]!.FireAt!) - Date.parse(failedEpisodeTime(ev, failed[0]!)), 20);
    assert.equal(Date.parse(timers[1]!.FireAt!) - Date.parse(failedEpisodeTime(ev, failed[1]!)), 30);
    assert.equal(readdirSync(dir).length, 3);
  });

  it("retry exhausted: the trailing timer after the last attempt is due at once, then the failure surfaces", async () => {
    const dir = `${marks}/retry-exhausted`;
    const s = await startOrchestration(h, "retry", { dir, failTimes: 10, max: 2 });
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed");
    assert.match(r.body.output.caught, /Activity function 'flaky' failed: r not ready \(attempt 2\)/);
    assert.deepEqual(eventTypes(r.body), [
      "TaskScheduled",
      "TaskFailed",
      "TimerCreated",
      "TimerFired",
      "TaskScheduled",
      "TaskFailed",
      "TimerCreated",
      "TimerFired",
    ]);
    const timers = (r.body.historyEvents as { EventType: string; FireAt?: string; Timestamp: string }[]).filter(
      (e) => e.EventType === "TimerCreated",
    );
    // Retry timer: firstRetryInterval (20 ms) after the failure; DTFx's dummy timer: FireAt = now.
    assert.equal(Date.parse(timers[0]!.FireAt!) - Date.parse(timers[0]!.Timestamp), 20);
    assert.equal(Date.parse(timers[1]!.FireAt!), Date.parse(timers[1]!.Timestamp));
  });

  it("fanOut: WhenAll with retried tasks inside, then WhenAny (event buffered before the wait wins)", async () => {
    const s = await startOrchestration(h, "fanOut", { dir: `${marks}/fan`, slowMs: 300 });
    // Raised while the WhenAll still runs: DTFx buffers it until the orchestrator waits for it.
    const raised = await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), { v: 42 });
    assert.equal(raised.status, 202);
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed", JSON.stringify(r.body));
    assert.deepEqual(r.body.output, {
      all: [1, { key: "fa", attempts: 2 }, { key: "fb", attempts: 3 }, 4, "slow done"],
      winner: "event",
      event: { v: 42 },
    });
    const ev = r.body.historyEvents as {
      EventType: string;
      EventId: number;
      TaskScheduledId?: number;
      TimerId?: number;
    }[];
    const ids = ev.map((e) => e.EventId).filter((i) => i >= 0);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      ids.map((_, i) => i),
      "sequence numbers are dense and in history order",
    );
    // The two retried tasks interleave: each retry timer follows its own failure in history order.
    const failedIds = ev.filter((e) => e.EventType === "TaskFailed").map((e) => e.TaskScheduledId);
    assert.ok(failedIds.length === 3 && failedIds.includes(1) && failedIds.includes(2));
  });

  it("fanOut: without the event, the durable timer wins the WhenAny (virtual clock)", async () => {
    const s = await startOrchestration(h, "fanOut", { dir: `${marks}/fan2` });
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed", JSON.stringify(r.body));
    assert.equal(r.body.output.winner, "timer");
    assert.equal(eventTypes(r.body).at(-1), "TimerFired");
  });

  it("external events raised before the orchestrator waits are buffered", async () => {
    const s = await startOrchestration(h, "waitEvent", { sleepMs: 300 });
    // Both events arrive while the first activity still runs.
    assert.equal((await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), "first")).status, 202);
    assert.equal((await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), "second")).status, 202);
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([r.body.runtimeStatus, r.body.output], ["Completed", { data: "first", second: "second" }]);
  });

  it("sub-orchestrations: given and generated instance ids, failures propagate (with retry)", async () => {
    const s = await startOrchestration(h, "parent", undefined, "dad");
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed", JSON.stringify(r.body));
    assert.deepEqual(r.body.output.a, { echoed: 10, parent: "dad", me: "dad-kid" });
    assert.equal(r.body.output.b.parent, "dad");
    assert.match(r.body.output.b.me, /^dad:/);
    assert.match(r.body.output.failure, /child exploded/);
    assert.deepEqual(eventTypes(r.body), [
      "SubOrchestrationInstanceCreated",
      "SubOrchestrationInstanceCompleted",
      "SubOrchestrationInstanceCreated",
      "SubOrchestrationInstanceCompleted",
      "SubOrchestrationInstanceCreated",
      "SubOrchestrationInstanceFailed",
      "TimerCreated",
      "TimerFired",
      "SubOrchestrationInstanceCreated",
      "SubOrchestrationInstanceFailed",
      "TimerCreated",
      "TimerFired",
    ]);
    const kid = await http("GET", s.statusQueryGetUri.replace("/dad?", "/dad-kid?"));
    assert.deepEqual([kid.status, kid.body.runtimeStatus], [200, "Completed"]);
  });

  it("continueAsNew starts a new execution with the new input", async () => {
    const s = await startOrchestration(h, "counter", 0);
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([r.body.runtimeStatus, r.body.output, r.body.input], ["Completed", "counted to 3", 3]);
    assert.deepEqual(eventTypes(r.body), ["TaskScheduled", "TaskCompleted"], "history holds the last execution only");
  });

  it("an orchestrator that throws ends Failed with the message in the output (HTTP 200)", async () => {
    const s = await startOrchestration(h, "thrower");
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.status, 200);
    assert.equal(r.body.runtimeStatus, "Failed");
    assert.match(r.body.output, /Orchestrator function 'thrower' failed: kaboom from orchestrator/);
  });

  it("an unhandled activity failure fails the orchestration with the activity's message", async () => {
    const s = await startOrchestration(h, "failingActivity", { dir: `${marks}/fail` });
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Failed");
    assert.match(r.body.output, /Activity function 'flaky' failed: never not ready \(attempt 1\)/);
  });

  it("an activity exceeding functionTimeout fails with a timeout error, which retries handle", async () => {
    const s = await startOrchestration(h, "timeout");
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.equal(r.body.runtimeStatus, "Completed");
    assert.match(r.body.output.caught, /Timeout value of 00:00:01\.500 was exceeded by function: Functions\.slow/);
    assert.deepEqual(eventTypes(r.body), [
      "TaskScheduled",
      "TaskFailed",
      "TimerCreated",
      "TimerFired",
      "TaskScheduled",
      "TaskFailed",
      "TimerCreated",
      "TimerFired",
    ]);
  });

  it("nondeterminism: a replay scheduling a different activity fails the instance naming both", async () => {
    const dir = tempDir("nondet");
    const s = await startOrchestration(h, "nondet", { dir });
    const r = await waitForStatus(s.statusQueryGetUri);
    removeDir(dir);
    assert.equal(r.body.runtimeStatus, "Failed");
    assert.match(r.body.output, /Non-Deterministic workflow detected/);
    assert.match(r.body.output, /TaskScheduled 'mark'/);
    assert.match(r.body.output, /schedules activity 'echo'/);
  });

  it("the durable client works inside functions: status, raiseEvent, terminate, management URLs", async () => {
    const s = await startOrchestration(h, "waiter", undefined, "client-ops");
    const st = await http("GET", `${h.url}/api/client/status/client-ops?code=${h.functionKey}`);
    assert.equal(st.status, 200);
    assert.ok(["Pending", "Running"].includes(st.body.runtimeStatus));
    const links = await http("POST", `${h.url}/api/client/links/client-ops?code=${h.functionKey}`);
    assert.ok(
      links.body.statusQueryGetUri.startsWith(`${h.url}/runtime/webhooks/durabletask/instances/client-ops?`),
      links.body.statusQueryGetUri,
    );
    assert.equal(
      (await http("POST", `${h.url}/api/client/raise/client-ops?code=${h.functionKey}`, { go: true })).status,
      202,
    );
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([r.body.runtimeStatus, r.body.output], ["Completed", { go: true }]);

    const t = await startOrchestration(h, "waiter", undefined, "client-term");
    await waitForStatus(t.statusQueryGetUri, (b) => b.runtimeStatus === "Running");
    assert.equal((await http("POST", `${h.url}/api/client/terminate/client-term?code=${h.functionKey}`)).status, 202);
    const tr = await waitForStatus(t.statusQueryGetUri);
    assert.deepEqual([tr.body.runtimeStatus, tr.body.output], ["Terminated", "stopped by test"]);
  });
});

/** The OrchestratorStarted time of the episode that processed `failed` equals the TimerCreated timestamp. */
function failedEpisodeTime(ev: { EventType: string; Timestamp: string }[], failed: { Timestamp: string }): string {
  const i = ev.indexOf(failed as never);
  return ev.slice(i + 1).find((e) => e.EventType === "TimerCreated")!.Timestamp;
}
