// Drives an orchestration (a failover, or an evacuation whose pairs are failovers) in-process through the real
// durable-functions replay engine, with the local host's DTFx-style history numbering and retries, virtual
// time, scripted activity results and scripted sub-orchestration outcomes: every exit of a runbook is exercised
// in milliseconds, without I/O.
import { randomBytes } from "node:crypto";
import { installCoreModule, type CoreCapture } from "../../local/host/core-module";
import { event } from "../../local/host/history";
import { createInvoker, type Invoker } from "../../local/host/invoker";
import { createLogger } from "../../local/host/log";
import { invokeOrchestrator } from "../../local/host/orchestrator-call";
import { replay } from "../../local/host/replay";
import { EventType as E, type HistoryEvent } from "../../local/host/types";
import type { ActivityInput, ActivityKey, ActivityOutput } from "../../src/activities/catalog";
import type { Decision, FailoverInput, FailoverOutput, FailoverStatus } from "../../src/orchestrations/failover-types";

/** An activity result that took `ms` of virtual time (a watch window, say). */
export interface Took<T> {
  took: number;
  value: T | Error;
}
export const took = <T>(ms: number, value: T | Error): Took<T> => ({ took: ms, value });

/** A scripted activity: its result, or an Error to fail this attempt (the retry policy applies). */
export type Handler<K extends ActivityKey> = (
  input: ActivityInput<K>,
  attempt: number,
) => ActivityOutput<K> | Error | Took<ActivityOutput<K>>;
export type Script = { [K in ActivityKey]?: Handler<K> };

export interface Call {
  key: ActivityKey;
  input: Record<string, unknown>;
  attempt: number;
  /** Virtual milliseconds since the run started. */
  atMs: number;
}

export interface Driven<O = FailoverOutput> {
  output: O;
  calls: Call[];
  statuses: FailoverStatus[];
  /** Keys of the calls in order, without consecutive repeats (polls, retries). */
  steps: ActivityKey[];
  elapsedMs: number;
}

let loaded: { capture: CoreCapture; invoker: Invoker; names: Map<string, ActivityKey> } | undefined;

/** The stand-in core module must be in place before @azure/functions is first loaded in this process. */
function load() {
  if (loaded) return loaded;
  const { capture } = installCoreModule(() => undefined);
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only after the core stand-in is installed */
  const df = require("durable-functions") as typeof import("durable-functions");
  const { failoverOrchestrator } =
    require("../../src/orchestrations/failover") as typeof import("../../src/orchestrations/failover");
  const { evacuationOrchestrator } =
    require("../../src/orchestrations/evacuation") as typeof import("../../src/orchestrations/evacuation");
  const { reprotectOrchestrator } =
    require("../../src/orchestrations/reprotect") as typeof import("../../src/orchestrations/reprotect");
  const { ACTIVITY_NAMES, ORCHESTRATION } =
    require("../../src/activities/catalog") as typeof import("../../src/activities/catalog");
  /* eslint-enable @typescript-eslint/no-require-imports */
  df.app.orchestration(ORCHESTRATION.failover, failoverOrchestrator);
  df.app.orchestration(ORCHESTRATION.evacuation, evacuationOrchestrator);
  df.app.orchestration(ORCHESTRATION.reprotect, reprotectOrchestrator);
  const names = new Map(Object.entries(ACTIVITY_NAMES).map(([k, v]) => [v, k as ActivityKey]));
  loaded = { capture, invoker: createInvoker(capture, createLogger({ quiet: true })), names };
  return loaded;
}

const T0 = Date.parse("2026-11-27T03:00:00.000Z");

/** The people of driven runs: alice asks, bob approves. */
export const alice = {
  oid: "00000000-0000-0000-0000-00000000a11c",
  name: "alice",
  roles: ["Failover.Request"],
  idp: "aad",
};
export const bob = {
  oid: "00000000-0000-0000-0000-0000000000b0",
  name: "bob",
  roles: ["Failover.Approve"],
  idp: "aad",
};

