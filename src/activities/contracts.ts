// The data that crosses the orchestrator/activity boundary. Everything here is plain JSON (it is stored
// in the durable history) and holds no secrets. Every result can be a Refusal: a permanent answer the
// orchestrator stops on without retrying.
import type { AuditEvent } from "../audit/journal";
import type { CnameSnapshot, PromoteOption, ReplicaLag, ServerRef, ServerState, TlsFacts } from "../domain/facts";
import type { DataAtRisk } from "../domain/lag";
import type { Liveness } from "../domain/liveness";
import type { OperationStatus, Promotion } from "../domain/promotion";
import type { Availability } from "../azure/resource-health";
import type { Fenced } from "./fencing";
import type { Principal } from "../auth/principal";
import type { RunPolicy } from "../config/pair-schema";
import type { Lease } from "../state/pair-leases";

export type { Fenced };

export interface RunRef {
  runId: string;
  pair: string;
}

/** A permanent refusal: the orchestrator stops on it and does not retry. */
export interface Refusal {
  kind: "refused";
  code: string;
  reason: string;
}

export interface PreflightInput extends RunRef {
  option: PromoteOption;
  dryRun: boolean;
  /** "complete": finish a failover whose target is already a standalone writable server. */
  mode: "failover" | "complete";
}

/** What a server's own name answers on the data plane (null fields: it did not answer). */
export interface DataPlane {
  reachable: boolean;
  inRecovery: boolean | null;
  /** default_transaction_read_only for new sessions: "on" means fenced. */
  readOnlyDefault: string | null;
  error?: string;
}

export type PlannedServer = ServerRef & { fqdn: string; state: ServerState; dataPlane: DataPlane };

export type PreflightResult =
  | {
      kind: "ready";
      mode: "failover" | "complete";
      cname: CnameSnapshot;
      from: PlannedServer;
      to: PlannedServer;
      /** The replica's lag measured now (both servers answering), else null. */
      lag: ReplicaLag | null;
      /** The data a promote now may lose: measured, or the last sample with the primary alive. */
      risk: DataAtRisk;
      /** The old primary's fence parameter as ARM reports it before the run (restored if the run stops before the promote); null when ARM could not tell. */
      fenceBefore: string | null;
      warnings: string[];
    }
  | (Refusal & { cname?: CnameSnapshot; servers?: ServerState[] });

export interface FenceInput extends RunRef {
  server: ServerRef;
}

export type FenceResult = Fenced | Refusal;

export interface FenceByArmInput extends RunRef {
  server: ServerRef;
  /** How long ARM may take to apply the parameter before this attempt gives up. */
  timeoutSeconds: number;
}

export type FenceByArmResult = { kind: "parameterSet"; server: string; at: string } | Refusal;

export interface LiftFenceInput extends RunRef {
  server: ServerRef;
  previousValue: string;
}

export type LiftFenceResult = { kind: "lifted"; value: string } | Refusal;

export interface CatchUpInput extends RunRef {
  /** The replica, by its own name. */
  server: ServerRef;
  /** The old primary's WAL position after the fence. */
  lsn: string;
  /** How long this call watches before reporting "not yet". */
  watchSeconds: number;
  poll?: number;
}

export type CatchUpResult =
  { kind: "checked"; caughtUp: boolean; replayLsn: string | null; lagBytes: number | null; detail: string } | Refusal;

export interface WatchFenceInput extends RunRef {
  server: ServerRef;
  watchHours: number;
  action: "readOnly" | "stop";
}

export type WatchFenceResult = { kind: "watching"; until: string } | Refusal;

export interface LowerTtlInput extends RunRef {
  expected: CnameSnapshot;
  ttl: number;
}

export type TtlResult = { kind: "done"; ttl: number; previousTtl: number; etag: string; changed: boolean } | Refusal;

export interface RestoreTtlInput extends RunRef {
  ttl: number;
  /** The record targets that are ours (the old and new primary); anything else was changed by someone else. */
  ownTargets: string[];
}

export interface PromoteInput extends RunRef {
  server: ServerRef;
  option: PromoteOption;
  /** Planned: the replica's source (the old primary), which must be Ready too. */
  source?: ServerRef;
}

