// The data that crosses the orchestrator/activity boundary. Everything here is plain JSON (it is stored
// in the durable history) and holds no secrets. Every result can be a Refusal: a permanent answer the
// orchestrator stops on without retrying.
import type { AuditEvent } from "../audit/journal";
import type { CnameSnapshot, PromoteOption, ReplicaLag, ServerRef, ServerState, TlsFacts } from "../domain/facts";

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
}

export type PreflightResult =
  | {
      kind: "ready";
      cname: CnameSnapshot;
      from: ServerRef & { state: ServerState };
      to: ServerRef & { state: ServerState };
      lag: ReplicaLag | null;
      warnings: string[];
    }
  | (Refusal & { cname?: CnameSnapshot; servers?: ServerState[] });

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
}

export type PromoteResult =
  { kind: "started" | "alreadyPromoted" | "inProgress"; state: ServerState; note?: string } | Refusal;

export interface CheckPromotionInput extends RunRef {
  server: ServerRef;
  /** Which poll of the writable wait this is (for the audit). */
  poll?: number;
}

/**
 * Where a promote stands: `notStarted` (ARM shows a Ready replica, not updating), `promoting` (ARM is
 * updating, or says promoted while the server is not yet read-write), `writable` (both planes agree).
 */
export type PromotionProgress = "notStarted" | "promoting" | "writable";

export type CheckPromotionResult =
  | {
      kind: "checked";
      progress: PromotionProgress;
      state: ServerState;
      /** pg_is_in_recovery() through the server's own name; null when it could not be asked. */
      inRecovery: boolean | null;
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
}

export type VerifyResult =
  { kind: "dnsNotYet"; answer: string | null; ttl: number | null } | Verified | (Refusal & { address?: string });

export interface RecordEventInput extends RunRef {
  event: AuditEvent;
  summary: string;
  detail?: unknown;
}
