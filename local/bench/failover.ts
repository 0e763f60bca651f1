// One failover sample: a fresh two-pair lab and the app under the local host; pair "lab" fails over through the
// API (the orchestration), pair "lab-1" through the plain script (same activities and adapters), one after the
// other in an order that alternates between samples. Planned, drain off (drainCapSeconds 0), no stabilisation wait.
import type { FailoverApi } from "../drill/api";
import { followFailover } from "../drill/follow";
import type { FailoverView, TimelineEntry } from "../drill/render";
import { AZURE_PACE_TIMINGS, startStack, type Stack } from "../drill/stack";
import type { PaceProfile } from "../lab/pace";
import { RTO_PHASES } from "../../src/orchestrations/failover-types";
import { runScript } from "./child";
import { MONITORS_OFF } from "./monitors-off";
import { logFilesOf, watchConnections, type ConnectionCount, type Span } from "./pg-connections";
import { STRAIGHT_STEPS, type StraightLineResult } from "./straight-line";

/** The steps of a planned run up to the verified write, as result.rto names them (no confirmation, no approval). */
export const RTO_STEPS = RTO_PHASES.filter((p) => p !== "confirm" && p !== "approval");

export interface OrchestratedSample {
  /** result.rto: seconds per step and total (first step's start → verified). */
  rto: Record<string, number | null>;
  /** POST sent → verify phase ended (client clock; same machine). */
  postToVerified: number;
  /** POST sent → first phase started: starting the orchestration. */
  queue: number;
  /**
   * The fresh host's first request (GET /api/pairs/{other pair}, before the measured POST), seconds: its first TLS
   * connections, the issuer's signing keys, first-use costs — which the measured run then does not pay, as the
   * straight line's clock starts after its process has read the pair.
   */
  firstRequest: number;
  /** The promoted server left recovery → the checkPromotion entry that saw it writable. */
  detectionLag: number | null;
  checkPromotionPolls: number;
  /** The app's PostgreSQL logins to the pair's two servers during the run (their logs), by server and step group. */
  connections: ConnectionCount;
}

export interface FailoverSample {
  orchestrated: OrchestratedSample;
  straight: StraightLineResult & { detectionLag: number | null; connections: ConnectionCount };
  /** orchestrated POST → verified over the straight line's start → verified; and rto.total over the same. */
  ratio: { postToVerified: number; rtoTotal: number | null };
  order: "orchestrated first" | "straight line first";
}

/** The timeline as GET /api/failovers/{id} gives it: entries carry their detail (render.ts leaves it out). */
type Entry = TimelineEntry & { detail?: { output?: { progress?: string } } };

/** The lab's pace for a sample: fast (the promote takes no extra time) or Azure's (local/lab/pace.ts). */
export interface SamplePace {
  profile: PaceProfile;
  seed?: number;
}

/** A stack at that pace: at Azure's, the pair's deadlines allow Azure's operation times (drill/stack.ts). */
function paceStack(pairs: number, pace: SamplePace): Promise<Stack> {
  const azure = pace.profile === "azure";
  return startStack({
    lab: azure
      ? { pairs, profile: "azure", ...(pace.seed !== undefined ? { seed: pace.seed } : {}) }
      : { pairs, promoteDelayMs: 0 },
    settings: MONITORS_OFF,
    pair: { timings: { ...(azure ? AZURE_PACE_TIMINGS : {}), drainCapSeconds: 0, stabiliseSeconds: 0 } },
  });
}

export async function failoverSample(
  index: number,
  log: (line: string) => void,
  pace: SamplePace = { profile: "fast" },
): Promise<FailoverSample> {
  const stack = await paceStack(2, pace);
  try {
    const orchestratedFirst = index % 2 === 0;
    let orchestrated: OrchestratedSample | undefined;
    let straight: FailoverSample["straight"] | undefined;
    for (const which of orchestratedFirst ? ["o", "s"] : ["s", "o"]) {
      if (which === "o") orchestrated = await orchestratedRun(stack, log, pace.profile === "azure" ? 900_000 : 180_000);
      else straight = await straightRun(stack, log);
    }
    if (!orchestrated || !straight) throw new Error("a failover sample lacks one of its runs");
    return {
      orchestrated,
      straight,
      ratio: {
        postToVerified: orchestrated.postToVerified / straight.total,
        rtoTotal: orchestrated.rto.total ? orchestrated.rto.total / straight.total : null,
      },
      order: orchestratedFirst ? "orchestrated first" : "straight line first",
    };
  } finally {
    await stack.stop();
  }
}

/**
 * One orchestrated planned failover at Azure's pace (a one-pair lab): the RTO a run would see in Azure, step by
 * step, give or take what the lab cannot model (DNS propagation, queue polling: README "Latency in Azure").
 */
