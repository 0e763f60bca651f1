// npm run bench: every figure measured side by side in one process run, `runs` times (medians with min and max):
// the local host's own cost, lab start/stop, the failover (orchestrated against the straight line, detection
// lag), and — with --fleet — region evacuations of growing fleets.
import { azurePaceSample, failoverSample, RTO_STEPS, type FailoverSample, type OrchestratedSample } from "./failover";
import { fleetSamples, throttledSample, type EvacuationSample, type FloorSample } from "./fleet";
import { orchestrationsPerSecond, replayCost } from "./host-cost";
import { labTimes, type LabTimes } from "./lab-times";
import { machine } from "./machine";
import type { BenchReport, FleetSize } from "./report";
import { stat } from "./stats";
import { STEP_GROUPS } from "./pg-connections";
import { STRAIGHT_STEPS } from "./straight-line";
import { targets } from "./targets";
import type { ThrottleSpec } from "../lab/arm/throttle";
import type { PaceProfile } from "../lab/pace";

export interface BenchOptions {
  runs: number;
  quick: boolean;
  fleet: boolean;
  /** The lab's pace for the failover samples (default fast). */
  profile: PaceProfile;
  /** Seed of the azure pace's draws (default 1). */
  seed?: number;
  command: string;
  log: (line: string) => void;
}

