// The live topology of a pair for GET /api/pairs: where the CNAME points, what each server is (ARM and
// its own name on the data plane), recent replication lag, and the warnings on-call engineers must see:
// two writable servers, an old primary not fenced, a TTL longer than the drain, no replica left; where the two
// servers come from (configuration or stored membership) and the pair's readiness (src/domain/readiness.ts).
// Reads only; a part that cannot be read is reported with its error instead of failing the whole answer.
import type { ActivityDeps } from "../activities/deps";
import { describeError } from "../domain/describe-error";
import type { EffectivePair } from "../activities/deps";
import type { Membership } from "../domain/membership";
import { cnameFqdn, serverRefs } from "../domain/pair-refs";
import { sameName } from "../domain/names";
import { readiness } from "../domain/readiness";
import { permissionFacts } from "./pair-permissions";
import { acceptsWrites, isReplicaRole, isStandalone } from "../domain/topology";

const RECENT_SAMPLES = 10;

/**
 * The view is read at most once per PGFLEX_PAIRS_VIEW_SECONDS (default 5: live enough for people on call — the
 * status page polls every 10 s — and readers cannot spend the app's ARM read budget); `permissionsMs` bounds
 * how often the role assignments are read for it.
 */
export async function pairTopology(deps: ActivityDeps, pair: EffectivePair, permissionsMs?: number) {
  const refs = serverRefs(pair);
  const login = deps.login(pair);
  const [cname, samples, fence, permissions, dryRun, ...states] = await Promise.allSettled([
    deps.dns.getCname(pair.dns),
    deps.state.samples(pair.name),
    deps.state.fence(pair.name),
    permissionFacts(deps, pair, permissionsMs),
    lastDryRunAt(deps, pair.name),
    ...refs.map((r) => deps.servers.get(r.resourceId)),
  ]);
  const target = cname.status === "fulfilled" ? cname.value.target : undefined;
  const planes = await Promise.all(
    states.map(async (s) => {
      if (s.status !== "fulfilled" || !s.value.fqdn) return undefined;
      try {
        const f = await deps.probe.fenceState(s.value.fqdn, login);
        return { reachable: true, inRecovery: f.inRecovery, readOnlyDefault: f.readOnlyDefault };
      } catch (e) {
        return { reachable: false, inRecovery: null, readOnlyDefault: null, error: describeError(e) };
      }
    }),
  );
  const servers = refs.map((ref, i) => {
    const s = states[i]!;
    const plane = planes[i];
    return {
      name: ref.name,
      resourceId: ref.resourceId,
      aRecord: ref.aRecordFqdn,
      servesCname: sameName(target, ref.aRecordFqdn),
      ...(s.status === "fulfilled"
        ? {
            state: s.value.state,
            role: s.value.role,
            location: s.value.location,
            replicationState: s.value.replicationState,
            sourceServer: s.value.sourceServerResourceId ?? null,
            standalone: isStandalone(s.value),
          }
        : { error: describeError(s.reason) }),
      dataPlane: plane ?? null,
      acceptsWrites: acceptsWrites(plane ?? undefined),
      fenced: plane?.readOnlyDefault === "on",
    };
  });

  const warnings: string[] = [];
  const writable = servers.filter((s) => s.acceptsWrites);
  if (writable.length > 1) {
    const served = servers.find((s) => s.servesCname)?.name ?? "neither";
    const other = writable.find((s) => !s.servesCname);
    warnings.push(
      `two writable servers: ${writable.map((s) => s.name).join(" and ")} both accept writes; the CNAME serves ${served}` +
        (other ? `; ${other.name} is not fenced` : ""),
    );
  }
  const servedFenced = servers.find((s) => s.servesCname && s.fenced && s.dataPlane?.inRecovery === false);
  if (servedFenced) {
    // A fence left in place by a run that could not lift it (or set by hand): the primary takes no writes.
    warnings.push(
      `the CNAME serves ${servedFenced.name}, which is fenced (default_transaction_read_only = on): applications cannot write; if no failover is running, lift it (set the server parameter back to off)`,
    );
  }
  const pending = fence.status === "fulfilled" ? fence.value : undefined;
  if (pending?.state === "pending") {
    warnings.push(
      `old primary ${pending.server.name} is not fenced since the forced failover of ${pending.since}: it is fenced when it comes back (watched until ${pending.until}${pending.lastError ? `; last try: ${pending.lastError}` : ""})`,
    );
  }
  const known = states.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (known.length === states.length && !known.some((s) => isReplicaRole(s.role))) {
    warnings.push("no replica left: a failover has nothing to promote; re-protect the pair by creating a new replica");
  }
  if (cname.status === "fulfilled" && cname.value.ttl > pair.timings.drainCapSeconds) {
    warnings.push(
      `the CNAME's TTL (${cname.value.ttl}s) is longer than the drain cap (${pair.timings.drainCapSeconds}s): clients may keep the old answer that long after a repoint; a steady-state TTL of ${pair.timings.drainCapSeconds}s or less avoids that`,
    );
  }
  const recent = samples.status === "fulfilled" ? samples.value.slice(-RECENT_SAMPLES) : [];
  const latest = recent.at(-1);
  const ready = readiness({
    now: Date.now(),
    servers: servers.map((s, i) => {
      const arm = states[i]!;
      return {
        name: s.name,
        servesCname: s.servesCname,
        ...(arm.status === "fulfilled"
          ? { state: arm.value.state, role: arm.value.role, replicationState: arm.value.replicationState }
          : { armError: describeError(arm.reason) }),
        loggedIn: s.dataPlane ? s.dataPlane.reachable : null,
        loginError: s.dataPlane?.error,
      };
    }),
    cname: cname.status === "fulfilled" ? { ttl: cname.value.ttl } : { error: describeError(cname.reason) },
    drainCapSeconds: pair.timings.drainCapSeconds,
    maxLagBytes: pair.rpo.maxLagBytes,
    lastSample: latest ? { at: latest.at, bytes: latest.bytes } : null,
    fenceOwed: pending?.state === "pending" ? { server: pending.server.name, since: pending.since } : null,
    permissions:
      permissions.status === "fulfilled"
        ? permissions.value
        : [{ scope: "the pair", missing: [], error: describeError(permissions.reason) }],
    lastDryRunAt: dryRun.status === "fulfilled" ? dryRun.value : null,
  });
  return {
    name: pair.name,
    cname: {
      name: cnameFqdn(pair),
      ...(cname.status === "fulfilled"
        ? { target: cname.value.target, ttl: cname.value.ttl }
        : { error: describeError(cname.reason) }),
    },
    promoteOption: pair.promoteOption,
    membership: membershipView(pair.membership),
    servers,
    lag: { latest: recent.at(-1) ?? null, recent },
    oldPrimaryFence: pending ?? null,
    warnings,
    readiness: ready,
  };
}

/** How many recent runs are searched for the last successful dry run. */
const DRY_RUN_LOOKBACK = 20;

/** When the pair's last successful dry run ended (the audit's "completed" entry with outcome dryRun). */
async function lastDryRunAt(deps: ActivityDeps, pair: string): Promise<string | null> {
  const runs = await deps.journal.recentRuns(pair, DRY_RUN_LOOKBACK);
  const done = runs.find((r) => (r.completed?.detail as { outcome?: unknown } | undefined)?.outcome === "dryRun");
  return done?.completed?.at ?? null;
}

/** Where the pair's two servers come from: the configuration, or a stored change (who, why, when, which run). */
export function membershipView(m: Membership) {
  if (m.source === "config") return { source: "config" as const };
  const c = m.change;
  return {
    source: "stored" as const,
    version: m.version,
    changedBy: { name: c.by.name, oid: c.by.oid },
    reason: c.reason,
    runId: c.runId,
    at: c.at,
    previous: c.previous.map((s) => s.resourceId),
  };
}
