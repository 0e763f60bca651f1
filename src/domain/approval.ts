// Who must say yes before a failover changes anything, and whether an answer counts. Pure, so the
// two-person rule is tested without I/O, and checked again inside the orchestration.
import type { Principal } from "./principal";
import { ROLES } from "./roles";
import type { PromoteOption } from "./facts";

export type ApprovalMode = "never" | "forced" | "always";

export function needsApproval(mode: ApprovalMode, option: PromoteOption): boolean {
  return mode === "always" || (mode === "forced" && option === "Forced");
}

/** What the HTTP API raises on a run: a reference to the decision it stored, never the decision itself. */
export interface DecisionRef {
  nonce: string;
}

const NONCE = /^[0-9a-f]{48}$/;

/** A raised event's payload, if it has the shape of a decision reference (anything else is ignored). */
export function decisionRef(data: unknown): DecisionRef | undefined {
  const nonce = (data as { nonce?: unknown } | null | undefined)?.nonce;
  return typeof nonce === "string" && NONCE.test(nonce) ? { nonce } : undefined;
}

/** Entra object ids are GUIDs: the same person whatever the case a token or header spells them in. */
export function samePrincipal(a: Pick<Principal, "oid">, b: Pick<Principal, "oid">): boolean {
  return a.oid.trim().toLowerCase() === b.oid.trim().toLowerCase();
}

export type DecisionVerdict =
  { ok: true } | { ok: false; code: "MissingRole" | "SelfApproval" | "AlertIdentityApproval"; reason: string };

/**
 * An approval counts when it comes from a principal with Failover.Approve and, under the two-person rule,
 * not from the requester. An alert-started run needs a person: the identity that delivers alerts (it holds
 * Failover.Alert) cannot approve what an alert proposed. An abort counts from an approver or from the
 * requester (stopping is always safe), and on an alert run from anyone who may request a failover.
 */
export function decisionAllowed(
  decision: "approve" | "abort",
  by: Principal,
  requester: Principal,
  twoPerson: boolean,
  opts: { alertRun?: boolean } = {},
): DecisionVerdict {
  const isRequester = samePrincipal(by, requester);
  if (decision === "abort") {
    if (isRequester || by.roles.includes(ROLES.approve)) return { ok: true };
    // A person who may request a failover may stop one an alert proposed (their own request takes over).
    if (opts.alertRun && by.roles.includes(ROLES.request) && !by.roles.includes(ROLES.alert)) return { ok: true };
    return {
      ok: false,
      code: "MissingRole",
      reason: `${by.name} may not abort: needs the app role ${ROLES.approve} or to be the requester`,
    };
  }
  if (!by.roles.includes(ROLES.approve)) {
    return { ok: false, code: "MissingRole", reason: `${by.name} does not have the app role ${ROLES.approve}` };
  }
  if (opts.alertRun && (isRequester || by.roles.includes(ROLES.alert))) {
    return {
      ok: false,
      code: "AlertIdentityApproval",
      reason: `${by.name} delivers alerts (${ROLES.alert}) and cannot approve a failover an alert proposed: a person must`,
    };
  }
  if (twoPerson && isRequester) {
    return {
      ok: false,
      code: "SelfApproval",
      reason: `${by.name} requested this failover and cannot approve it: the pair requires a second person`,
    };
  }
  return { ok: true };
}
