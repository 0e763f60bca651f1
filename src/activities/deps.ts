// What activities are built from. The composition root (src/app/services.ts) wires the real adapters;
// tests wire fakes or the lab's endpoints. Activities never construct clients themselves.
import type { AuditJournal } from "../audit/journal";
import type { DnsRecords } from "../azure/dns-records";
import type { FlexibleServers } from "../azure/flexible-servers";
import type { Permissions } from "../azure/permissions";
import type { ResourceHealth } from "../azure/resource-health";
import type { PairConfig } from "../config/pair-schema";
import type { WithMembership } from "../domain/membership";
import type { PostgresProbe, ProbeLogin } from "../probe/postgres-probe";
import type { DecisionStore } from "../state/decisions";
import type { PairMemberStore } from "../state/pair-members";
import type { PairStateStore } from "../state/pair-state";

/** A pair as the app acts on it: its configuration, with the effective membership as its servers. */
export type EffectivePair = WithMembership<PairConfig>;

export interface ActivityDeps {
  /**
   * The pair as configured, with its effective membership as its servers (the stored one once the re-protect
   * orchestration changed it, else the configured seed): one state-table read per call, so a request or a
   * sweep asks once per pair and passes the result on.
   */
  pair(name: string): Promise<EffectivePair>;
  /** The configured pairs' names. */
  pairNames(): string[];
  /** Stored memberships (what overrides the configured servers). */
  members: PairMemberStore;
  dns: DnsRecords;
  servers: FlexibleServers;
  /** Azure Resource Health: Azure's own word on whether a server is available. */
  health: ResourceHealth;
  probe: PostgresProbe;
  /** What the app's identity may do on a resource (readiness: its role works on both servers and the CNAME). */
  permissions: Permissions;
  /** How the probe logs in to this pair's servers (password or Entra token resolved at connect time). */
  login(pair: PairConfig): ProbeLogin;
  journal: AuditJournal;
  /** Per-pair state that outlives runs: lag samples, fences owed to old primaries. */
  state: PairStateStore;
  /** Approvals and aborts as the HTTP API stored them (a run acts on nothing else). */
  decisions: DecisionStore;
}
