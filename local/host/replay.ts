// Host side of an orchestration episode, modelled on the Durable extension's OutOfProcOrchestrationShim
// running inside DTFx: the actions the JS replay engine returned are re-issued in order against the
// history, giving them DTFx sequence numbers; history events are processed in order and complete the
// matching tasks (continuations run synchronously, so retries inside WhenAll/WhenAny interleave by
// history order); whatever remains unmatched is new work. A history event that does not match the
// re-issued action is a nondeterminism failure.
import { firstTimerFireAt, nextTimerFireAt } from "./long-timers";
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

/** A settled task for actions that complete at once (ContinueAsNew). */
const settledTask = (): HostTask => {
  const t = new HostTask();
  t.settle(false, null);
  return t;
};

/**
 * One episode's host-side replay: `run` processes the history in order, `OrchestratorStarted` moving
 * orchestration time and `ExecutionStarted` starting the shim, which issues the actions one by one,
 * each awaited before the next (ProcessAsyncActionsV2).
 */
class EpisodeReplay {
  private nextId = 0;
  private nowMs = 0;
  private fatal: string | null = null;
  private continueAsNew: ReplayResult["continueAsNew"] = null;
  /** Scheduled work not (yet) matched by a history event, by sequence number. */
  private readonly pending = new Map<number, Pending>();
  /** Tasks waiting for their completion event, by sequence number. */
  private readonly open = new Map<number, HostTask>();
  private readonly waiters = new Map<string, HostTask[]>();
  private readonly buffered = new Map<string, HistoryEvent[]>();

  constructor(
    private readonly instanceId: string,
    private readonly actions: WireAction[],
  ) {}

  run(history: HistoryEvent[]): ReplayResult {
    for (const e of history) {
      if (this.fatal !== null) break;
      this.process(e);
    }
    return {
      newEvents: this.fatal === null ? this.newWorkEvents() : [],
      continueAsNew: this.continueAsNew,
      unconsumedEvents: [...this.buffered.values()].flat(),
      fatal: this.fatal,
    };
  }

