// The failover runbook as a durable orchestration. Each step is one activity with the pair's retry
// policy; waits are durable timers or short watches inside an activity; a step that stops the run unwinds
// what was done before it. Every way out leaves the CNAME at the old primary or at the verified new one,
// never two writable primaries behind it unreported, and the TTL restored.
import type { OrchestrationContext, Task } from "durable-functions";
import type { PreflightResult, Verified } from "../activities/contracts";
import { needsApproval } from "../domain/approval";
import { confirmVerdict } from "../domain/confirm";
import { riskCovered, rpoGuard } from "../domain/lag";
import { drainSeconds, rtoBudgetSeconds, variantOf, type Variant } from "../domain/variants";
import { sameResourceId } from "../domain/names";
import type { ApprovalRequest, FailoverOutput } from "./failover-types";
import { addSeconds, Stop, whyNot } from "./kernel";
import { Run } from "./run";

type Gen<T> = Generator<Task, T, unknown>;
type Plan = Extract<PreflightResult, { kind: "ready" }>;

export function* failoverOrchestrator(ctx: OrchestrationContext): Gen<FailoverOutput> {
  return yield* new Run(ctx).run(runbook);
}

function* runbook(run: Run): Gen<"succeeded" | "dryRun"> {
  const plan = yield* preflight(run);
  if (run.input.alert) yield* confirm(run, plan);
  if (run.input.dryRun) return "dryRun";
  const v = variantOf(run.input.mode, run.input.option, plan.from.dataPlane.reachable);
  yield* approval(run, plan, v);
  yield* lowerTtl(run, plan);
  yield* drain(run, plan, v);
  if (v.fence === "before") yield* fence(run, plan);
  if (v.catchUp) yield* catchUp(run, plan);
  if (v.promote) yield* promote(run, plan);
  yield* repoint(run, plan);
  yield* verify(run, plan);
  if (v.fence === "after") yield* fenceWhenBack(run, plan);
  yield* stabilise(run);
  // Stryker disable next-line StringLiteral: restoreTtl never throws (attempt): nothing after this unwinds
  run.forget("restore the TTL");
  yield* restoreTtl(run, plan, "after a successful failover");
  return "succeeded";
}

/** 1. Read the CNAME and both servers, decide from → to, measure what a promote may lose. Changes nothing. */
function* preflight(run: Run): Gen<Plan> {
  const { input, out } = run;
  run.begin("preflight", "reading the CNAME and both servers");
  const args = { option: input.option, dryRun: input.dryRun, mode: input.mode };
  const plan = yield* run.call("preflight", args, (r) => {
    out.cname = { target: r.cname?.target ?? null, ttl: r.cname?.ttl ?? null, note: "unchanged" };
  });
  Object.assign(out, { from: plan.from.name, to: plan.to.name, rpo: plan.lag, risk: plan.risk });
  out.warnings.push(...plan.warnings);
  out.cname = { target: plan.cname.target, ttl: plan.cname.ttl, note: "unchanged" };
  out.fence = {
    server: plan.from.name,
    state: "none",
    note: "not fenced by this run",
    previousValue: plan.fenceBefore,
  };
  if (variantOf(input.mode, input.option, plan.from.dataPlane.reachable).rpoGuard) {
    // The RPO guard: a forced promote past the pair's threshold (or blind) needs an explicit yes — the
    // request's acceptDataLoss, or the approver's, who sees the data at risk.
    const approved = input.evacuation?.acceptedRisk;
    const verdict = rpoGuard(
      plan.risk,
      input.policy.rpo.maxLagBytes,
      input.acceptDataLoss || riskCovered(plan.risk, approved),
    );
    // An evacuation's approver saw this pair's data at risk: more now (or unknown) asks a person again.
    if (!verdict.ok && approved) run.reapprove = true;
    if (!verdict.ok && !approvalNeeded(run)) throw new Stop("refused", verdict.code, verdict.reason);
    if (!verdict.ok)
      run.dataLossToAccept = approved
        ? `${verdict.reason}; the evacuation's approval accepted ${approved.bytes ?? "unknown"} bytes for this pair`
        : verdict.reason;
  }
  run.end("ok", `${plan.from.name} → ${plan.to.name}${input.mode === "complete" ? " (completing)" : ""}`);
  return plan;
}

