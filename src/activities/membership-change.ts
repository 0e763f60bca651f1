// Changing a pair's membership: the re-protect orchestration replaces a member (its new replica joins, the
// retired server leaves), and a person may reset the pair to its configured servers. Each change is checked
// (src/domain/membership.ts), written only over the membership it was decided on (etag), and audited with
// who, why, the run and the old and new server lists.
import type { ActivityDeps } from "./deps";
import type { ServerConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import {
  checkReplacement,
  effectiveMembership,
  type MemberReplacement,
  type Membership,
  type StoredMembership,
} from "../domain/membership";
import { cnameFqdn } from "../domain/pair-refs";
import type { Principal } from "../domain/principal";
import { sameName } from "../domain/names";

/** Who asks, why, and the run the change belongs to (the re-protect run; a reset has its own id). */
export interface ChangeBy {
  principal: Principal;
  reason: string;
  runId: string;
}

export type MembershipResult =
  | { kind: "changed"; membership: Membership; previous: ServerConfig[] }
  | { kind: "unchanged"; membership: Membership }
  | { kind: "refused"; code: string; field?: string; reason: string };

/** Another writer won this many times in a row: give up and say so (never loops). */
const MAX_RACES = 5;

/**
 * The re-protect orchestration's call: `change.add` joins the pair, `change.remove` leaves. Idempotent: a
 * replacement already in effect (an activity retried after a crash) is `unchanged`. The caller has verified that
 * the new server exists, is a replica of the current primary and is in the pair's resource group.
 */
export async function replaceMember(
  deps: ActivityDeps,
  pairName: string,
  change: MemberReplacement,
  by: ChangeBy,
): Promise<MembershipResult> {
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await deps.members.read(pairName);
    const pair = await deps.pair(pairName);
    // The list the etag guards: what was just read (the seed when nothing is stored).
    const current = stored ? stored.value.servers : pair.configuredServers;
    const done =
      current.some((s) => s.resourceId.toLowerCase() === change.add.resourceId.toLowerCase()) &&
      !current.some((s) => s.resourceId.toLowerCase() === change.remove.toLowerCase());
    if (done) {
      // A retry after the write: the audit entry too, if the first attempt stopped before it.
      if (stored?.value.change.runId === by.runId) await auditOnce(deps, stored.value);
      return { kind: "unchanged", membership: effectiveMembership(pair.configuredServers, stored?.value) };
    }
    const cname = await deps.dns.getCname(pair.dns);
    const otherNames = deps.pairNames().filter((n) => n !== pairName);
    const others = await Promise.all(otherNames.map(async (n) => ({ pair: n, servers: (await deps.pair(n)).servers })));
    const check = checkReplacement(current, change, {
      seed: pair.configuredServers,
      zone: pair.dns.zone,
      cname: pair.dns.cname,
      cnameTarget: cname.target,
      otherPairs: others,
    });
    if (!check.ok) return { kind: "refused", code: check.code, field: check.field, reason: check.reason };
    const next: StoredMembership = {
      pair: pairName,
      servers: check.servers,
      version: (stored?.value.version ?? 0) + 1,
      change: {
        by: by.principal,
        reason: by.reason,
        runId: by.runId,
        at: new Date().toISOString(),
        previous: [...current],
        servers: [...check.servers],
      },
    };
    if (!(await deps.members.write(next, stored?.etag))) continue; // someone wrote first: decide again
    await deps.journal.append(changeEntry(next, cnameFqdn(pair)));
    return {
      kind: "changed",
      membership: { source: "stored", servers: next.servers, version: next.version, change: next.change },
      previous: [...current],
    };
  }
  return {
    kind: "refused",
    code: "MembershipChanged",
    reason: `the membership of ${pairName} kept changing while this change was decided; read it again`,
  };
}

/**
 * Back to the configured servers (the stored membership is removed). Refused when the configured servers do not
 * include the server the CNAME serves: a pair whose primary is not a member cannot fail over safely.
 */
export async function resetMembership(deps: ActivityDeps, pairName: string, by: ChangeBy): Promise<MembershipResult> {
  const stored = await deps.members.read(pairName);
  const pair = await deps.pair(pairName);
  const seed = { dns: pair.dns, servers: pair.configuredServers };
  if (!stored) return { kind: "unchanged", membership: { source: "config", servers: seed.servers } };
  let target: string;
  try {
    target = (await deps.dns.getCname(seed.dns)).target;
  } catch (e) {
    return { kind: "refused", code: "CnameUnreadable", reason: `cannot read the CNAME: ${describeError(e)}` };
  }
  const served = seed.servers.some((s) => sameName(`${s.aRecord}.${seed.dns.zone}`, target));
  if (!served) {
    return {
      kind: "refused",
      code: "PrimaryNotConfigured",
      reason:
        `the CNAME serves ${target}, which is neither configured server (${names(seed.servers)}): ` +
        `update PGFLEX_PAIRS to the pair's servers first, or keep the stored membership`,
    };
  }
  if (!(await deps.members.remove(pairName, stored.etag))) {
    return {
      kind: "refused",
      code: "MembershipChanged",
      reason: `the membership of ${pairName} changed; read it again`,
    };
  }
  await deps.journal.append({
    runId: by.runId,
    pair: pairName,
    step: STEP,
    event: "succeeded",
    summary: `membership of ${pairName} reset to its configured servers by ${by.principal.name}: ${names(stored.value.servers)} → ${names(seed.servers)}: ${by.reason}`,
    detail: { previous: stored.value.servers, servers: seed.servers, by: by.principal, reason: by.reason },
  });
  return { kind: "changed", membership: { source: "config", servers: seed.servers }, previous: stored.value.servers };
}

const STEP = "membership";

function changeEntry(m: StoredMembership, cname?: string) {
  const c = m.change;
  return {
    runId: c.runId,
    pair: m.pair,
    step: STEP,
    event: "succeeded" as const,
    summary:
      `membership of ${m.pair}${cname ? ` (${cname})` : ""} by ${c.by.name}: ${names(c.previous)} → ${names(c.servers)}` +
      `: ${c.reason}`,
    detail: { previous: c.previous, servers: c.servers, version: m.version, by: c.by, reason: c.reason },
  };
}

async function auditOnce(deps: ActivityDeps, m: StoredMembership): Promise<void> {
  const entries = await deps.journal.list(m.change.runId);
  if (!entries.some((e) => e.step === STEP && e.pair === m.pair)) await deps.journal.append(changeEntry(m));
}

function names(servers: readonly ServerConfig[]): string {
  return servers.map((s) => s.resourceId.split("/").pop()).join(" + ");
}
