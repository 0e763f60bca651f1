// Lag sampling on a schedule: each server is asked through its own name which role it plays and where
// its WAL is, and the pair's recent samples are kept. A forced failover reports the last sample taken
// while the primary was alive as the data at risk — the primary may be gone by the time anyone asks.
import type { ActivityDeps } from "../activities/deps";
import type { PairConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import type { LagSample } from "../domain/lag";
import { lagBytes } from "../domain/lsn";
import { serverRefs } from "../domain/pair-refs";

/** Server FQDNs never change: read from ARM once per process. */
const fqdns = new Map<string, string>();

async function ownName(deps: ActivityDeps, resourceId: string): Promise<string | undefined> {
  const known = fqdns.get(resourceId);
  if (known) return known;
  const s = await deps.servers.get(resourceId).catch(() => undefined);
  if (s?.fqdn) fqdns.set(resourceId, s.fqdn);
  return s?.fqdn;
}

export async function sampleLag(deps: ActivityDeps, pair: PairConfig): Promise<LagSample> {
  const login = deps.login(pair);
  const looks = await Promise.all(
    serverRefs(pair).map(async (ref) => {
      const name = await ownName(deps, ref.resourceId);
      if (!name) return { ref, error: "ARM did not report its name" };
      try {
        return { ref, wal: await deps.probe.walPosition(name, login, "verify-full") };
      } catch (e) {
        return { ref, error: describeError(e) };
      }
    }),
  );
  const primary = looks.find((l) => l.wal && !l.wal.inRecovery);
  const replica = looks.find((l) => l.wal?.inRecovery);
  const at = new Date().toISOString();
  const silent = looks.filter((l) => l.error).map((l) => `${l.ref.name}: ${l.error}`);
  return {
    at,
    primary: primary?.ref.name ?? null,
    replica: replica?.ref.name ?? null,
    bytes: primary?.wal?.lsn && replica?.wal?.lsn ? lagBytes(primary.wal.lsn, replica.wal.lsn) : null,
    replaySeconds: replica?.wal?.replaySeconds ?? null,
    primaryAlive: primary !== undefined,
    ...(silent.length ? { note: silent.join("; ") } : {}),
  };
}

/** One tick of the sampler: every pair (as the sweep read it), each independently. */
export async function sampleAllPairs(
  deps: ActivityDeps,
  pairs: PairConfig[],
  log: (line: string) => void,
): Promise<void> {
  await Promise.all(
    pairs.map(async (pair) => {
      try {
        const sample = await sampleLag(deps, pair);
        await deps.state.addSample(pair.name, sample);
      } catch (e) {
        log(`lag sample of pair ${pair.name} failed: ${describeError(e)}`);
      }
    }),
  );
}
