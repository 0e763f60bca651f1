// Step 6 (polled by the orchestrator): is the promoted server writable? Watched for a short window: the
// server's own name (verify-full) several times a second, so the moment it leaves recovery is seen at
// once; ARM every few seconds, to tell "not started" (a Ready replica, not updating) from "promoting".
import type { ServerState } from "../domain/facts";
import { describeError } from "../domain/describe-error";
import { isReplicaRole } from "../domain/topology";
import type { CheckPromotionInput, CheckPromotionResult, PromotionProgress } from "./contracts";
import type { ActivityDeps } from "./deps";
import { watch } from "./watch";

const ARM_EVERY_MS = 5000;

interface Look {
  progress: PromotionProgress;
  state: ServerState;
  inRecovery: boolean | null;
  detail: string;
}

export function makeCheckPromotion(deps: ActivityDeps) {
  return async (input: CheckPromotionInput): Promise<CheckPromotionResult> => {
    const pair = deps.pair(input.pair);
    const login = deps.login(pair);
    let state = await deps.servers.get(input.server.resourceId);
    let armAt = Date.now();
    const name = state.fqdn ?? input.server.fqdn ?? input.server.aRecordFqdn;
    const look = async (): Promise<Look> => {
      if (Date.now() - armAt >= ARM_EVERY_MS) {
        state = await deps.servers.get(input.server.resourceId).catch(() => state);
        armAt = Date.now();
      }
      const arm = `ARM: state ${state.state}, role ${state.role}${state.sourceServerResourceId ? ", still has a source server" : ""}`;
      try {
        const facts = await deps.probe.inspect(name, login, "verify-full");
        if (!facts.inRecovery && facts.transactionReadOnly === "off") {
          return {
            progress: "writable",
            state,
            inRecovery: false,
            detail: `${name} (${facts.address}) is out of recovery and read-write; ${arm}`,
          };
        }
        const idle = isReplicaRole(state.role) && state.state === "Ready";
        const plane = `${name}: in recovery ${facts.inRecovery}, transaction_read_only ${facts.transactionReadOnly}`;
        return {
          progress: idle ? "notStarted" : "promoting",
          state,
          inRecovery: facts.inRecovery,
          detail: `${plane}; ${arm}`,
        };
      } catch (e) {
        return {
          progress: "promoting",
          state,
          inRecovery: null,
          detail: `${name} is not answering (${describeError(e)}); ${arm}`,
        };
      }
    };
    const last = await watch(look, (l) => l.progress === "writable", { seconds: input.watchSeconds, everyMs: 250 });
    if (last.progress === "notStarted")
      last.detail = `${state.name} is still a replica and not updating (${last.detail})`;
    return { kind: "checked", ...last };
  };
}
