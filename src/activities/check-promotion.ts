// Step 6 (polled by the orchestrator): is the promoted server writable? Watched for a short window: the
// server's own name (verify-full) every 100 ms, so the moment it leaves recovery is seen at once; ARM every
// few seconds, alongside (never before) the data plane, to tell "not started" (a Ready replica, not updating)
// from "promoting".
import type { ServerState } from "../domain/facts";
import { describeError } from "../domain/describe-error";
import { isReplicaRole } from "../domain/topology";
import type { ServerFacts } from "../probe/postgres-probe";
import type { CheckPromotionInput, CheckPromotionResult, PromotionProgress } from "./contracts";
import type { ActivityDeps } from "./deps";
import { watch } from "./watch";

const ARM_EVERY_MS = 5000;
const DATA_PLANE_EVERY_MS = 100;

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
    const readArm = () => deps.servers.get(input.server.resourceId);
    // The first ARM read must succeed (a transient failure is retried by the policy); later ones may fail.
    let state: ServerState | undefined = input.server.fqdn ? undefined : await readArm();
    let armAt = state ? Date.now() : 0;
    const name = input.server.fqdn ?? state?.fqdn ?? input.server.aRecordFqdn;
    const look = async (): Promise<Look> => {
      const armDue = Date.now() - armAt >= ARM_EVERY_MS;
      if (armDue) armAt = Date.now();
      const [arm, plane] = await Promise.all([
        armDue ? (state ? readArm().catch(() => state!) : readArm()) : Promise.resolve(state!),
        deps.probe.inspect(name, login, "verify-full").then(
          (f): ServerFacts | Error => f,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        ),
      ]);
      state = arm;
      const armNote = `ARM: state ${arm.state}, role ${arm.role}${arm.sourceServerResourceId ? ", still has a source server" : ""}`;
      if (plane instanceof Error) {
        return {
          progress: "promoting",
          state: arm,
          inRecovery: null,
          detail: `${name} is not answering (${describeError(plane)}); ${armNote}`,
        };
      }
      if (!plane.inRecovery && plane.transactionReadOnly === "off") {
        return {
          progress: "writable",
          state: arm,
          inRecovery: false,
          detail: `${name} (${plane.address}) is out of recovery and read-write; ${armNote}`,
        };
      }
      const idle = isReplicaRole(arm.role) && arm.state === "Ready";
      const detail = `${name}: in recovery ${plane.inRecovery}, transaction_read_only ${plane.transactionReadOnly}; ${armNote}`;
      return { progress: idle ? "notStarted" : "promoting", state: arm, inRecovery: plane.inRecovery, detail };
    };
    const last = await watch(look, (l) => l.progress === "writable", {
      seconds: input.watchSeconds,
      everyMs: DATA_PLANE_EVERY_MS,
    });
    if (last.progress === "notStarted")
      last.detail = `${last.state.name} is still a replica and not updating (${last.detail})`;
    return { kind: "checked", ...last };
  };
}
