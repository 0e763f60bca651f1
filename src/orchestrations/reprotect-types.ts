// The re-protect orchestration's input and output: plain JSON, stored in the durable history and returned by
// the status API.
import type { ReprotectPlan } from "../activities/reprotect-contracts";
import type { Principal } from "../auth/principal";
import type { DataAtRisk } from "../domain/lag";
import type { RetireOld } from "../domain/reprotect";
import type { Outcome } from "../domain/codes";
import type { FailoverOutput, PhaseRecord, RunPolicy } from "./failover-types";

export const REPROTECT_PHASES = ["plan", "approval", "create", "replicate", "join", "retire", "dryRun"] as const;
export type ReprotectPhase = (typeof REPROTECT_PHASES)[number];

export interface ReprotectInput {
  runId: string;
  pair: string;
  reason: string;
  requester: Principal;
  note: string | null;
  requestedAt: string;
  region: string | null;
  name: string | null;
  retireOld: RetireOld;
  /** The pair's policy when the run started (a delete always asks a second person: twoPerson is forced on). */
  policy: RunPolicy;
  /** Whether a person approves before anything changes (the pair's rule, or always for a delete). */
  needsApproval: boolean;
}

export interface ReprotectApprovalRequest {
  kind: "reprotect";
  pair: string;
  primary: string;
  old: string;
  replica: { name: string; location: string };
  retireOld: RetireOld;
  /** What a delete may destroy: writes the old server holds that the primary never received. */
  oldRisk: DataAtRisk | null;
  requester: Principal;
  reason: string;
  twoPerson: boolean;
  expiresAt: string;
  warnings: string[];
}

export interface ReprotectStatus {
  step: ReprotectPhase | "done";
  since: string;
  message: string;
  runId: string;
  awaitingApproval?: ReprotectApprovalRequest;
}

export interface ReprotectOutput {
  outcome: Exclude<Outcome, "falseAlarm" | "dryRun">;
  runId: string;
  pair: string;
  primary: string | null;
  /** The new replica, once ARM has it (also when the run stopped later: it is said, never left silently). */
  replica: { name: string; resourceId: string; location: string; aRecord: string | null; joined: boolean } | null;
  old: { name: string; retired: RetireOld | null; note: string } | null;
  plan: ReprotectPlan | null;
  approval: { decision: "approve" | "abort" | "timeout"; by: Principal | null; reason: string; at: string } | null;
  /** The dry run of the next failover, the proof that the pair is protected again. */
  nextFailover: Pick<FailoverOutput, "outcome" | "from" | "to" | "warnings" | "code" | "reason" | "rpo"> | null;
  failedStep?: ReprotectPhase;
  code?: string;
  reason?: string;
  warnings: string[];
  phases: PhaseRecord<ReprotectPhase>[];
}
