// Replay contract: feed the real durable-functions replay engine histories shaped like the Durable
// extension's and check its actions, and check the host's shim (DTFx numbering, retries,
// nondeterminism) against the same histories. Runs in-process through the functions-core stand-in.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { before, describe, it } from "node:test";
import { installCoreModule, type CoreCapture } from "../../local/host/core-module";
import { event } from "../../local/host/history";
import { createInvoker, type Invoker } from "../../local/host/invoker";
import { createLogger } from "../../local/host/log";
import { invokeOrchestrator } from "../../local/host/orchestrator-call";
import { replay } from "../../local/host/replay";
import { ActionType, EventType as E, type HistoryEvent, type OrchestratorResult } from "../../local/host/types";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const at = (ms: number) => T0 + ms;

let capture: CoreCapture;
let invoker: Invoker;

/** Marks events as played (already seen in a previous episode), as the extension does. */
const played = (h: HistoryEvent[]) => h.map((e) => ({ ...e, IsPlayed: true }));

async function run(
  name: string,
  history: HistoryEvent[],
  input: unknown,
  instanceId = "inst",
): Promise<OrchestratorResult> {
  return invokeOrchestrator(invoker, {
    name,
    triggerBinding: Object.keys(capture.functions.get(name)!.metadata.bindings).find(
      (k) => capture.functions.get(name)!.metadata.bindings[k]!.type === "orchestrationTrigger",
    )!,
    instanceId,
    history,
    input: JSON.stringify(input),
  });
}

