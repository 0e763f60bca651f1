// The data that crosses the orchestrator/activity boundary. Everything here is plain JSON (it is stored
// in the durable history) and holds no secrets.
import type { AuditEvent } from "../audit/journal";
import type { PromoteOption, ServerState } from "../domain/topology";

export interface RunRef {
  runId: string;
  pair: string;
}

export interface ServerRef {
  resourceId: string;
  name: string;
  aRecord: string;
  aRecordFqdn: string;
  fqdn?: string;
}

export interface CnameSnapshot {
  fqdn: string;
  target: string;
  ttl: number;
  etag: string;
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

export interface ReplicaLag {
  /** Bytes of WAL the primary wrote that the replica had not replayed (null when the primary was unreachable). */
  bytes: number | null;
  /** Seconds since the replica last replayed a transaction (null when it never has). */
  replaySeconds: number | null;
  measuredAt: string;
  primaryReachable: boolean;
  note?: string;
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

export interface PromoteInput extends RunRef {
  server: ServerRef;
  option: PromoteOption;
}

export type PromoteResult = { kind: "started" | "alreadyPromoted" | "inProgress"; state: ServerState } | Refusal;

export interface CheckPromotionInput extends RunRef {
  server: ServerRef;
  /** Which poll of the writable wait this is (for the audit). */
  poll?: number;
}

export interface CheckPromotionResult {
  writable: boolean;
  state: ServerState;
  /** pg_is_in_recovery() through the server's own name; null when it could not be asked. */
  inRecovery: boolean | null;
  detail: string;
}

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

export interface TlsFacts {
  protocol: string | null;
  subject: string;
  issuer: string;
  subjectAltNames: string;
  validTo: string;
}

export type VerifyResult =
  | { kind: "dnsNotYet"; answer: string | null; ttl: number | null }
  | {
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
  | (Refusal & { address?: string });

export interface RestoreTtlInput extends RunRef {
  ttl: number;
  /** The record targets that are ours (the old and new primary); anything else was changed by someone else. */
  ownTargets: string[];
}

export interface RecordEventInput extends RunRef {
  event: AuditEvent;
  summary: string;
  detail?: unknown;
}
