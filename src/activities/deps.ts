// What activities are built from. The composition root (src/app/services.ts) wires the real adapters;
// tests wire fakes or the lab's endpoints. Activities never construct clients themselves.
import type { AuditJournal } from "../audit/journal";
import type { DnsRecords } from "../azure/dns-records";
import type { FlexibleServers } from "../azure/flexible-servers";
import type { ResourceHealth } from "../azure/resource-health";
import type { PairConfig } from "../config/pair-schema";
import type { PostgresProbe, ProbeLogin } from "../probe/postgres-probe";
import type { DecisionStore } from "../state/decisions";
import type { PairStateStore } from "../state/pair-state";

export interface ActivityDeps {
  pair(name: string): PairConfig;
  dns: DnsRecords;
  servers: FlexibleServers;
  /** Azure Resource Health: Azure's own word on whether a server is available. */
  health: ResourceHealth;
  probe: PostgresProbe;
  /** How the probe logs in to this pair's servers (password or Entra token resolved at connect time). */
  login(pair: PairConfig): ProbeLogin;
  journal: AuditJournal;
  /** Per-pair state that outlives runs: lag samples, fences owed to old primaries. */
  state: PairStateStore;
  /** Approvals and aborts as the HTTP API stored them (a run acts on nothing else). */
  decisions: DecisionStore;
}
