// Host side of an orchestration episode, modelled on the Durable extension's OutOfProcOrchestrationShim
// running inside DTFx: the actions the JS replay engine returned are re-issued in order against the
// history, giving them DTFx sequence numbers; history events are processed in order and complete the
// matching tasks (continuations run synchronously, so retries inside WhenAll/WhenAny interleave by
// history order); whatever remains unmatched is new work. A history event that does not match the
// re-issued action is a nondeterminism failure.
import { nextRetryDelay, retryTimeoutExpired, toRetryPolicy } from "./retry";
import { sameFunctionName } from "./function-names";
import { ActionType, EventType, type HistoryEvent, type WireAction } from "./types";

/** A task in the host-side replay; settles synchronously like an awaited DTFx task continuation. */
class HostTask {
  settled = false;
  failed = false;
  value: HistoryEvent | null = null;
  private listeners: (() => void)[] = [];
  settle(failed: boolean, value: HistoryEvent | null): void {
    if (this.settled) return;
    this.settled = true;
    this.failed = failed;
    this.value = value;
    for (const l of this.listeners.splice(0)) l();
  }
  onSettled(fn: () => void): void {
    if (this.settled) fn();
    else this.listeners.push(fn);
  }
}

export type NewWork =
  | { kind: "activity"; id: number; name: string; input: string | null }
  | { kind: "timer"; id: number; fireAt: string }
  | { kind: "subOrchestration"; id: number; name: string; instanceId: string; input: string | null };

export interface ReplayResult {
  /** TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated events for new work, in id order. */
  newEvents: HistoryEvent[];
  continueAsNew: { input: string | null; preserveUnprocessedEvents: boolean } | null;
  /** EventRaised events in history that no WaitForExternalEvent consumed. */
  unconsumedEvents: HistoryEvent[];
  /** Set when the instance must fail regardless of what the orchestrator returned. */
  fatal: string | null;
}

type Pending =
  | { kind: "activity"; name: string; input: string | null }
  | { kind: "timer"; fireAt: string }
  | { kind: "subOrchestration"; name: string; instanceId: string; input: string | null };

const describePending = (p: Pending): string =>
  p.kind === "activity"
    ? `schedules activity '${p.name}'`
    : p.kind === "timer"
      ? `creates a timer (FireAt ${p.fireAt})`
      : `calls sub-orchestration '${p.name}'`;

const describeEvent = (e: HistoryEvent): string =>
  e.EventType === EventType.TaskScheduled
    ? `TaskScheduled '${e.Name}' (EventId ${e.EventId})`
    : e.EventType === EventType.TimerCreated
      ? `TimerCreated (EventId ${e.EventId}, FireAt ${e.FireAt})`
      : `SubOrchestrationInstanceCreated '${e.Name}' (EventId ${e.EventId})`;

/** Activity/ContinueAsNew inputs arrive already JSON-encoded when they are strings (Utils.processInput). */
export const activityInputJson = (input: unknown): string | null =>
  input === undefined ? null : typeof input === "string" ? input : JSON.stringify(input);
const rawInputJson = (input: unknown): string | null => (input === undefined ? null : JSON.stringify(input));

