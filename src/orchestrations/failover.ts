// The failover runbook as a durable orchestration. Each step is one activity with the pair's retry
// policy; waits are durable timers; a step that stops the run unwinds what was done before it, so every
// way out leaves the CNAME at the old primary or at the verified new one, with its TTL restored.
import type { OrchestrationContext, Task } from "durable-functions";
import type { PreflightResult, Verified } from "../activities/contracts";
import type { FailoverOutput } from "./failover-types";
import { Run, Stop } from "./run";

type Gen<T> = Generator<Task, T, unknown>;
type Plan = Extract<PreflightResult, { kind: "ready" }>;

export function* failoverOrchestrator(ctx: OrchestrationContext): Gen<FailoverOutput> {
  return yield* new Run(ctx).execute(runbook);
}

function* runbook(run: Run): Gen<"succeeded" | "dryRun"> {
  const plan = yield* preflight(run);
  if (run.input.dryRun) return "dryRun";
  yield* lowerTtl(run, plan);
  yield* drain(run, plan);
  yield* promote(run, plan);
  yield* repoint(run, plan);
  yield* verify(run, plan);
  yield* stabilise(run);
  run.forget("restore the TTL");
  yield* restoreTtl(run, plan, "after a successful failover");
  return "succeeded";
}

/** 1. Read the CNAME and both servers, decide from → to, measure the lag. Changes nothing. */
function* preflight(run: Run): Gen<Plan> {
  run.begin("preflight", "reading the CNAME and both servers");
  const plan = yield* run.call("preflight", { option: run.input.option, dryRun: run.input.dryRun }, (r) => {
    run.out.cname = { target: r.cname?.target ?? null, ttl: r.cname?.ttl ?? null, note: "unchanged" };
  });
  Object.assign(run.out, { from: plan.from.name, to: plan.to.name, rpo: plan.lag });
  run.out.warnings.push(...plan.warnings);
  run.out.cname = { target: plan.cname.target, ttl: plan.cname.ttl, note: "unchanged" };
  run.end("ok", `${plan.from.name} → ${plan.to.name}`);
  return plan;
}

/** 2. Lower the TTL so caches let go of the old answer quickly; from here on a stop restores it. */
function* lowerTtl(run: Run, plan: Plan): Gen<void> {
  const { failoverSeconds } = run.input.policy.ttl;
  run.out.cname.note = `still the old primary ${plan.from.name}: nothing was repointed`;
  run.compensate("restore the TTL", () => restoreTtl(run, plan, "after the run stopped"));
  run.begin("lowerTtl", `lowering the CNAME TTL from ${plan.cname.ttl}s to ${failoverSeconds}s`);
  const r = yield* run.call("lowerTtl", { expected: plan.cname, ttl: failoverSeconds });
  run.out.cname.ttl = r.ttl;
  run.end("ok", r.changed ? `TTL ${plan.cname.ttl}s → ${r.ttl}s` : `TTL already ${r.ttl}s`);
}

/** 3. Planned: wait until caches holding the old TTL have expired (capped). Forced: no wait. */
function* drain(run: Run, plan: Plan): Gen<void> {
  const ttl = plan.cname.ttl;
  const seconds = run.input.option === "Planned" ? Math.min(ttl, run.input.policy.timings.drainCapSeconds) : 0;
  run.begin("drain", seconds ? `waiting ${seconds}s for cached answers to expire` : "forced: not waiting for caches");
  yield* run.wait(seconds);
  run.end(
    seconds ? "ok" : "skipped",
    seconds > 0 && seconds < ttl ? `capped at ${seconds}s (TTL was ${ttl}s)` : undefined,
  );
}

/** 4. Promote the replica, 5. wait until both planes say it is writable. */
function* promote(run: Run, plan: Plan): Gen<void> {
  const { promoteDeadlineSeconds, promotePollSeconds } = run.input.policy.timings;
  run.begin("promote", `promoting ${plan.to.name} (${run.input.option})`);
  const started = yield* run.call("promote", { server: plan.to, option: run.input.option });
  // From here the promote may complete whatever happens next: nothing may claim that nothing changed.
  run.out.cname.note = `still the old primary ${plan.from.name}: not repointed, although the promote of ${plan.to.name} was accepted and may still complete`;
  let last = started.note ?? `promote ${started.kind}`;
  let idle = 0;
  const writable = yield* run.pollUntil(
    {
      everySeconds: promotePollSeconds,
      deadlineSeconds: promoteDeadlineSeconds,
      expired: () =>
        new Stop(
          "failed",
          "PromoteDeadlineExceeded",
          `${plan.to.name} was not writable within ${promoteDeadlineSeconds}s: ${last}`,
        ),
    },
    function* (poll) {
      const r = yield* run.attempt("checkPromotion", { server: plan.to, poll });
      if (!r.ok) return void (last = r.error);
      if (r.value.kind === "refused") throw new Stop("refused", r.value.code, r.value.reason);
      last = r.value.detail;
      if (r.value.progress === "writable") return r.value;
      run.status(`waiting for ${plan.to.name} to be writable: ${last}`);
      // A replica that stays Ready and not updating after the promote was accepted did not take it.
      idle = r.value.progress === "notStarted" ? idle + 1 : 0;
      if (idle >= 3) throw new Stop("failed", "PromoteDidNotTakeEffect", `${last} after the promote was accepted`);
      return undefined;
    },
  );
  run.end("ok", `${started.kind}; ${writable.detail}`);
}