/** A pair's policy for driven runs (each test overrides what it exercises). */
export const TEST_POLICY: FailoverInput["policy"] = {
  ttl: { failoverSeconds: 30, restoreSeconds: "original" },
  timings: {
    drainCapSeconds: 300,
    promoteDeadlineSeconds: 600,
    promotePollSeconds: 15,
    verifyDeadlineSeconds: 60,
    verifyPollSeconds: 5,
    stabiliseSeconds: 300,
    catchUpDeadlineSeconds: 120,
    reprotectDeadlineSeconds: 3600,
    reprotectPollSeconds: 60,
  },
  retry: { firstIntervalSeconds: 5, maxAttempts: 3, backoffCoefficient: 2, maxIntervalSeconds: 60 },
  fence: { watchHours: 24, onReturn: "readOnly" },
  rpo: { maxLagBytes: 1048576 },
  verify: { answers: 3 },
  approval: { mode: "never", twoPerson: true, timeoutMinutes: 60 },
  alerts: { policy: "propose", confirmTries: 3, confirmSeconds: 30, maxAgeMinutes: 60, maxRunsPerHour: 3 },
};

/** An external event raised at a virtual time (ms after the run started), e.g. an approver's decision. */
export interface RaisedEvent {
  name: string;
  atMs: number;
  data: unknown;
}

/** What a scripted failover sub-orchestration returns: a run of `i` that read and changed nothing, then `over`. */
export function failoverOutput(
  i: FailoverInput,
  over: Partial<FailoverOutput> & Pick<FailoverOutput, "outcome">,
): FailoverOutput {
  return {
    runId: i.runId,
    pair: i.pair,
    option: i.option,
    dryRun: false,
    from: null,
    to: null,
    cname: { target: null, ttl: null, note: "" },
    warnings: [],
    phases: [],
    rto: { total: null },
    rpo: null,
    risk: null,
    fence: null,
    catchUp: null,
    dns: null,
    confirmation: null,
    approval: null,
    promoteAccepted: false,
    verification: null,
    ...over,
  };
}

/** A sub-orchestration's scripted outcome: its output, or an Error (it failed outright); after 10 ms unless told. */
export type SubOrchestrations = {
  failover?: (input: FailoverInput, instanceId: string) => FailoverOutput | Error | Took<FailoverOutput>;
};

/** Told of every finished driven run (transcript.ts records them). */
export const onDriven: ((d: Driven<unknown>) => void)[] = [];

export function drive(
  input: FailoverInput,
  script: Script,
  events: RaisedEvent[] = [],
  maxEpisodes = 2000,
): Promise<Driven> {
  return driveOrchestration<FailoverOutput>("failover", input, script, events, {}, maxEpisodes);
}