export function replay(instanceId: string, history: HistoryEvent[], actions: WireAction[]): ReplayResult {
  let nextId = 0;
  let nowMs = 0;
  let fatal: string | null = null;
  let continueAsNew: ReplayResult["continueAsNew"] = null;
  const pending = new Map<number, Pending>();
  const open = new Map<number, HostTask>();
  const waiters = new Map<string, HostTask[]>();
  const buffered = new Map<string, HistoryEvent[]>();

  const fail = (msg: string) => {
    fatal ??= msg;
  };
  const schedule = (p: Pending): HostTask => {
    const id = nextId++;
    pending.set(id, p);
    const t = new HostTask();
    open.set(id, t);
    return t;
  };
  const subInstanceId = (given: string | undefined, id: number): string =>
    given && given.length > 0 ? given : `${instanceId}:${id.toString(16).padStart(4, "0")}`;

  const withRetry = (action: WireAction, attemptFn: () => HostTask): HostTask => {
    const policy = toRetryPolicy(action.retryOptions!);
    const outer = new HostTask();
    const firstAttemptMs = nowMs;
    const attempt = (n: number): void => {
      const t = attemptFn();
      t.onSettled(() => {
        if (!t.failed) return outer.settle(false, t.value);
        if (n + 1 >= policy.maxNumberOfAttempts) {
          // DTFx RetryInterceptor (since DurableTask.Core 2.7): after the last attempt a "Dummy timer
          // for back-compat" at the current orchestration time, then the failure surfaces.
          const dummy = schedule({ kind: "timer", fireAt: new Date(nowMs).toISOString() });
          return dummy.onSettled(() => outer.settle(true, t.value));
        }
        const delay = nextRetryDelay(policy, n, firstAttemptMs, nowMs);
        if (delay === 0) {
          // DTFx stops here without a timer, which the JS RetryableTask never observes (the
          // instance would hang in Running); fail it visibly instead.
          const why = retryTimeoutExpired(policy, firstAttemptMs, nowMs)
            ? `Retry timeout of ${policy.retryTimeoutMs} ms expired`
            : `The retry delay is 0 ms (maxRetryIntervalInMilliseconds ${policy.maxRetryIntervalMs}, backoffCoefficient ${policy.backoffCoefficient})`;
          fail(`${why} for '${action.functionName}' after ${n + 1} attempt(s): ${t.value?.Reason ?? "failed"}`);
          return outer.settle(true, t.value);
        }
        const timer = schedule({ kind: "timer", fireAt: new Date(nowMs + delay).toISOString() });
        timer.onSettled(() => attempt(n + 1));
      });
    };
    attempt(0);
    return outer;
  };

  const invoke = (a: WireAction): HostTask => {
    switch (a.actionType) {
      case ActionType.CallActivity:
        return schedule({ kind: "activity", name: a.functionName!, input: activityInputJson(a.input) });
      case ActionType.CallActivityWithRetry:
        return withRetry(a, () =>
          schedule({ kind: "activity", name: a.functionName!, input: activityInputJson(a.input) }),
        );
      case ActionType.CallSubOrchestrator: {
        const id = nextId;
        return schedule({
          kind: "subOrchestration",
          name: a.functionName!,
          instanceId: subInstanceId(a.instanceId, id),
          input: rawInputJson(a.input),
        });
      }
      case ActionType.CallSubOrchestratorWithRetry:
        return withRetry(a, () => {
          const id = nextId;
          return schedule({
            kind: "subOrchestration",
            name: a.functionName!,
            instanceId: subInstanceId(a.instanceId, id),
            input: rawInputJson(a.input),
          });
        });
      case ActionType.CreateTimer: {
        const t = schedule({ kind: "timer", fireAt: new Date(a.fireAt!).toISOString() });
        return t;
      }
      case ActionType.WaitForExternalEvent: {
        const name = a.externalEventName!;
        const t = new HostTask();
        const queue = buffered.get(name);
        const ev = queue?.shift();
        if (ev) t.settle(false, ev);
        else waiters.set(name, [...(waiters.get(name) ?? []), t]);
        return t;
      }
      case ActionType.ContinueAsNew: {
        continueAsNew = {
          input: activityInputJson(a.input),
          preserveUnprocessedEvents: a.preserveUnprocessedEvents === true,
        };
        const t = new HostTask();
        t.settle(false, null);
        return t;
      }
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const children = (a.compoundActions ?? []).map(invoke);
        const t = new HostTask();
        const check = () => {
          const done = children.filter((c) => c.settled).length;
          if (a.actionType === ActionType.WhenAny ? done > 0 || children.length === 0 : done === children.length)
            t.settle(false, null);
        };
        children.forEach((c) => c.onSettled(check));
        check();
        return t;
      }
      default: {
        fail(
          `Action type ${ActionType[a.actionType] ?? a.actionType} (entities, durable HTTP) is not supported by the local host.`,
        );
        const t = new HostTask();
        return t;
      }
    }
  };

  // ProcessAsyncActionsV2: await each action in order; faults are the SDK's business, so ignore them.
  const runShim = () => {
    let i = 0;
    const next = (): void => {
      while (i < actions.length && fatal === null) {
        const t = invoke(actions[i++]!);
        if (!t.settled) return t.onSettled(next);
      }
    };
    next();
  };

  const matchScheduled = (e: HistoryEvent, kind: Pending["kind"]) => {
    const p = pending.get(e.EventId);
    // DTFx compares names with OrdinalIgnoreCase (TaskOrchestrationContext.HandleTaskScheduledEvent).
    const ok = p !== undefined && p.kind === kind && (p.kind === "timer" || sameFunctionName(p.name, e.Name ?? ""));
    if (!ok) {
      fail(
        `Non-Deterministic workflow detected: history has ${describeEvent(e)} but the orchestrator now ` +
          (p ? describePending(p) : "schedules nothing") +
          ` at that position.`,
      );
      return;
    }
    pending.delete(e.EventId);
  };

  const complete = (id: number | undefined, failed: boolean, e: HistoryEvent) => {
    if (id === undefined) return;
    const t = open.get(id);
    if (!t) return; // a late completion for a task the orchestrator no longer waits on
    open.delete(id);
    t.settle(failed, e);
  };

  for (const e of history) {
    if (fatal !== null) break;
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
        nowMs = Math.max(nowMs, Date.parse(e.Timestamp));
        break;
      case EventType.ExecutionStarted:
        runShim();
        break;
      case EventType.TaskScheduled:
        matchScheduled(e, "activity");
        break;
      case EventType.TimerCreated:
        matchScheduled(e, "timer");
        break;
      case EventType.SubOrchestrationInstanceCreated:
        matchScheduled(e, "subOrchestration");
        break;
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        complete(e.TaskScheduledId, false, e);
        break;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        complete(e.TaskScheduledId, true, e);
        break;
      case EventType.TimerFired:
        complete(e.TimerId, false, e);
        break;
      case EventType.EventRaised: {
        const name = e.Name ?? "";
        const w = waiters.get(name);
        const t = w?.shift();
        if (t) t.settle(false, e);
        else buffered.set(name, [...(buffered.get(name) ?? []), e]);
        break;
      }
      default:
        break;
    }
  }

  const newEvents: HistoryEvent[] = [];
  if (fatal === null) {
    for (const [id, p] of [...pending.entries()].sort((a, b) => a[0] - b[0])) {
      const base = { EventId: id, IsPlayed: false, Timestamp: "" };
      if (p.kind === "activity")
        newEvents.push({ ...base, EventType: EventType.TaskScheduled, Name: p.name, Input: p.input });
      else if (p.kind === "timer") newEvents.push({ ...base, EventType: EventType.TimerCreated, FireAt: p.fireAt });
      else
        newEvents.push({
          ...base,
          EventType: EventType.SubOrchestrationInstanceCreated,
          Name: p.name,
          InstanceId: p.instanceId,
          Input: p.input,
        });
    }
  }
  return { newEvents, continueAsNew, unconsumedEvents: [...buffered.values()].flat(), fatal };
}