  private process(e: HistoryEvent): void {
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
        this.nowMs = Math.max(this.nowMs, Date.parse(e.Timestamp));
        return;
      case EventType.ExecutionStarted:
        return this.runShim();
      case EventType.TaskScheduled:
        return this.matchScheduled(e, "activity");
      case EventType.TimerCreated:
        return this.matchScheduled(e, "timer");
      case EventType.SubOrchestrationInstanceCreated:
        return this.matchScheduled(e, "subOrchestration");
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        return this.complete(e.TaskScheduledId, false, e);
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        return this.complete(e.TaskScheduledId, true, e);
      case EventType.TimerFired:
        return this.complete(e.TimerId, false, e);
      case EventType.EventRaised:
        return this.raise(e);
      default:
        return;
    }
  }

  private fail(msg: string): void {
    this.fatal ??= msg;
  }

  // ProcessAsyncActionsV2: await each action in order; faults are the SDK's business, so ignore them.
  private runShim(): void {
    let i = 0;
    const next = (): void => {
      while (i < this.actions.length && this.fatal === null) {
        const t = this.invoke(this.actions[i++]!);
        if (!t.settled) return t.onSettled(next);
      }
    };
    next();
  }

  private invoke(a: WireAction): HostTask {
    switch (a.actionType) {
      case ActionType.CallActivity:
        return this.scheduleActivity(a);
      case ActionType.CallActivityWithRetry:
        return this.withRetry(a, () => this.scheduleActivity(a));
      case ActionType.CallSubOrchestrator:
        return this.scheduleSubOrchestration(a);
      case ActionType.CallSubOrchestratorWithRetry:
        return this.withRetry(a, () => this.scheduleSubOrchestration(a));
      case ActionType.CreateTimer:
        return this.durableTimer(Date.parse(a.fireAt!));
      case ActionType.WaitForExternalEvent:
        return this.waitForEvent(a.externalEventName!);
      case ActionType.ContinueAsNew:
        this.continueAsNew = {
          input: activityInputJson(a.input),
          preserveUnprocessedEvents: a.preserveUnprocessedEvents === true,
        };
        return settledTask();
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        return this.compound(a);
      default:
        this.fail(
          `Action type ${ActionType[a.actionType] ?? a.actionType} (entities, durable HTTP) is not supported by the local host.`,
        );
        return new HostTask();
    }
  }

  /** Assigns the next sequence number to new work. */
  private schedule(p: Pending): HostTask {
    const id = this.nextId++;
    this.pending.set(id, p);
    const t = new HostTask();
    this.open.set(id, t);
    return t;
  }

  private scheduleActivity(a: WireAction): HostTask {
    return this.schedule({ kind: "activity", name: a.functionName!, input: activityInputJson(a.input) });
  }

  private scheduleSubOrchestration(a: WireAction): HostTask {
    const id = this.nextId;
    const instanceId =
      a.instanceId && a.instanceId.length > 0 ? a.instanceId : `${this.instanceId}:${id.toString(16).padStart(4, "0")}`;
    return this.schedule({ kind: "subOrchestration", name: a.functionName!, instanceId, input: rawInputJson(a.input) });
  }

  /**
   * The extension's CreateTimer (long-timers.ts): a timer more than the maximum short duration away is a chain
   * of sub-timers, each created (with the next sequence number) when the one before fires, at the orchestration
   * time of that episode; the action completes when the last one fires.
   */
  private durableTimer(finalMs: number): HostTask {
    const outer = new HostTask();
    const create = (fireAtMs: number): void => {
      const t = this.schedule({ kind: "timer", fireAt: new Date(fireAtMs).toISOString() });
      t.onSettled(() => {
        const next = nextTimerFireAt(fireAtMs, this.nowMs, finalMs);
        if (next === null) outer.settle(t.failed, t.value);
        else create(next);
      });
    };
    create(firstTimerFireAt(this.nowMs, finalMs));
    return outer;
  }

  /** DTFx RetryInterceptor.Invoke around `attemptFn`. */
  private withRetry(action: WireAction, attemptFn: () => HostTask): HostTask {
    const policy = toRetryPolicy(action.retryOptions!);
    const outer = new HostTask();
    const firstAttemptMs = this.nowMs;
    const attempt = (n: number): void => {
      const t = attemptFn();
      t.onSettled(() => {
        if (!t.failed) return outer.settle(false, t.value);
        if (n + 1 >= policy.maxNumberOfAttempts) {
          // DTFx RetryInterceptor (since DurableTask.Core 2.7): after the last attempt a "Dummy timer
          // for back-compat" at the current orchestration time, then the failure surfaces.
          const dummy = this.schedule({ kind: "timer", fireAt: new Date(this.nowMs).toISOString() });
          return dummy.onSettled(() => outer.settle(true, t.value));
        }
        const delay = nextRetryDelay(policy, n, firstAttemptMs, this.nowMs);
        if (delay === 0) {
          // DTFx stops here without a timer, which the JS RetryableTask never observes (the
          // instance would hang in Running); fail it visibly instead.
          const why = retryTimeoutExpired(policy, firstAttemptMs, this.nowMs)
            ? `Retry timeout of ${policy.retryTimeoutMs} ms expired`
            : `The retry delay is 0 ms (maxRetryIntervalInMilliseconds ${policy.maxRetryIntervalMs}, backoffCoefficient ${policy.backoffCoefficient})`;
          this.fail(`${why} for '${action.functionName}' after ${n + 1} attempt(s): ${t.value?.Reason ?? "failed"}`);
          return outer.settle(true, t.value);
        }
        const timer = this.schedule({ kind: "timer", fireAt: new Date(this.nowMs + delay).toISOString() });
        timer.onSettled(() => attempt(n + 1));
      });
    };
    attempt(0);
    return outer;
  }

  private waitForEvent(name: string): HostTask {
    const t = new HostTask();
    const ev = this.buffered.get(name)?.shift();
    if (ev) t.settle(false, ev);
    else this.waiters.set(name, [...(this.waiters.get(name) ?? []), t]);
    return t;
  }

  private compound(a: WireAction): HostTask {
    const children = (a.compoundActions ?? []).map((c) => this.invoke(c));
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

  private matchScheduled(e: HistoryEvent, kind: Pending["kind"]): void {
    const p = this.pending.get(e.EventId);
    // DTFx compares names with OrdinalIgnoreCase (TaskOrchestrationContext.HandleTaskScheduledEvent).
    const ok = p !== undefined && p.kind === kind && (p.kind === "timer" || sameFunctionName(p.name, e.Name ?? ""));
    if (!ok) {
      return this.fail(
        `Non-Deterministic workflow detected: history has ${describeEvent(e)} but the orchestrator now ` +
          (p ? describePending(p) : "schedules nothing") +
          ` at that position.`,
      );
    }
    this.pending.delete(e.EventId);
  }

  private complete(id: number | undefined, failed: boolean, e: HistoryEvent): void {
    if (id === undefined) return;
    const t = this.open.get(id);
    if (!t) return; // a late completion for a task the orchestrator no longer waits on
    this.open.delete(id);
    t.settle(failed, e);
  }

  private raise(e: HistoryEvent): void {
    const name = e.Name ?? "";
    const t = this.waiters.get(name)?.shift();
    if (t) t.settle(false, e);
    else this.buffered.set(name, [...(this.buffered.get(name) ?? []), e]);
  }

  /** TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated for the work no history event matched. */
  private newWorkEvents(): HistoryEvent[] {
    return [...this.pending.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([id, p]): HistoryEvent => {
        const base = { EventId: id, IsPlayed: false, Timestamp: "" };
        if (p.kind === "activity") return { ...base, EventType: EventType.TaskScheduled, Name: p.name, Input: p.input };
        if (p.kind === "timer") return { ...base, EventType: EventType.TimerCreated, FireAt: p.fireAt };
        return {
          ...base,
          EventType: EventType.SubOrchestrationInstanceCreated,
          Name: p.name,
          InstanceId: p.instanceId,
          Input: p.input,
        };
      });
  }
}

/** Replays one episode's actions against its history (see EpisodeReplay). */
export function replay(instanceId: string, history: HistoryEvent[], actions: WireAction[]): ReplayResult {
  return new EpisodeReplay(instanceId, actions).run(history);
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
