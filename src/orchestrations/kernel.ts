// The run kernel every orchestration is written on (failover, evacuation, re-protection): typed activity calls
// with a retry policy per step, phases (custom status, timings), polling with a deadline, the wait for a second
// person, and a stack of compensations unwound when the run stops — whatever stops it. A runbook is a generator
// over a kernel; the kernel owns none of its business. No I/O here: replay must be deterministic.
import type { OrchestrationContext } from "durable-functions";
import { maskString } from "../audit/redact";
import type { ActivityArgs, ActivityInput, ActivityKey, ActivityOutput } from "../activities/catalog";
import type { Refusal, RunRef } from "../activities/contracts";
import type { Principal } from "../auth/principal";
import type { RetryPolicy } from "../config/pair-schema";
import type { Outcome } from "../domain/codes";
import type { Decision, PhaseRecord } from "./failover-types";
import { awaitDecision } from "./approval-wait";
import { callActivities, callActivity, errorMessage, type Attempt, type Gen } from "./durable-calls";
import { retryFor } from "./step-retry";

/** Why a run stops early: a typed refusal, a step whose retries ran out, no approval, or a false alarm. */
export class Stop {
  constructor(
    readonly outcome: "refused" | "failed" | "aborted" | "falseAlarm",
    readonly code: string,
    readonly reason: string,
  ) {}
}

/**
 * A run that confirms no alert (an evacuation, a re-protection) has no false alarm to report: were a step ever to
 * stop one that way, the run failed.
 */
export function withoutFalseAlarm(outcome: Stop["outcome"]): Exclude<Stop["outcome"], "falseAlarm"> {
  return outcome === "falseAlarm" ? "failed" : outcome;
}

/** How a runbook ended: its own result, or the Stop that ended it and the phase it stopped in. */
export type Ending<R, P extends string> = { ok: true; value: R } | { ok: false; stop: Stop; failedStep: P | undefined };

export interface KernelOptions {
  /** The run's audit partition and lease: `pair` is the pair's name, or the run's scope (an evacuation's region). */
  ref: RunRef;
  retry: RetryPolicy;
  requester: Principal;
  /** An alert proposed the run: the alert's own identity cannot approve it. */
  alertRun: boolean;
  /** What the custom status carries besides the step and message (an evacuation's pairs, for one). */
  statusExtra?: () => object;
}

type Success<K extends ActivityKey> = Exclude<ActivityOutput<K>, Refusal>;

export class Kernel<P extends string> {
  /** The phases that ended, in order: the run's timeline. */
  readonly phases: PhaseRecord<P>[] = [];
  /** Warnings for the run's result, added by any step. */
  readonly warnings: string[] = [];
  private current: { phase: P; startedAt: Date } | undefined;
  private readonly compensations: { label: string; undo: () => Gen<void> | void }[] = [];

  constructor(
    readonly ctx: OrchestrationContext,
    private readonly o: KernelOptions,
  ) {}

  get ref(): RunRef {
    return this.o.ref;
  }

  now(): Date {
    return this.ctx.df.currentUtcDateTime;
  }

  /**
   * Runs the runbook. A Stop anywhere — and any other error, a bug included — unwinds the compensations, newest
   * first, before `finish` records the end: nothing the run changed is left half-done silently.
   */
  *execute<R, O>(runbook: () => Gen<R>, finish: (e: Ending<R, P>) => Gen<O>): Gen<O> {
    let ending: Ending<R, P>;
    try {
      ending = { ok: true, value: yield* runbook() };
    } catch (e) {
      const stop = e instanceof Stop ? e : new Stop("failed", "InternalError", maskString(errorMessage(e)));
      const failedStep = this.current?.phase;
      this.end(stop.outcome, stop.reason);
      yield* this.unwind();
      ending = { ok: false, stop, failedStep };
    }
    return yield* finish(ending);
  }

  private *unwind(): Gen<void> {
    for (const c of this.compensations.splice(0).reverse()) {
      try {
        const steps = c.undo(); // a generator when undoing takes activities, nothing when it only records
        if (steps) yield* steps;
      } catch (undoError) {
        // One undo that breaks must not keep the others from running: say so and go on.
        this.end("failed", maskString(errorMessage(undoError)));
        this.warnings.push(`could not ${c.label}: ${maskString(errorMessage(undoError))}`);
      }
    }
  }

  // --- phases ---

  get phase(): P | undefined {
    return this.current?.phase;
  }

  begin(phase: P, message: string, extra: object = {}): void {
    this.current = { phase, startedAt: this.now() };
    this.status(message, extra);
  }

  /** Records the phase that is running as ended with `outcome`. */
  end(outcome: PhaseRecord["outcome"] = "ok", note?: string): void {
    const c = this.current;
    if (!c) return;
    const endedAt = this.now();
    this.phases.push({
      phase: c.phase,
      startedAt: c.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      seconds: secondsBetween(c.startedAt, endedAt),
      outcome,
      ...(note ? { note } : {}),
    });
    this.current = undefined;
  }

