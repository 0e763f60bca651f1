// Fleet scaling: region evacuations through POST /api/evacuations on a lab of many pairs, timed from the POST to
// the first 200 of GET /api/evacuations/{id}. One lab serves the unthrottled sizes in turn (each evacuation names
// fresh pairs), each followed by its floor: the straight-line script failing over as many other fresh pairs at once,
// in one process as the app's activities run in the host's, so the machine's own contention (every server, ARM
// and DNS of the lab share its cores) is measured beside the evacuation. The largest size runs on its own lab
// with ARM throttling on.
import type { FailoverApi } from "../drill/api";
import { startStack } from "../drill/stack";
import { MONITORS_OFF } from "./monitors-off";
import type { ThrottleSpec, ThrottleState } from "../lab/arm/throttle";
import { runScript } from "./child";
import { timedGet } from "./failover";
import type { StraightLineResult } from "./straight-line";

/** The evacuation's status, as the API answers it. */
export interface EvacuationView {
  id: string;
  outcome: "running" | "succeeded" | "partial" | "failed" | "aborted";
  region: string;
  pairs: { pair: string; id: string; outcome: string; step: string; code?: string; reason?: string; rto?: unknown }[];
  summary: { total: number; succeeded: number; failed: number; refused: number; [k: string]: number };
  startedAt: string;
  endedAt?: string;
}

export interface EvacuationSample {
  pairs: number;
  throttled: boolean;
  /** POST → the first 200 of its status. */
  seconds: number;
  /** endedAt − startedAt as the evacuation reports them. */
  reportedSeconds: number | null;
  /**
   * POST → the last pair's write verified through its CNAME (its run's verify phase): what the floor measures,
   * issue 22's "POST → verified" (POST → done also counts each run restoring its TTL and the evacuation closing).
   */
  verifiedSeconds: number | null;
  outcome: EvacuationView["outcome"];
  summary: EvacuationView["summary"];
  /** ARM requests the lab answered 429 during this evacuation. */
  throttledRequests: number;
}

/** The floor of an evacuation: the straight-line script on as many pairs at once. */
export interface FloorSample {
  pairs: number;
  /** Script start → the last pair verified. */
  seconds: number;
}

/** What an evacuation needs of the stack: the API as alice, and the lab's pairs and throttling count. */
export interface EvacuationTarget {
  api: FailoverApi;
  lab: { info: { pairs: unknown[] }; throttleState(): ThrottleState };
}

const REGION = "eastus";
const TIMEOUT_MS = 15 * 60_000;
const timings = { timings: { drainCapSeconds: 0, stabiliseSeconds: 0 } };

/**
 * The unthrottled sizes, in turn, on one lab of 2 × sum(sizes) pairs: per size an evacuation of fresh pairs, then
 * the straight-line script on as many other fresh pairs at once. With `throttled` (--quick: a few pairs, where a
 * lab of its own would cost more than the evacuation), that many more pairs are evacuated last with ARM's
 * throttling switched on, the sample throttledSample would take on a lab of its own.
 */
export async function fleetSamples(
  sizes: number[],
  log: (line: string) => void,
  throttled?: { pairs: number; limits: ThrottleSpec },
): Promise<{ evacuations: EvacuationSample[]; floors: FloorSample[] }> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const stack = await startStack({
    lab: { pairs: 2 * total + (throttled?.pairs ?? 0) + 1, promoteDelayMs: 0 }, // + 1: the first request's
    pair: timings,
    settings: MONITORS_OFF,
  });
  try {
    const names = stack.lab.info.pairs.map((p) => p.name);
    const evacuations: EvacuationSample[] = [];
    const floors: FloorSample[] = [];
    let next = 0;
    const take = (n: number): string[] => names.slice(next, (next += n));
    // The host's first request before the first evacuation, as the floor's script reads its pairs before its
    // clock starts: neither side then carries a fresh process's first connections (failover.ts, firstRequest). It
    // reads a pair of its own (the view reads the servers: sessions to an evacuated pair would be a head start).
    const spare = names.at(-1)!;
    const seconds = await timedGet(stack.api, `/api/pairs/${encodeURIComponent(spare)}`);
    log(`the host's first request (GET /api/pairs/${spare}): ${seconds.toFixed(3)} s`);
    for (const n of sizes) {
      evacuations.push(await evacuate(stack, take(n), false, log));
      floors.push(await floor(stack.settingsFile, take(n), log));
    }
    if (throttled) {
      stack.lab.throttle(throttled.limits); // a full bucket, as a lab started with armThrottle has
      evacuations.push(await evacuate(stack, take(throttled.pairs), true, log));
      stack.lab.throttle(false);
    }
    return { evacuations, floors };
  } finally {
    await stack.stop();
  }
}

