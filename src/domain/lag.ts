// Replication lag samples and the data-at-risk estimate a forced failover reports: the last sample taken
// while the primary was alive is the best knowledge of what the replica had not replayed when it died.

/** One sample of a pair's replication, taken on a schedule (the lag sampler). */
export interface LagSample {
  at: string;
  /** The server that was primary (writable) when sampled; null when none answered as primary. */
  primary: string | null;
  replica: string | null;
  /** WAL bytes the primary had written that the replica had not replayed (null if either did not answer). */
  bytes: number | null;
  /** Seconds since the replica last replayed a transaction. */
  replaySeconds: number | null;
  primaryAlive: boolean;
  note?: string;
}

/** Samples kept per pair: an hour at the default one-minute schedule. */
export const MAX_SAMPLES = 60;

export function keepRecent(samples: LagSample[], next: LagSample, max = MAX_SAMPLES): LagSample[] {
  return [...samples, next].slice(-max);
}

/** The newest sample in which `primary` answered as the primary and the lag was measured. */
export function lastAliveSample(samples: LagSample[], primary: string): LagSample | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.primaryAlive && s.primary === primary && s.bytes !== null) return s;
  }
  return undefined;
}

/** Where the data-at-risk figure of a forced failover came from. */
export interface DataAtRisk {
  bytes: number | null;
  replaySeconds: number | null;
  /** "measured": both servers answered in preflight; "sample": the last sample with the primary alive. */
  source: "measured" | "sample" | "unknown";
  measuredAt: string | null;
}

export type RpoVerdict =
  { ok: true; risk: DataAtRisk } | { ok: false; code: "DataLossNotAccepted"; reason: string; risk: DataAtRisk };

/**
 * The RPO guard of a forced failover: above the pair's threshold, or when the data at risk is unknown,
 * the promote waits for an explicit acceptance. A planned failover loses nothing (fence + catch-up).
 */
export function rpoGuard(risk: DataAtRisk, maxLagBytes: number, accepted: boolean): RpoVerdict {
  if (accepted) return { ok: true, risk };
  if (risk.bytes === null) {
    return {
      ok: false,
      code: "DataLossNotAccepted",
      reason:
        "the data at risk is unknown (no lag sample with the primary alive); a forced promote may lose what the replica had not replayed: " +
        "send acceptDataLoss: true to go ahead",
      risk,
    };
  }
  if (risk.bytes > maxLagBytes) {
    return {
      ok: false,
      code: "DataLossNotAccepted",
      reason: `the replica was ${risk.bytes} bytes behind (${risk.source} at ${risk.measuredAt}), above this pair's rpo.maxLagBytes ${maxLagBytes}: send acceptDataLoss: true to promote anyway`,
      risk,
    };
  }
  return { ok: true, risk };
}

/**
 * Whether an approval that was shown `accepted` bytes at risk (an evacuation's, per pair) covers the data at
 * risk measured now: only a known figure no larger than what the approver saw. More, or unknown, needs a new yes.
 */
export function riskCovered(risk: DataAtRisk, accepted: { bytes: number | null } | null | undefined): boolean {
  return !!accepted && accepted.bytes !== null && risk.bytes !== null && risk.bytes <= accepted.bytes;
}
