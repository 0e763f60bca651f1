// Who must say yes before a failover changes anything, and whether an answer counts. Pure, so the
// two-person rule is tested without I/O, and checked again inside the orchestration.
import type { Principal } from "../auth/principal";
import { ROLES } from "../auth/roles";
import type { PromoteOption } from "./facts";

export type ApprovalMode = "never" | "forced" | "always";

export function needsApproval(mode: ApprovalMode, option: PromoteOption): boolean {
  return mode === "always" || (mode === "forced" && option === "Forced");
}

/**
 * An approval counts when it comes from a principal with Failover.Approve and, under the two-person rule,
 * not from the requester. An abort counts from an approver or from the requester (stopping is always safe).
 */
export function decisionAllowed(
  decision: "approve" | "abort",
  by: Principal,
  requester: Principal,
  twoPerson: boolean,
): { ok: true } | { ok: false; code: "MissingRole" | "SelfApproval"; reason: string } {
  const isRequester = by.oid === requester.oid;
  if (decision === "abort") {
    if (isRequester || by.roles.includes(ROLES.approve)) return { ok: true };
    return {
      ok: false,
      code: "MissingRole",
      reason: `${by.name} may not abort: needs the app role ${ROLES.approve} or to be the requester`,
    };
  }
  if (!by.roles.includes(ROLES.approve)) {
    return { ok: false, code: "MissingRole", reason: `${by.name} does not have the app role ${ROLES.approve}` };
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