/**
 * 1a. Alert runs: an alert is a hint, not a verdict. The primary it names must be the one the CNAME serves,
 * and must be down as the app itself sees it: every look at its own name failed at the network level (any
 * reply, a refused login included, proves it alive). A run no person approves also needs Azure to agree
 * (ARM Ready blocks it unless Resource Health says the server is not Available). Otherwise the run ends as a
 * false alarm, having changed nothing.
 */
function* confirm(run: Run, plan: Plan): Gen<void> {
  const alert = run.input.alert!;
  const { confirmTries, confirmSeconds } = run.input.policy.alerts;
  run.begin("confirm", `confirming the alert "${alert.rule}": is ${plan.from.name} really down?`);
  if (!sameResourceId(alert.targetId, plan.from.resourceId)) {
    const reason = `the alert names ${alert.targetId}, but the CNAME serves ${plan.from.name}: not the current primary`;
    run.out.confirmation = { down: false, evidence: [reason] };
    throw new Stop("falseAlarm", "NotThePrimary", reason);
  }
  const r = yield* run.call("confirmDown", { server: plan.from, tries: confirmTries, windowSeconds: confirmSeconds });
  const evidence = [...r.tries.map((t) => t.detail), r.arm.detail, r.health.detail];
  const facts = { tries: r.tries, armState: r.arm.state, health: r.health.state };
  const verdict = confirmVerdict(plan.from.name, facts, !approvalNeeded(run));
  run.out.confirmation = { down: verdict.down, evidence };
  if (!verdict.down) throw new Stop("falseAlarm", verdict.code, `${verdict.reason}; nothing was changed`);
  run.end("ok", verdict.summary);
}

function approvalNeeded(run: Run): boolean {
  return run.reapprove || needsApproval(run.input.policy.approval.mode, run.input.option);
}

/**
 * 1b. Before the first change, when the pair requires it: show the plan and wait for a second person's
 * approval (or an abort), up to the timeout. An answer that does not count is audited and ignored.
 */
function* approval(run: Run, plan: Plan, v: Variant): Gen<void> {
  if (!approvalNeeded(run)) {
    if (run.input.alert) yield* yieldToPerson(run);
    return;
  }
  const { input, out } = run;
  const { twoPerson, timeoutMinutes } = input.policy.approval;
  const expiresAt = addSeconds(run.now(), timeoutMinutes * 60);
  const t = input.policy.timings;
  const drain = drainSeconds(v, plan.cname.ttl, t.drainCapSeconds);
  const request: ApprovalRequest = {
    from: plan.from.name,
    to: plan.to.name,
    option: input.option,
    mode: input.mode,
    requester: input.requester,
    reason: input.reason,
    risk: plan.risk,
    acceptsDataLoss: run.dataLossToAccept !== null,
    predictedRtoSeconds: { drain, atMost: rtoBudgetSeconds(v, drain, t) },
    twoPerson,
    expiresAt: expiresAt.toISOString(),
    warnings: [
      ...out.warnings,
      ...(run.dataLossToAccept ? [`approving accepts data loss: ${run.dataLossToAccept}`] : []),
    ],
    // Stryker disable next-line OptionalChaining,ArrayDeclaration: an alert run confirms before it asks: confirmation is set
    ...(input.alert ? { alert: { ...input.alert, confirmation: out.confirmation?.evidence ?? [] } } : {}),
  };
  run.begin("approval", `awaiting approval${twoPerson ? " by a second person" : ""} until ${request.expiresAt}`, {
    awaitingApproval: request,
  });
  const d = yield* run.decision(twoPerson, expiresAt);
  if (!d) {
    out.approval = {
      decision: "timeout",
      by: null,
      reason: `no answer within ${timeoutMinutes} min`,
      at: run.now().toISOString(),
    };
    throw new Stop(
      "aborted",
      "ApprovalTimedOut",
      `nobody approved within ${timeoutMinutes} minutes; nothing was changed`,
    );
  }
  out.approval = { decision: d.decision, by: d.principal, reason: d.reason, at: d.at };
  if (d.decision === "abort") {
    yield* run.audit("aborted", `aborted by ${d.principal.name} (${d.principal.oid}): ${d.reason}`, d);
    throw new Stop("aborted", "Aborted", `aborted by ${d.principal.name}: ${d.reason}; nothing was changed`);
  }
  yield* run.audit("approved", `approved by ${d.principal.name} (${d.principal.oid}): ${d.reason}`, d);
  run.end("ok", `approved by ${d.principal.name}`);
}

