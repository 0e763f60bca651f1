// Re-protection as a durable orchestration on the run kernel: after a failover the pair has a primary and no
// replica. Plan the new replica, ask a person when the pair's rule (or a delete) says so, create it through ARM
// and follow it for as long as Azure takes (durable timers, no worker held), wait until it replicates and answers
// by its own name, make it the pair's second member, retire the old server, and prove the pair protected with a
// dry run of the next failover. The run holds the pair's lease throughout: never at the same time as a failover.
import type { OrchestrationContext } from "durable-functions";
import { ORCHESTRATION } from "../activities/catalog";
import type { ReprotectPlan } from "../activities/reprotect-contracts";
import { errorMessage, type Gen } from "./durable-calls";
import type { FailoverInput, FailoverOutput } from "./failover-types";
import { addSeconds, Kernel, Stop, whyNot, withoutFalseAlarm, type Ending } from "./kernel";
import type { ReprotectApprovalRequest, ReprotectInput, ReprotectOutput, ReprotectPhase } from "./reprotect-types";

type K = Kernel<ReprotectPhase>;

export function* reprotectOrchestrator(ctx: OrchestrationContext): Gen<ReprotectOutput> {
  const input = ctx.df.getInput<ReprotectInput>();
  const k = new Kernel<ReprotectPhase>(ctx, {
    ref: { runId: input.runId, pair: input.pair },
    retry: input.policy.retry,
    requester: input.requester,
    alertRun: false,
  });
  const out: ReprotectOutput = {
    // Stryker disable next-line StringLiteral: a placeholder: finish() always sets the outcome
    outcome: "failed",
    runId: input.runId,
    pair: input.pair,
    primary: null,
    replica: null,
    old: null,
    plan: null,
    approval: null,
    nextFailover: null,
    warnings: k.warnings,
    phases: k.phases,
  };
  return yield* k.execute(
    () => runbook(k, input, out),
    (e) => finish(k, out, e),
  );
}

function* runbook(k: K, input: ReprotectInput, out: ReprotectOutput): Gen<"succeeded"> {
  const plan = yield* planStep(k, input, out);
  if (input.needsApproval) yield* approval(k, input, out, plan);
  const operationUrl = yield* create(k, input, out, plan);
  const ready = yield* replicate(k, input, plan, operationUrl);
  out.replica!.aRecord = ready.aRecord;
  yield* join(k, input, out, plan, ready.aRecord);
  yield* retire(k, input, out, plan);
  yield* dryRun(k, input, out);
  return "succeeded";
}

/** 1. Which server is primary (the CNAME's, writable), which one is replaced, and what to create. */
function* planStep(k: K, input: ReprotectInput, out: ReprotectOutput): Gen<ReprotectPlan> {
  k.begin("plan", "reading the CNAME and both members");
  const plan = yield* k.call("planReprotect", { region: input.region, name: input.name, retireOld: input.retireOld });
  out.plan = plan;
  out.primary = plan.primary.name;
  out.old = { name: plan.old.name, retired: null, note: "unchanged" };
  k.warnings.push(...plan.warnings);
  k.end("ok", `new replica ${plan.target.name} in ${plan.target.location} replaces ${plan.old.name}`);
  return plan;
}

/** 2. Before anything changes, when the pair's rule says so (a delete always asks a second person). */
function* approval(k: K, input: ReprotectInput, out: ReprotectOutput, plan: ReprotectPlan): Gen<void> {
  const { twoPerson, timeoutMinutes } = input.policy.approval;
  const expiresAt = addSeconds(k.now(), timeoutMinutes * 60);
  const request: ReprotectApprovalRequest = {
    kind: "reprotect",
    pair: input.pair,
    primary: plan.primary.name,
    old: plan.old.name,
    replica: { name: plan.target.name, location: plan.target.location },
    retireOld: input.retireOld,
    oldRisk: input.retireOld === "delete" ? plan.oldRisk : null,
    requester: input.requester,
    reason: input.reason,
    twoPerson,
    expiresAt: expiresAt.toISOString(),
    warnings: [
      ...k.warnings,
      ...(input.retireOld === "delete"
        ? [
            `approving deletes ${plan.old.name}: any write it holds that ${plan.primary.name} never received (${plan.oldRisk.bytes ?? "unknown"} bytes by the last sample) is gone for good`,
          ]
        : []),
    ],
  };
  k.begin("approval", `awaiting approval${twoPerson ? " by a second person" : ""} until ${request.expiresAt}`, {
    awaitingApproval: request,
  });
  const d = yield* k.decision(twoPerson, expiresAt);
  if (!d) {
    out.approval = {
      decision: "timeout",
      by: null,
      reason: `no answer within ${timeoutMinutes} min`,
      at: k.now().toISOString(),
    };
    throw new Stop("aborted", "ApprovalTimedOut", `nobody approved within ${timeoutMinutes} min; nothing was changed`);
  }
  out.approval = { decision: d.decision, by: d.principal, reason: d.reason, at: d.at };
  const verb = d.decision === "approve" ? "approved" : "aborted";
  yield* k.audit(verb, `${verb} by ${d.principal.name} (${d.principal.oid}): ${d.reason}`, d);
  if (d.decision === "abort")
    throw new Stop("aborted", "Aborted", `aborted by ${d.principal.name}: ${d.reason}; nothing was changed`);
  k.end("ok", `approved by ${d.principal.name}`);
}

