// Step 1: read the CNAME and both servers (ARM and each server's own name), decide from → to, check
// that each A record leads to its server, measure the lag or take the last sample, and read the old
// primary's fence parameter (to restore it if the run stops before the promote). Changes nothing.
import type { PairConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import type { ReplicaLag, ServerRef, ServerState } from "../domain/facts";
import { lastAliveSample, type DataAtRisk } from "../domain/lag";
import { lagBytes } from "../domain/lsn";
import { serverRefs } from "../domain/pair-refs";
import { decideFailover } from "../domain/topology";
import type { DataPlane, PlannedServer, PreflightInput, PreflightResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import { FENCE_PARAMETER } from "./fencing";

export function makePreflight(deps: ActivityDeps) {
  return async (input: PreflightInput): Promise<PreflightResult> => {
    const pair = await deps.pair(input.pair);
    const refs = serverRefs(pair);
    const [cname, s0, s1] = await Promise.all([
      deps.dns.getCname(pair.dns),
      deps.servers.get(refs[0].resourceId),
      deps.servers.get(refs[1].resourceId),
    ]);
    const states: [ServerState, ServerState] = [s0, s1];
    const planes = await Promise.all(states.map((s) => dataPlane(deps, pair, s)));
    const decision = decideFailover(refs, states, cname, input.option, {
      planes: [planes[0], planes[1]],
      mode: input.mode,
    });
    const refused = (code: string, reason: string) => ({
      kind: "refused" as const,
      code,
      reason,
      cname,
      servers: states,
    });
    if (!decision.ok) return refused(decision.code, decision.reason);

    const planned = (i: 0 | 1): PlannedServer => ({
      ...refs[i],
      fqdn: states[i].fqdn ?? `${refs[i].name}.postgres.database.azure.com`,
      state: states[i],
      dataPlane: planes[i]!,
    });
    const from = planned(decision.fromIndex);
    const to = planned(decision.toIndex);
    const warnings = [...decision.warnings];

    // The repoint writes the target's A record into the CNAME: that record must lead to that server.
    for (const s of [to, from]) {
      const problem = await aRecordProblem(deps, s);
      if (problem && s === to) return refused("ARecordMismatch", problem);
      if (problem) warnings.push(problem);
    }

    const lag = input.mode === "failover" ? await measureLag(deps, pair, from.fqdn, to.fqdn) : null;
    if (lag && "refused" in lag) return refused("ReplicaUnreachable", lag.refused);
    const risk = await dataAtRisk(deps, pair, from, lag);

    const fenceBefore =
      input.option === "Planned" || input.mode === "complete"
        ? await deps.servers.getParameter(from.resourceId, FENCE_PARAMETER).catch(() => null)
        : null;
    if (from.dataPlane.readOnlyDefault === "on")
      warnings.push(`${from.name} is already fenced (new sessions are read-only)`);

    const { drainCapSeconds } = pair.timings;
    if (cname.ttl > drainCapSeconds) {
      warnings.push(
        `the CNAME's TTL (${cname.ttl}s) is longer than the drain cap (${drainCapSeconds}s): clients may keep the old answer ` +
          `for up to ${cname.ttl}s after a repoint (a forced failover cannot drain at all); a steady-state TTL of ${drainCapSeconds}s or less avoids that`,
      );
    }
    return { kind: "ready", mode: input.mode, cname, from, to, lag, risk, fenceBefore, warnings };
  };
}

async function dataPlane(deps: ActivityDeps, pair: PairConfig, s: ServerState): Promise<DataPlane> {
  if (!s.fqdn)
    return {
      reachable: false,
      inRecovery: null,
      readOnlyDefault: null,
      error: "ARM reports no fullyQualifiedDomainName",
    };
  try {
    const f = await deps.probe.fenceState(s.fqdn, deps.login(pair));
    return { reachable: true, inRecovery: f.inRecovery, readOnlyDefault: f.readOnlyDefault };
  } catch (e) {
    return { reachable: false, inRecovery: null, readOnlyDefault: null, error: describeError(e) };
  }
}

/** The A record in the zone and the server's own name must lead to the same address. */
async function aRecordProblem(deps: ActivityDeps, s: ServerRef & { fqdn: string }): Promise<string | undefined> {
  try {
    const [record, own] = await Promise.all([deps.probe.resolve(s.aRecordFqdn), deps.probe.resolve(s.fqdn)]);
    const same = record.addresses.length > 0 && record.addresses.every((a) => own.addresses.includes(a));
    if (!same) {
      return `the A record ${s.aRecordFqdn} (${record.addresses.join(", ") || "no address"}) does not lead to ${s.name} (${s.fqdn} → ${own.addresses.join(", ") || "no address"}): fix the pair's aRecord or the zone before failing over`;
    }
    return undefined;
  } catch (e) {
    return `cannot resolve ${s.aRecordFqdn} and ${s.fqdn} to compare them: ${describeError(e)}`;
  }
}

async function measureLag(
  deps: ActivityDeps,
  pair: PairConfig,
  primaryName: string,
  replicaName: string,
): Promise<ReplicaLag | { refused: string }> {
  const login = deps.login(pair);
  let replica;
  try {
    replica = await deps.probe.walPosition(replicaName, login, "verify-full");
  } catch (e) {
    return { refused: `cannot reach the replica ${replicaName}: ${describeError(e)}` };
  }
  if (!replica.inRecovery) {
    return { refused: `${replicaName} answers but is not in recovery: it is not a streaming replica` };
  }
  const measuredAt = new Date().toISOString();
  try {
    const primary = await deps.probe.walPosition(primaryName, login, "verify-full");
    return {
      bytes: primary.lsn && replica.lsn ? lagBytes(primary.lsn, replica.lsn) : null,
      replaySeconds: replica.replaySeconds,
      measuredAt,
      primaryReachable: true,
    };
  } catch (e) {
    return {
      bytes: null,
      replaySeconds: replica.replaySeconds,
      measuredAt,
      primaryReachable: false,
      note: `primary unreachable: ${describeError(e)}`,
    };
  }
}

/** Measured now when both servers answer; otherwise the last sample taken while the primary was alive. */
async function dataAtRisk(
  deps: ActivityDeps,
  pair: PairConfig,
  from: ServerRef,
  lag: ReplicaLag | null,
): Promise<DataAtRisk> {
  if (lag && lag.bytes !== null) {
    return { bytes: lag.bytes, replaySeconds: lag.replaySeconds, source: "measured", measuredAt: lag.measuredAt };
  }
  // Stryker disable next-line ArrayDeclaration: an element that is not a sample is no alive sample either
  const sample = lastAliveSample(await deps.state.samples(pair.name).catch(() => []), from.name);
  if (sample)
    return { bytes: sample.bytes, replaySeconds: sample.replaySeconds, source: "sample", measuredAt: sample.at };
  return { bytes: null, replaySeconds: null, source: "unknown", measuredAt: null };
}