/**
 * An alert run no one approves still yields to a person: a request for the same pair that arrived while it
 * confirmed stored an abort (see src/app/takeover.ts); it is read here, before the first change.
 */
function* yieldToPerson(run: Run): Gen<void> {
  // Stryker disable next-line BooleanLiteral: only an abort matters here, and twoPerson changes no abort (decisionAllowed)
  const d = yield* run.decision(true, addSeconds(run.now(), 0.1));
  if (d?.decision !== "abort") return;
  run.out.approval = { decision: "abort", by: d.principal, reason: d.reason, at: d.at };
  yield* run.audit("aborted", `aborted by ${d.principal.name} (${d.principal.oid}): ${d.reason}`, d);
  throw new Stop("aborted", "Aborted", `aborted by ${d.principal.name}: ${d.reason}; nothing was changed`);
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
function* drain(run: Run, plan: Plan, v: Variant): Gen<void> {
  const ttl = plan.cname.ttl;
  const seconds = drainSeconds(v, ttl, run.input.policy.timings.drainCapSeconds);
  run.begin("drain", seconds ? `waiting ${seconds}s for cached answers to expire` : "forced: not waiting for caches");
  yield* run.wait(seconds);
  const capped = seconds > 0 && seconds < ttl ? `capped at ${seconds}s (TTL was ${ttl}s)` : undefined;
  run.end(seconds ? "ok" : "skipped", capped);
}

/**
 * 4. Fence the old primary: new sessions read-only, every open session ended, so no write lands there
 * once the new primary takes over. Until the point of no return a stop lifts it again.
 */
function* fence(run: Run, plan: Plan): Gen<void> {
  const { from } = plan;
  const previous = plan.fenceBefore ?? "off";
  run.compensate("lift the fence", () => lift(run, plan, previous));
  run.begin("fence", `fencing ${from.name}: new sessions read-only, open sessions ended`);
  const f = yield* run.call("fence", { server: from });
  run.out.fence = {
    server: from.name,
    state: "fenced",
    note: `${from.name} takes no writes: new sessions are read-only and ${f.ended} open session(s) were ended`,
    previousValue: plan.fenceBefore,
    endedSessions: f.ended,
    survivors: f.survivors,
  };
  if (f.survivors.length) {
    const who = f.survivors.map((s) => `${s.sessions} of ${s.user}`).join(", ");
    run.out.warnings.push(`sessions of superusers on ${from.name} could not be ended and could still write: ${who}`);
  }
  if (f.overrides.length) {
    run.out.warnings.push(`on ${from.name}, role/database settings turn the fence off for: ${f.overrides.join(", ")}`);
  }
  run.fenceLsn = f.lsn;
  run.end("ok", `${f.ended} session(s) ended; WAL at ${f.lsn}`);
}

/** 5. Planned: wait until the replica has replayed everything the fenced primary wrote (zero loss). */
function* catchUp(run: Run, plan: Plan): Gen<void> {
  const lsn = run.fenceLsn;
  if (!lsn) throw new Stop("failed", "CatchUpFailed", `${plan.from.name} reported no WAL position after the fence`);
  const deadlineSeconds = run.input.policy.timings.catchUpDeadlineSeconds;
  run.begin("catchUp", `waiting for ${plan.to.name} to replay up to ${lsn}`);
  let last: string; // set by every poll, before the deadline is looked at
  const expired = () =>
    new Stop(
      "failed",
      "CatchUpTimedOut",
      `${plan.to.name} did not replay up to ${lsn} within ${deadlineSeconds}s: ${last}`,
    );
  yield* run.pollUntil({ everySeconds: 0, deadlineSeconds, expired }, function* (poll) {
    const r = yield* run.call("checkCatchUp", {
      server: plan.to,
      lsn,
      watchSeconds: Math.min(10, deadlineSeconds),
      poll,
    });
    last = r.detail;
    run.status(`waiting for ${plan.to.name} to replay up to ${lsn}: ${r.detail}`);
    return r.caughtUp ? r : undefined;
  });
  run.out.catchUp = { lsn, caughtUpAt: run.now().toISOString() };
  run.out.risk = { bytes: 0, replaySeconds: 0, source: "measured", measuredAt: run.now().toISOString() };
  run.end("ok", `replayed up to ${lsn}: nothing acknowledged on ${plan.from.name} is missing on ${plan.to.name}`);
}

/**
 * 6. Promote the replica, 7. watch until its own name says it is writable. The promote's own operation says
 * whether Azure is still at it; the data plane says what is true. Only a promote known not to have been
 * accepted (a refused PATCH, or an operation that failed while the replica is still in recovery) lifts the
 * fence; after anything else the fence stays.
 */
function* promote(run: Run, plan: Plan): Gen<void> {
  const { promoteDeadlineSeconds, promotePollSeconds } = run.input.policy.timings;
  const { from, to } = plan;
  const option = run.input.option;
  run.begin("promote", `promoting ${to.name} (${option})`);
  const r = yield* run.attempt("promote", { server: to, option, ...(option === "Planned" ? { source: from } : {}) });
  const keepFence = () => {
    run.forget("lift the fence");
    run.out.promoteAccepted = r.ok;
    run.out.cname.note = `still the old primary ${from.name}: not repointed, although the promote of ${to.name} may still complete`;
    run.compensate("explain the kept fence", () => {
      // Stryker disable next-line OptionalChaining: preflight always sets out.fence
      if (run.out.fence?.state === "fenced")
        run.out.fence.note += `; it stays fenced because the promote of ${to.name} may complete`;
    });
  };
  if (!r.ok) {
    keepFence();
    throw new Stop("failed", "PromoteFailed", `${r.error} (whether ARM accepted the promote is unknown)`);
  }
  if (r.value.kind === "refused") throw new Stop("refused", r.value.code, r.value.reason);
  keepFence();
  const started = r.value;
  let last: string; // set by every poll, before the deadline is looked at
  let idle = 0;
  const expired = () =>
    new Stop(
      "failed",
      "PromoteDeadlineExceeded",
      `${to.name} was not writable within ${promoteDeadlineSeconds}s: ${last}`,
    );
  const writable = yield* run.pollUntil(
    { everySeconds: 0, deadlineSeconds: promoteDeadlineSeconds, expired },
    function* (poll) {
      const c = yield* run.attempt("checkPromotion", {
        server: to,
        watchSeconds: promotePollSeconds,
        poll,
        ...(started.operationUrl ? { operationUrl: started.operationUrl } : {}),
      });
      if (!c.ok) return void (last = c.error); // keep tracking: the promote goes on whatever a read says
      if (c.value.kind === "refused") throw new Stop("refused", c.value.code, c.value.reason);
      last = c.value.detail;
      if (c.value.progress === "writable") return c.value;
      if (c.value.progress === "failed") {
        // Azure gave up and the replica is still in recovery: nothing was promoted, the old primary takes
        // writes again. (A planned promote may fail against a fenced primary: docs/deploy.md, first drill.)
        run.forget("explain the kept fence");
        run.out.promoteAccepted = false;
        run.out.cname.note = `still the old primary ${from.name}: the promote of ${to.name} failed`;
        // Stryker disable next-line OptionalChaining: preflight always sets out.fence
        if (run.out.fence?.state === "fenced")
          run.compensate("lift the fence", () => lift(run, plan, plan.fenceBefore ?? "off"));
        const why = c.value.operation?.error ?? c.value.operation?.status ?? "the operation failed";
        throw new Stop(
          "refused",
          "PromoteFailed",
          `the promote of ${to.name} failed (${why}); ${to.name} is still a replica`,
        );
      }
      run.status(`waiting for ${to.name} to be writable: ${last}`);
      // A replica that stays Ready, replicating, its operation done or unknown, did not take the promote.
      idle = c.value.progress === "notStarted" ? idle + 1 : 0;
      if (idle >= 3) throw new Stop("failed", "PromoteDidNotTakeEffect", `${last} after the promote was accepted`);
      return undefined;
    },
  );
  run.end("ok", `${started.kind}${started.note ? ` (${started.note})` : ""}; ${writable.detail}`);
}

/** 8. Point the CNAME at the promoted server (If-Match; never over someone else's change). */
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
  run.forget("lift the fence"); // completing: from here the old primary must stay fenced
  run.forget("explain the kept fence");
  run.repointedAt = run.now();
  run.out.cname = {
    target: r.cname.target,
    ttl: r.cname.ttl,
    note: `the new primary ${to.name}, proven writable through its own name`,
  };
  run.end("ok", r.changed ? `${from.aRecordFqdn} → ${to.aRecordFqdn}` : "already pointing there");
}

