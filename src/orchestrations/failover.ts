// The failover runbook as a durable orchestration. It reads like the runbook: each step is one activity
// (with the pair's retry policy), waits are durable timers, and every way out leaves the CNAME at the old
// primary or at the verified new one, with its TTL restored. No I/O here: replay must be deterministic.
import * as df from "durable-functions";
import type { OrchestrationContext, RetryOptions, Task } from "durable-functions";
import type {
  CheckPromotionResult,
  PreflightResult,
  PromoteResult,
  RepointResult,
  TtlResult,
  VerifyResult,
} from "../activities/contracts";
import { ACTIVITY } from "../activities/names";
import type { FailoverInput, FailoverOutput, FailoverStatus, Outcome, PhaseName, PhaseRecord } from "./failover-types";

type Step<T> = { ok: true; value: T } | { ok: false; error: string };

export function* failoverOrchestrator(ctx: OrchestrationContext): Generator<Task, FailoverOutput, unknown> {
  const input = ctx.df.getInput() as FailoverInput;
  const { timings, ttl: ttlPolicy } = input.policy;
  const retry = retryOptions(input.policy.retry);
  const run = { runId: input.runId, pair: input.pair };
  const now = () => ctx.df.currentUtcDateTime;
  const phases: PhaseRecord[] = [];
  const out: FailoverOutput = {
    outcome: "failed",
    runId: input.runId,
    pair: input.pair,
    option: input.option,
    dryRun: input.dryRun,
    from: null,
    to: null,
    cname: { target: null, ttl: null, note: "" },
    warnings: [],
    phases,
    rto: { total: null },
    rpo: null,
    verification: null,
  };

  const setStatus = (step: FailoverStatus["step"], message: string) =>
    ctx.df.setCustomStatus({ step, since: now().toISOString(), message, runId: input.runId } satisfies FailoverStatus);

  let phaseStart = now();
  const begin = (phase: PhaseName, message: string) => {
    phaseStart = now();
    setStatus(phase, message);
  };
  const end = (phase: PhaseName, outcome: PhaseRecord["outcome"], note?: string) => {
    const endedAt = now();
    phases.push({
      phase,
      startedAt: phaseStart.toISOString(),
      endedAt: endedAt.toISOString(),
      seconds: secondsBetween(phaseStart, endedAt),
      outcome,
      note,
    });
  };

  function* call<T>(activity: string, args: object): Generator<Task, Step<T>, unknown> {
    try {
      return { ok: true, value: (yield ctx.df.callActivityWithRetry(activity, retry, { ...run, ...args })) as T };
    } catch (e) {
      return { ok: false, error: errorMessage(e) };
    }
  }
  function* audit(
    event: "requested" | "info" | "completed",
    summary: string,
    detail?: unknown,
  ): Generator<Task, void, unknown> {
    yield* call<void>(ACTIVITY.recordEvent, { event, summary, detail });
  }
  function* finish(
    outcome: Outcome,
    failedStep?: PhaseName,
    code?: string,
    reason?: string,
  ): Generator<Task, FailoverOutput, unknown> {
    Object.assign(out, { outcome, failedStep, code, reason });
    out.rto = rtoOf(
      phases,
      input.requestedAt,
      outcome === "succeeded" ? phases.find((p) => p.phase === "verify")?.endedAt : undefined,
    );
    setStatus("done", `${outcome}${reason ? ": " + reason : ""}`);
    yield* audit(
      "completed",
      `${outcome}${failedStep ? ` at ${failedStep}` : ""}${reason ? `: ${code} ${reason}` : ""}; CNAME → ${out.cname.target} (${out.cname.note})`,
      {
        outcome,
        rto: out.rto,
        rpo: out.rpo,
      },
    );
    return out;
  }

  yield* audit(
    "requested",
    `${input.dryRun ? "dry run of a " : ""}${input.option} failover requested by ${input.requestedBy} (${input.source}): ${input.reason}`,
    {
      option: input.option,
      dryRun: input.dryRun,
      requestedBy: input.requestedBy,
      reason: input.reason,
    },
  );

  // 1. Preflight: read the CNAME and both servers, decide from → to, measure the lag. Changes nothing.
  begin("preflight", "reading the CNAME and both servers");
  const pre = yield* call<PreflightResult>(ACTIVITY.preflight, { option: input.option, dryRun: input.dryRun });
  if (!pre.ok) {
    end("preflight", "failed", pre.error);
    return yield* finish("failed", "preflight", "PreflightFailed", pre.error);
  }
  if (pre.value.kind === "refused") {
    end("preflight", "refused", pre.value.reason);
    out.cname = { target: pre.value.cname?.target ?? null, ttl: pre.value.cname?.ttl ?? null, note: "unchanged" };
    return yield* finish("refused", "preflight", pre.value.code, pre.value.reason);
  }
  const plan = pre.value;
  out.from = plan.from.name;
  out.to = plan.to.name;
  out.rpo = plan.lag;
  out.warnings.push(...plan.warnings);
  out.cname = { target: plan.cname.target, ttl: plan.cname.ttl, note: "unchanged" };
  end("preflight", "ok", `${plan.from.name} → ${plan.to.name}`);
  if (input.dryRun) return yield* finish("dryRun");

  const originalTtl = plan.cname.ttl;
  const restoreTo = ttlPolicy.restoreSeconds === "original" ? originalTtl : ttlPolicy.restoreSeconds;
  const ownTargets = [plan.from.aRecordFqdn, plan.to.aRecordFqdn];

  // Every failure before the repoint leaves the CNAME on the old primary; its TTL goes back at once.
  function* abandon(step: PhaseName, code: string, reason: string): Generator<Task, FailoverOutput, unknown> {
    yield* restoreTtl(`after ${step} failed`);
    out.cname.note = `still the old primary ${plan.from.name}: nothing was repointed`;
    return yield* finish("failed", step, code, reason);
  }
  function* restoreTtl(why: string): Generator<Task, void, unknown> {
    begin("restoreTtl", `restoring the CNAME TTL to ${restoreTo}s ${why}`);
    const r = yield* call<TtlResult>(ACTIVITY.restoreTtl, { ttl: restoreTo, ownTargets });
    if (r.ok && r.value.kind === "done") {
      out.cname.ttl = r.value.ttl;
      end(
        "restoreTtl",
        "ok",
        r.value.changed ? `TTL ${r.value.previousTtl}s → ${r.value.ttl}s` : `TTL already ${r.value.ttl}s`,
      );
    } else {
      const why2 = r.ok ? (r.value.kind === "refused" ? r.value.reason : "") : r.error;
      out.warnings.push(`the CNAME TTL was not restored: ${why2}`);
      end("restoreTtl", r.ok ? "refused" : "failed", why2);
    }
  }

  // 2. Lower the TTL so caches let go of the old answer quickly.
  begin("lowerTtl", `lowering the CNAME TTL from ${originalTtl}s to ${ttlPolicy.failoverSeconds}s`);
  const lowered = yield* call<TtlResult>(ACTIVITY.lowerTtl, { expected: plan.cname, ttl: ttlPolicy.failoverSeconds });
  if (!lowered.ok || lowered.value.kind === "refused") {
    const f = stopReason(lowered, "LowerTtlFailed");
    end("lowerTtl", f.outcome, f.reason);
    return yield* abandon("lowerTtl", f.code, f.reason);
  }
  out.cname.ttl = lowered.value.ttl;
  end(
    "lowerTtl",
    "ok",
    lowered.value.changed ? `TTL ${originalTtl}s → ${lowered.value.ttl}s` : `TTL already ${lowered.value.ttl}s`,
  );

  // 3. Drain: a planned failover waits until caches holding the old TTL have expired (capped).
  const drainSeconds = input.option === "Planned" ? Math.min(originalTtl, timings.drainCapSeconds) : 0;
  begin(
    "drain",
    drainSeconds ? `waiting ${drainSeconds}s for cached answers to expire` : "forced: not waiting for caches",
  );
  if (drainSeconds > 0) yield ctx.df.createTimer(addSeconds(now(), drainSeconds));
  end(
    "drain",
    drainSeconds ? "ok" : "skipped",
    drainSeconds < originalTtl && drainSeconds > 0 ? `capped at ${drainSeconds}s (TTL was ${originalTtl}s)` : undefined,
  );

  // 4. Promote the replica (standalone), then 5. wait until it is writable, with a deadline.
  begin("promote", `promoting ${plan.to.name} (${input.option})`);
  const promoted = yield* call<PromoteResult>(ACTIVITY.promote, { server: plan.to, option: input.option });
  if (!promoted.ok || promoted.value.kind === "refused") {
    const f = stopReason(promoted, "PromoteFailed");
    end("promote", f.outcome, f.reason);
    return yield* abandon("promote", f.code, f.reason);
  }
  const deadline = addSeconds(now(), timings.promoteDeadlineSeconds);
  let idlePolls = 0;
  let last: CheckPromotionResult | undefined;
  for (let poll = 1; ; poll++) {
    const check = yield* call<CheckPromotionResult>(ACTIVITY.checkPromotion, { server: plan.to, poll });
    if (check.ok) {
      last = check.value;
      if (last.writable) break;
      setStatus("promote", `waiting for ${plan.to.name} to be writable: ${last.detail}`);
      // A replica that is Ready and not updating after the promote was accepted did not take the promote.
      idlePolls = /still a replica and not updating/.test(last.detail) ? idlePolls + 1 : 0;
      if (idlePolls >= 3) {
        end("promote", "failed", last.detail);
        return yield* abandon("promote", "PromoteDidNotTakeEffect", `${last.detail} after the promote was accepted`);
      }
    }
    if (now() >= deadline) {
      const reason = `${plan.to.name} was not writable within ${timings.promoteDeadlineSeconds}s: ${check.ok ? check.value.detail : check.error}`;
      end("promote", "failed", reason);
      return yield* abandon("promote", "PromoteDeadlineExceeded", reason);
    }
    yield ctx.df.createTimer(addSeconds(now(), timings.promotePollSeconds));
  }
  end("promote", "ok", `${promoted.value.kind}; ${last.detail}`);

  // 6. Repoint the CNAME at the promoted server (If-Match; never over someone else's change).
  begin("repoint", `pointing ${plan.cname.fqdn} at ${plan.to.aRecordFqdn}`);
  const repointed = yield* call<RepointResult>(ACTIVITY.repointCname, {
    fromTarget: plan.from.aRecordFqdn,
    toTarget: plan.to.aRecordFqdn,
  });
  if (!repointed.ok || repointed.value.kind === "refused") {
    const f = stopReason(repointed, "RepointFailed");
    end("repoint", f.outcome, f.reason);
    out.warnings.push(`${plan.to.name} is promoted and writable but the CNAME was not moved to it`);
    yield* restoreTtl("after the repoint failed");
    const target =
      repointed.ok && repointed.value.kind === "refused"
        ? (repointed.value.cname?.target ?? plan.from.aRecordFqdn)
        : plan.from.aRecordFqdn;
    out.cname = { target, ttl: out.cname.ttl, note: "not moved by this run" };
    return yield* finish("failed", "repoint", f.code, f.reason);
  }
  out.cname = {
    target: repointed.value.cname.target,
    ttl: repointed.value.cname.ttl,
    note: `the new primary ${plan.to.name}, proven writable through its own name`,
  };
  end(
    "repoint",
    "ok",
    repointed.value.changed ? `${plan.from.aRecordFqdn} → ${plan.to.aRecordFqdn}` : "already pointing there",
  );

  // 7. Verify through DNS and the CNAME name, as an application connects.
  begin("verify", `resolving ${plan.cname.fqdn} and connecting through it with verify-ca`);
  const verifyDeadline = addSeconds(now(), timings.verifyDeadlineSeconds);
  let verified: Extract<VerifyResult, { kind: "verified" }> | undefined;
  let failure: { code: string; reason: string } | undefined;
  for (let poll = 1; ; poll++) {
    const v = yield* call<VerifyResult>(ACTIVITY.verify, {
      expectedTarget: plan.to.aRecordFqdn,
      server: plan.to,
      poll,
    });
    if (v.ok && v.value.kind === "verified") {
      verified = v.value;
      break;
    }
    if (v.ok && v.value.kind === "refused") {
      failure = { code: v.value.code, reason: v.value.reason };
      break;
    }
    if (!v.ok) failure = { code: "VerifyFailed", reason: v.error };
    else if (v.value.kind === "dnsNotYet")
      setStatus("verify", `DNS still answers ${v.value.answer ?? "nothing"} for ${plan.cname.fqdn}; waiting`);
    if (now() >= verifyDeadline || !v.ok) {
      failure ??= {
        code: "DnsNotConverged",
        reason: `DNS did not answer ${plan.to.aRecordFqdn} within ${timings.verifyDeadlineSeconds}s`,
      };
      break;
    }
    yield ctx.df.createTimer(addSeconds(now(), timings.verifyPollSeconds));
  }
  if (!verified) {
    end("verify", "failed", failure!.reason);
    yield* restoreTtl("after verification failed");
    return yield* finish("failed", "verify", failure!.code, failure!.reason);
  }
  out.verification = verified;
  end(
    "verify",
    "ok",
    `${verified.name} → ${verified.address}: writable, TLS ${verified.tls.protocol} verify-ca OK; verify-full ${verified.verifyFull.ok ? "OK" : "fails as expected"}`,
  );

  // 8. After a stabilisation period, restore the TTL.
  begin("stabilise", `stabilising for ${timings.stabiliseSeconds}s before restoring the TTL`);
  if (timings.stabiliseSeconds > 0) yield ctx.df.createTimer(addSeconds(now(), timings.stabiliseSeconds));
  end("stabilise", timings.stabiliseSeconds > 0 ? "ok" : "skipped");
  yield* restoreTtl("after a successful failover");
  return yield* finish("succeeded");
}