/** What --quick shrinks: one run, small fleets and labs, fewer repetitions. */
export function sizes(quick: boolean) {
  return quick
    ? {
        labPairs: [1],
        fleet: [1, 2],
        // On the fleet's lab (2 more pairs there, one lab start fewer than a lab of its own), at limits two pairs
        // really meet (a read bucket of 10 at 5/s gave 0 or 1 429s; 8 empties at the plan's and the preflights'
        // reads): the run shows the app's back-off at work. Refills of 2 and 1 a second took 15 s for it.
        throttled: {
          pairs: 2,
          limits: {
            reads: { bucket: 8, refillPerSecond: 4 },
            writes: { bucket: 4, refillPerSecond: 2 },
          } as ThrottleSpec,
          ownLab: false,
        },
        replayLengths: [100, 1000, 5000],
        replayReps: 5,
        orchestrations: 20,
      }
    : {
        labPairs: [1, 8],
        fleet: [1, 4, 8],
        throttled: { pairs: 32, limits: true as ThrottleSpec, ownLab: true },
        replayLengths: [100, 1000, 5000],
        replayReps: 20,
        orchestrations: 100,
      };
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const size = sizes(o.quick);
  const startedAt = new Date().toISOString();
  const m = machine();
  const log = o.log;

  log(`host cost: replay at ${size.replayLengths.join(", ")} events; ${size.orchestrations} trivial orchestrations`);
  const replay = await replayCost(size.replayLengths, size.replayReps * o.runs);
  const rates = await orchestrationsPerSecond(size.orchestrations, o.runs, log);

  const labSamples: LabTimes[] = [];
  for (let r = 0; r < o.runs; r++)
    for (const pairs of size.labPairs) {
      const t = await labTimes(pairs);
      log(`lab of ${pairs} pair(s): start ${t.startSeconds.toFixed(2)} s, stop ${t.stopSeconds.toFixed(2)} s`);
      labSamples.push(t);
    }

  const failovers: FailoverSample[] = [];
  const pace = { profile: o.profile, ...(o.seed !== undefined ? { seed: o.seed } : {}) };
  for (let r = 0; r < o.runs; r++) {
    log(`failover ${r + 1}/${o.runs}${o.profile === "azure" ? " at Azure's pace (minutes)" : ""}`);
    failovers.push(await failoverSample(r, log, pace));
  }

  // The full bench also shows one failover at Azure's pace (several minutes: never in --quick).
  let azure: OrchestratedSample | null = null;
  if (!o.quick && o.profile === "fast") {
    log(`failover at Azure's pace (--profile azure, seed ${o.seed ?? 1}): several minutes`);
    azure = await azurePaceSample(o.seed ?? 1, log);
  }

  const fleetRuns: EvacuationSample[][] = [];
  const floorRuns: FloorSample[][] = [];
  if (o.fleet)
    for (let r = 0; r < o.runs; r++) {
      log(
        `fleet ${r + 1}/${o.runs}: evacuations of ${size.fleet.join(", ")} pair(s), then ${size.throttled.pairs} throttled`,
      );
      const { ownLab, ...throttled } = size.throttled;
      const { evacuations, floors } = await fleetSamples(size.fleet, log, ownLab ? undefined : throttled);
      if (ownLab) evacuations.push(await throttledSample(throttled.pairs, throttled.limits, log));
      fleetRuns.push(evacuations);
      floorRuns.push(floors);
    }

  const report: BenchReport = {
    schema: 1,
    command: o.command,
    options: { runs: o.runs, quick: o.quick, fleet: o.fleet, profile: o.profile },
    startedAt,
    endedAt: "",
    machine: m,
    failover: {
      setup:
        (o.profile === "azure"
          ? `2-pair lab per run at Azure's pace (profile azure, seed ${o.seed ?? 1})`
          : "2-pair lab per run, promoteDelayMs 0") +
        "; pair lab through POST /api/failovers (Planned, drainCapSeconds 0, stabiliseSeconds 0), pair lab-1 through the straight-line script; order alternates",
      rto: Object.fromEntries(
        [...RTO_STEPS, "total"].map((s) => [s, stat(failovers.map((f) => f.orchestrated.rto[s]))]),
      ),
      postToVerified: stat(failovers.map((f) => f.orchestrated.postToVerified)),
      queue: stat(failovers.map((f) => f.orchestrated.queue)),
      firstRequest: stat(failovers.map((f) => f.orchestrated.firstRequest)),
      checkPromotionPolls: stat(failovers.map((f) => f.orchestrated.checkPromotionPolls)),
      connections: {
        orchestrated: stat(failovers.map((f) => f.orchestrated.connections.total)),
        straightLine: stat(failovers.map((f) => f.straight.connections.total)),
        byGroup: Object.fromEntries(
          STEP_GROUPS.map((g) => [g, stat(failovers.map((f) => f.orchestrated.connections.byGroup[g]))]),
        ) as BenchReport["failover"]["connections"]["byGroup"],
        maxPerServerAndGroup: failovers.length
          ? Math.max(
              ...failovers.flatMap((f) =>
                Object.values(f.orchestrated.connections.byServerAndGroup).flatMap((g) => Object.values(g)),
              ),
            )
          : null,
        notLoggedIn: stat(failovers.map((f) => f.orchestrated.connections.notLoggedIn)),
        tlsContexts: stat(failovers.map((f) => f.straight.tlsContexts)),
      },
      samples: failovers,
    },
    straightLine: {
      steps: Object.fromEntries(STRAIGHT_STEPS.map((s) => [s, stat(failovers.map((f) => f.straight.steps[s]))])),
      total: stat(failovers.map((f) => f.straight.total)),
      ratio: stat(failovers.map((f) => f.ratio.postToVerified)),
      ratioRtoTotal: stat(failovers.map((f) => f.ratio.rtoTotal)),
    },
    detectionLag: {
      orchestrated: stat(failovers.map((f) => f.orchestrated.detectionLag)),
      straightLine: stat(failovers.map((f) => f.straight.detectionLag)),
    },
    azurePace: azure
      ? {
          note: `one planned failover on a one-pair lab at Azure's pace (profile azure, seed ${o.seed ?? 1}), drainCapSeconds 0, stabiliseSeconds 0`,
          sample: azure,
        }
      : {
          note: o.quick
            ? "not run: --quick leaves out the failover at Azure's pace (minutes)"
            : "see failover: its samples ran at Azure's pace",
          sample: null,
        },
    fleet: {
      requested: o.fleet,
      note: o.fleet
        ? `evacuations of ${size.fleet.join(", ")} pair(s) on one lab per run (fresh pairs each), each followed by the straight-line script on as many other pairs at once (the floor), then ${size.throttled.pairs} pairs with ARM throttling on`
        : "not run: pass --fleet (it needs POST /api/evacuations)",
      sizes: fleetSizes(fleetRuns, floorRuns),
      samples: fleetRuns,
      floorSamples: floorRuns,
    },
    hostCost: {
      replay: replay.map((c) => {
        const episode = stat(c.episodeMs);
        return {
          target: c.target,
          events: c.events,
          episodeMs: episode,
          orchestratorMs: stat(c.orchestratorMs),
          hostMs: stat(c.hostMs),
          usPerEvent: episode ? Math.round((episode.median * 1000 * 100) / c.events) / 100 : null,
        };
      }),
      // Contention only ever adds time to an episode: the fastest of many is the replay's own cost.
      replayExponent: exponent(replay.map((c) => ({ events: c.events, ms: stat(c.episodeMs)?.min ?? null }))),
      replayExponentMedian: exponent(replay.map((c) => ({ events: c.events, ms: stat(c.episodeMs)?.median ?? null }))),
      orchestrationsPerSecond: stat(rates),
      batch: size.orchestrations,
    },
    lab: size.labPairs.map((pairs) => {
      const mine = labSamples.filter((s) => s.pairs === pairs);
      return {
        pairs,
        start: stat(mine.map((s) => s.startSeconds)),
        stop: stat(mine.map((s) => s.stopSeconds)),
        samples: mine,
      };
    }),
    targets: [],
  };
  report.targets = targets(report);
  report.machine.loadavg.end = machine().loadavg.start;
  report.endedAt = new Date().toISOString();
  return report;
}

