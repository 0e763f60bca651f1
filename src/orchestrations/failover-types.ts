// The orchestration's input and output: plain JSON, stored in the durable history and returned by the
// status API.
import type { PairConfig } from "../config/pair-schema";
import type { Verified } from "../activities/contracts";
import type { PromoteOption, ReplicaLag } from "../domain/facts";

export interface FailoverInput {
  runId: string;
  pair: string;
  option: PromoteOption;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  source: "http" | "alert";
  dryRun: boolean;
  /** The pair's policy as it was when the run started, so a replay never sees a changed setting. */
  policy: Pick<PairConfig, "ttl" | "timings" | "retry">;
}

export type Outcome = "succeeded" | "refused" | "failed" | "dryRun";

export type PhaseName =
  "preflight" | "lowerTtl" | "drain" | "promote" | "repoint" | "verify" | "stabilise" | "restoreTtl";

export interface PhaseRecord {
  phase: PhaseName;
  startedAt: string;
  endedAt: string;
  seconds: number;
  outcome: "ok" | "refused" | "failed" | "skipped";
  note?: string;
}

export interface FailoverStatus {
  step: PhaseName | "done";
  since: string;
  message: string;
  runId: string;
}

export interface FailoverOutput {
  outcome: Outcome;
  runId: string;
  pair: string;
  option: PromoteOption;
  dryRun: boolean;
  from: string | null;
  to: string | null;
  /** Where the CNAME points at the end, and why that is safe. */
  cname: { target: string | null; ttl: number | null; note: string };
  failedStep?: PhaseName;
  code?: string;
  reason?: string;
  warnings: string[];
  phases: PhaseRecord[];
  /** Seconds per part of the recovery time, up to the verified write through the CNAME. */
  rto: Partial<Record<Exclude<PhaseName, "stabilise" | "restoreTtl">, number>> & { total: number | null };
  /** The replica's lag just before the promote: the data a forced failover may lose. */
  rpo: ReplicaLag | null;
  verification: Verified | null;
}
