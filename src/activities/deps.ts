// What activities are built from. The composition root (src/app/services.ts) wires the real adapters;
// tests wire fakes or the lab's endpoints. Activities never construct clients themselves.
import type { AuditJournal } from "../audit/journal";
import type { DnsRecords } from "../azure/dns-records";
import type { FlexibleServers } from "../azure/flexible-servers";
import type { PairConfig } from "../config/pair-schema";
import { parseServerId } from "../config/pair-schema";
import type { PostgresProbe, ProbeLogin } from "../probe/postgres-probe";
import type { ServerRef } from "./contracts";

export interface ActivityDeps {
  pair(name: string): PairConfig;
  dns: DnsRecords;
  servers: FlexibleServers;
  probe: PostgresProbe;
  /** How the probe logs in to this pair's servers (password or Entra token resolved at connect time). */
  login(pair: PairConfig): ProbeLogin;
  journal: AuditJournal;
}

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
