// The durable engine: runs orchestration episodes through the real durable-functions replay engine,
// persists every step before acting on it, runs activities and timers, and recovers after a crash.
import { randomUUID } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Clock } from "./clock";
import type { Invoker } from "./invoker";
import { typedDataToJson } from "./invoker";
import type { Logger } from "./log";
import type { WorkPool } from "./pool";
import type { Registry } from "./registry";
import { event } from "./history";
import { invokeOrchestrator } from "./orchestrator-call";
import { outstandingWork, replay, toWork, type NewWork } from "./replay";
import type { InstanceStore } from "./store";
import type { TimerService } from "./timers";
import {
  EventType,
  isTerminal,
  type HistoryEvent,
  type InstanceRecord,
  type OrchestratorResult,
  type RuntimeStatus,
} from "./types";

export interface EngineOptions {
  registry: Registry;
  invoker: Invoker;
  store: InstanceStore;
  timers: TimerService;
  pool: WorkPool;
  clock: Clock;
  logger: Logger;
  functionTimeoutMs: number | null;
}

export class Engine {
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(private readonly o: EngineOptions) {}

  /** Creates (or replaces) an instance and starts it. The caller has checked that this is allowed. */
  start(
    name: string,
    instanceId: string,
    inputJson: string | null,
    parent: InstanceRecord["parent"] = null,
  ): InstanceRecord {
    const now = this.o.clock.now();
    const executionId = randomUUID().replace(/-/g, "");
    this.o.timers.cancelInstance(instanceId);
    const rec: InstanceRecord = {
      instanceId,
      name,
      executionId,
      status: "Pending",
      input: inputJson,
      output: null,
      customStatus: null,
      createdTime: new Date(now).toISOString(),
      lastUpdatedTime: new Date(now).toISOString(),
      parent,
      history: [],
      inbox: [
        event(EventType.ExecutionStarted, now, {
          Name: name,
          Input: inputJson,
          Version: "",
          ParentInstance: parent ? { InstanceId: parent.instanceId, TaskScheduledId: parent.taskScheduledId } : null,
        }),
      ],
    };
    this.o.store.save(rec);
    this.kick(instanceId);
    return rec;
  }

  /** Appends an event to an instance's inbox (durably) and processes it. False if not deliverable. */
  deliver(instanceId: string, ev: HistoryEvent, executionId?: string): boolean {
    const rec = this.o.store.get(instanceId);
    if (!rec || isTerminal(rec.status)) return false;
    if (executionId && rec.executionId !== executionId) return false;
    rec.inbox.push(ev);
    rec.lastUpdatedTime = new Date(this.o.clock.now()).toISOString();
    this.o.store.save(rec);
    this.kick(instanceId);
    return true;
  }

  /** After a restart: re-dispatch everything every unfinished instance is owed. */
  recover(): void {
    for (const rec of this.o.store.all()) {
      if (isTerminal(rec.status)) continue;
      const work = outstandingWork([...rec.history, ...rec.inbox]);
      this.o.logger.host(
        `resuming ${rec.name} '${rec.instanceId}' (${rec.status}, ${work.length} outstanding task(s))`,
      );
      this.dispatch(rec, work);
      if (rec.inbox.length > 0) this.kick(rec.instanceId);
    }
  }

  stop(): void {
    this.stopped = true;
    this.o.timers.stop();
  }

  /** Serialises episodes per instance: a kick while busy re-runs once the current one ends. */
  private kick(instanceId: string): void {
    if (this.stopped) return;
    if (this.busy.has(instanceId)) {
      this.again.add(instanceId);
      return;
    }
    this.busy.add(instanceId);
    setImmediate(() => {
      void this.drain(instanceId).finally(() => {
        this.busy.delete(instanceId);
        if (this.again.delete(instanceId)) this.kick(instanceId);
      });
    });
  }

