// The performance targets of issues 12 and 22 and whether this run met them (on medians; connection counts on
// the largest run, since a budget is per failover).
import type { BenchReport, Target } from "./report";

export const TARGETS = {
  ratio: 1.15,
  detectionLagSeconds: 0.3,
  fleetRatio: 1.5,
  /** Replay time grows with history at most this steeply (log-log slope; 1 = linear, 2 = quadratic). */
  replayExponent: 1.2,
  /** PostgreSQL logins per planned failover (issue 22: one per server per step group at most). */
  connectionsPerFailover: 4,
  /** TLS secure contexts per CA bundle (the lab has one bundle). */
  tlsContextsPerBundle: 1,
  /** Issue 22: a region evacuation over its floor (the straight-line script on as many pairs at once). */
  overFloorOnePair: 1.1,
  overFloorEightPairs: 1.15,
} as const;

export function targets(r: Omit<BenchReport, "targets">): Target[] {
  const check = (value: number | null | undefined, limit: number): Pick<Target, "value" | "met"> =>
    value === null || value === undefined ? { value: null, met: null } : { value, met: value <= limit };
  const largest = [...r.fleet.sizes].filter((s) => !s.throttled).sort((a, b) => b.pairs - a.pairs)[0];
  const throttled = r.fleet.sizes.find((s) => s.throttled);
  const logins = r.failover.connections;
  return [
    {
      name: "PostgreSQL logins per planned failover (orchestrated, the servers' own logs; worst run)",
      target: `≤ ${TARGETS.connectionsPerFailover}, at most 1 per server per step group`,
      ...(logins.orchestrated
        ? {
            value: logins.orchestrated.max,
            met: logins.orchestrated.max <= TARGETS.connectionsPerFailover && (logins.maxPerServerAndGroup ?? 0) <= 1,
            note: `by step group (median): ${Object.entries(logins.byGroup)
              .map(([g, s]) => `${g} ${s?.median ?? "–"}`)
              .join(", ")}; the straight line: ${logins.straightLine?.median ?? "–"}`,
          }
        : { value: null, met: null }),
    },
    {
      name: "TLS secure contexts built per CA bundle (the straight line's process)",
      target: `≤ ${TARGETS.tlsContextsPerBundle}`,
      ...check(logins.tlsContexts?.max, TARGETS.tlsContextsPerBundle),
    },
    {
      name: "orchestrated / straight-line (POST → verified over script start → verified)",
      target: `≤ ${TARGETS.ratio}`,
      ...check(r.straightLine.ratio?.median, TARGETS.ratio),
    },
    {
      name: "detection lag (server out of recovery → the run saw it writable)",
      target: `≤ ${TARGETS.detectionLagSeconds} s`,
      ...check(r.detectionLag.orchestrated?.median, TARGETS.detectionLagSeconds),
    },
    {
      name: `${largest && largest.pairs > 1 ? largest.pairs : 8}-pair evacuation / one pair`,
      target: `≤ ${TARGETS.fleetRatio}`,
      ...(largest && largest.pairs > 1
        ? {
            ...check(largest.ratioToOne?.median, TARGETS.fleetRatio),
            ...(largest.floorRatioToOne
              ? {
                  note: `the straight-line script on ${largest.pairs} pairs at once, beside it: ${largest.floorRatioToOne.median.toFixed(2)} × one pair (this machine's floor); the evacuation over that floor: ${largest.overFloor?.median.toFixed(2) ?? "–"}`,
                }
              : {}),
          }
        : { value: null, met: null, note: r.fleet.note }),
    },
    // Issue 22's two: one pair, and the largest fleet (8 in the full bench; --quick's largest is 2).
    ...[
      { size: r.fleet.sizes.find((s) => !s.throttled && s.pairs === 1), pairs: 1, limit: TARGETS.overFloorOnePair },
      { size: largest, pairs: largest?.pairs ?? 8, limit: TARGETS.overFloorEightPairs },
    ].map(({ size, pairs, limit }): Target => ({
      name: `evacuation of ${pairs} pair(s) ÷ its floor (POST → the last pair verified, over the straight-line script on as many pairs)`,
      target: `≤ ${limit}`,
      ...(size ? check(size.overFloor?.median, limit) : { value: null, met: null, note: r.fleet.note }),
    })),
    {
      name: `${throttled?.pairs ?? 32}-pair evacuation with ARM throttling completes`,
      target: "succeeded",
      value: throttled?.seconds?.median ?? null,
      met: throttled ? throttled.seconds !== null : null,
      ...(throttled ? {} : { note: r.fleet.note }),
    },
    {
      name: "replay cost linear in history (log-log slope of the fastest episodes, 1000 → 5000 events)",
      target: `≤ ${TARGETS.replayExponent}`,
      ...check(r.hostCost.replayExponent, TARGETS.replayExponent),
    },
  ];
}
