// The data that crosses the re-protect orchestration's activity boundary (plain JSON, no secrets). Every result
// can be a Refusal: a permanent answer the orchestrator stops on.
import type { ServerNetwork, ServerRef, ServerState } from "../domain/facts";
import type { DataAtRisk } from "../domain/lag";
import type { OperationStatus } from "../domain/promotion";
import type { RetireOld } from "../domain/reprotect";
import type { Principal } from "../domain/principal";
import type { Refusal, RunRef } from "./contracts";

export interface PlanReprotectInput extends RunRef {
  /** The region of the new replica; null: the old server's region. */
  region: string | null;
  /** The new replica's name; null: derived from the old server's name and the run. */
  name: string | null;
  retireOld: RetireOld;
}

export interface ReprotectPlan {
  kind: "planned";
  /** The primary: what the CNAME serves, proven writable. */
  primary: ServerRef & { fqdn: string; location: string | null };
  /** The member being replaced (null state: ARM no longer has it). */
  old: ServerRef & { state: ServerState | null };
  /** The replica to create. */
  target: { resourceId: string; name: string; location: string; network: ServerNetwork | null };
  /**
   * Writes the old server may hold that the primary never received (its last lag sample as primary): what a
   * delete destroys. Shown to the approver of a delete.
   */
  oldRisk: DataAtRisk;
  warnings: string[];
}
export type PlanReprotectResult = ReprotectPlan | Refusal;

export interface CreateReplicaInput extends RunRef {
  target: ReprotectPlan["target"];
  sourceServerResourceId: string;
}
export type CreateReplicaResult =
  | { kind: "started"; operationUrl: string | null; firstPoll: { status: OperationStatus; error?: string } | null }
  /** A retry (or a host restart) finds the replica this run asked for already there. */
  | { kind: "exists" }
  | Refusal;

export interface CheckReplicaInput extends RunRef {
  target: { resourceId: string; name: string };
  primary: { resourceId: string; fqdn: string };
  operationUrl: string | null;
  maxLagBytes: number;
  /** Which poll this is (the audit numbers polls, not retries). */
  poll: number;
}
export type CheckReplicaResult =
  { kind: "ready"; fqdn: string; aRecord: string; lagBytes: number } | { kind: "waiting"; detail: string } | Refusal;

export interface JoinPairInput extends RunRef {
  /** The member that leaves (the old server). */
  remove: string;
  /** The new replica that takes its place. */
  add: { resourceId: string; aRecord: string };
  reason: string;
  requester: Principal;
}
export type JoinPairResult = { kind: "joined"; members: { resourceId: string; aRecord: string }[] } | Refusal;

export interface RetireServerInput extends RunRef {
  server: { resourceId: string; name: string };
  how: "stop" | "delete";
}
export type RetireServerResult =
  | { kind: "started"; operationUrl: string | null }
  /** Already stopped, or already gone. */
  | { kind: "done"; note: string }
  | Refusal;

export interface CheckOperationInput extends RunRef {
  operationUrl: string;
  poll: number;
}
export type CheckOperationResult = { status: OperationStatus; error?: string } | Refusal;
