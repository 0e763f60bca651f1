// Pure decisions about a pair's topology: which server the CNAME serves, whether the other one is a
// healthy replica of it, and whether a promoted server is writable. No I/O here.
import type { CnameSnapshot, PromoteOption, ServerRef, ServerState } from "./facts";
import { normalizeName, sameName, sameResourceId } from "./names";

const REPLICA_ROLES = new Set(["asyncreplica", "georeplica", "geoasyncreplica"]);

export function isReplicaRole(role: string | undefined): boolean {
  return !!role && REPLICA_ROLES.has(role.toLowerCase());
}

/** A server no longer replicating: not a replica role and no source server (Azure may say Primary or None). */
export function isStandalone(s: ServerState): boolean {
  return !isReplicaRole(s.role) && !s.sourceServerResourceId;
}

export type Decision =
  { ok: true; fromIndex: 0 | 1; toIndex: 0 | 1; warnings: string[] } | { ok: false; code: string; reason: string };

/** What a server's own name answered on the data plane; undefined fields: it did not answer. */
export interface Plane {
  inRecovery?: boolean | null;
  readOnlyDefault?: string | null;
}

/** New sessions can write: out of recovery and not fenced. */
export function acceptsWrites(p: Plane | undefined): boolean {
  return p?.inRecovery === false && p.readOnlyDefault !== "on";
}

export interface DecideContext {
  /** Each server's data plane, when it could be asked. */
  planes?: [Plane | undefined, Plane | undefined];
  /** "complete": the target was already promoted (by a run that stopped, or by hand); finish the failover. */
  mode?: "failover" | "complete";
}

/**
 * Decide the direction of a failover. The CNAME's target says which server is serving now; the other
 * server must be a replica of it, in a state that the requested promote option can act on — or, to
 * complete a failover, a standalone server that accepts writes.
 */
export function decideFailover(
  servers: [ServerRef, ServerRef],
  states: [ServerState, ServerState],
  cname: Pick<CnameSnapshot, "target">,
  option: PromoteOption,
  context: DecideContext = {},
): Decision {
  const current = servers.findIndex((s) => sameName(s.aRecordFqdn, cname.target));
  if (current < 0) {
    return {
      ok: false,
      code: "CnameTargetUnknown",
      reason: `the CNAME points at "${normalizeName(cname.target)}", which is neither server's A record (${servers.map((s) => s.aRecordFqdn).join(", ")}); fix the CNAME by hand before failing over`,
    };
  }
  const fromIndex = current as 0 | 1;
  const toIndex = (1 - current) as 0 | 1;
  const from = states[fromIndex];
  const to = states[toIndex];
  const warnings: string[] = [];

  const [fromPlane, toPlane] = [context.planes?.[fromIndex], context.planes?.[toIndex]];
  if (context.mode === "complete") {
    if (!isStandalone(to) || !acceptsWrites(toPlane)) {
      return {
        ok: false,
        code: "NothingToComplete",
        reason: `${to.name} is not a standalone server that accepts writes (role ${to.role ?? "unknown"}, in recovery ${toPlane?.inRecovery ?? "unknown"}, default_transaction_read_only ${toPlane?.readOnlyDefault ?? "unknown"}): there is no promoted server to complete a failover to`,
      };
    }
    if (acceptsWrites(fromPlane))
      warnings.push(`${from.name} still accepts writes: it is fenced before the CNAME moves`);
    return { ok: true, fromIndex, toIndex, warnings };
  }
  if (isStandalone(to) && acceptsWrites(toPlane)) {
    const both = acceptsWrites(fromPlane);
    return {
      ok: false,
      code: both ? "TwoWritablePrimaries" : "IncompleteFailover",
      reason:
        `${to.name} is already a standalone server that accepts writes while the CNAME serves ${from.name}` +
        (both ? `, which accepts writes too (not fenced): two writable primaries` : "") +
        `. If ${to.name} was promoted for a failover (a run that stopped, or by hand), finish it with "complete": true; otherwise fence or remove one of them by hand`,
    };
  }
  if (!isReplicaRole(to.role) || !to.sourceServerResourceId) {
    return {
      ok: false,
      code: "NoReplica",
      reason: `${to.name} is not a replica (role ${to.role ?? "unknown"}, ${to.sourceServerResourceId ? "source " + to.sourceServerResourceId : "no source server"}): there is nothing to fail over to; re-protect the pair by creating a new replica of ${from.name}`,
    };
  }
  if (!sameResourceId(to.sourceServerResourceId, from.resourceId)) {
    return {
      ok: false,
      code: "ReplicaOfAnotherServer",
      reason: `${to.name} replicates from ${to.sourceServerResourceId}, not from ${from.name} which the CNAME serves`,
    };
  }
  if (to.state !== "Ready") {
    return { ok: false, code: "ReplicaNotReady", reason: `${to.name} is in state ${to.state ?? "unknown"}, not Ready` };
  }
  if (option === "Planned") {
    if (from.state !== "Ready") {
      return {
        ok: false,
        code: "PrimaryNotReady",
        reason: `a planned failover needs ${from.name} Ready, but it is ${from.state ?? "unknown"}; use option Forced if its region is down`,
      };
    }
    if (to.replicationState && to.replicationState !== "Active") {
      return {
        ok: false,
        code: "ReplicationNotActive",
        reason: `a planned failover needs replication Active, but ${to.name} reports ${to.replicationState}; use option Forced to accept data loss`,
      };
    }
  } else {
    if (from.state === "Ready")
      warnings.push(`${from.name} is Ready: a forced promote may lose the replica lag; Planned loses nothing`);
    if (to.replicationState && to.replicationState !== "Active")
      warnings.push(`${to.name} replication state is ${to.replicationState}`);
  }
  return { ok: true, fromIndex, toIndex, warnings };
}

/** The control plane's view of a finished promote (the data plane is checked separately). */
export function promotionDone(s: ServerState): boolean {
  return isStandalone(s) && s.state === "Ready";
}