/** 9. Prove the result as an application sees it: DNS answers the new target N times, verify-ca through the CNAME. */
function* verify(run: Run, plan: Plan): Gen<void> {
  const { verifyDeadlineSeconds, verifyPollSeconds } = run.input.policy.timings;
  const { answers } = run.input.policy.verify;
  run.begin("verify", `resolving ${plan.cname.fqdn} and connecting through it with verify-ca`);
  const expired = () =>
    new Stop(
      "failed",
      "DnsNotConverged",
      `DNS did not answer ${plan.to.aRecordFqdn} ${answers} times in a row within ${verifyDeadlineSeconds}s`,
    );
  const v: Verified = yield* run.pollUntil(
    { everySeconds: verifyPollSeconds, deadlineSeconds: verifyDeadlineSeconds, expired },
    function* (poll) {
      const r = yield* run.call("verify", { expectedTarget: plan.to.aRecordFqdn, server: plan.to, answers, poll });
      if (r.kind === "verified") return r;
      run.status(
        `DNS answered ${r.answer ?? "nothing"} for ${plan.cname.fqdn} (after ${r.inARow} right in a row); waiting`,
      );
      return undefined;
    },
  );
  run.out.verification = v;
  const since = run.repointedAt ?? run.now();
  run.out.dns = { answers, convergedSeconds: Math.round(run.now().getTime() - since.getTime()) / 1000 };
  const full = v.verifyFull.ok ? "OK" : "fails as expected";
  run.end("ok", `${v.name} → ${v.address}: writable, TLS ${v.tls.protocol} verify-ca OK; verify-full ${full}`);
}