export type PromoteResult =
  | {
      kind: "started" | "alreadyPromoted" | "inProgress";
      state: ServerState;
      note?: string;
      /** The promote's operation status URL (Azure-AsyncOperation), polled by checkPromotion. */
      operationUrl?: string;
    }
  | Refusal;

export interface CheckPromotionInput extends RunRef {
  server: ServerRef;
  /** The promote's operation status URL, when the promote step got one. */
  operationUrl?: string;
  /** How long this call watches (the data plane several times a second) before reporting "not yet". */
  watchSeconds: number;
  /** Which poll of the writable wait this is (for the audit). */
  poll?: number;
}

/** Where a promote stands (src/domain/promotion.ts decides it). */
export type PromotionProgress = Promotion;

export type CheckPromotionResult =
  | {
      kind: "checked";
      progress: PromotionProgress;
      state: ServerState;
      /** pg_is_in_recovery() through the server's own name; null when it could not be asked. */
      inRecovery: boolean | null;
      /** The promote's operation status, when its URL is known and could be read. */
      operation: { status: OperationStatus; error?: string } | null;
      detail: string;
    }
  | Refusal;

export interface RepointInput extends RunRef {
  fromTarget: string;
  toTarget: string;
}

export type RepointResult =
  { kind: "done"; changed: boolean; cname: CnameSnapshot } | (Refusal & { cname?: CnameSnapshot });

export interface VerifyInput extends RunRef {
  expectedTarget: string;
  server: ServerRef;
  /** DNS must answer the expected target this many times in a row before the TLS proof. */
  answers: number;
  poll?: number;
}

export interface Verified {
  kind: "verified";
  name: string;
  cnameChain: string[];
  address: string;
  tls: TlsFacts;
  inRecovery: false;
  transactionReadOnly: "off";
  wroteAndRolledBack: true;
  serverVersion: string;
  verifyFull: { ok: boolean; error?: string };
  /** The answers DNS gave in a row for the new target before the proof. */
  dnsAnswers: number;
}

export type VerifyResult =
  | { kind: "dnsNotYet"; answer: string | null; ttl: number | null; inARow: number }
  | Verified
  | (Refusal & { address?: string });

export interface RecordEventInput extends RunRef {
  event: AuditEvent;
  summary: string;
  detail?: unknown;
}

export interface ReadDecisionInput extends RunRef {
  /** The run's own instance id: a decision stored for another instance is not found. */
  instanceId: string;
  nonce: string;
}

export type ReadDecisionResult =
  | { kind: "found"; decision: { decision: "approve" | "abort"; principal: Principal; reason: string; at: string } }
  | { kind: "unknown" }
  | Refusal;

export interface ConfirmDownInput extends RunRef {
  server: ServerRef;
  tries: number;
  windowSeconds: number;
}

export type ConfirmDownResult =
  | {
      kind: "checked";
      /** Each look at the server by its own name: down (network-level failure), alive (any reply), unknown. */
      tries: { liveness: Liveness; detail: string }[];
      arm: { state: string | null; detail: string };
      health: { state: Availability["state"] | null; detail: string };
    }
  | Refusal;

export interface PlanEvacuationInput extends RunRef {
  region: string;
  option: PromoteOption;
  pairs: string[] | null;
}

/** One pair as the evacuation plans it. */
export interface PlannedPair {
  pair: string;
  included: boolean;
  /** Why it is in or out (its primary's region, or what could not be read). */
  reason: string;
  primary: string | null;
  region: string | null;
  /** The pair's policy at planning time (copied into its run). */
  policy: RunPolicy | null;
  /** Whether this pair's own approval rule asks for a person for this option. */
  needsApproval: boolean;
  /** The last lag sample with the primary alive: what a forced promote may lose. */
  risk: DataAtRisk | null;
}

export type PlanEvacuationResult = { kind: "planned"; plan: PlannedPair[] } | Refusal;

export interface ClaimPairInput extends RunRef {
  /** The evacuation's region and reason, for the pair's audit. */
  region: string;
  option: PromoteOption;
  reason: string;
  requester: Principal;
  childRunId: string;
  instanceId: string;
}

export type ClaimPairResult = { kind: "claimed" } | { kind: "held"; holder: Lease } | Refusal;
