// The names a pair's configuration implies: each server's ref (ARM id, A record) and the CNAME's FQDN.
import { parseServerId, type PairConfig } from "../config/pair-schema";
import type { ServerRef } from "./facts";

export function serverRefs(pair: PairConfig): [ServerRef, ServerRef] {
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

export function cnameFqdn(pair: PairConfig): string {
  return `${pair.dns.cname}.${pair.dns.zone}`.toLowerCase();
}