export async function driveOrchestration<O>(
  name: "failover" | "evacuation" | "reprotect",
  input: unknown,
  script: Script,
  events: RaisedEvent[] = [],
  subs: SubOrchestrations = {},
  maxEpisodes = 2000,
): Promise<Driven<O>> {
  const { capture, invoker, names } = load();
  const fn = capture.functions.get(name)!;
  const trigger = Object.keys(fn.metadata.bindings).find(
    (k) => fn.metadata.bindings[k]!.type === "orchestrationTrigger",
  )!;
  const calls: Call[] = [];
  const statuses: FailoverStatus[] = [];
  const attempts = new Map<string, number>();
  let now = T0;
  let history: HistoryEvent[] = [
    event(E.OrchestratorStarted, now),
    event(E.ExecutionStarted, now, { Name: name, Input: JSON.stringify(input) }),
  ];
  // Completions (and raised events) waiting to be delivered, earliest first.
  let pending: HistoryEvent[] = events.map((e) =>
    event(E.EventRaised, T0 + e.atMs, { Name: e.name, Input: JSON.stringify(e.data) }),
  );
  for (let episode = 0; episode < maxEpisodes; episode++) {
    const state = await invokeOrchestrator(invoker, {
      name,
      triggerBinding: trigger,
      instanceId: "t",
      history,
      input: JSON.stringify(input),
    });
    if (state.error !== undefined) throw new Error(`orchestrator failed: ${state.error}`);
    if (state.customStatus && JSON.stringify(state.customStatus) !== JSON.stringify(statuses.at(-1)))
      statuses.push(state.customStatus as FailoverStatus);
    if (state.isDone) {
      const output = state.output as O;
      const steps = calls.map((c) => c.key).filter((k, i, a) => i === 0 || a[i - 1] !== k);
      const driven: Driven<O> = { output, calls, statuses, steps, elapsedMs: now - T0 };
      for (const listener of onDriven) listener(driven);
      return driven;
    }
    const r = replay("t", history, state.actions[0] ?? []);
    if (r.fatal) throw new Error(r.fatal);
    const scheduled = r.newEvents.map((e) => ({ ...e, Timestamp: new Date(now).toISOString() }));
    history = [...history.map((e) => ({ ...e, IsPlayed: true })), ...scheduled, event(E.OrchestratorCompleted, now)];
    for (const e of scheduled) {
      if (e.EventType === E.TimerCreated) {
        pending.push(event(E.TimerFired, Date.parse(e.FireAt!), { TimerId: e.EventId, FireAt: e.FireAt }));
        continue;
      }
      if (e.EventType === E.SubOrchestrationInstanceCreated) {
        const sub = subs[e.Name as keyof SubOrchestrations];
        if (!sub) throw new Error(`no scripted outcome for sub-orchestration ${e.Name}`);
        const raw = sub(JSON.parse(e.Input ?? "null") as FailoverInput, e.InstanceId ?? "");
        const { took: ms, value: out } = isTook(raw) ? raw : { took: 10, value: raw };
        pending.push(
          out instanceof Error
            ? event(E.SubOrchestrationInstanceFailed, now + ms, {
                TaskScheduledId: e.EventId,
                Reason: out.message,
                Details: out.message,
              })
            : event(E.SubOrchestrationInstanceCompleted, now + ms, {
                TaskScheduledId: e.EventId,
                Result: JSON.stringify(out),
              }),
        );
        continue;
      }
      const key = names.get(e.Name!);
      if (!key) throw new Error(`unknown activity ${e.Name}`);
      const actInput = JSON.parse(e.Input ?? "null") as Record<string, unknown>;
      const id = `${key}|${JSON.stringify(actInput)}`;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      calls.push({ key, input: actInput, attempt, atMs: now - T0 });
      const handler = (script[key] ?? DEFAULTS[key]) as Handler<ActivityKey> | undefined;
      if (!handler) throw new Error(`no scripted result for activity ${key}`);
      const raw = handler(actInput as never, attempt);
      const timed = isTook(raw) ? raw : { took: 10, value: raw }; // an activity takes 10 virtual ms unless told
      const result = timed.value;
      const at = now + timed.took;
      pending.push(
        result instanceof Error
          ? event(E.TaskFailed, at, {
              TaskScheduledId: e.EventId,
              Reason: `Activity function '${e.Name}' failed: ${result.message}`,
              Details: result.message,
            })
          : event(E.TaskCompleted, at, {
              TaskScheduledId: e.EventId,
              Result: result === undefined ? null : JSON.stringify(result),
            }),
      );
    }
    pending.sort((a, b) => Date.parse(a.Timestamp) - Date.parse(b.Timestamp));
    const next = pending.shift();
    if (!next) throw new Error("the orchestration waits for nothing but is not done");
    now = Math.max(now, Date.parse(next.Timestamp));
    history.push(event(E.OrchestratorStarted, now), next);
    pending = pending.filter((p) => p !== next);
  }
  throw new Error(`not done after ${maxEpisodes} episodes`);
}

function isTook(v: unknown): v is Took<unknown> {
  return typeof v === "object" && v !== null && "took" in v && "value" in v && Object.keys(v).length === 2;
}

/** Decisions as the HTTP API stored them, by nonce, for the instance the harness runs ("t"). */
const storedDecisions = new Map<string, { instanceId: string; decision: Decision }>();

/**
 * What the HTTP API raises after storing a decision for instance `instanceId` (the harness's own is "t"): a
 * nonce. The run reads the decision back through readDecision; a raw decision in an event is a forgery.
 */
export function apiDecision(decision: Decision, instanceId = "t"): { nonce: string } {
  const nonce = randomBytes(24).toString("hex");
  storedDecisions.set(nonce, { instanceId, decision });
  return { nonce };
}

const DEFAULTS: Script = {
  recordEvent: () => undefined,
  releaseLease: () => undefined,
  readDecision: (i) => {
    const d = storedDecisions.get(i.nonce);
    return d && d.instanceId === i.instanceId ? { kind: "found", decision: d.decision } : { kind: "unknown" };
  },
};
