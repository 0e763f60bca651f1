// The re-protection's test world, shared by the orchestrator tests: a pair after a failover (pg-wus primary, pg-eus
// old), the plan for its new replica, activity results for the whole way, and a dry run that plans the next failover.
import type { ReprotectPlan } from "../../src/activities/reprotect-contracts";
import type { FailoverInput, FailoverOutput } from "../../src/orchestrations/failover-types";
import type { ReprotectInput, ReprotectOutput } from "../../src/orchestrations/reprotect-types";
import {
  alice,
  bob,
  driveOrchestration,
  failoverOutput,
  TEST_POLICY,
  type Script,
  type SubOrchestrations,
} from "./harness";

export { alice, bob };

export const SUB =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL";
export const input: ReprotectInput = {
  runId: "00000000-0000-0000-0000-0000000000aa",
  pair: "orders",
  reason: "the pair has no replica since the failover",
  requester: alice,
  note: null,
  requestedAt: "2026-11-27T03:00:00.000Z",
  region: null,
  name: null,
  retireOld: "keep",
  policy: TEST_POLICY,
  needsApproval: false,
};
export const plan: ReprotectPlan = {
  kind: "planned",
  primary: {
    resourceId: `${SUB}/flexibleServers/pg-wus`,
    name: "pg-wus",
    aRecord: "bbb",
    aRecordFqdn: "bbb.zone.example",
    fqdn: "pg-wus.postgres.database.azure.com",
    location: "westus",
  },
  old: {
    resourceId: `${SUB}/flexibleServers/pg-eus`,
    name: "pg-eus",
    aRecord: "aaa",
    aRecordFqdn: "aaa.zone.example",
    state: null,
  },
  target: {
    resourceId: `${SUB}/flexibleServers/pg-eus-r000000`,
    name: "pg-eus-r000000",
    location: "eastus",
    network: null,
  },
  oldRisk: { bytes: 8192, replaySeconds: 1, source: "sample", measuredAt: "2026-11-27T02:00:00.000Z" },
  warnings: [],
};
export const ready = {
  kind: "ready" as const,
  fqdn: "pg-eus-r000000.postgres.database.azure.com",
  aRecord: "ccc",
  lagBytes: 0,
};
export const script = (over: Script = {}): Script => ({
  planReprotect: () => plan,
  createReplica: () => ({ kind: "started", operationUrl: "https://arm/op/1", firstPoll: { status: "InProgress" } }),
  checkReplica: () => ready,
  joinPair: (i) => ({ kind: "joined", members: [{ resourceId: plan.primary.resourceId, aRecord: "bbb" }, i.add] }),
  retireServer: () => ({ kind: "started", operationUrl: "https://arm/op/2" }),
  checkOperation: () => ({ status: "Succeeded" }),
  ...over,
});
export const dryRunOk = (): SubOrchestrations => ({
  failover: (i: FailoverInput): FailoverOutput =>
    failoverOutput(i, {
      outcome: "dryRun",
      dryRun: true,
      from: "pg-wus",
      to: "pg-eus-r000000",
      cname: { target: "bbb.zone.example", ttl: 30, note: "unchanged" },
      rpo: { bytes: 0, replaySeconds: 0, measuredAt: "2026-11-27T03:10:00.000Z", primaryReachable: true },
    }),
});
export const reprotect = (
  i: ReprotectInput,
  s: Script,
  events = [] as Parameters<typeof driveOrchestration>[3],
  subs: SubOrchestrations = dryRunOk(),
) => driveOrchestration<ReprotectOutput>("reprotect", i, s, events, subs);
