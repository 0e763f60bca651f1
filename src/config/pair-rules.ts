// Combinations of pair settings that each field allows alone but that together can only end badly. Reported
// like any other problem, under the field to change (PGFLEX_PAIRS[0].alerts.policy: …).
import { ARM_CALL_ALLOWANCE_SECONDS, HOST_FUNCTION_TIMEOUT_SECONDS } from "./host-limits";

/** The parts of a parsed pair the rules look at. */
export interface PairPolicyFields {
  probe: { connectTimeoutSeconds: number };
  timings: { promotePollSeconds: number };
  approval: { mode: "never" | "forced" | "always" };
  alerts: { policy: "off" | "propose" | "auto"; confirmTries: number; confirmSeconds: number };
}

export interface RuleIssue {
  path: string[];
  message: string;
}

const LIMIT = `host.json's functionTimeout (${HOST_FUNCTION_TIMEOUT_SECONDS} s): the activity would be cut off and retried`;

/** Upper estimate of one writable check (checkPromotion): its watch, one last connection, one ARM read. */
export function promoteCheckSeconds(p: PairPolicyFields): number {
  return p.timings.promotePollSeconds + p.probe.connectTimeoutSeconds + ARM_CALL_ALLOWANCE_SECONDS;
}

/** Upper estimate of confirming an alert (confirmDown): the pauses, and per look a connection and an ARM read. */
export function confirmDownSeconds(p: PairPolicyFields): number {
  const look = p.probe.connectTimeoutSeconds + ARM_CALL_ALLOWANCE_SECONDS;
  return p.alerts.confirmSeconds + p.alerts.confirmTries * look;
}

export function pairRuleIssues(p: PairPolicyFields): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const { policy, confirmTries, confirmSeconds } = p.alerts;
  if (policy === "auto" && p.approval.mode === "always")
    issues.push({
      path: ["alerts", "policy"],
      message:
        '"auto" fails over on an alert without approval, but approval.mode "always" says no failover runs without ' +
        'one: use "propose" (the alert\'s run waits for approval) or another approval.mode',
    });
  if (policy === "auto" && (confirmTries < 2 || confirmSeconds < 1))
    issues.push({
      path: ["alerts", confirmTries < 2 ? "confirmTries" : "confirmSeconds"],
      message:
        `with policy "auto" a forced failover starts without a person, so the primary must be seen down more than ` +
        `once and over time (confirmTries >= 2, confirmSeconds >= 1); got confirmTries ${confirmTries}, ` +
        `confirmSeconds ${confirmSeconds}`,
    });
  const check = promoteCheckSeconds(p);
  if (check > HOST_FUNCTION_TIMEOUT_SECONDS)
    issues.push({
      path: ["timings", "promotePollSeconds"],
      message:
        `one writable check may take promotePollSeconds + probe.connectTimeoutSeconds + ${ARM_CALL_ALLOWANCE_SECONDS} s ` +
        `for ARM = ${check} s, more than ${LIMIT}`,
    });
  const confirm = confirmDownSeconds(p);
  if (policy !== "off" && confirm > HOST_FUNCTION_TIMEOUT_SECONDS)
    issues.push({
      path: ["alerts", "confirmSeconds"],
      message:
        `confirming an alert may take confirmSeconds + confirmTries × (probe.connectTimeoutSeconds + ` +
        `${ARM_CALL_ALLOWANCE_SECONDS} s for ARM) = ${confirm} s, more than ${LIMIT}`,
    });
  return issues;
}