/**
 * 10. Forced (or completing while the old primary is away): fence it now if it answers. If its data plane
 * cannot be reached (its region away, or the probe's login refused while it runs), make new sessions
 * read-only through ARM, which needs no login; either way record the fence as owed, so the fence watch ends
 * its sessions (or stops it) as soon as it answers. Never stops the run.
 */
function* fenceWhenBack(run: Run, plan: Plan): Gen<void> {
  const { from } = plan;
  const { watchHours, onReturn } = run.input.policy.fence;
  run.begin("fence", `fencing ${from.name}, or watching for its return`);
  if (plan.from.dataPlane.reachable && onReturn === "readOnly") {
    const f = yield* run.attempt("fence", { server: from });
    if (f.ok && f.value.kind === "fenced") {
      run.out.fence = {
        server: from.name,
        state: "fenced",
        note: `${from.name} answered and was fenced after the failover`,
        endedSessions: f.value.ended,
        survivors: f.value.survivors,
      };
      run.end("ok", `${f.value.ended} session(s) ended`);
      return;
    }
  }
  // ARM needs no login: new sessions become read-only even while the server cannot be logged in to.
  const a = yield* run.attempt("fenceByArm", { server: from, timeoutSeconds: 60 });
  const byArm = a.ok && a.value.kind === "parameterSet";
  const w = yield* run.attempt("watchFence", { server: from, watchHours, action: onReturn });
  if (w.ok && w.value.kind === "watching") {
    const until = w.value.until;
    run.out.fence = byArm
      ? {
          server: from.name,
          state: "fencedByArm",
          note: `${from.name}: new sessions are read-only (set through ARM), but its open sessions could not be ended; they are ended (${onReturn}) as soon as it answers, watched until ${until}`,
          watchUntil: until,
        }
      : {
          server: from.name,
          state: "watching",
          note: `${from.name} is NOT fenced: it did not answer; it is fenced (${onReturn}) as soon as it comes back, watched until ${until}`,
          watchUntil: until,
        };
    run.out.warnings.push(
      byArm
        ? `${from.name} is only partly fenced: sessions it had open may still write until the fence watch ends them`
        : `${from.name} is not fenced yet: if its region returns it accepts writes until the fence watch reaches it`,
    );
    run.end("ok", `${byArm ? "read-only through ARM; " : ""}watching until ${until}`);
    return;
  }
  const why = whyNot(w);
  run.out.warnings.push(
    `${from.name} is ${byArm ? "read-only for new sessions only" : "not fenced"} and no fence watch was recorded: ${why}; fence it by hand`,
  );
  run.end("failed", why);
}

