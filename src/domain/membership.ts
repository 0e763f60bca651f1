// A pair's membership: which two servers it is made of. The configured servers (PGFLEX_PAIRS) are the seed;
// once the re-protect orchestration has replaced a member, the stored membership overrides the seed, so a
// pair stays protected without a redeploy. Pure: the merge and the rules a replacement must obey.
import { parseServerId } from "./names";
import { serverSchema, type ServerConfig } from "./server-config";
import { sameName, sameResourceId } from "./names";
import type { Principal } from "./principal";

/** Who changed the membership, why, in which run, and when. */
export interface MembershipChange {
  by: Principal;
  reason: string;
  runId: string;
  at: string;
  /** The server list before and after the change. */
  previous: ServerConfig[];
  servers: ServerConfig[];
}

/** What the app stores for a pair once its membership has changed (one row per pair). */
export interface StoredMembership {
  pair: string;
  servers: [ServerConfig, ServerConfig];
  /** 1 for the first change, then one more per change. */
  version: number;
  change: MembershipChange;
}

/** The membership the app acts on, and where it came from. */
export type Membership =
  | { source: "config"; servers: [ServerConfig, ServerConfig] }
  | { source: "stored"; servers: [ServerConfig, ServerConfig]; version: number; change: MembershipChange };

/** The one place seed and stored meet: a stored membership, once written, overrides the configured one. */
export function effectiveMembership(
  seed: [ServerConfig, ServerConfig],
  stored: StoredMembership | undefined,
): Membership {
  if (!stored) return { source: "config", servers: seed };
  return { source: "stored", servers: stored.servers, version: stored.version, change: stored.change };
}

/** The retired server leaves, the new replica joins. */
export interface MemberReplacement {
  remove: string;
  add: ServerConfig;
}

export interface ReplacementContext {
  /** The pair's configured servers: a new server must live in the subscription and resource group of one. */
  seed: readonly ServerConfig[];
  /** The private zone and the CNAME's current target (FQDN): the server it serves never leaves. */
  zone: string;
  cname: string;
  cnameTarget: string;
  /** Servers of the other pairs (configured or stored): a server belongs to one pair. */
  otherPairs: readonly { pair: string; servers: readonly ServerConfig[] }[];
}

export type ReplacementCheck =
  | { ok: true; servers: [ServerConfig, ServerConfig] }
  | { ok: false; code: "InvalidMember"; field: string; reason: string };

const refuse = (field: string, reason: string): ReplacementCheck => ({
  ok: false,
  code: "InvalidMember",
  field,
  reason,
});

const aRecordFqdn = (s: ServerConfig, zone: string) => `${s.aRecord}.${zone}`;

/**
 * Whether `change` may be applied to `current`: the new list still has two distinct servers (ids and A
 * records), the new one is a well-formed Flexible Server in the pair's subscription and resource group (as
 * configured), belongs to no other pair, and the server the CNAME serves is never the one removed.
 */
export function checkReplacement(
  current: readonly ServerConfig[],
  change: MemberReplacement,
  ctx: ReplacementContext,
): ReplacementCheck {
  const parsed = serverSchema.safeParse(change.add);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(["add", ...issue.path.map(String)].join("."), issue.message);
  }
  const add = parsed.data;
  const leaving = current.find((s) => sameResourceId(s.resourceId, change.remove));
  if (!leaving) {
    return refuse(
      "remove",
      `${change.remove} is not a member of the pair (members: ${current.map((s) => s.resourceId).join(", ")})`,
    );
  }
  if (sameName(aRecordFqdn(leaving, ctx.zone), ctx.cnameTarget)) {
    return refuse("remove", `the CNAME serves ${parseServerId(leaving.resourceId).name}: the primary never leaves`);
  }
  if (sameResourceId(leaving.resourceId, add.resourceId))
    return refuse("add.resourceId", `${add.resourceId} is the server leaving: a server cannot replace itself`);
  const staying = current.filter((s) => s !== leaving);
  if (staying.some((s) => sameResourceId(s.resourceId, add.resourceId)))
    return refuse("add.resourceId", `${add.resourceId} is already a member of the pair`);
  if (staying.some((s) => s.aRecord.toLowerCase() === add.aRecord.toLowerCase()))
    return refuse("add.aRecord", `the A record ${add.aRecord} is already the other member's`);
  if (add.aRecord.toLowerCase() === ctx.cname.toLowerCase())
    return refuse("add.aRecord", `${add.aRecord} is the pair's CNAME, not an A record`);
  const where = parseServerId(add.resourceId);
  const home = ctx.seed.some((s) => {
    const p = parseServerId(s.resourceId);
    return (
      p.subscriptionId.toLowerCase() === where.subscriptionId.toLowerCase() &&
      p.resourceGroup.toLowerCase() === where.resourceGroup.toLowerCase()
    );
  });
  if (!home) {
    return refuse(
      "add.resourceId",
      `${where.name} is in resource group ${where.resourceGroup} of subscription ${where.subscriptionId}; ` +
        `only the subscription and resource group of the pair's configured servers are allowed`,
    );
  }
  const taken = ctx.otherPairs.find((o) => o.servers.some((s) => sameResourceId(s.resourceId, add.resourceId)));
  if (taken)
    return refuse("add.resourceId", `${where.name} belongs to pair "${taken.pair}": a server belongs to one pair`);
  const servers = current.map((s) => (s === leaving ? add : s)) as [ServerConfig, ServerConfig];
  return { ok: true, servers };
}

/**
 * A pair as the app acts on it: its configuration, with the effective membership as its servers (the configured
 * ones, the seed, kept beside them).
 */
export type WithMembership<P> = P & { membership: Membership; configuredServers: [ServerConfig, ServerConfig] };

export function withMembership<P extends { servers: [ServerConfig, ServerConfig] }>(
  seed: P,
  stored: StoredMembership | undefined,
): WithMembership<P> {
  const membership = effectiveMembership(seed.servers, stored);
  return { ...seed, servers: membership.servers, membership, configuredServers: seed.servers };
}