export async function azurePaceSample(seed: number, log: (line: string) => void): Promise<OrchestratedSample> {
  const stack = await paceStack(1, { profile: "azure", seed });
  try {
    return await orchestratedRun(stack, log, 900_000);
  } finally {
    await stack.stop();
  }
}

/**
 * The host's first request (seconds), before the measured POST: what the straight line's script does before its
 * clock starts (it reads the pair from ARM), so neither side's figure carries a fresh process's first TLS
 * connections or first-use costs. It reads ANOTHER pair (the straight line's) where the lab has one: the view
 * reads the servers, and sessions it left to the measured pair's servers would make the measured run's logins
 * and its preflight not its own. On a one-pair lab (Azure's pace), GET /api/me.
 */
async function firstRequest(stack: Stack, measured: string): Promise<number> {
  const other = stack.lab.info.pairs.find((p) => p.name !== measured);
  return timedGet(stack.api, other ? `/api/pairs/${encodeURIComponent(other.name)}` : "/api/me");
}

/** A GET that must answer 200, in seconds (the host's first request; the fleet's warm-up too). */
export async function timedGet(api: FailoverApi, path: string): Promise<number> {
  const t0 = Date.now();
  const res = await api.get(path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (Date.now() - t0) / 1000;
}

async function orchestratedRun(
  stack: Stack,
  log: (line: string) => void,
  timeoutMs: number,
): Promise<OrchestratedSample> {
  const pair = stack.lab.info.pairs[0]!;
  const firstRequestSeconds = await firstRequest(stack, pair.name);
  const logins = watchConnections(logFilesOf(stack.lab, 0));
  const sent = Date.now();
  const res = await stack.api.post<{ id: string }>("/api/failovers", {
    pair: pair.name,
    option: "Planned",
    reason: "npm run bench",
  });
  if (res.status !== 202) throw new Error(`POST /api/failovers answered ${res.status}: ${JSON.stringify(res.body)}`);
  // Polled slowly: the figures come from the run's own record, and polling loads the host it measures.
  const view: FailoverView = await followFailover(stack.api, res.body.id, { intervalMs: 500, timeoutMs });
  const out = view.result;
  if (!out || out.outcome !== "succeeded")
    throw new Error(`the orchestrated failover did not succeed: ${JSON.stringify(out ?? view.error ?? view.outcome)}`);
  const verified = out.phases.find((p) => p.phase === "verify");
  const first = out.phases[0];
  if (!verified || !first) throw new Error("the run has no verify phase");
  const entries = view.timeline as Entry[];
  const seen = entries.find(
    (e) => e.step === "checkPromotion" && e.event === "succeeded" && e.detail?.output?.progress === "writable",
  );
  const promotedAt = stack.lab.promotedAt(pair.servers.replica.name);
  const sample: OrchestratedSample = {
    rto: { ...out.rto },
    postToVerified: (Date.parse(verified.endedAt) - sent) / 1000,
    queue: (Date.parse(first.startedAt) - sent) / 1000,
    firstRequest: firstRequestSeconds,
    detectionLag: seen && promotedAt ? (Date.parse(seen.at) - Date.parse(promotedAt)) / 1000 : null,
    checkPromotionPolls: entries.filter((e) => e.step === "checkPromotion" && e.event === "started").length,
    connections: logins.count(
      out.phases.map((p) => ({ step: p.phase, start: Date.parse(p.startedAt), end: Date.parse(p.endedAt) })),
    ),
  };
  log(
    `orchestrated: POST → verified ${sample.postToVerified.toFixed(3)} s, rto.total ${out.rto.total} s, ${sample.connections.total} PostgreSQL logins`,
  );
  return sample;
}

async function straightRun(stack: Stack, log: (line: string) => void): Promise<FailoverSample["straight"]> {
  const pair = stack.lab.info.pairs[1]!;
  const logins = watchConnections(logFilesOf(stack.lab, 1));
  const [r] = await runScript<StraightLineResult[]>("straight-line.js", [stack.settingsFile, pair.name]);
  if (!r) throw new Error("straight-line.js printed no result");
  const promotedAt = stack.lab.promotedAt(pair.servers.replica.name);
  const detectionLag = promotedAt ? (Date.parse(r.writableSeenAt) - Date.parse(promotedAt)) / 1000 : null;
  const connections = logins.count(straightSpans(r));
  log(`straight line: start → verified ${r.total.toFixed(3)} s, ${connections.total} PostgreSQL logins`);
  return { ...r, detectionLag, connections };
}

/** The straight line's steps on the wall clock, one after another from its start. */
export function straightSpans(r: Pick<StraightLineResult, "startedAt" | "steps">): Span[] {
  let at = Date.parse(r.startedAt);
  return STRAIGHT_STEPS.map((step) => {
    const span = { step, start: at, end: at + r.steps[step] * 1000 };
    at = span.end;
    return span;
  });
}