/** Why a step stopped the run: its typed refusal, or the error left after the retries ran out. */
function stopReason(r: Step<{ kind: string; code?: string; reason?: string }>, failedCode: string) {
  if (r.ok) return { outcome: "refused" as const, code: r.value.code ?? failedCode, reason: r.value.reason ?? "" };
  return { outcome: "failed" as const, code: failedCode, reason: r.error };
}

export function retryOptions(r: FailoverInput["policy"]["retry"]): RetryOptions {
  const o = new df.RetryOptions(r.firstIntervalSeconds * 1000, r.maxAttempts);
  o.backoffCoefficient = r.backoffCoefficient;
  o.maxRetryIntervalInMilliseconds = r.maxIntervalSeconds * 1000;
  return o;
}

function rtoOf(phases: PhaseRecord[], requestedAt: string, verifiedAt: string | undefined): FailoverOutput["rto"] {
  const rto: FailoverOutput["rto"] = { total: null };
  for (const p of phases) {
    if (p.phase === "stabilise" || p.phase === "restoreTtl") continue;
    rto[p.phase] = Math.round(((rto[p.phase] ?? 0) + p.seconds) * 1000) / 1000;
  }
  const start = phases[0]?.startedAt ?? requestedAt;
  if (verifiedAt) rto.total = secondsBetween(new Date(start), new Date(verifiedAt));
  return rto;
}

function addSeconds(d: Date, s: number): Date {
  return new Date(d.getTime() + s * 1000);
}

function secondsBetween(a: Date, b: Date): number {
  return Math.round(b.getTime() - a.getTime()) / 1000;
}

function errorMessage(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split("\n")[0]!.slice(0, 1000);
}
