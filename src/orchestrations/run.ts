// The machinery under the failover runbook: typed activity calls with the pair's retry policy, phases
// (custom status, timings, outcome), polling with a deadline, and a stack of compensations unwound when
// a step stops the run. No I/O here: replay must be deterministic.
import * as df from "durable-functions";
import type { OrchestrationContext, RetryOptions } from "durable-functions";
import { maskString } from "../audit/redact";
import { awaitDecision } from "./approval-wait";
import { callActivity, errorMessage, type Attempt, type Gen } from "./durable-calls";
import type { ActivityArgs, ActivityInput, ActivityKey, ActivityOutput } from "../activities/catalog";
import type { Refusal } from "../activities/contracts";
import type {
  ApprovalRequest,
  Decision,
  FailoverInput,
  FailoverOutput,
  FailoverStatus,
  Outcome,
  PhaseName,
  PhaseRecord,
} from "./failover-types";

/** Why a run stops early: a typed refusal, a step whose retries ran out, or no approval. */
export class Stop {
  constructor(
    readonly outcome: "refused" | "failed" | "aborted" | "falseAlarm",
    readonly code: string,
    readonly reason: string,
  ) {}
}

type Success<K extends ActivityKey> = Exclude<ActivityOutput<K>, Refusal>;

export class Run {
  readonly input: FailoverInput;
  readonly out: FailoverOutput;
  private readonly retry: RetryOptions;
  private current: { phase: PhaseName; startedAt: Date } | undefined;
  /** The old primary's WAL position after the fence (planned). */
  fenceLsn: string | null = null;
  /** Forced: why the data at risk needs accepting, when an approval is to accept it (else null). */
  dataLossToAccept: string | null = null;
  /** An evacuation's pair whose data at risk grew past what its approver saw: it asks a person again. */
  reapprove = false;
  /** When the CNAME was repointed (for the DNS convergence time). */
  repointedAt: Date | undefined;
  private readonly compensations: { label: string; undo: () => Gen<void> | void }[] = [];

  constructor(private readonly ctx: OrchestrationContext) {
    this.input = ctx.df.getInput<FailoverInput>();
    const i = this.input;
    this.retry = retryOptions(i.policy.retry);
    this.out = {
      outcome: "failed",
      runId: i.runId,
      pair: i.pair,
      option: i.option,
      dryRun: i.dryRun,
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
      promoteAccepted: false,
      approval: null,
      confirmation: null,
      verification: null,
    };
  }

  now(): Date {
    return this.ctx.df.currentUtcDateTime;
  }

  /**
   * Runs the runbook. A Stop anywhere — and any other error, a bug included — unwinds the compensations,
   * records the end in the audit and releases the lease: nothing the run changed is left half-done silently.
   */
  *execute(runbook: (run: Run) => Gen<"succeeded" | "dryRun">): Gen<FailoverOutput> {
    try {
      return yield* this.finish(yield* runbook(this));
    } catch (e) {
      const stop = e instanceof Stop ? e : new Stop("failed", "InternalError", maskString(errorMessage(e)));
      const failedStep = this.current?.phase;
      this.end(stop.outcome, stop.reason);
      for (const c of this.compensations.splice(0).reverse()) {
        try {
          const steps = c.undo(); // a generator when undoing takes activities, nothing when it only records
          if (steps) yield* steps;
        } catch (undoError) {
          // One undo that breaks must not keep the others from running: say so and go on.
          this.end("failed", maskString(errorMessage(undoError)));
          this.out.warnings.push(`could not ${c.label}: ${maskString(errorMessage(undoError))}`);
        }
      }
      return yield* this.finish(stop.outcome, { code: stop.code, reason: stop.reason, failedStep });
    }
  }

  // --- phases ---

  begin(phase: PhaseName, message: string): void {
    this.current = { phase, startedAt: this.now() };
    this.status(message);
  }

  /** Records the phase that is running as ended with `outcome`. */
  end(outcome: PhaseRecord["outcome"] = "ok", note?: string): void {
    const c = this.current;
    if (!c) return;
    const endedAt = this.now();
    this.out.phases.push({
      phase: c.phase,
      startedAt: c.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      seconds: secondsBetween(c.startedAt, endedAt),
      outcome,
      ...(note ? { note } : {}),
    });
    this.current = undefined;
  }

