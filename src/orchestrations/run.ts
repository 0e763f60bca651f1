// A failover run on the kernel: the failover's input and the result it reports (`out`, assembled as the steps
// return), plus the few facts one step hands to a later one. The machinery itself — calls, phases, undo, the
// approval wait, polling — is the kernel's (kernel.ts), shared with every other orchestration.
import type { OrchestrationContext } from "durable-functions";
import type { FailoverInput, FailoverOutput, Outcome, PhaseName, PhaseRecord } from "./failover-types";
import { Kernel, secondsBetween, type Ending } from "./kernel";
import type { Gen } from "./durable-calls";

export class Run extends Kernel<PhaseName> {
  readonly input: FailoverInput;
  readonly out: FailoverOutput;
  /** The old primary's WAL position after the fence (planned). */
  fenceLsn: string | null = null;
  /** Forced: why the data at risk needs accepting, when an approval is to accept it (else null). */
  dataLossToAccept: string | null = null;
  /** An evacuation's pair whose data at risk grew past what its approver saw: it asks a person again. */
  reapprove = false;
  /** When the CNAME was repointed (for the DNS convergence time). */
  repointedAt: Date | undefined;

  constructor(ctx: OrchestrationContext) {
    const input = ctx.df.getInput<FailoverInput>();
    super(ctx, {
      ref: { runId: input.runId, pair: input.pair },
      retry: input.policy.retry,
      requester: input.requester,
      alertRun: input.alert !== undefined,
    });
    this.input = input;
    this.out = {
      // Stryker disable next-line StringLiteral: finish() always sets the outcome; this only satisfies the type
      outcome: "failed",
      runId: input.runId,
      pair: input.pair,
      option: input.option,
      dryRun: input.dryRun,
      from: null,
      to: null,
      cname: { target: null, ttl: null, note: "not read: the run stopped before preflight read it" },
      warnings: this.warnings,
      phases: this.phases,
      // Stryker disable next-line ObjectLiteral: finish() always sets the rto
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

  /** Runs the failover runbook on the kernel; the end is audited and the lease released whatever happened. */
  *run(runbook: (run: Run) => Gen<"succeeded" | "dryRun">): Gen<FailoverOutput> {
    return yield* this.execute(
      () => runbook(this),
      (e) => this.finish(e),
    );
  }

  private *finish(e: Ending<"succeeded" | "dryRun", PhaseName>): Gen<FailoverOutput> {
    const out = this.out;
    const outcome: Outcome = e.ok ? e.value : e.stop.outcome;
    const stop = e.ok ? undefined : { code: e.stop.code, reason: e.stop.reason, failedStep: e.failedStep };
    Object.assign(out, { outcome, failedStep: stop?.failedStep, code: stop?.code, reason: stop?.reason });
    // Stryker disable next-line OptionalChaining: a run succeeds only through its verify phase
    const verifiedAt = outcome === "succeeded" ? out.phases.find((p) => p.phase === "verify")?.endedAt : undefined;
    out.rto = rtoOf(out.phases, this.input.requestedAt, verifiedAt);
    this.status(`${outcome}${stop ? ": " + stop.reason : ""}`);
    yield* this.audit("completed", `${Kernel.endLine(outcome, e)}; CNAME → ${out.cname.target} (${out.cname.note})`, {
      outcome,
      rto: out.rto,
      rpo: out.rpo,
    });
    yield* this.attempt("releaseLease", {});
    return out;
  }
}

/** Seconds per phase of the recovery, and the total from the first phase to the verified write. */
function rtoOf(phases: PhaseRecord[], requestedAt: string, verifiedAt: string | undefined): FailoverOutput["rto"] {
  const rto: FailoverOutput["rto"] = { total: null };
  for (const p of phases) {
    if (p.phase === "stabilise" || p.phase === "restoreTtl") continue;
    if (verifiedAt && p.endedAt > verifiedAt) continue; // after the proof (a forced run's fence): not recovery time
    rto[p.phase] = Math.round(((rto[p.phase] ?? 0) + p.seconds) * 1000) / 1000;
  }
  // Stryker disable next-line OptionalChaining,LogicalOperator: a verified run has phases
  const start = phases[0]?.startedAt ?? requestedAt;
  if (verifiedAt) rto.total = secondsBetween(new Date(start), new Date(verifiedAt));
  return rto;
}
