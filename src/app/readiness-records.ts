// The readiness of every pair, once a minute, as one structured log record per pair: `pgflex.readiness {"pair",
// "ready", "score", "reasons"}`. In Azure, Application Insights stores a function's logs in the traces table,
// where the template's log search alert (infra/main.bicep, readinessAlert) finds a pair that stays not ready.
import type { ActivityDeps } from "../activities/deps";
import { describeError } from "../domain/describe-error";
import type { EffectivePair } from "../activities/deps";
import type { Readiness } from "../domain/readiness";
import { pairTopology } from "./pair-topology";

export const READINESS_RECORD = "pgflex.readiness";

export function readinessRecord(pair: string, r: Readiness): string {
  return `${READINESS_RECORD} ${JSON.stringify({ pair, ready: r.ready, score: r.score, reasons: r.reasons })}`;
}

/** The pairs as one sweep sees them: each pair's membership read once, shared by everything the sweep does. */
export async function sweepPairs(
  deps: ActivityDeps,
  names: string[],
  warn: (line: string) => void,
): Promise<EffectivePair[]> {
  const read = await Promise.all(
    names.map((name) =>
      deps.pair(name).catch((e: unknown) => {
        warn(`pair ${name}: its membership could not be read: ${describeError(e)}`);
        return undefined;
      }),
    ),
  );
  return read.filter((p): p is EffectivePair => p !== undefined);
}

export async function emitReadiness(
  deps: ActivityDeps,
  pairs: EffectivePair[],
  log: (line: string) => void,
  warn: (line: string) => void,
): Promise<void> {
  await Promise.all(
    pairs.map(async (pair) => {
      try {
        log(readinessRecord(pair.name, (await pairTopology(deps, pair)).readiness));
      } catch (e) {
        warn(`readiness of pair ${pair.name} could not be computed: ${describeError(e)}`);
      }
    }),
  );
}
