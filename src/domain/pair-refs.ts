// The names a pair's configuration implies: each server's ref (ARM id, A record) and the CNAME's FQDN.
import type { ServerRef } from "./facts";
import { parseServerId } from "./names";

/** What these names are computed from: a pair's servers and DNS names (the configured pair has this shape). */
export interface PairNames {
  servers: readonly [{ resourceId: string; aRecord: string }, { resourceId: string; aRecord: string }];
  dns: { zone: string; cname: string };
}

export function serverRefs(pair: PairNames): [ServerRef, ServerRef] {
  const ref = (i: 0 | 1): ServerRef => {
    const s = pair.servers[i];
    return {
      resourceId: s.resourceId,
      name: parseServerId(s.resourceId).name,
      aRecord: s.aRecord,
      aRecordFqdn: `${s.aRecord}.${pair.dns.zone}`.toLowerCase(),
    };
  };
  return [ref(0), ref(1)];
}

export function cnameFqdn(pair: PairNames): string {
  return `${pair.dns.cname}.${pair.dns.zone}`.toLowerCase();
}