/** 6. Point the CNAME at the promoted server (If-Match; never over someone else's change). */
function* repoint(run: Run, plan: Plan): Gen<void> {
  const { from, to } = plan;
  run.begin("repoint", `pointing ${plan.cname.fqdn} at ${to.aRecordFqdn}`);
  const r = yield* explainStop(
    run,
    run.call("repointCname", { fromTarget: from.aRecordFqdn, toTarget: to.aRecordFqdn }, (refused) => {
      run.out.cname.target = refused.cname?.target ?? from.aRecordFqdn;
    }),
    () => {
      run.out.warnings.push(`${to.name} is promoted and writable but the CNAME was not moved to it`);
      run.out.cname.note = "not moved by this run";
    },
  );
  run.out.cname = {
    target: r.cname.target,
    ttl: r.cname.ttl,
    note: `the new primary ${to.name}, proven writable through its own name`,
  };
  run.end("ok", r.changed ? `${from.aRecordFqdn} → ${to.aRecordFqdn}` : "already pointing there");
}

/** 7. Prove the result as an application sees it: DNS answers the new target, verify-ca through the CNAME. */
function* verify(run: Run, plan: Plan): Gen<void> {
  const { verifyDeadlineSeconds, verifyPollSeconds } = run.input.policy.timings;
  run.begin("verify", `resolving ${plan.cname.fqdn} and connecting through it with verify-ca`);
  const v: Verified = yield* run.pollUntil(
    {
      everySeconds: verifyPollSeconds,
      deadlineSeconds: verifyDeadlineSeconds,
      expired: () =>
        new Stop(
          "failed",
          "DnsNotConverged",
          `DNS did not answer ${plan.to.aRecordFqdn} within ${verifyDeadlineSeconds}s`,
        ),
    },
    function* (poll) {
      const r = yield* run.call("verify", { expectedTarget: plan.to.aRecordFqdn, server: plan.to, poll });
      if (r.kind === "verified") return r;
      run.status(`DNS still answers ${r.answer ?? "nothing"} for ${plan.cname.fqdn}; waiting`);
      return undefined;
    },
  );
  run.out.verification = v;
  const full = v.verifyFull.ok ? "OK" : "fails as expected";
  run.end("ok", `${v.name} → ${v.address}: writable, TLS ${v.tls.protocol} verify-ca OK; verify-full ${full}`);
}

/** 8. Let clients settle on the new answer before the TTL goes back up. */
function* stabilise(run: Run): Gen<void> {
  const { stabiliseSeconds } = run.input.policy.timings;
  run.begin("stabilise", `stabilising for ${stabiliseSeconds}s before restoring the TTL`);
  yield* run.wait(stabiliseSeconds);
  run.end(stabiliseSeconds > 0 ? "ok" : "skipped");
}

/** 9. Put the TTL back (also the compensation of step 2). Never stops the run: a failure is a warning. */
function* restoreTtl(run: Run, plan: Plan, why: string): Gen<void> {
  const { restoreSeconds } = run.input.policy.ttl;
  const ttl = restoreSeconds === "original" ? plan.cname.ttl : restoreSeconds;
  run.begin("restoreTtl", `restoring the CNAME TTL to ${ttl}s ${why}`);
  const ownTargets = [plan.from.aRecordFqdn, plan.to.aRecordFqdn];
  const r = yield* run.attempt("restoreTtl", { ttl, ownTargets });
  if (r.ok && r.value.kind === "done") {
    run.out.cname.ttl = r.value.ttl;
    run.end("ok", r.value.changed ? `TTL ${r.value.previousTtl}s → ${r.value.ttl}s` : `TTL already ${r.value.ttl}s`);
    return;
  }
  const reason = r.ok ? (r.value.kind === "refused" ? r.value.reason : "") : r.error;
  run.out.warnings.push(`the CNAME TTL was not restored: ${reason}`);
  run.end(r.ok ? "refused" : "failed", reason);
}

/** Runs a step; if it stops the run, `explain` first says what that leaves behind. */
function* explainStop<T>(run: Run, step: Gen<T>, explain: () => void): Gen<T> {
  try {
    return yield* step;
  } catch (e) {
    if (e instanceof Stop) explain();
    throw e;
  }
}