  /** The run's custom status: the step it is in, since when, a line for people, and what `extra` adds. */
  status(message: string, extra: object = {}): void {
    const step = this.current?.phase ?? "done";
    const base = { step, since: this.now().toISOString(), message, runId: this.o.ref.runId };
    this.ctx.df.setCustomStatus({ ...base, ...(this.o.statusExtra?.() ?? {}), ...extra });
  }

  // --- activities ---

  /** One step with its retry policy: its result, or a Stop (refused, or retries exhausted). */
  *call<K extends ActivityKey>(
    key: K,
    args: ActivityArgs<K>,
    onRefused?: (r: Refusal & ActivityOutput<K>) => void,
  ): Gen<Success<K>> {
    const r = yield* this.attempt(key, args);
    const phase: string = this.current?.phase ?? key;
    if (!r.ok) throw new Stop("failed", `${capitalize(phase)}Failed`, r.error);
    if (isRefusal(r.value)) {
      onRefused?.(r.value);
      throw new Stop("refused", r.value.code, r.value.reason);
    }
    return r.value as Success<K>;
  }

  /** One step with its retry policy, whatever happens: for polls and compensations. */
  *attempt<K extends ActivityKey>(
    key: K,
    args: ActivityArgs<K>,
    ref: RunRef = this.o.ref,
  ): Gen<Attempt<ActivityOutput<K>>> {
    const input = { ...ref, ...args } as ActivityInput<K>;
    return yield* callActivity(this.ctx, key, retryFor(key, this.o.retry), input);
  }

  /** The same step for several runs at once (an evacuation's claims, one per pair): each one's outcome, in order. */
  *attemptEach<K extends ActivityKey>(
    key: K,
    calls: { args: ActivityArgs<K>; ref: RunRef }[],
  ): Gen<Attempt<ActivityOutput<K>>[]> {
    const inputs = calls.map(({ args, ref }) => ({ ...ref, ...args }) as ActivityInput<K>);
    return yield* callActivities(this.ctx, key, retryFor(key, this.o.retry), inputs);
  }

  *audit(event: "completed" | "approved" | "aborted" | "ignored", summary: string, detail?: unknown): Gen<void> {
    yield* this.attempt("recordEvent", { event, summary, detail });
  }

  // --- waiting ---

  *wait(seconds: number): Gen<void> {
    if (seconds > 0) yield this.ctx.df.createTimer(addSeconds(this.now(), seconds));
  }

  /** The first approval or abort that counts (stored by the HTTP API), or undefined at `expiresAt`. */
  *decision(twoPerson: boolean, expiresAt: Date): Gen<Decision | undefined> {
    return yield* awaitDecision(this.ctx, {
      ref: this.o.ref,
      // Stryker disable next-line StringLiteral: readDecision has no entry in STEP_RETRY: the pair's policy either way
      retry: retryFor("readDecision", this.o.retry),
      requester: this.o.requester,
      twoPerson,
      alertRun: this.o.alertRun,
      expiresAt,
    });
  }

  /**
   * Calls `check` every `everySeconds` until it returns a value; past the deadline, stops with `expired()`.
   * `check` may itself throw a Stop.
   */
  *pollUntil<T>(
    o: { everySeconds: number; deadlineSeconds: number; expired: () => Stop },
    check: (poll: number) => Gen<T | undefined>,
  ): Gen<T> {
    const deadline = addSeconds(this.now(), o.deadlineSeconds);
    for (let poll = 1; ; poll++) {
      const done = yield* check(poll);
      if (done !== undefined) return done;
      if (this.now() >= deadline) throw o.expired();
      yield* this.wait(o.everySeconds);
    }
  }

  // --- compensations ---

  /** Pushes what must be undone if the run stops from here on (unwound newest first). */
  compensate(label: string, undo: () => Gen<void> | void): void {
    this.compensations.push({ label, undo });
  }

  /** Drops a compensation that no longer applies (done on the normal path, or no longer safe). */
  forget(label: string): void {
    const i = this.compensations.findIndex((c) => c.label === label);
    if (i >= 0) this.compensations.splice(i, 1);
  }

  /** The line the audit's "completed" entry starts with. */
  static endLine(outcome: Outcome, ending: Ending<unknown, string>): string {
    if (ending.ok) return outcome;
    const at = ending.failedStep ? ` at ${ending.failedStep}` : "";
    return `${outcome}${at}: ${ending.stop.code} ${ending.stop.reason}`;
  }
}

/** Why a step did not give what was hoped: its refusal's reason, the error left after its retries, or nothing. */
export function whyNot(r: Attempt<unknown>): string {
  return r.ok ? (isRefusal(r.value) ? r.value.reason : "") : r.error;
}

function isRefusal(v: unknown): v is Refusal {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "refused";
}

export function addSeconds(d: Date, s: number): Date {
  return new Date(d.getTime() + s * 1000);
}

export function secondsBetween(a: Date, b: Date): number {
  return Math.round(b.getTime() - a.getTime()) / 1000;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
