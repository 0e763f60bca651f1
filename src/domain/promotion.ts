// Where a promote stands, from what the app sees (pure: every case is a unit test). The data plane is the
// proof — the promoted server's own name out of recovery and read-write — and the promote's own long-running
// operation is the verdict on whether Azure is still at it (InProgress) or gave up (Failed); ARM's server
// fields are evidence. Microsoft documents the replica's progress only in replica.replicationState
// (Reconfiguring → Updating → Catchup), not as its state leaving Ready (shared/reference/azure-arm.md 1.4),
// so a Ready replica is "not started" only when neither the operation nor replicationState says otherwise.
import type { ServerState } from "./facts";
import { isReplicaRole } from "./topology";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

export interface PromotionLook {
  /** What the server's own name answered; null when it did not answer. */
  plane: { inRecovery: boolean; transactionReadOnly: string } | null;
  /** ARM's view of the server; null when it could not be read. */
  arm: ServerState | null;
  /** The promote's operation status (Azure-AsyncOperation), when the run knows its URL and could read it. */
  operation: { status: OperationStatus; error?: string } | null;
}

/**
 * writable: proven on the data plane. failed: Azure says the operation failed and the server is still in
 * recovery (nothing was promoted: the fence may be lifted). promoting: still under way, or not known.
 * notStarted: a Ready replica whose operation (if known) succeeded or is unknown, replicating Active.
 */
export type Promotion = "writable" | "failed" | "promoting" | "notStarted";

const PROMOTING_REPLICATION = new Set(["reconfiguring", "updating", "catchup", "provisioning"]);

export function promotionOf(l: PromotionLook): Promotion {
  if (l.plane && !l.plane.inRecovery && l.plane.transactionReadOnly === "off") return "writable";
  const op = l.operation?.status;
  if (op === "Failed" || op === "Canceled") return l.plane?.inRecovery === true ? "failed" : "promoting";
  if (op === "InProgress") return "promoting";
  const arm = l.arm;
  if (!arm) return "promoting";
  if (arm.replicationState && PROMOTING_REPLICATION.has(arm.replicationState.toLowerCase())) return "promoting";
  if (arm.state !== "Ready" || !isReplicaRole(arm.role)) return "promoting";
  return "notStarted";
}

/** Azure's busy answers (overlapping operations; a server Updating): transient, retried with backoff. */
export const BUSY_CODES = ["ServerBusy", "ServerIsBusy", "ServerIsNotReady", "OperationInProgress"] as const;

/** True when an ARM error (its code, or an LRO failure's message "… has failed. ServerBusy. …") means busy. */
export function isBusy(code: string | undefined, message: string | undefined): boolean {
  if (code && (BUSY_CODES as readonly string[]).includes(code)) return true;
  return !!message && new RegExp(`\\b(${BUSY_CODES.join("|")})\\b`).test(message);
}
