// Small in-memory fakes of the adapters, for unit tests of activities (no I/O).
import type { TestContext } from "node:test";
import type { ActivityDeps } from "../../src/activities/deps";
import { MemoryAuditJournal } from "../../src/audit/journal";
import { MemoryDecisionStore } from "../../src/state/decisions";
import { MemoryPairState } from "../../src/state/pair-state";
import { MemoryPairMembers } from "../../src/state/pair-members";
import { withMembership } from "../../src/domain/membership";
import type { DnsRecords } from "../../src/azure/dns-records";
import type {
  FlexibleServers,
  StartedPromote,
  ReplicaToCreate,
  StartedOperation,
} from "../../src/azure/flexible-servers";
import type { OperationStatus } from "../../src/domain/promotion";
import type { Availability, ResourceHealth } from "../../src/azure/resource-health";
import { pairSchema, type PairConfig } from "../../src/config/pair-schema";
import type { CnameSnapshot, ServerState } from "../../src/domain/facts";
import type { PostgresProbe } from "../../src/probe/postgres-probe";

export const SUB = "00000000-0000-0000-0000-000000000001";
export const ZONE = "corp.private.postgres.database.azure.com";
export const idOf = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-db/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;

export function rawPair(overrides: Record<string, unknown> = {}) {
  return {
    name: "prod",
    dns: { subscriptionId: SUB, resourceGroup: "rg-dns", zone: ZONE, cname: "prod" },
    servers: [
      { resourceId: idOf("pg-eus"), aRecord: "a1b2c3d4e5f6" },
      { resourceId: idOf("pg-wus"), aRecord: "0a1b2c3d4e5f" },
    ],
    probe: { user: "failover_probe", auth: "password", passwordSetting: "PROBE_PW" },
    ...overrides,
  };
}

export const pair: PairConfig = pairSchema.parse(rawPair());
export const EUS = `a1b2c3d4e5f6.${ZONE}`;
export const WUS = `0a1b2c3d4e5f.${ZONE}`;

export const primaryState = (name = "pg-eus"): ServerState => ({
  resourceId: idOf(name),
  name,
  state: "Ready",
  role: "Primary",
  fqdn: `${name}.postgres.database.azure.com`,
});
export const replicaState = (name = "pg-wus", source = "pg-eus"): ServerState => ({
  resourceId: idOf(name),
  name,
  state: "Ready",
  role: "GeoAsyncReplica",
  sourceServerResourceId: idOf(source),
  replicationState: "Active",
  fqdn: `${name}.postgres.database.azure.com`,
});

export class FakeDns implements DnsRecords {
  etag = 1;
  puts: { target: string; ttl: number; ifMatch: string }[] = [];
  failNextPutWith: unknown;
  constructor(public record: { target: string; ttl: number }) {}
  async getCname(): Promise<CnameSnapshot> {
    return { fqdn: `prod.${ZONE}`, ...this.record, etag: String(this.etag) };
  }
  async putCname(_z: unknown, value: { target: string; ttl: number }, current: CnameSnapshot): Promise<CnameSnapshot> {
    const ifMatch = current.etag;
    if (this.failNextPutWith) {
      const e = this.failNextPutWith;
      this.failNextPutWith = undefined;
      throw e;
    }
    if (ifMatch !== String(this.etag))
      throw Object.assign(new Error("precondition"), { statusCode: 412, code: "PreconditionFailed" });
    this.puts.push({ ...value, ifMatch });
    this.record = { ...value };
    this.etag++;
    return this.getCname();
  }
}

