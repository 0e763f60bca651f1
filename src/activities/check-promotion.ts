// Step 5 (polled by the orchestrator): is the promoted server writable? Both planes must agree: ARM says
// it is a Ready standalone server, and the server itself, reached by its own name, is out of recovery.
import { isReplicaRole, promotionDone } from "../domain/topology";
import { describeError } from "../domain/describe-error";
import type { CheckPromotionInput, CheckPromotionResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeCheckPromotion(deps: ActivityDeps) {
  return async (input: CheckPromotionInput): Promise<CheckPromotionResult> => {
    const pair = deps.pair(input.pair);
    const state = await deps.servers.get(input.server.resourceId);
    if (!promotionDone(state)) {
      const stillReplica = isReplicaRole(state.role) && state.state === "Ready";
      return {
        writable: false,
        state,
        inRecovery: null,
        detail: stillReplica
          ? `${state.name} is still a replica and not updating`
          : `ARM: state ${state.state}, role ${state.role}${state.sourceServerResourceId ? ", still has a source server" : ""}`,
      };
    }
    const name = state.fqdn ?? input.server.fqdn;
    if (!name) return { writable: false, state, inRecovery: null, detail: "ARM reports no fullyQualifiedDomainName" };
    try {
      const facts = await deps.probe.inspect(name, deps.login(pair), "verify-full");
      const writable = !facts.inRecovery && facts.transactionReadOnly === "off";
      return {
        writable,
        state,
        inRecovery: facts.inRecovery,
        detail: writable
          ? `${name} (${facts.address}) is out of recovery and read-write`
          : `${name}: in recovery ${facts.inRecovery}, transaction_read_only ${facts.transactionReadOnly}`,
      };
    } catch (e) {
      return {
        writable: false,
        state,
        inRecovery: null,
        detail: `ARM says promoted but ${name} is not answering: ${describeError(e)}`,
      };
    }
  };
}