describe("replay contract with durable-functions", () => {
  before(() => {
    // The stand-in must be installed before @azure/functions is first loaded in this process.
    capture = installCoreModule(() => undefined).capture;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the stand-in is installed
    require(resolve(__dirname, "../fixtures/host-app/functions/orchestrations.js"));
    invoker = createInvoker(capture, createLogger({ quiet: true }));
  });

  const input = { dir: "/nonexistent", failTimes: 1, max: 3 };
  const start = [
    event(E.OrchestratorStarted, at(0)),
    event(E.ExecutionStarted, at(0), { Name: "retry", Input: JSON.stringify(input) }),
  ];
  const sched0 = event(E.TaskScheduled, at(1), {
    EventId: 0,
    Name: "flaky",
    Input: JSON.stringify({ dir: "/nonexistent", key: "r", failTimes: 1 }),
  });

  it("first episode: one CallActivityWithRetry action carrying every RetryOptions field", async () => {
    const st = await run("retry", start, input);
    assert.equal(st.isDone, false);
    const [a] = st.actions[0]!;
    assert.equal(a!.actionType, ActionType.CallActivityWithRetry);
    assert.equal(a!.functionName, "flaky");
    assert.deepEqual(a!.retryOptions, {
      firstRetryIntervalInMilliseconds: 20,
      maxNumberOfAttempts: 3,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 30,
    });
    const r = replay("inst", start, st.actions[0]!);
    assert.deepEqual(
      r.newEvents.map((e) => [e.EventType, e.EventId, e.Name]),
      [[E.TaskScheduled, 0, "flaky"]],
    );
  });

  it("after TaskFailed the SDK waits; the host schedules the retry timer (#1) at now + firstRetryInterval", async () => {
    const h = [
      ...played([...start, sched0, event(E.OrchestratorCompleted, at(1))]),
      event(E.OrchestratorStarted, at(100)),
      event(E.TaskFailed, at(90), { TaskScheduledId: 0, Reason: "boom", Details: "stack" }),
    ];
    const st = await run("retry", h, input);
    assert.equal(st.isDone, false);
    assert.equal(st.error, undefined);
    const r = replay("inst", h, st.actions[0]!);
    assert.equal(r.fatal, null);
    assert.deepEqual(
      r.newEvents.map((e) => [e.EventType, e.EventId, e.FireAt]),
      [[E.TimerCreated, 1, new Date(at(120)).toISOString()]],
    );
  });

  it("TaskScheduled, TaskFailed, TimerCreated, TimerFired, TaskScheduled, TaskCompleted → completed with the result", async () => {
    const h = [
      ...played([
        ...start,
        sched0,
        event(E.OrchestratorCompleted, at(1)),
        event(E.OrchestratorStarted, at(100)),
        event(E.TaskFailed, at(90), { TaskScheduledId: 0, Reason: "boom", Details: "stack" }),
        event(E.TimerCreated, at(100), { EventId: 1, FireAt: new Date(at(120)).toISOString() }),
        event(E.OrchestratorCompleted, at(100)),
        event(E.OrchestratorStarted, at(121)),
        event(E.TimerFired, at(121), { TimerId: 1, FireAt: new Date(at(120)).toISOString() }),
        event(E.TaskScheduled, at(121), { EventId: 2, Name: "flaky", Input: sched0.Input }),
        event(E.OrchestratorCompleted, at(121)),
      ]),
      event(E.OrchestratorStarted, at(200)),
      event(E.TaskCompleted, at(199), { TaskScheduledId: 2, Result: JSON.stringify({ key: "r", attempts: 2 }) }),
    ];
    const st = await run("retry", h, input);
    assert.deepEqual([st.isDone, st.output], [true, { key: "r", attempts: 2 }]);
    const r = replay("inst", h, st.actions[0]!);
    assert.deepEqual([r.fatal, r.newEvents], [null, []], "the shim matches the whole history");
  });

  it("without the trailing timer after the last attempt the SDK would wait forever; with it the failure surfaces", async () => {
    const one = { ...input, max: 1 };
    const base = [
      ...played([
        event(E.OrchestratorStarted, at(0)),
        event(E.ExecutionStarted, at(0), { Name: "retry", Input: JSON.stringify(one) }),
        sched0,
        event(E.OrchestratorCompleted, at(1)),
      ]),
      event(E.OrchestratorStarted, at(50)),
      event(E.TaskFailed, at(50), {
        TaskScheduledId: 0,
        Reason: "Activity function 'flaky' failed: last",
        Details: "stack",
      }),
    ];
    const waiting = await run("retry", base, one);
    assert.deepEqual([waiting.isDone, waiting.error], [false, undefined]);
    const r = replay("inst", base, waiting.actions[0]!);
    assert.deepEqual(
      r.newEvents.map((e) => [e.EventType, e.FireAt]),
      [[E.TimerCreated, new Date(at(50)).toISOString()]],
      "the host writes the trailing timer, due at once (DTFx's dummy timer: FireAt = current orchestration time)",
    );
    const fired = [
      ...played([
        ...base,
        { ...r.newEvents[0]!, Timestamp: new Date(at(50)).toISOString() },
        event(E.OrchestratorCompleted, at(50)),
      ]),
      event(E.OrchestratorStarted, at(50)),
      event(E.TimerFired, at(50), { TimerId: 1, FireAt: r.newEvents[0]!.FireAt! }),
    ];
    const st = await run("retry", fired, one);
    assert.equal(st.isDone, true);
    assert.match((st.output as { caught: string }).caught, /Activity function 'flaky' failed: last/);
  });

  it("after the last attempt of a sub-orchestration with retry, the trailing timer is also due at once", () => {
    const action = {
      actionType: ActionType.CallSubOrchestratorWithRetry,
      functionName: "child",
      instanceId: "kid",
      retryOptions: { firstRetryIntervalInMilliseconds: 60_000, maxNumberOfAttempts: 2 },
    };
    const h = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "p", Input: null }),
      event(E.SubOrchestrationInstanceCreated, at(0), { EventId: 0, Name: "child", InstanceId: "kid" }),
      event(E.OrchestratorCompleted, at(0)),
      event(E.OrchestratorStarted, at(10)),
      event(E.SubOrchestrationInstanceFailed, at(10), { TaskScheduledId: 0, Reason: "no" }),
      event(E.TimerCreated, at(10), { EventId: 1, FireAt: new Date(at(60_010)).toISOString() }),
      event(E.OrchestratorCompleted, at(10)),
      event(E.OrchestratorStarted, at(60_010)),
      event(E.TimerFired, at(60_010), { TimerId: 1 }),
      event(E.SubOrchestrationInstanceCreated, at(60_010), { EventId: 2, Name: "child", InstanceId: "kid" }),
      event(E.OrchestratorCompleted, at(60_010)),
      event(E.OrchestratorStarted, at(60_500)),
      event(E.SubOrchestrationInstanceFailed, at(60_500), { TaskScheduledId: 2, Reason: "no again" }),
    ];
    const r = replay("p", h, [action]);
    assert.deepEqual(
      r.newEvents.map((e) => [e.EventType, e.EventId, e.FireAt]),
      [[E.TimerCreated, 3, new Date(at(60_500)).toISOString()]],
    );
  });

  it("without maxRetryIntervalInMilliseconds retry delays are capped at 6 days (the extension's default)", () => {
    const action = {
      actionType: ActionType.CallActivityWithRetry,
      functionName: "flaky",
      input: "x",
      retryOptions: { firstRetryIntervalInMilliseconds: 86_400_000, maxNumberOfAttempts: 5, backoffCoefficient: 10 },
    };
    const day = 86_400_000;
    const h = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "r", Input: null }),
      event(E.TaskScheduled, at(0), { EventId: 0, Name: "flaky" }),
      event(E.OrchestratorCompleted, at(0)),
      event(E.OrchestratorStarted, at(5)),
      event(E.TaskFailed, at(5), { TaskScheduledId: 0, Reason: "a" }),
      event(E.TimerCreated, at(5), { EventId: 1, FireAt: new Date(at(5 + day)).toISOString() }),
      event(E.OrchestratorCompleted, at(5)),
      event(E.OrchestratorStarted, at(5 + day)),
      event(E.TimerFired, at(5 + day), { TimerId: 1 }),
      event(E.TaskScheduled, at(5 + day), { EventId: 2, Name: "flaky" }),
      event(E.OrchestratorCompleted, at(5 + day)),
      event(E.OrchestratorStarted, at(9 + day)),
      event(E.TaskFailed, at(9 + day), { TaskScheduledId: 2, Reason: "b" }),
    ];
    const r = replay("r", h, [action]);
    assert.equal(r.fatal, null);
    // The second delay would be 10 days.
    assert.deepEqual(
      r.newEvents.map((e) => [e.EventType, e.EventId, e.FireAt]),
      [[E.TimerCreated, 3, new Date(at(9 + day + 6 * day)).toISOString()]],
    );
  });

  it("function names in history and in the re-issued actions match case-insensitively, as in DTFx", () => {
    const h = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "o", Input: null }),
      event(E.TaskScheduled, at(0), { EventId: 0, Name: "Mark" }),
      event(E.SubOrchestrationInstanceCreated, at(0), { EventId: 1, Name: "child", InstanceId: "k" }),
      event(E.OrchestratorCompleted, at(0)),
    ];
    const r = replay("o", h, [
      {
        actionType: ActionType.WhenAll,
        compoundActions: [
          { actionType: ActionType.CallActivity, functionName: "MARK", input: 1 },
          { actionType: ActionType.CallSubOrchestrator, functionName: "CHILD", instanceId: "k" },
        ],
      },
    ]);
    assert.deepEqual([r.fatal, r.newEvents], [null, []]);
  });

  it("timers: OrchestratorStarted before FireAt keeps the timer pending; at/after FireAt the orchestration continues", async () => {
    const h0 = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "chain", Input: JSON.stringify({ name: "z" }) }),
    ];
    const s0 = await run("chain", h0, { name: "z" });
    assert.deepEqual(
      s0.actions[0]!.map((a) => a.actionType),
      [ActionType.CallActivity],
    );
    const h1 = [
      ...played([
        ...h0,
        event(E.TaskScheduled, at(0), { EventId: 0, Name: "echo", Input: '"hi z"' }),
        event(E.OrchestratorCompleted, at(0)),
      ]),
      event(E.OrchestratorStarted, at(10)),
      event(E.TaskCompleted, at(10), { TaskScheduledId: 0, Result: '"hi z"' }),
    ];
    const s1 = await run("chain", h1, { name: "z" });
    const timer = s1.actions[0]![1]!;
    assert.equal(timer.actionType, ActionType.CreateTimer);
    assert.equal(
      new Date(timer.fireAt!).getTime(),
      at(10) + 60_000,
      "fireAt derives from the OrchestratorStarted timestamp",
    );
    assert.deepEqual(s1.customStatus, { step: "timer" });
    const fireAt = new Date(at(60_010)).toISOString();
    const h2 = [
      ...played([
        ...h1,
        event(E.TimerCreated, at(10), { EventId: 1, FireAt: fireAt }),
        event(E.OrchestratorCompleted, at(10)),
      ]),
      event(E.OrchestratorStarted, at(60_010)),
      event(E.TimerFired, at(60_010), { TimerId: 1, FireAt: fireAt }),
    ];
    const s2 = await run("chain", h2, { name: "z" });
    assert.deepEqual([s2.isDone, s2.output], [true, { a: "hi z", timerOk: true }]);
  });

  it("WhenAll with retried tasks: retry timers get ids in history order (interleaved)", async () => {
    const inp = { dir: "/x" };
    const h0 = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "fanOut", Input: JSON.stringify(inp) }),
    ];
    const s0 = await run("fanOut", h0, inp);
    assert.equal(s0.actions[0]![0]!.actionType, ActionType.WhenAll);
    const r0 = replay("i", h0, s0.actions[0]!);
    assert.deepEqual(
      r0.newEvents.map((e) => [e.EventId, e.Name]),
      [
        [0, "echo"],
        [1, "flaky"],
        [2, "flaky"],
        [3, "echo"],
        [4, "slow"],
      ],
    );
    // fb (#2) fails before fa (#1): fb's retry timer must be #5, fa's #6.
    const h1 = [
      ...played([
        ...h0,
        ...r0.newEvents.map((e) => ({ ...e, Timestamp: new Date(at(0)).toISOString() })),
        event(E.OrchestratorCompleted, at(0)),
      ]),
      event(E.OrchestratorStarted, at(5)),
      event(E.TaskFailed, at(4), { TaskScheduledId: 2, Reason: "fb", Details: "" }),
      event(E.TaskFailed, at(5), { TaskScheduledId: 1, Reason: "fa", Details: "" }),
    ];
    const s1 = await run("fanOut", h1, inp);
    assert.equal(s1.isDone, false);
    const r1 = replay("i", h1, s1.actions[0]!);
    assert.deepEqual(
      r1.newEvents.map((e) => [e.EventType, e.EventId]),
      [
        [E.TimerCreated, 5],
        [E.TimerCreated, 6],
      ],
    );
    // Timer #6 (fa's) fires first: fa's second attempt is #7; the SDK accepts this numbering.
    const h2 = [
      ...played([
        ...h1,
        ...r1.newEvents.map((e) => ({ ...e, Timestamp: new Date(at(5)).toISOString() })),
        event(E.OrchestratorCompleted, at(5)),
      ]),
      event(E.OrchestratorStarted, at(20)),
      event(E.TimerFired, at(20), { TimerId: 6, FireAt: r1.newEvents[1]!.FireAt! }),
      event(E.TimerFired, at(20), { TimerId: 5, FireAt: r1.newEvents[0]!.FireAt! }),
    ];
    const s2 = await run("fanOut", h2, inp);
    assert.equal(s2.error, undefined);
    const r2 = replay("i", h2, s2.actions[0]!);
    assert.deepEqual(
      r2.newEvents.map((e) => [e.EventType, e.EventId, e.Input]),
      [
        [E.TaskScheduled, 7, JSON.stringify({ dir: "/x", key: "fa", failTimes: 1 })],
        [E.TaskScheduled, 8, JSON.stringify({ dir: "/x", key: "fb", failTimes: 2 })],
      ],
    );
  });

  it("nondeterminism: history TaskScheduled 'mark' vs a replay that schedules 'echo' names both", () => {
    const h = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "nondet", Input: "{}" }),
      event(E.TaskScheduled, at(0), { EventId: 0, Name: "mark", Input: "{}" }),
      event(E.OrchestratorCompleted, at(0)),
      event(E.OrchestratorStarted, at(5)),
      event(E.TaskCompleted, at(5), { TaskScheduledId: 0, Result: '"ok"' }),
    ];
    const r = replay("i", h, [{ actionType: ActionType.CallActivity, functionName: "echo", input: "B" }]);
    assert.match(
      r.fatal ?? "",
      /Non-Deterministic workflow detected: history has TaskScheduled 'mark' \(EventId 0\) but the orchestrator now schedules activity 'echo'/,
    );
    const timerInstead = replay("i", h, [
      { actionType: ActionType.CreateTimer, fireAt: new Date(at(9)).toISOString() },
    ]);
    assert.match(timerInstead.fatal ?? "", /TaskScheduled 'mark'.*creates a timer/);
    const nothing = replay("i", h, []);
    assert.match(nothing.fatal ?? "", /schedules nothing/);
  });

  describe("createTimer() long timers (durable-functions' fixture 'proceeds after long timer fires', schema V3)", () => {
    const day = 86_400_000;
    const fireAt = new Date(at(10 * day)).toISOString();
    const begin = [
      event(E.OrchestratorStarted, at(0)),
      event(E.ExecutionStarted, at(0), { Name: "waitOnTimer", Input: JSON.stringify(fireAt) }),
    ];

    it("a 10-day timer: the host writes sub-timers at +3 d, +6 d, +9 d, then the final one; the orchestration proceeds after it", async () => {
      let history = begin;
      let now = at(0);
      const created: number[] = [];
      for (let episode = 0; episode < 10; episode++) {
        const st = await run("waitOnTimer", history, fireAt);
        // The SDK sends one CreateTimer action with the final fireAt, every episode; the host does the split.
        assert.deepEqual(
          st.actions[0]!.map((a) => [a.actionType, new Date(a.fireAt!).toISOString()]),
          [[ActionType.CreateTimer, fireAt]],
        );
        const r = replay("inst", history, st.actions[0]!);
        assert.equal(r.fatal, null);
        if (st.isDone) {
          assert.equal(st.output, "Timer fired!");
          assert.deepEqual(r.newEvents, [], "nothing left to schedule once the final timer fired");
          break;
        }
        const [timer, ...more] = r.newEvents;
        assert.deepEqual(more, []);
        assert.deepEqual([timer!.EventType, timer!.EventId], [E.TimerCreated, created.length]);
        const due = Date.parse(timer!.FireAt!);
        created.push(due);
        // The extension: the timer fires, a new episode starts at its FireAt (DTFx TimerFired → OrchestratorStarted).
        history = [
          ...played([
            ...history,
            { ...timer!, Timestamp: new Date(now).toISOString() },
            event(E.OrchestratorCompleted, now),
          ]),
          event(E.OrchestratorStarted, due),
          event(E.TimerFired, due, { TimerId: timer!.EventId, FireAt: timer!.FireAt }),
        ];
        now = due;
      }
      assert.deepEqual(
        created.map((ms) => (ms - T0) / day),
        [3, 6, 9, 10],
        "DurableOrchestrationContext.CreateTimer: sub-timers of 3 days until less than one is left, then the rest",
      );
    });

    it("the SDK's own fixture history (sub-timers at +3 d, +6 d, then the final one) replays without nondeterminism", async () => {
      // testhistories.ts GetWaitOnTimerFired: TimerCreated/TimerFired per timer, ids 0.., all played.
      const fires = [3 * day, 6 * day, 10 * day];
      const history = played([
        ...begin,
        ...fires.flatMap((ms, id) => [
          event(E.TimerCreated, at(id ? fires[id - 1]! : 0), { EventId: id, FireAt: new Date(at(ms)).toISOString() }),
          event(E.OrchestratorCompleted, at(id ? fires[id - 1]! : 0)),
          event(E.OrchestratorStarted, at(ms)),
          event(E.TimerFired, at(ms), { TimerId: id, FireAt: new Date(at(ms)).toISOString() }),
        ]),
      ]);
      const st = await run("waitOnTimer", history, fireAt);
      assert.deepEqual([st.isDone, st.output], [true, "Timer fired!"]);
      const r = replay("inst", history, st.actions[0]!);
      assert.deepEqual([r.fatal, r.newEvents], [null, []]);
    });
  });

  it("an orchestrator error comes back as state with error (not as a host crash)", async () => {
    const h = [
      ...played([
        event(E.OrchestratorStarted, at(0)),
        event(E.ExecutionStarted, at(0), { Name: "thrower", Input: null }),
        event(E.TaskScheduled, at(0), { EventId: 0, Name: "echo", Input: '"before"' }),
        event(E.OrchestratorCompleted, at(0)),
      ]),
      event(E.OrchestratorStarted, at(1)),
      event(E.TaskCompleted, at(1), { TaskScheduledId: 0, Result: '"before"' }),
    ];
    const st = await run("thrower", h, null);
    assert.equal(st.isDone, false);
    assert.equal(st.error, "kaboom from orchestrator");
  });
});
