// The cost of one orchestration episode in the local host at a given history length, measured in-process as
// test/orchestrator/harness.ts drives the runbook: the real durable-functions replay engine (invokeOrchestrator)
// and the host's DTFx-style replay (replay.ts), on a history built for the fixture's "chain" orchestration
// (2 + 4k events after k activity calls). Run in its own process: `node replay-cost.js <lengths,…> <reps>`
// prints one JSON line.
import path from "node:path";
import { installCoreModule } from "../host/core-module";
import { event } from "../host/history";
import { createInvoker } from "../host/invoker";
import { createLogger } from "../host/log";
import { invokeOrchestrator } from "../host/orchestrator-call";
import { replay } from "../host/replay";
import { EventType as E, type HistoryEvent } from "../host/types";

export interface ReplayCost {
  /** The length asked for, and the history's actual length (2 + 4k). */
  target: number;
  events: number;
  /** Milliseconds per episode: the whole, the durable-functions replay, the host's replay. */
  episodeMs: number[];
  orchestratorMs: number[];
  hostMs: number[];
}

const T0 = Date.parse("2026-01-01T00:00:00.000Z");

/** The history of "chain" after k completed calls, its last completion new (this episode's work). */
export function chainHistory(k: number): HistoryEvent[] {
  const at = (ms: number): string => new Date(T0 + ms).toISOString();
  const h: HistoryEvent[] = [
    event(E.OrchestratorStarted, T0),
    event(E.ExecutionStarted, T0, { Name: "chain", Input: JSON.stringify(1_000_000) }),
  ];
  for (let i = 0; i < k; i++) {
    h.push({
      EventType: E.TaskScheduled,
      EventId: i,
      IsPlayed: false,
      Timestamp: at(i * 10),
      Name: "noop",
      Input: String(i),
    });
    h.push(event(E.OrchestratorCompleted, T0 + i * 10));
    h.push(event(E.OrchestratorStarted, T0 + i * 10 + 5));
    h.push(event(E.TaskCompleted, T0 + i * 10 + 5, { TaskScheduledId: i, Result: String(i) }));
  }
  // Everything but the last episode's two events has been played before.
  return h.map((e, i) => ({ ...e, IsPlayed: i < h.length - 2 }));
}

export async function measureReplay(targets: number[], reps: number): Promise<ReplayCost[]> {
  const { capture } = installCoreModule(() => undefined);
  // The fixture registers its orchestrations through @azure/functions, which must load after the stand-in core.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.resolve(__dirname, "../../test/fixtures/bench-app/functions.js"));
  const invoker = createInvoker(capture, createLogger({ quiet: true }));
  const fn = capture.functions.get("chain");
  if (!fn) throw new Error("the bench fixture registered no 'chain' orchestration");
  const trigger = Object.keys(fn.metadata.bindings).find(
    (k) => fn.metadata.bindings[k]!.type === "orchestrationTrigger",
  );
  if (!trigger) throw new Error("'chain' has no orchestration trigger");
  const out: ReplayCost[] = [];
  for (const target of targets) {
    const k = Math.max(1, Math.round((target - 2) / 4));
    const history = chainHistory(k);
    const episode = async (): Promise<{ orchestrator: number; host: number }> => {
      const t0 = performance.now();
      const state = await invokeOrchestrator(invoker, {
        name: "chain",
        triggerBinding: trigger,
        instanceId: "bench",
        history,
        input: JSON.stringify(1_000_000),
      });
      const t1 = performance.now();
      const r = replay("bench", history, state.actions[0] ?? []);
      const t2 = performance.now();
      // A measurement only counts if the episode did what the host would do: schedule call k, nothing else.
      if (state.error !== undefined || state.isDone) throw new Error(`chain episode failed: ${state.error}`);
      if (r.fatal || r.newEvents.length !== 1 || r.newEvents[0]?.EventId !== k)
        throw new Error(`chain replay at ${history.length} events: ${r.fatal ?? JSON.stringify(r.newEvents)}`);
      return { orchestrator: t1 - t0, host: t2 - t1 };
    };
    for (let i = 0; i < 3; i++) await episode(); // warm up (JIT, caches)
    const cost: ReplayCost = { target, events: history.length, episodeMs: [], orchestratorMs: [], hostMs: [] };
    for (let i = 0; i < reps; i++) {
      const e = await episode();
      cost.orchestratorMs.push(e.orchestrator);
      cost.hostMs.push(e.host);
      cost.episodeMs.push(e.orchestrator + e.host);
    }
    out.push(cost);
  }
  return out;
}

if (require.main === module) {
  const targets = (process.argv[2] ?? "100,1000,5000").split(",").map(Number);
  const reps = Number(process.argv[3] ?? 20);
  measureReplay(targets, reps).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + "\n");
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`replay cost failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