async function floor(settingsFile: string, pairs: string[], log: (line: string) => void): Promise<FloorSample> {
  const results = await runScript<StraightLineResult[]>("straight-line.js", [settingsFile, ...pairs]);
  // The first pair's start to the last pair verified (loading the script's modules is part of neither side).
  const seconds =
    (Math.max(...results.map((r) => Date.parse(r.verifiedAt))) -
      Math.min(...results.map((r) => Date.parse(r.startedAt)))) /
    1000;
  log(`straight line on ${pairs.length} pair(s) at once: ${seconds.toFixed(3)} s`);
  return { pairs: pairs.length, seconds };
}

/** Every pair of a lab of `pairs` pairs, with ARM's subscription throttling on. */
export async function throttledSample(
  pairs: number,
  throttle: ThrottleSpec,
  log: (line: string) => void,
): Promise<EvacuationSample> {
  const stack = await startStack({
    lab: { pairs, promoteDelayMs: 0, armThrottle: throttle },
    pair: timings,
    settings: MONITORS_OFF,
  });
  try {
    return await evacuate(stack, undefined, true, log);
  } finally {
    await stack.stop();
  }
}

export async function evacuate(
  stack: EvacuationTarget,
  pairs: string[] | undefined,
  throttled: boolean,
  log: (line: string) => void,
): Promise<EvacuationSample> {
  const count = pairs?.length ?? stack.lab.info.pairs.length;
  const before = stack.lab.throttleState().throttled;
  const sent = Date.now();
  const res = await stack.api.post<{ id: string; statusUri?: string }>("/api/evacuations", {
    region: REGION,
    option: "Planned",
    reason: "npm run bench: fleet scaling",
    ...(pairs ? { pairs } : {}),
  });
  if (res.status !== 202) throw new Error(`POST /api/evacuations answered ${res.status}: ${JSON.stringify(res.body)}`);
  const view = await followEvacuation(stack.api, res.body.statusUri ?? `/api/evacuations/${res.body.id}`);
  const seconds = (Date.now() - sent) / 1000;
  if (view.outcome !== "succeeded")
    throw new Error(`the evacuation of ${count} pair(s) ended ${view.outcome}: ${JSON.stringify(view.pairs)}`);
  const reported = view.endedAt ? (Date.parse(view.endedAt) - Date.parse(view.startedAt)) / 1000 : null;
  const verified = await lastVerified(stack.api, view);
  const sample: EvacuationSample = {
    pairs: count,
    throttled,
    seconds,
    reportedSeconds: reported,
    verifiedSeconds: verified === null ? null : (verified - sent) / 1000,
    outcome: view.outcome,
    summary: view.summary,
    throttledRequests: stack.lab.throttleState().throttled - before,
  };
  log(`evacuation of ${count} pair(s)${throttled ? " (ARM throttling)" : ""}: ${seconds.toFixed(3)} s`);
  return sample;
}

/** When the evacuation's last pair was verified (its run's verify phase ended), read after the evacuation ended. */
async function lastVerified(api: FailoverApi, view: EvacuationView): Promise<number | null> {
  const ends = await Promise.all(
    view.pairs.map(async (p) => {
      const r = await api.get<{ result?: { phases: { phase: string; endedAt: string }[] } }>(
        `/api/failovers/${encodeURIComponent(p.id)}`,
      );
      const at = r.body.result?.phases.find((x) => x.phase === "verify")?.endedAt;
      return at ? Date.parse(at) : null;
    }),
  );
  return ends.includes(null) || ends.length === 0 ? null : Math.max(...(ends as number[]));
}

async function followEvacuation(api: FailoverApi, statusUri: string): Promise<EvacuationView> {
  const path = statusUri.startsWith("http") ? new URL(statusUri).pathname : statusUri;
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const res = await api.get<EvacuationView>(path);
    if (res.status === 200) return res.body;
    if (res.status !== 202) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`the evacuation did not end within ${TIMEOUT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