/** 3. Ask ARM for the replica. From here on, a run that stops says what it created. */
function* create(k: K, input: ReprotectInput, out: ReprotectOutput, plan: ReprotectPlan): Gen<string | null> {
  k.begin("create", `asking ARM for ${plan.target.name}, a replica of ${plan.primary.name} in ${plan.target.location}`);
  const started = yield* k.call("createReplica", {
    target: plan.target,
    sourceServerResourceId: plan.primary.resourceId,
  });
  const t = plan.target;
  out.replica = { name: t.name, resourceId: t.resourceId, location: t.location, aRecord: null, joined: false };
  // Not deleted on the way out: a replica holds nothing the primary lacks, but deleting a server is a person's
  // call. The result names it, so nothing the run created is left without saying so.
  // Stryker disable next-line StringLiteral: nothing forgets it, and it never throws: the label is never read
  k.compensate("report the replica created", () => {
    // Stryker disable next-line OptionalChaining: out.replica is set just above
    if (!out.replica?.joined)
      k.warnings.push(
        `${t.name} was created but did not join the pair: delete it, or run the re-protection again naming it`,
      );
  });
  k.end("ok", started.kind === "exists" ? `${t.name} exists already (asked before)` : "ARM accepted the create");
  return started.kind === "started" ? started.operationUrl : null;
}

/** 4. Follow ARM until the replica is Ready and Active, resolves in the zone, and the probe logs in by its name. */
function* replicate(
  k: K,
  input: ReprotectInput,
  plan: ReprotectPlan,
  operationUrl: string | null,
): Gen<{ aRecord: string; lagBytes: number }> {
  const t = input.policy.timings;
  k.begin("replicate", `waiting for ${plan.target.name} to replicate`);
  let last: string; // set by every poll, before the deadline is looked at
  const ready = yield* k.pollUntil(
    {
      everySeconds: t.reprotectPollSeconds,
      deadlineSeconds: t.reprotectDeadlineSeconds,
      expired: () =>
        new Stop(
          "failed",
          "ReplicaNotReady",
          `${plan.target.name} was not ready within ${t.reprotectDeadlineSeconds}s: ${last}`,
        ),
    },
    function* (poll) {
      const r = yield* k.call("checkReplica", {
        poll,
        target: plan.target,
        primary: { resourceId: plan.primary.resourceId, fqdn: plan.primary.fqdn },
        operationUrl,
        maxLagBytes: input.policy.rpo.maxLagBytes,
      });
      if (r.kind === "ready") return r;
      last = r.detail;
      k.status(`waiting for ${plan.target.name}: ${r.detail}`);
      return undefined;
    },
  );
  k.end("ok", `${plan.target.name} replicates (lag ${ready.lagBytes} bytes), A record ${ready.aRecord}`);
  return ready;
}

/** 5. The replica becomes the pair's second member, in the state the app owns (no redeploy). */
function* join(k: K, input: ReprotectInput, out: ReprotectOutput, plan: ReprotectPlan, aRecord: string): Gen<void> {
  k.begin("join", `${plan.target.name} replaces ${plan.old.name} in the pair`);
  yield* k.call("joinPair", {
    remove: plan.old.resourceId,
    add: { resourceId: plan.target.resourceId, aRecord },
    reason: input.reason,
    requester: input.requester,
  });
  out.replica!.joined = true;
  k.end("ok", `members: ${plan.primary.name}, ${plan.target.name}`);
}