export class FakeServers implements FlexibleServers {
  promotes: string[] = [];
  failPromoteWith: unknown;
  constructor(public states: Record<string, ServerState>) {}
  async get(resourceId: string): Promise<ServerState> {
    const s = Object.values(this.states).find((x) => x.resourceId.toLowerCase() === resourceId.toLowerCase());
    if (!s) throw Object.assign(new Error("not found"), { statusCode: 404, code: "ResourceNotFound" });
    return { ...s };
  }
  /** What the promote's operation status URL answers (InProgress unless a test says otherwise). */
  operation: { status: OperationStatus; error?: string } = { status: "InProgress" };
  async startPromote(resourceId: string): Promise<StartedPromote> {
    if (this.failPromoteWith) throw this.failPromoteWith;
    this.promotes.push(resourceId);
    const s = Object.values(this.states).find((x) => x.resourceId === resourceId)!;
    s.state = "Updating";
    return { operationUrl: "https://management.azure.com/operations/1", firstPoll: { ...this.operation } };
  }
  async operationStatus(): Promise<{ status: OperationStatus; error?: string }> {
    return { ...this.operation };
  }
  parameters = new Map<string, string>();
  parameterWrites: { resourceId: string; name: string; value: string }[] = [];
  stops: string[] = [];
  async getParameter(resourceId: string, name: string): Promise<string> {
    return this.parameters.get(`${resourceId}|${name}`) ?? "off";
  }
  async setParameter(resourceId: string, name: string, value: string): Promise<void> {
    this.parameterWrites.push({ resourceId, name, value });
    this.parameters.set(`${resourceId}|${name}`, value);
  }
  async startStop(resourceId: string): Promise<void> {
    this.stops.push(resourceId);
  }
  creates: ReplicaToCreate[] = [];
  deletes: string[] = [];
  async startCreateReplica(r: ReplicaToCreate): Promise<StartedOperation> {
    this.creates.push(r);
    return { operationUrl: "https://management.azure.com/operations/2", firstPoll: { status: "InProgress" } };
  }
  async startDelete(resourceId: string): Promise<StartedOperation> {
    this.deletes.push(resourceId);
    return { operationUrl: "https://management.azure.com/operations/3", firstPoll: { status: "InProgress" } };
  }
}

/** Resource Health by server id; Available unless told otherwise. */
export class FakeHealth implements ResourceHealth {
  readonly states = new Map<string, Availability>();
  async availability(resourceId: string): Promise<Availability> {
    return this.states.get(resourceId) ?? { state: "Available", summary: null, reasonType: null };
  }
}

export function fakeDeps(
  dns: FakeDns,
  servers: FakeServers,
  probe: Partial<PostgresProbe> = {},
  health: ResourceHealth = new FakeHealth(),
  members: MemoryPairMembers = new MemoryPairMembers(),
): ActivityDeps & { journal: MemoryAuditJournal } {
  return {
    health,
    pair: async (name) => {
      if (name !== pair.name) throw new Error(`unknown pair ${name}`);
      return withMembership(pair, (await members.read(name))?.value);
    },
    pairNames: () => [pair.name],
    members,
    dns,
    servers,
    probe: probe as PostgresProbe,
    permissions: { of: async () => [{ actions: ["*"], notActions: [] }] },
    login: () => ({
      port: 5432,
      database: "postgres",
      user: "u",
      password: async () => "secret-pw",
      ca: [],
      connectTimeoutMs: 1000,
    }),
    journal: new MemoryAuditJournal(),
    state: new MemoryPairState(),
    decisions: new MemoryDecisionStore(),
  };
}

/**
 * Runs node:test's mock clock forward `stepMs` at a time until `done()` (at most `limitMs` of it), letting the code
 * under test reach its next timer between steps: pauses are then measured exactly, whatever the machine's load.
 */
export async function tickUntil(
  timers: TestContext["mock"]["timers"],
  done: () => boolean,
  o: { stepMs: number; limitMs: number },
): Promise<void> {
  for (let ms = 0; ms < o.limitMs && !done(); ms += o.stepMs) {
    await new Promise((r) => setImmediate(r)); // the code under test reaches its next pause (or its end)
    if (!done()) timers.tick(o.stepMs);
  }
}
