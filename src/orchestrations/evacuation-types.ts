// A region evacuation: every pair whose primary is in the region fails over, in parallel (bounded), each
// as its own failover run (a sub-orchestration) with the same roles, approvals, safety rules and audit.
import type { Principal } from "../auth/principal";
import type { PromoteOption } from "../domain/facts";
import type { DataAtRisk } from "../domain/lag";
import type { PlannedPair } from "../activities/contracts";
import type { FailoverOutput, Outcome, PhaseRecord } from "./failover-types";

export interface EvacuationInput {
  runId: string;
  region: string;
  option: PromoteOption;
  reason: string;
  requester: Principal;
  note: string | null;
  requestedAt: string;
  /** Only these pairs (when given); otherwise every pair whose current primary is in the region. */
  pairs: string[] | null;
  acceptDataLoss: boolean;
  /** How many pairs fail over at once (ARM throttling is per subscription); default 8. */
  concurrency: number;
  /** One approval may cover the evacuation: the strictest rule of the pairs it includes. */
  policy: { approval: { twoPerson: boolean; timeoutMinutes: number } };
}

export type { PlannedPair };

export interface PairResult {
  pair: string;
  /** The pair's failover run (its own status URL), when one was started. */
  id: string | null;
  runId: string | null;
  /** running while its run goes; skipped: not in the region, or another run holds the pair. */
  outcome: Outcome | "running" | "skipped" | "notStarted";
  code?: string;
  reason?: string;
  rto?: number | null;
}

export type EvacuationOutcome = "succeeded" | "partial" | "failed" | "aborted" | "refused";

export interface EvacuationOutput {
  outcome: EvacuationOutcome;
  runId: string;
  region: string;
  option: PromoteOption;
  pairs: PairResult[];
  plan: PlannedPair[];
  summary: Record<string, number>;
  approval: { decision: "approve" | "abort" | "timeout"; by: Principal | null; reason: string; at: string } | null;
  /** The evacuation's own steps (plan, approval, failover), each with its times, outcome and note. */
  phases: PhaseRecord<Exclude<EvacuationStatus["step"], "done">>[];
  startedAt: string;
  endedAt: string;
  /** Set when the evacuation stopped before its pairs' runs ended (refused, aborted, or a step failed). */
  code?: string;
  reason?: string;
}

export interface EvacuationStatus {
  step: "plan" | "approval" | "failover" | "done";
  since: string;
  message: string;
  runId: string;
  /** The pairs' runs so far (their live step is read from each run's own status). */
  pairs: PairResult[];
  awaitingApproval?: {
    region: string;
    option: PromoteOption;
    requester: Principal;
    reason: string;
    pairs: { pair: string; primary: string | null; risk: DataAtRisk | null }[];
    twoPerson: boolean;
    expiresAt: string;
  };
}

/** The summary line of an evacuation: how many pairs ended which way. */
export function summarize(results: PairResult[]): Record<string, number> {
  const s: Record<string, number> = { total: results.length };
  for (const r of results) s[r.outcome] = (s[r.outcome] ?? 0) + 1;
  return s;
}

/** The evacuation's outcome from its pairs' outcomes. */
export function evacuationOutcome(results: PairResult[]): EvacuationOutcome {
  const ok = results.filter((r) => r.outcome === "succeeded").length;
  if (results.length === 0) return "refused";
  if (ok === results.length) return "succeeded";
  return ok > 0 ? "partial" : "failed";
}

export type { FailoverOutput };
