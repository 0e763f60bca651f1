// Pure decisions of re-protection: after a failover the pair has a primary and an old server that is no longer
// its replica. Re-protecting creates a new replica of the primary (in the old server's region by default), makes
// it the pair's second member, and retires the old server. No I/O here.
import type { ServerRef, ServerState } from "./facts";
import { sameName, sameResourceId } from "./names";
import { isReplicaRole } from "./topology";

export type RetireOld = "keep" | "stop" | "delete";
export const RETIRE_OLD: readonly RetireOld[] = ["keep", "stop", "delete"];

/** A Flexible Server's name: 3-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
export const SERVER_NAME_RULE = "3-63 lower-case letters, digits or '-', not starting or ending with '-'";

export type ReprotectDecision =
  { ok: true; primaryIndex: 0 | 1; oldIndex: 0 | 1 } | { ok: false; code: string; reason: string };

/**
 * Which member is the primary (the one the CNAME serves, proven writable) and which is the old server to
 * replace. Refused when the pair is already protected: the other member is a replica of the primary.
 */
export function decideReprotect(
  refs: [ServerRef, ServerRef],
  states: [ServerState | null, ServerState | null],
  cnameTarget: string,
  primaryWritable: boolean,
): ReprotectDecision {
  const i = refs.findIndex((r) => sameName(r.aRecordFqdn, cnameTarget));
  if (i < 0)
    return {
      ok: false,
      code: "CnameTargetUnknown",
      reason: `the CNAME points at "${cnameTarget}", neither member's A record: fix the CNAME before re-protecting`,
    };
  const primaryIndex = i as 0 | 1;
  const oldIndex = (1 - i) as 0 | 1;
  const primary = refs[primaryIndex];
  if (!primaryWritable)
    return {
      ok: false,
      code: "PrimaryNotWritable",
      reason: `${primary.name}, which the CNAME serves, does not accept writes: finish the failover first`,
    };
  const old = states[oldIndex];
  if (old && isReplicaRole(old.role) && sameResourceId(old.sourceServerResourceId, primary.resourceId))
    return {
      ok: false,
      code: "AlreadyProtected",
      reason: `${refs[oldIndex].name} is already a replica of ${primary.name}: the pair is protected`,
    };
  return { ok: true, primaryIndex, oldIndex };
}

/** The new replica's name: the one asked for, else the old server's name with a suffix from the run's id. */
export function replicaName(asked: string | null, oldName: string, runId: string): string {
  if (asked) return asked;
  const suffix = `-r${runId
    .replace(/[^a-z0-9]/gi, "")
    .slice(0, 6)
    .toLowerCase()}`;
  // Strip a suffix an earlier re-protection added, so names do not grow with every round trip.
  const base = oldName
    .replace(/-r[a-z0-9]{6}$/, "")
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, "");
  return `${base}${suffix}`;
}

/** A resource id for `name` next to `sibling` (same subscription and resource group). */
export function siblingId(sibling: string, name: string): string {
  return sibling.replace(/\/flexibleServers\/[^/]+$/i, `/flexibleServers/${name}`);
}

/** What a created replica still lacks before it can join the pair (empty: it is ready). */
export function replicaWaitingFor(f: {
  state: ServerState | null;
  primaryId: string;
  lagBytes: number | null;
  maxLagBytes: number;
  aRecord: string | null;
  loginError: string | null;
}): string[] {
  const s = f.state;
  if (!s) return ["ARM does not show the server yet"];
  const waiting: string[] = [];
  if (s.state?.toLowerCase() !== "ready") waiting.push(`ARM state ${s.state ?? "unknown"}, not Ready`);
  if (!isReplicaRole(s.role) || !sameResourceId(s.sourceServerResourceId, f.primaryId))
    waiting.push(`not (yet) a replica of the primary (role ${s.role ?? "none"})`);
  if (s.replicationState?.toLowerCase() !== "active")
    waiting.push(`replication ${s.replicationState ?? "unknown"}, not Active`);
  if (!f.aRecord) waiting.push("its name does not resolve to an A record in the zone yet");
  if (f.loginError) waiting.push(`the probe cannot log in by its own name (verify-full): ${f.loginError}`);
  if (f.lagBytes === null) waiting.push("its lag cannot be measured yet");
  else if (f.lagBytes > f.maxLagBytes) waiting.push(`lag ${f.lagBytes} bytes, above ${f.maxLagBytes}`);
  return waiting;
}
