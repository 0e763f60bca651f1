// Fleet scaling: region evacuations through POST /api/evacuations on a lab of many pairs, timed from the POST to
// the first 200 of GET /api/evacuations/{id}. One lab serves the unthrottled sizes in turn (each evacuation names
// fresh pairs); the largest size runs on its own lab with ARM throttling on.
import type { FailoverApi } from "../drill/api";
import { startStack } from "../drill/stack";
import type { ThrottleSpec, ThrottleState } from "../lab/arm/throttle";

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
  outcome: EvacuationView["outcome"];
  summary: EvacuationView["summary"];
  /** ARM requests the lab answered 429 during this evacuation. */
  throttledRequests: number;
}

/** What an evacuation needs of the stack: the API as alice, and the lab's pairs and throttling count. */
export interface EvacuationTarget {
  api: FailoverApi;
  lab: { info: { pairs: unknown[] }; throttleState(): ThrottleState };
}

const REGION = "eastus";
const TIMEOUT_MS = 15 * 60_000;
const timings = { timings: { drainCapSeconds: 0, stabiliseSeconds: 0 } };

/** The unthrottled sizes, in turn, on one lab of sum(sizes) pairs; each evacuation takes fresh pairs. */
export async function fleetSamples(sizes: number[], log: (line: string) => void): Promise<EvacuationSample[]> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const stack = await startStack({ lab: { pairs: total, promoteDelayMs: 0 }, pair: timings });
  try {
    const names = stack.lab.info.pairs.map((p) => p.name);
    const out: EvacuationSample[] = [];
    let next = 0;
    for (const n of sizes) {
      const pairs = names.slice(next, next + n);
      next += n;
      out.push(await evacuate(stack, pairs, false, log));
    }
    return out;
  } finally {
    await stack.stop();
  }
}

/** Every pair of a lab of `pairs` pairs, with ARM's subscription throttling on. */
export async function throttledSample(
  pairs: number,
  throttle: ThrottleSpec,
  log: (line: string) => void,
): Promise<EvacuationSample> {
  const stack = await startStack({ lab: { pairs, promoteDelayMs: 0, armThrottle: throttle }, pair: timings });
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
  const sample: EvacuationSample = {
    pairs: count,
    throttled,
    seconds,
    reportedSeconds: reported,
    outcome: view.outcome,
    summary: view.summary,
    throttledRequests: stack.lab.throttleState().throttled - before,
  };
  log(`evacuation of ${count} pair(s)${throttled ? " (ARM throttling)" : ""}: ${seconds.toFixed(3)} s`);
  return sample;
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
