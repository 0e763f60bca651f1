// Step 5 (polled by the orchestrator): is the promoted server writable? Both planes must agree: ARM says
// it is a Ready standalone server, and the server itself, reached by its own name, is out of recovery.
import { describeError } from "../domain/describe-error";
import { isReplicaRole, promotionDone } from "../domain/topology";
import type { CheckPromotionInput, CheckPromotionResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeCheckPromotion(deps: ActivityDeps) {
  return async (input: CheckPromotionInput): Promise<CheckPromotionResult> => {
    const pair = deps.pair(input.pair);
    const state = await deps.servers.get(input.server.resourceId);
    const checked = { kind: "checked" as const, state, inRecovery: null };
    if (!promotionDone(state)) {
      if (isReplicaRole(state.role) && state.state === "Ready") {
        return { ...checked, progress: "notStarted", detail: `${state.name} is still a replica and not updating` };
      }
      const source = state.sourceServerResourceId ? ", still has a source server" : "";
      return { ...checked, progress: "promoting", detail: `ARM: state ${state.state}, role ${state.role}${source}` };
    }
    const name = state.fqdn ?? input.server.fqdn;
    if (!name) return { ...checked, progress: "promoting", detail: "ARM reports no fullyQualifiedDomainName" };
    try {
      const facts = await deps.probe.inspect(name, deps.login(pair), "verify-full");
      const writable = !facts.inRecovery && facts.transactionReadOnly === "off";
      return {
        ...checked,
        progress: writable ? "writable" : "promoting",
        inRecovery: facts.inRecovery,
        detail: writable
          ? `${name} (${facts.address}) is out of recovery and read-write`
          : `${name}: in recovery ${facts.inRecovery}, transaction_read_only ${facts.transactionReadOnly}`,
      };
    } catch (e) {
      return {
        ...checked,
        progress: "promoting",
        detail: `ARM says promoted but ${name} is not answering: ${describeError(e)}`,
      };
    }
  };
}