  private async drain(instanceId: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      this.again.delete(instanceId);
      const rec = this.o.store.get(instanceId);
      if (!rec || isTerminal(rec.status) || rec.inbox.length === 0) return;
      try {
        const progressed = await this.episode(rec);
        // A finished or continued-as-new instance is on disk before the next episode (or a parent) builds on it.
        await this.o.store.flush();
        if (!progressed) return;
      } catch (err) {
        this.o.logger.hostError(`episode of '${instanceId}' crashed: ${(err as Error).stack ?? String(err)}`);
        return;
      }
      // An orchestrator invocation settles in microtasks only, so a tight ContinueAsNew loop would
      // never let I/O run; in Azure each generation is a separate queue message. Yield between episodes.
      await yieldToEventLoop();
    }
  }

  /** Splits the inbox into events for this episode and events held back while suspended. */
  private takeEvents(rec: InstanceRecord): { take: HistoryEvent[]; keep: HistoryEvent[]; suspended: boolean } {
    let suspended = rec.status === "Suspended";
    const take: HistoryEvent[] = [];
    let keep: HistoryEvent[] = [];
    for (const e of rec.inbox) {
      if (e.EventType === EventType.ExecutionTerminated) {
        take.push(e);
      } else if (e.EventType === EventType.ExecutionSuspended) {
        take.push(e);
        suspended = true;
      } else if (e.EventType === EventType.ExecutionResumed) {
        take.push(e, ...keep);
        keep = [];
        suspended = false;
      } else if (suspended) {
        keep.push(e);
      } else {
        take.push(e);
      }
    }
    return { take, keep, suspended };
  }

  /** Runs one episode. Returns false when nothing could be processed. */
  private async episode(rec: InstanceRecord): Promise<boolean> {
    const { take, keep, suspended } = this.takeEvents(rec);
    if (take.length === 0) return false;
    const now = this.o.clock.now();
    const started = event(EventType.OrchestratorStarted, now);
    const terminated = take.find((e) => e.EventType === EventType.ExecutionTerminated);
    if (terminated) {
      const reason = terminated.Input ?? null;
      rec.history.push(
        started,
        terminated,
        event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "Terminated", Result: reason }),
      );
      rec.inbox = [];
      this.finish(rec, "Terminated", reason);
      return true;
    }
    const fresh = [started, ...take];
    const history = [...rec.history.map((e) => ({ ...e, IsPlayed: true })), ...fresh];
    const seen = rec.inbox.length;
    const state = await this.callOrchestrator(rec, history);
    // deliver() may append to the inbox while the orchestrator runs; those events wait for the next episode.
    const arrived = rec.inbox.slice(seen);
    const result = replay(rec.instanceId, history, state.actions?.[0] ?? []);
    const workEvents = result.newEvents.map((e) => ({ ...e, Timestamp: new Date(now).toISOString() }));
    rec.history.push(...fresh);
    rec.inbox = [...keep, ...arrived];
    if (state.customStatus !== undefined) rec.customStatus = JSON.stringify(state.customStatus);
    rec.lastUpdatedTime = new Date(this.o.clock.now()).toISOString();

    if (result.fatal !== null || state.error !== undefined) {
      const msg = result.fatal ?? `Orchestrator function '${rec.name}' failed: ${state.error}`;
      const output = JSON.stringify(msg);
      rec.history.push(
        event(EventType.OrchestratorCompleted, now),
        event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "Failed", Result: output, Reason: msg }),
      );
      this.o.logger.host(`${rec.name} '${rec.instanceId}' failed: ${msg}`);
      this.finish(rec, "Failed", output);
      return true;
    }
    if (result.continueAsNew) {
      this.continueAsNew(rec, result.continueAsNew, result.unconsumedEvents, now);
      return true;
    }
    if (state.isDone) {
      const output = state.output === undefined ? null : JSON.stringify(state.output);
      rec.history.push(
        event(EventType.OrchestratorCompleted, now),
        event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "Completed", Result: output }),
      );
      this.finish(rec, "Completed", output);
      return true;
    }
    rec.history.push(...workEvents, event(EventType.OrchestratorCompleted, now));
    rec.status = suspended ? "Suspended" : "Running";
    // Write-ahead: the scheduled work is on disk before any of it starts (the store group-commits: this
    // waits for the batch that carries this episode, shared with whatever else was saved meanwhile).
    this.o.store.save(rec);
    await this.o.store.flush();
    this.dispatch(rec, workEvents.map(toWork));
    return true;
  }

  private callOrchestrator(rec: InstanceRecord, history: HistoryEvent[]): Promise<OrchestratorResult> {
    const fn = this.o.registry.orchestrators.get(rec.name);
    if (!fn)
      return Promise.resolve({
        isDone: false,
        actions: [[]],
        error: `The orchestrator function '${rec.name}' is not registered in this app.`,
      });
    return invokeOrchestrator(this.o.invoker, {
      // The registered spelling: the instance keeps the name it was started with.
      name: fn.name,
      triggerBinding: fn.triggerBinding,
      instanceId: rec.instanceId,
      history,
      input: rec.input,
      parentInstanceId: rec.parent?.instanceId,
    });
  }

  private continueAsNew(
    rec: InstanceRecord,
    can: { input: string | null; preserveUnprocessedEvents: boolean },
    unconsumed: HistoryEvent[],
    now: number,
  ): void {
    this.o.timers.cancelInstance(rec.instanceId);
    const carried = can.preserveUnprocessedEvents ? unconsumed.map((e) => ({ ...e, IsPlayed: false })) : [];
    rec.executionId = randomUUID().replace(/-/g, "");
    rec.input = can.input;
    rec.output = null;
    rec.history = [];
    rec.status = "ContinuedAsNew";
    rec.inbox = [
      event(EventType.ExecutionStarted, now, {
        Name: rec.name,
        Input: can.input,
        Version: "",
        ParentInstance: rec.parent
          ? { InstanceId: rec.parent.instanceId, TaskScheduledId: rec.parent.taskScheduledId }
          : null,
      }),
      ...carried,
      ...rec.inbox,
    ];
    this.o.store.save(rec);
    this.o.logger.host(`${rec.name} '${rec.instanceId}' continued as new`);
  }

  private finish(rec: InstanceRecord, status: RuntimeStatus, output: string | null): void {
    rec.status = status;
    rec.output = output;
    rec.lastUpdatedTime = new Date(this.o.clock.now()).toISOString();
    this.o.store.save(rec);
    this.o.timers.cancelInstance(rec.instanceId);
    if (status !== "Failed") this.o.logger.host(`${rec.name} '${rec.instanceId}' ${status.toLowerCase()}`);
    this.notifyParent(rec);
  }

  /** Reports a finished sub-orchestration to its parent (idempotent: skipped if already reported). */
  private notifyParent(child: InstanceRecord): void {
    const p = child.parent;
    if (!p || !isTerminal(child.status)) return;
    const parent = this.o.store.get(p.instanceId);
    if (!parent || isTerminal(parent.status)) return;
    const reported = [...parent.history, ...parent.inbox].some((e) => e.TaskScheduledId === p.taskScheduledId);
    if (reported) return;
    const now = this.o.clock.now();
    const ev =
      child.status === "Completed"
        ? event(EventType.SubOrchestrationInstanceCompleted, now, {
            TaskScheduledId: p.taskScheduledId,
            Result: child.output,
          })
        : event(EventType.SubOrchestrationInstanceFailed, now, {
            TaskScheduledId: p.taskScheduledId,
            Reason:
              child.status === "Terminated"
                ? `Sub-orchestration '${child.instanceId}' was terminated`
                : child.output
                  ? String(JSON.parse(child.output))
                  : "failed",
            Details: `instance ${child.instanceId}`,
          });
    this.deliver(parent.instanceId, ev);
  }

  private dispatch(rec: InstanceRecord, work: NewWork[]): void {
    for (const w of work) {
      if (w.kind === "activity")
        void this.runActivity(rec.instanceId, rec.executionId, w).catch((err: unknown) =>
          this.o.logger.hostError(`activity ${w.name} of ${rec.instanceId}: ${String(err)}`),
        );
      else if (w.kind === "timer") this.armTimer(rec, w.id, w.fireAt);
      else this.startChild(rec, w);
    }
  }

  private armTimer(rec: InstanceRecord, id: number, fireAt: string): void {
    const { instanceId, executionId } = rec;
    const fireAtMs = Date.parse(fireAt);
    this.o.timers.arm(instanceId, `${executionId}:${id}`, fireAtMs, () => {
      this.deliver(
        instanceId,
        event(EventType.TimerFired, this.o.clock.now(), { TimerId: id, FireAt: fireAt }),
        executionId,
      );
    });
  }

  private startChild(parent: InstanceRecord, w: Extract<NewWork, { kind: "subOrchestration" }>): void {
    const existing = this.o.store.get(w.instanceId);
    const ours = existing?.parent?.instanceId === parent.instanceId && existing.parent.taskScheduledId === w.id;
    if (existing && ours) {
      if (isTerminal(existing.status)) this.notifyParent(existing);
      return; // already started before a restart; it resumes by itself
    }
    if (existing && !isTerminal(existing.status)) {
      this.deliver(
        parent.instanceId,
        event(EventType.SubOrchestrationInstanceFailed, this.o.clock.now(), {
          TaskScheduledId: w.id,
          Reason: `An orchestration with instance ID '${w.instanceId}' already exists and is running.`,
          Details: "",
        }),
      );
      return;
    }
    if (!this.o.registry.orchestrators.has(w.name)) {
      this.deliver(
        parent.instanceId,
        event(EventType.SubOrchestrationInstanceFailed, this.o.clock.now(), {
          TaskScheduledId: w.id,
          Reason: `The function '${w.name}' doesn't exist, is disabled, or is not an orchestrator function.`,
          Details: "",
        }),
      );
      return;
    }
    this.start(w.name, w.instanceId, w.input, { instanceId: parent.instanceId, taskScheduledId: w.id });
  }

  private async runActivity(
    instanceId: string,
    executionId: string,
    w: Extract<NewWork, { kind: "activity" }>,
  ): Promise<void> {
    const completion = await this.o.pool.run(async (): Promise<HistoryEvent> => {
      const fn = this.o.registry.activities.get(w.name);
      const now = () => this.o.clock.now();
      if (!fn) {
        return event(EventType.TaskFailed, now(), {
          TaskScheduledId: w.id,
          Reason: `The function '${w.name}' doesn't exist, is disabled, or is not an activity function.`,
          Details: "",
        });
      }
      try {
        const resp = await this.o.invoker.invoke(
          fn.name,
          [{ name: fn.triggerBinding, data: { json: w.input ?? "null" } }],
          this.o.functionTimeoutMs,
        );
        return event(EventType.TaskCompleted, now(), {
          TaskScheduledId: w.id,
          Result: typedDataToJson(resp.returnValue),
        });
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        return event(EventType.TaskFailed, now(), {
          TaskScheduledId: w.id,
          Reason: `Activity function '${w.name}' failed: ${e.message}`,
          Details: e.stack ?? e.message,
        });
      }
    });
    if (this.stopped) return;
    const rec = this.o.store.get(instanceId);
    // A result for a finished, restarted or already-completed task is dropped.
    if (!rec || rec.executionId !== executionId) return;
    if ([...rec.history, ...rec.inbox].some((e) => e.TaskScheduledId === w.id)) return;
    this.deliver(instanceId, completion, executionId);
  }
}
