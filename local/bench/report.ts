// The bench's JSON: what was measured, each figure a median with min and max over the runs, the samples behind
// them, the machine, and the targets with whether they were met.
import type { EvacuationSample, FloorSample } from "./fleet";
import type { FailoverSample, OrchestratedSample } from "./failover";
import type { PaceProfile } from "../lab/pace";
import type { LabTimes } from "./lab-times";
import type { Machine } from "./machine";
import type { StepGroup } from "./pg-connections";
import type { Stat } from "./stats";

export interface Target {
  name: string;
  target: string;
  value: number | null;
  /** null when the figure was not measured in this run. */
  met: boolean | null;
  note?: string;
}

export interface FleetSize {
  pairs: number;
  throttled: boolean;
  seconds: Stat | null;
  reportedSeconds: Stat | null;
  /** POST → the last pair verified (the floor's end point). */
  verifiedSeconds: Stat | null;
  /** This size's time over one pair's in the same run. */
  ratioToOne: Stat | null;
  throttledRequests: Stat | null;
  /** The straight-line script on as many pairs at once in the same run (unthrottled sizes only). */
  floorSeconds: Stat | null;
  floorRatioToOne: Stat | null;
  /** The evacuation (POST → the last pair verified) over its floor, per run. */
  overFloor: Stat | null;
}

export interface BenchReport {
  schema: 1;
  command: string;
  options: { runs: number; quick: boolean; fleet: boolean; profile: PaceProfile };
  startedAt: string;
  endedAt: string;
  machine: Machine;
  failover: {
    setup: string;
    /** Seconds per step from result.rto, total = first step → verified write through the CNAME. */
    rto: Record<string, Stat | null>;
    postToVerified: Stat | null;
    /** POST → the run's first step (starting the orchestration). */
    queue: Stat | null;
    /** The fresh host's first request (GET /api/pairs/{the other pair}) before each measured run: not in the figures above. */
    firstRequest: Stat | null;
    checkPromotionPolls: Stat | null;
    /**
     * The app's PostgreSQL logins per planned failover, counted from the lab servers' logs (log_connections):
     * over both servers of the pair, and the orchestrated run's by step group; TCP connections that never logged in
     * (the verify-full attempt on the CNAME, refused by design); TLS secure contexts the straight line's process built.
     */
    connections: {
      orchestrated: Stat | null;
      straightLine: Stat | null;
      byGroup: Record<StepGroup, Stat | null>;
      /** The largest count of one server's logins in one step group, over the orchestrated runs (budget: 1). */
      maxPerServerAndGroup: number | null;
      notLoggedIn: Stat | null;
      tlsContexts: Stat | null;
    };
    samples: FailoverSample[];
  };
  straightLine: {
    steps: Record<string, Stat | null>;
    total: Stat | null;
    /** Orchestrated POST → verified over straight-line start → verified, per run. */
    ratio: Stat | null;
    /** The same with the run's own rto.total (which leaves out starting the orchestration). */
    ratioRtoTotal: Stat | null;
  };
  detectionLag: { orchestrated: Stat | null; straightLine: Stat | null };
  /** One orchestrated planned failover at Azure's pace (the full bench at the fast profile; never --quick). */
  azurePace: { note: string; sample: OrchestratedSample | null };
  fleet: {
    requested: boolean;
    note: string;
    sizes: FleetSize[];
    samples: EvacuationSample[][];
    floorSamples: FloorSample[][];
  };
  hostCost: {
    replay: {
      target: number;
      events: number;
      episodeMs: Stat | null;
      orchestratorMs: Stat | null;
      hostMs: Stat | null;
      usPerEvent: number | null;
    }[];
    /**
     * d log(time) / d log(events) between the two largest histories (1 is linear, 2 quadratic), from the fastest
     * episode at each length (other work on the machine only ever adds time); and the same from the medians.
     */
    replayExponent: number | null;
    replayExponentMedian: number | null;
    orchestrationsPerSecond: Stat | null;
    batch: number;
  };
  lab: { pairs: number; start: Stat | null; stop: Stat | null; samples: LabTimes[] }[];
  targets: Target[];
}