/** Per size: seconds, the ratio to the one-pair evacuation of the same run, and the floor measured beside it. */
function fleetSizes(runs: EvacuationSample[][], floorRuns: FloorSample[][]): FleetSize[] {
  const first = runs[0];
  if (!first) return [];
  const floorOf = (run: number, pairs: number, throttled: boolean): FloorSample | undefined =>
    throttled ? undefined : floorRuns[run]?.find((f) => f.pairs === pairs);
  return first.map((s, i) => {
    const same = runs.map((r) => r[i]).filter((x): x is EvacuationSample => x !== undefined);
    const floors = runs.map((_, run) => floorOf(run, s.pairs, s.throttled));
    return {
      pairs: s.pairs,
      throttled: s.throttled,
      seconds: stat(same.map((x) => x.seconds)),
      reportedSeconds: stat(same.map((x) => x.reportedSeconds)),
      verifiedSeconds: stat(same.map((x) => x.verifiedSeconds)),
      ratioToOne: stat(
        runs.map((r) => {
          const one = r.find((x) => x.pairs === 1 && !x.throttled);
          const me = r[i];
          return one && me ? me.seconds / one.seconds : null;
        }),
      ),
      throttledRequests: stat(same.map((x) => x.throttledRequests)),
      floorSeconds: stat(floors.map((f) => f?.seconds ?? null)),
      floorRatioToOne: stat(
        floors.map((f, run) => {
          const one = floorOf(run, 1, false);
          return f && one ? f.seconds / one.seconds : null;
        }),
      ),
      overFloor: stat(
        floors.map((f, run) => {
          const me = runs[run]?.[i];
          return f && me?.verifiedSeconds ? me.verifiedSeconds / f.seconds : null;
        }),
      ),
    };
  });
}

/** The slope of log(time) against log(events) between the two largest histories. */
function exponent(points: { events: number; ms: number | null }[]): number | null {
  const [a, b] = points.filter((p) => p.ms !== null && p.ms > 0).slice(-2);
  if (!a || !b || a.events === b.events) return null;
  return Math.round((Math.log(b.ms! / a.ms!) / Math.log(b.events / a.events)) * 100) / 100;
}
