// The wait for a second person, shared by every orchestration that asks for one: the first decision that
// counts, or nothing at the deadline. A decision counts only if the HTTP API stored it for this instance
// (the event carries a nonce; an activity reads the stored, verified decision) and the rule allows it;
// anything else raised is audited as ignored and the wait goes on.
import type { OrchestrationContext, RetryOptions } from "durable-functions";
import type { RunRef } from "../activities/contracts";
import type { Principal } from "../auth/principal";
import { decisionAllowed, decisionRef } from "../domain/approval";
import { callActivity, nextEvent, type Gen } from "./durable-calls";
import type { Decision } from "./failover-types";

export interface DecisionWait {
  ref: RunRef;
  retry: RetryOptions;
  requester: Principal;
  twoPerson: boolean;
  /** An alert proposed the run: the alert's own identity cannot approve it. */
  alertRun: boolean;
  expiresAt: Date;
}

export function* awaitDecision(ctx: OrchestrationContext, w: DecisionWait): Gen<Decision | undefined> {
  const ignore = (summary: string, detail?: unknown) =>
    callActivity(ctx, "recordEvent", w.retry, { ...w.ref, event: "ignored", summary, detail });
  for (;;) {
    const raised = yield* nextEvent(ctx, "decision", w.expiresAt);
    if (!raised) return undefined;
    const ref = decisionRef(raised.data);
    if (!ref) {
      // Not even its content goes to the audit: whoever raised it is not who it may claim to be.
      yield* ignore("a decision event that names no stored decision was ignored (raised outside the approval API)");
      continue;
    }
    const read = yield* callActivity(ctx, "readDecision", w.retry, {
      ...w.ref,
      instanceId: ctx.df.instanceId,
      nonce: ref.nonce,
    });
    if (!read.ok || read.value.kind !== "found") {
      const why = read.ok ? "no decision is stored under it for this run" : `it could not be read: ${read.error}`;
      yield* ignore(`a decision event was ignored: ${why}`);
      continue;
    }
    const d = read.value.decision;
    const allowed = decisionAllowed(d.decision, d.principal, w.requester, w.twoPerson, { alertRun: w.alertRun });
    if (!allowed.ok) {
      yield* ignore(`${d.decision} by ${d.principal.name} ignored: ${allowed.reason}`, d);
      continue;
    }
    return d;
  }
}