  status(message: string, awaitingApproval?: ApprovalRequest): void {
    const step = this.current?.phase ?? "done";
    const s: FailoverStatus = { step, since: this.now().toISOString(), message, runId: this.input.runId };
    this.ctx.df.setCustomStatus(awaitingApproval ? { ...s, awaitingApproval } : s);
  }

  // --- activities ---

  /** One activity with the pair's retry policy: its result, or a Stop (refused, or retries exhausted). */
  *call<K extends ActivityKey>(
    key: K,
    args: ActivityArgs<K>,
    onRefused?: (r: Refusal & ActivityOutput<K>) => void,
  ): Gen<Success<K>> {
    const r = yield* this.attempt(key, args);
    const phase = this.current?.phase ?? key;
    if (!r.ok) throw new Stop("failed", `${capitalize(phase)}Failed`, r.error);
    if (isRefusal(r.value)) {
      onRefused?.(r.value);
      throw new Stop("refused", r.value.code, r.value.reason);
    }
    return r.value as Success<K>;
  }

  /** One activity with the pair's retry policy, whatever happens: for polls and compensations. */
  *attempt<K extends ActivityKey>(key: K, args: ActivityArgs<K>): Gen<Attempt<ActivityOutput<K>>> {
    const input = { runId: this.input.runId, pair: this.input.pair, ...args } as ActivityInput<K>;
    return yield* callActivity(this.ctx, key, this.retry, input);
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
    const i = this.input;
    return yield* awaitDecision(this.ctx, {
      ref: { runId: i.runId, pair: i.pair },
      retry: this.retry,
      requester: i.requester,
      twoPerson,
      alertRun: i.alert !== undefined,
      expiresAt,
    });
  }

  /**
   * Calls `check` every `everySeconds` until it returns a value; past the deadline, stops with
   * `expired()`. `check` may itself throw a Stop.
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

  private *finish(
    outcome: Outcome,
    stop?: { code: string; reason: string; failedStep: PhaseName | undefined },
  ): Gen<FailoverOutput> {
    const out = this.out;
    const failedStep = stop?.failedStep;
    Object.assign(out, { outcome, failedStep, code: stop?.code, reason: stop?.reason });
    const verifiedAt = outcome === "succeeded" ? out.phases.find((p) => p.phase === "verify")?.endedAt : undefined;
    out.rto = rtoOf(out.phases, this.input.requestedAt, verifiedAt);
    this.status(`${outcome}${stop ? ": " + stop.reason : ""}`);
    const at = failedStep ? ` at ${failedStep}` : "";
    const why = stop ? `: ${stop.code} ${stop.reason}` : "";
    yield* this.audit("completed", `${outcome}${at}${why}; CNAME → ${out.cname.target} (${out.cname.note})`, {
      outcome,
      rto: out.rto,
      rpo: out.rpo,
    });
    yield* this.attempt("releaseLease", {});
    return out;
  }
}

function isRefusal(v: unknown): v is Refusal {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "refused";
}

export function retryOptions(r: FailoverInput["policy"]["retry"]): RetryOptions {
  const o = new df.RetryOptions(r.firstIntervalSeconds * 1000, r.maxAttempts);
  o.backoffCoefficient = r.backoffCoefficient;
  o.maxRetryIntervalInMilliseconds = r.maxIntervalSeconds * 1000;
  return o;
}

/** Seconds per phase of the recovery, and the total from the first phase to the verified write. */
function rtoOf(phases: PhaseRecord[], requestedAt: string, verifiedAt: string | undefined): FailoverOutput["rto"] {
  const rto: FailoverOutput["rto"] = { total: null };
  for (const p of phases) {
    if (p.phase === "stabilise" || p.phase === "restoreTtl") continue;
    if (verifiedAt && p.endedAt > verifiedAt) continue; // after the proof (a forced run's fence): not recovery time
    rto[p.phase] = Math.round(((rto[p.phase] ?? 0) + p.seconds) * 1000) / 1000;
  }
  const start = phases[0]?.startedAt ?? requestedAt;
  if (verifiedAt) rto.total = secondsBetween(new Date(start), new Date(verifiedAt));
  return rto;
}

export function addSeconds(d: Date, s: number): Date {
  return new Date(d.getTime() + s * 1000);
}

function secondsBetween(a: Date, b: Date): number {
  return Math.round(b.getTime() - a.getTime()) / 1000;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
