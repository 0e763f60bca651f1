// Polled by the orchestrator: where does the promote stand? Watched for a short window: the server's own
// name (verify-full) every 100 ms, so the moment it leaves recovery is seen at once; ARM and the promote's
// own operation every few seconds, alongside (never before) the data plane. The data plane decides what is
// true: a server writable by its own name is writable whatever ARM answers (a 403 on the ARM read included);
// ARM and the operation only tell "still promoting" from "failed" or "not started" (src/domain/promotion.ts).
import { describeError } from "../domain/describe-error";
import type { ServerState } from "../domain/facts";
import { promotionOf, type OperationStatus } from "../domain/promotion";
import type { ServerFacts } from "../probe/postgres-probe";
import type { CheckPromotionInput, CheckPromotionResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { watch } from "./watch";

/** How often ARM and the promote's operation are read while the data plane is watched (tests shorten it). */
const ARM_EVERY_MS = 5000;
const DATA_PLANE_EVERY_MS = 100;

type Look = Omit<Extract<CheckPromotionResult, { kind: "checked" }>, "kind">;
type Operation = { status: OperationStatus; error?: string };

export function makeCheckPromotion(deps: ActivityDeps, o: { armEveryMs?: number } = {}) {
  const armEveryMs = o.armEveryMs ?? ARM_EVERY_MS;
  return async (input: CheckPromotionInput): Promise<CheckPromotionResult> => {
    const pair = await deps.pair(input.pair);
    const login = deps.login(pair);
    let arm: ServerState | null = null;
    // Stryker disable next-line StringLiteral: never shown — armAt starts at 0, so the first look reads ARM first
    let armNote = "ARM not read yet";
    let operation: Operation | null = null;
    let armAt = 0;
    const readControlPlane = async () => {
      const [s, op] = await Promise.all([
        deps.servers.get(input.server.resourceId).then(
          (x): ServerState | Error => x,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        ),
        input.operationUrl
          ? deps.servers.operationStatus(input.operationUrl).catch(() => operation)
          : Promise.resolve(null),
      ]);
      operation = op;
      if (s instanceof Error) armNote = `ARM: ${describeError(s)}`;
      else {
        arm = s;
        armNote = `ARM: state ${s.state}, role ${s.role}${s.replicationState ? `, replication ${s.replicationState}` : ""}${s.sourceServerResourceId ? ", still has a source server" : ""}`;
      }
      if (operation) armNote += `; operation ${operation.status}${operation.error ? ` (${operation.error})` : ""}`;
    };
    const name = input.server.fqdn ?? input.server.aRecordFqdn;
    const look = async (): Promise<Look> => {
      const due = Date.now() - armAt >= armEveryMs;
      if (due) armAt = Date.now();
      const [, plane] = await Promise.all([
        due ? readControlPlane() : Promise.resolve(),
        deps.probe.inspect(name, login, "verify-full").then(
          (f): ServerFacts | Error => f,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        ),
      ]);
      const answered = plane instanceof Error ? null : plane;
      const progress = promotionOf({
        plane: answered && { inRecovery: answered.inRecovery, transactionReadOnly: answered.transactionReadOnly },
        arm,
        operation,
      });
      const said = answered
        ? `${name} (${answered.address}): in recovery ${answered.inRecovery}, transaction_read_only ${answered.transactionReadOnly}`
        : `${name} is not answering (${describeError(plane)})`;
      return {
        progress,
        state: arm ?? { resourceId: input.server.resourceId, name: input.server.name },
        inRecovery: answered ? answered.inRecovery : null,
        operation,
        detail: `${said}; ${armNote}`,
      };
    };
    const last = await watch(look, (l) => l.progress === "writable" || l.progress === "failed", {
      seconds: input.watchSeconds,
      everyMs: DATA_PLANE_EVERY_MS,
    });
    if (last.progress === "notStarted")
      last.detail = `${last.state.name} is still a replica and not promoting (${last.detail})`;
    return { kind: "checked", ...last };
  };
}