/** Work a persisted history still owes: scheduled tasks/timers/sub-orchestrations without a result. */
export function outstandingWork(history: HistoryEvent[]): NewWork[] {
  const done = new Set<number>();
  for (const e of history) {
    if (e.EventType === EventType.TimerFired && e.TimerId !== undefined) done.add(e.TimerId);
    if (e.TaskScheduledId !== undefined) done.add(e.TaskScheduledId);
  }
  const work: NewWork[] = [];
  for (const e of history) {
    if (done.has(e.EventId)) continue;
    if (e.EventType === EventType.TaskScheduled)
      work.push({ kind: "activity", id: e.EventId, name: e.Name!, input: e.Input ?? null });
    else if (e.EventType === EventType.TimerCreated) work.push({ kind: "timer", id: e.EventId, fireAt: e.FireAt! });
    else if (e.EventType === EventType.SubOrchestrationInstanceCreated)
      work.push({
        kind: "subOrchestration",
        id: e.EventId,
        name: e.Name!,
        instanceId: e.InstanceId!,
        input: e.Input ?? null,
      });
  }
  return work;
}

export const toWork = (e: HistoryEvent): NewWork =>
  e.EventType === EventType.TaskScheduled
    ? { kind: "activity", id: e.EventId, name: e.Name!, input: e.Input ?? null }
    : e.EventType === EventType.TimerCreated
      ? { kind: "timer", id: e.EventId, fireAt: e.FireAt! }
      : { kind: "subOrchestration", id: e.EventId, name: e.Name!, instanceId: e.InstanceId!, input: e.Input ?? null };
