// Whether the app's identity holds what it needs on a pair's servers and its CNAME record set, as ARM reports
// the caller's permissions there (src/azure/permissions.ts). Role assignments change rarely: each scope is read
// at most once per PERMISSIONS_TTL_MS (GET /api/pairs: twice PGFLEX_PAIRS_VIEW_SECONDS), however many views and
// sweeps ask.
import type { ActivityDeps } from "../activities/deps";
import type { PairConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import { NEEDED_ON_CNAME, NEEDED_ON_SERVER, missingActions, type PermissionBlock } from "../domain/rbac-actions";
import { FreshCache } from "./fresh-cache";

export const PERMISSIONS_TTL_MS = 10_000;

const held = new FreshCache<PermissionBlock[]>(PERMISSIONS_TTL_MS);

/** The CNAME record set's ARM id: the scope infra/main.bicep assigns the app's role at. */
export function cnameRecordSetId(pair: PairConfig): string {
  const d = pair.dns;
  return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${d.zone}/CNAME/${d.cname}`;
}

export async function permissionFacts(
  deps: ActivityDeps,
  pair: PairConfig,
  ttlMs = PERMISSIONS_TTL_MS,
): Promise<{ scope: string; missing: string[]; error?: string }[]> {
  const scopes = [
    ...pair.servers.map((s) => ({ id: s.resourceId, label: s.resourceId.split("/").pop()!, needed: NEEDED_ON_SERVER })),
    { id: cnameRecordSetId(pair), label: `the CNAME ${pair.dns.cname}`, needed: NEEDED_ON_CNAME },
  ];
  return Promise.all(
    scopes.map(async ({ id, label, needed }) => {
      try {
        const blocks = await held.get(id.toLowerCase(), () => deps.permissions.of(id), ttlMs);
        return { scope: label, missing: missingActions(needed, blocks) };
      } catch (e) {
        return { scope: label, missing: [], error: describeError(e) };
      }
    }),
  );
}
