// The orchestration's input and output: plain JSON, stored in the durable history and returned by the
// status API.
import type { RunPolicy } from "../config/pair-schema";
import type { Verified } from "../activities/contracts";
import type { PromoteOption, ReplicaLag } from "../domain/facts";
import type { DataAtRisk } from "../domain/lag";
import type { Principal } from "../auth/principal";

export interface FailoverInput {
  runId: string;
  pair: string;
  option: PromoteOption;
  reason: string;
  /** The verified caller (Entra, through App Service Authentication). */
  requester: Principal;
  /** Free text the caller may add (the old `requestedBy`); never an identity. */
  note: string | null;
  requestedAt: string;
  source: "http" | "alert" | "evacuation";
  dryRun: boolean;
  /** "complete": the target is already promoted; fence the old primary, repoint, verify. */
  mode: "failover" | "complete";
  /** Forced: promote even above the pair's rpo.maxLagBytes, or with the data at risk unknown. */
  acceptDataLoss: boolean;
  /** The pair's policy as it was when the run started, so a replay never sees a changed setting. */
  policy: RunPolicy;
  /** Set when an Azure Monitor alert started the run: the run confirms it before anything else. */
  alert?: AlertRef;
  /**
   * Set when the run is one pair of a region evacuation. `acceptedRisk`: the data at risk the evacuation's
   * approver was shown for this pair (null: not approved by a person); a run that measures more, or cannot
   * tell, stops for its own approval.
   */
  evacuation?: { id: string; runId: string; approvedBy: string | null; acceptedRisk?: { bytes: number | null } | null };
}

/** The alert that started a run, as the approver and the audit see it. */
export interface AlertRef {
  alertId: string;
  rule: string;
  firedAt: string | null;
  severity: string | null;
  description: string | null;
  /** The server the alert is about (the primary when it fired). */
  targetId: string;
}

export type { RunPolicy };

/** An approver's answer, raised as the external event "decision" by POST /api/failovers/{id}/approve|abort. */
export interface Decision {
  decision: "approve" | "abort";
  principal: Principal;
  reason: string;
  at: string;
}

/** What a run waiting for approval shows: the plan a second person says yes or no to. */
export interface ApprovalRequest {
  from: string;
  to: string;
  option: PromoteOption;
  mode: "failover" | "complete";
  requester: Principal;
  reason: string;
  risk: DataAtRisk | null;
  /** True when approving also accepts data loss above the pair's RPO threshold (or unknown). */
  acceptsDataLoss: boolean;
  /** The longest the run may take once approved: the waits it commits to, each at its deadline. */
  predictedRtoSeconds: { drain: number; atMost: number };
  twoPerson: boolean;
  expiresAt: string;
  warnings: string[];
  /** Set when an alert started the run: the alert and what the confirmation saw. */
  alert?: AlertRef & { confirmation: string[] };
}

export type { Outcome } from "../domain/codes";
import type { Outcome } from "../domain/codes";

/** The phases up to the verified write through the CNAME, in the order a run takes them: the parts of its RTO. */
export const RTO_PHASES = [
  "preflight",
  "confirm",
  "approval",
  "lowerTtl",
  "drain",
  "fence",
  "catchUp",
  "promote",
  "repoint",
  "verify",
] as const;
export type RtoPhase = (typeof RTO_PHASES)[number];

export type PhaseName = RtoPhase | "stabilise" | "restoreTtl";

/** The old primary's fence at the end of a run. */
export interface FenceOutcome {
  server: string;
  /**
   * fenced: new sessions read-only, old sessions ended; lifted: put back after the run stopped before
   * the promote; fencedByArm: new sessions read-only (set through ARM), its open sessions not yet ended (the
   * fence watch ends them when it answers); watching: not fenced yet (it did not answer), fenced when it
   * comes back; none: not fenced (the run stopped before the fence).
   */
  state: "fenced" | "lifted" | "fencedByArm" | "watching" | "none";
  note: string;
  /** The parameter's value before the run (what lifting puts back). */
  previousValue?: string | null;
  endedSessions?: number;
  survivors?: { user: string; sessions: number }[];
  watchUntil?: string;
}

/** One step of a run's timeline (any orchestration's: `P` is its phase names). */
export interface PhaseRecord<P extends string = PhaseName> {
  phase: P;
  startedAt: string;
  endedAt: string;
  seconds: number;
  outcome: "ok" | "refused" | "failed" | "aborted" | "falseAlarm" | "skipped";
  note?: string;
}

export interface FailoverStatus {
  step: PhaseName | "done";
  since: string;
  message: string;
  runId: string;
  /** Set while the run waits for an approver. */
  awaitingApproval?: ApprovalRequest;
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
  rto: Partial<Record<RtoPhase, number>> & { total: number | null };
  /** The replica's lag measured in preflight (bytes null when the primary did not answer). */
  rpo: ReplicaLag | null;
  /** The data a promote may lose: measured now, or the last lag sample with the primary alive. Planned: 0 after the catch-up. */
  risk: DataAtRisk | null;
  fence: FenceOutcome | null;
  /** Planned: the old primary's WAL position after the fence, and when the replica had replayed it. */
  catchUp: { lsn: string; caughtUpAt: string } | null;
  /** DNS answered the new target `answers` times in a row this long after the repoint. */
  dns: { answers: number; convergedSeconds: number } | null;
  /** Alert runs: what the confirmation saw of the primary before acting. */
  confirmation: { down: boolean; evidence: string[] } | null;
  /** Who approved (or aborted) the run, when it needed approval. */
  approval: { decision: "approve" | "abort" | "timeout"; by: Principal | null; reason: string; at: string } | null;
  /** True once ARM accepted the promote: from then on the target may become writable whatever else happens. */
  promoteAccepted: boolean;
  verification: Verified | null;
}