/** 6. The old server: kept (fenced, as the failover left it), stopped, or deleted. A failure here is reported. */
function* retire(k: K, input: ReprotectInput, out: ReprotectOutput, plan: ReprotectPlan): Gen<void> {
  const how = input.retireOld;
  if (how === "keep") {
    out.old = { name: plan.old.name, retired: "keep", note: "kept as it was (left fenced by the failover)" };
    return;
  }
  k.begin("retire", `${how === "stop" ? "stopping" : "deleting"} ${plan.old.name}`);
  const r = yield* k.attempt("retireServer", { server: plan.old, how });
  const refusal = r.ok && r.value.kind === "refused" ? r.value : null;
  if (!r.ok || refusal) {
    const why = refusal ? `${refusal.code}: ${refusal.reason}` : whyNot(r);
    out.old = { name: plan.old.name, retired: null, note: `could not ${how} it: ${why}` };
    k.warnings.push(`${plan.old.name} was not ${how === "stop" ? "stopped" : "deleted"}: ${why}; do it by hand`);
    k.end("failed", why);
    return;
  }
  if (r.value.kind === "started" && r.value.operationUrl) {
    const url = r.value.operationUrl;
    const done = yield* k.pollUntil(
      {
        everySeconds: input.policy.timings.reprotectPollSeconds,
        deadlineSeconds: input.policy.timings.reprotectDeadlineSeconds,
        expired: () => new Stop("failed", "RetireFailed", `${how} of ${plan.old.name} did not finish in time`),
      },
      function* (poll) {
        const s = yield* k.call("checkOperation", { operationUrl: url, poll });
        return s.status === "InProgress" ? undefined : s;
      },
    );
    if (done.status !== "Succeeded") {
      out.old = {
        name: plan.old.name,
        retired: null,
        note: `${how} ${done.status}${done.error ? `: ${done.error}` : ""}`,
      };
      k.warnings.push(`${plan.old.name}: ${how} ended ${done.status}; do it by hand`);
      k.end("failed", done.error ?? done.status);
      return;
    }
  }
  const note = r.value.kind === "done" ? r.value.note : how === "stop" ? "stop accepted by ARM" : "deleted";
  out.old = { name: plan.old.name, retired: how, note };
  k.end("ok", note);
}

/** 7. The proof: a dry run of the next failover plans a promote of the new replica. */
function* dryRun(k: K, input: ReprotectInput, out: ReprotectOutput): Gen<void> {
  k.begin("dryRun", "dry run of the next failover");
  const runId = k.ctx.df.newGuid(`${input.runId}:dryRun`);
  const child: FailoverInput = {
    runId,
    pair: input.pair,
    option: "Planned",
    reason: `proof of re-protection ${input.runId}`,
    requester: input.requester,
    note: null,
    requestedAt: k.now().toISOString(),
    source: "http",
    dryRun: true,
    mode: "failover",
    acceptDataLoss: false,
    policy: input.policy,
  };
  let r: FailoverOutput;
  try {
    r = (yield k.ctx.df.callSubOrchestrator(
      ORCHESTRATION.failover,
      child,
      `dryrun-${input.pair}-${runId}`,
    )) as FailoverOutput;
  } catch (e) {
    throw new Stop("failed", "DryRunFailed", `the dry run failed outright: ${errorMessage(e)}`);
  }
  out.nextFailover = {
    outcome: r.outcome,
    from: r.from,
    to: r.to,
    warnings: r.warnings,
    rpo: r.rpo,
    ...(r.code ? { code: r.code, reason: r.reason } : {}),
  };
  if (r.outcome !== "dryRun")
    throw new Stop(
      "failed",
      "NotProtected",
      `the dry run of the next failover ended ${r.outcome}: ${r.code} ${r.reason}`,
    );
  k.end("ok", `next failover: ${r.from} → ${r.to}`);
}

function* finish(k: K, out: ReprotectOutput, e: Ending<"succeeded", ReprotectPhase>): Gen<ReprotectOutput> {
  const outcome = e.ok ? e.value : withoutFalseAlarm(e.stop.outcome);
  Object.assign(out, {
    outcome,
    ...(e.ok ? {} : { failedStep: e.failedStep, code: e.stop.code, reason: e.stop.reason }),
  });
  k.status(`${outcome}${e.ok ? "" : ": " + e.stop.reason}`);
  const replica = out.replica ? `; replica ${out.replica.name}${out.replica.joined ? " joined" : " not joined"}` : "";
  yield* k.audit("completed", `re-protection ${Kernel.endLine(outcome, e)}${replica}`, {
    outcome,
    replica: out.replica,
    old: out.old,
  });
  yield* k.attempt("releaseLease", {});
  return out;
}
