// Step 1: read the CNAME and both servers, decide from → to, measure the replica's lag. Changes nothing.
import { decideFailover } from "../domain/topology";
import { lagBytes } from "../domain/lsn";
import { describeError } from "../domain/describe-error";
import type { PreflightInput, PreflightResult } from "./contracts";
import type { ActivityDeps } from "./deps";
import type { PairConfig } from "../config/pair-schema";
import type { ReplicaLag, ServerState } from "../domain/facts";
import { serverRefs } from "../domain/pair-refs";

export function makePreflight(deps: ActivityDeps) {
  return async (input: PreflightInput): Promise<PreflightResult> => {
    const pair = deps.pair(input.pair);
    const refs = serverRefs(pair);
    const [cname, s0, s1] = await Promise.all([
      deps.dns.getCname(pair.dns),
      deps.servers.get(refs[0].resourceId),
      deps.servers.get(refs[1].resourceId),
    ]);
    const states: [ServerState, ServerState] = [s0, s1];
    const decision = decideFailover(refs, states, cname, input.option);
    if (!decision.ok) return { kind: "refused", code: decision.code, reason: decision.reason, cname, servers: states };

    const from = {
      ...refs[decision.fromIndex],
      fqdn: states[decision.fromIndex].fqdn,
      state: states[decision.fromIndex],
    };
    const to = { ...refs[decision.toIndex], fqdn: states[decision.toIndex].fqdn, state: states[decision.toIndex] };
    const lag = await measureLag(deps, pair, from.fqdn, to.fqdn);
    if ("refused" in lag)
      return { kind: "refused", code: "ReplicaUnreachable", reason: lag.refused, cname, servers: states };
    return { kind: "ready", cname, from, to, lag, warnings: decision.warnings };
  };
}

async function measureLag(
  deps: ActivityDeps,
  pair: PairConfig,
  primaryName: string | undefined,
  replicaName: string | undefined,
): Promise<ReplicaLag | { refused: string }> {
  if (!replicaName) return { refused: "ARM reports no fullyQualifiedDomainName for the replica" };
  const login = deps.login(pair);
  let replica;
  try {
    replica = await deps.probe.walPosition(replicaName, login, "verify-full");
  } catch (e) {
    return { refused: `cannot reach the replica ${replicaName}: ${describeError(e)}` };
  }
  if (!replica.inRecovery)
    return { refused: `${replicaName} answers but is not in recovery: it is not a streaming replica` };
  const measuredAt = new Date().toISOString();
  try {
    if (!primaryName) throw new Error("ARM reports no fullyQualifiedDomainName");
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