/** 11. Let clients settle on the new answer before the TTL goes back up. */
function* stabilise(run: Run): Gen<void> {
  const { stabiliseSeconds } = run.input.policy.timings;
  run.begin("stabilise", `stabilising for ${stabiliseSeconds}s before restoring the TTL`);
  yield* run.wait(stabiliseSeconds);
  run.end(stabiliseSeconds > 0 ? "ok" : "skipped");
}

/** 12. Put the TTL back (also the compensation of step 2). Never stops the run: a failure is a warning. */
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
  const reason = whyNot(r);
  run.out.warnings.push(`the CNAME TTL was not restored: ${reason}`);
  run.end(r.ok ? "refused" : "failed", reason);
}

/**
 * Compensation of the fence (only before the point of no return): the old primary takes writes again. Retried
 * (a server busy with the promote's aftermath refuses parameter changes for a while) until its deadline; a
 * fence that stays is the first line of the result, and GET /api/pairs warns of it.
 */
function* lift(run: Run, plan: Plan, previous: string): Gen<void> {
  const { from } = plan;
  run.begin("fence", `lifting the fence on ${from.name} after the run stopped`);
  const deadline = addSeconds(run.now(), LIFT_DEADLINE_SECONDS);
  let reason: string;
  for (;;) {
    const r = yield* run.attempt("liftFence", { server: from, previousValue: previous });
    if (r.ok && r.value.kind === "lifted") {
      run.out.fence = {
        server: from.name,
        state: "lifted",
        note: `the fence on ${from.name} was lifted (default_transaction_read_only back to ${previous}): it takes writes as before`,
        previousValue: previous,
      };
      run.end("ok", `default_transaction_read_only back to ${previous}`);
      return;
    }
    reason = whyNot(r);
    if ((r.ok && r.value.kind === "refused") || run.now() >= deadline) break;
    run.status(`lifting the fence on ${from.name}: ${reason}; trying again`);
    yield* run.wait(LIFT_PAUSE_SECONDS);
  }
  run.out.warnings.unshift(
    `${from.name} IS STILL FENCED and takes no writes: the fence could not be lifted (${reason}); set default_transaction_read_only = ${previous} on it`,
  );
  run.end("failed", reason);
}

/** How long a stopped run keeps trying to lift the fence, and the pause between rounds of retries. */
const LIFT_DEADLINE_SECONDS = 600;
const LIFT_PAUSE_SECONDS = 15;

/** Runs a step; if it stops the run (any error), `explain` first says what that leaves behind. */
function* explainStop<T>(run: Run, step: Gen<T>, explain: () => void): Gen<T> {
  try {
    return yield* step;
  } catch (e) {
    explain();
    throw e;
  }
}
