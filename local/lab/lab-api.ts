// The Lab handle startLab() returns: control of a running lab (faults, regions, queries, tokens, state) and stop().
import type pg from "pg";
import type { ArmRequestRecord, ArmServer } from "./arm/arm-server";
import { ArmError } from "./arm/errors";
import type { Operation, Operations } from "./arm/operations";
import type { Assignment, Role, RoleDefinition, RoleEnforcer, StopRoleOption } from "./arm/rbac";
import type { ArmThrottle, ThrottleSpec, ThrottleState } from "./arm/throttle";
import type { Azurite } from "./azurite";
import type { Fault, FaultSpec, Faults } from "./faults";
import type { UserIds } from "./identity/claims";
import type { Issuer } from "./identity/issuer";
import type { TokenRequest } from "./identity/token-request";
import type { FlexServers } from "./flex/servers";
import { serverState, type FlexServer } from "./flex/types";
import type { PgPair } from "./pg-pair";
import type { RecordSet, ZoneStore } from "./zone-store";
import type { LabInfo, ServerInfo, ServerKey } from "./types";

export interface Lab {
  info: LabInfo;
  /** Stops everything this lab started and removes its directory. Idempotent. */
  stop(): Promise<void>;
  faults: { add(spec: FaultSpec): Fault; clear(id?: string): void; list(): Fault[] };
  /** Crash every server in the region, of every pair (immediate shutdown); their ARM state becomes Inaccessible. */
  regionDown(region: string): Promise<void>;
  regionUp(region: string): Promise<void>;
  /**
   * Break a pair's replication: its replica (the server that is a replica now) stops streaming and stays a
   * standby, and ARM reports its replicationState "Broken" — a planned failover of that pair is refused.
   */
  breakReplica(pair: string): Promise<void>;
  /** When a promoted server answered "not in recovery" (ISO time), or undefined if it was never promoted here. */
  promotedAt(server: ServerKey): string | undefined;
  /** ARM's subscription throttling: true for ARM's limits, limits of your own, or false to turn it off. */
  throttle(spec: ThrottleSpec | false): ThrottleState;
  throttleState(): ThrottleState;
  /** Every ARM request so far (not /_lab/ control calls). */
  requests(): ArmRequestRecord[];
  clearRequests(): void;
  /** Query a server as the admin over TLS (verify-full against its own name, dialled by IP). */
  adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
    server: ServerKey,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** Same as the least-privilege app role. */
  appQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
    server: ServerKey,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** pg client config for a server (by IP, TLS verify-full with servername = its A-record FQDN). */
  clientConfig(server: ServerKey, as?: "admin" | "app"): pg.ClientConfig;
  /** Serve a certificate from the rogue CA (same names) on that server, or the genuine one again. */
  useRogueCert(server: ServerKey, on: boolean): Promise<void>;
  server(key: ServerKey): ServerInfo;
  /** Every server the lab has now, those created since the start (a re-protection's replicas) included. */
  allServers(): { info: ServerInfo; pair: string; role: string; state: string; source: string | null }[];
  /** DNS/ARM state: the zone's record sets, a server's ARM GET body, LRO operations. */
  recordSets(): RecordSet[];
  serverResource(key: ServerKey): unknown;
  operations(): Omit<Operation, "result">[];
  /** An access token from the lab's issuer for a lab user with these app roles (see identity/token-request.ts). */
  token(req: TokenRequest): Promise<string>;
  identity: {
    token(req: TokenRequest): Promise<string>;
    /** Same claims and kid, signed by a key in no JWKS: must fail verification. */
    forgedToken(req: TokenRequest): Promise<string>;
    /** The oid, sub and preferred_username this lab's tokens carry for a user. */
    user(user: string): UserIds;
  };
  /** Replace infra/role.json's role (undefined: not assigned), kept at its scopes; see LabOptions.role. */
  setRole(role: RoleDefinition | string | undefined): void;
  /** The role the app's token holds now (undefined: none enforced). */
  role(): Role | undefined;
  /** Replace the stop role and the pairs that hold it (undefined: not assigned); see LabOptions.stopRole. */
  setStopRole(stopRole: StopRoleOption | undefined): void;
  /** Every role assignment the app's token holds now, with its scope. */
  assignments(): Assignment[];
  /** Process ids the lab started (for leak checks). */
  pids(): { postgres: number[]; azurite?: number; reaper?: number };
}

/** What a started lab is made of. */
export interface LabParts {
  servers: FlexServers;
  pairs: PgPair[];
  throttle: ArmThrottle;
  arm: ArmServer;
  issuer: Issuer;
  azurite?: Azurite;
  faults: Faults;
  store: ZoneStore;
  ops: Operations;
  rbac: RoleEnforcer;
  /** Stops everything started and removes the directory. */
  cleanup: () => Promise<void>;
  reaperPid?: number;
  log: (line: string) => void;
}

export function makeLab(info: LabInfo, p: LabParts): Lab {
  const { servers } = p;
  const firstPair = info.pairs[0]?.name;
  const byKey = (key: ServerKey): FlexServer => {
    // "primary" / "replica" are pair 0's; any other pair's servers go by name.
    const s = servers.all.find((x) => x.pair === firstPair && x.key === key) ?? servers.find(key);
    if (!s) throw new Error(`no lab server '${key}' (use "primary", "replica" or a server name)`);
    return s;
  };
  const inRegion = (region: string): FlexServer[] => {
    const list = servers.regionServers(region);
    if (list.length === 0)
      throw new ArmError(
        404,
        "RegionNotFound",
        `No lab server in region '${region}' (regions: ${servers.all.map((s) => s.info.region).join(", ")}).`,
      );
    return list;
  };
  let stopping: Promise<void> | undefined;
  const lab: Lab = {
    info,
    stop: () =>
      (stopping ??= (async () => {
        const t = Date.now();
        await p.cleanup();
        p.log(`lab stopped in ${Date.now() - t} ms`);
      })()),
    faults: { add: (s) => p.faults.add(s), clear: (id) => p.faults.clear(id), list: () => p.faults.list() },
    regionDown: async (region) => {
      for (const s of inRegion(region)) {
        s.regionDown = true;
        await s.node.stop("immediate"); // a regional outage is a crash, not a clean shutdown
        p.log(`region ${region} down: ${s.info.name} stopped`);
      }
    },
    regionUp: async (region) => {
      for (const s of inRegion(region)) {
        if (!s.userStopped) await s.node.start();
        s.regionDown = false;
        p.log(`region ${region} up: ${s.info.name}`);
      }
    },
    breakReplica: async (pair) => {
      const members = servers.all.filter((s) => s.pair === pair);
      if (members.length === 0)
        throw new Error(`no lab pair '${pair}' (pairs: ${info.pairs.map((x) => x.name).join(", ")})`);
      const replica = members.find((s) => s.role !== "Primary");
      if (!replica) throw new Error(`lab pair '${pair}' has no replica left (it was failed over)`);
      await servers.breakReplication(replica);
    },
    promotedAt: (key) => byKey(key).promotedAt,
    throttle: (spec) => {
      p.throttle.set(spec);
      return p.throttle.state();
    },
    throttleState: () => p.throttle.state(),
    requests: () => p.arm.requests(),
    clearRequests: () => p.arm.clearRequests(),
    adminQuery: (key, sql, params) => byKey(key).node.query(sql, params ?? []),
    appQuery: (key, sql, params) => byKey(key).node.query(sql, params ?? [], info.postgres.app),
    clientConfig: (key, as = "admin") =>
      byKey(key).node.clientConfig(as === "admin" ? info.postgres.admin : info.postgres.app),
    useRogueCert: (key, on) => byKey(key).node.useRogueCert(on),
    server: (key) => byKey(key).info,
    recordSets: () => p.store.list().map((r) => structuredClone(r)),
    serverResource: (key) => servers.resource(byKey(key)),
    allServers: () =>
      servers.all.map((x) => ({
        info: x.info,
        pair: x.pair,
        role: x.role,
        state: serverState(x),
        source: x.source?.info.name ?? null,
      })),
    operations: () => p.ops.list().map(({ result: _r, ...rest }) => ({ ...rest })),
    token: (req) => p.issuer.token(req),
    identity: {
      token: (req) => p.issuer.token(req),
      forgedToken: (req) => p.issuer.forgedToken(req),
      user: (user) => p.issuer.user(user),
    },
    setRole: (role) => p.rbac.set(role),
    role: () => p.rbac.current,
    setStopRole: (stopRole) => p.rbac.setStopRole(stopRole),
    assignments: () => p.rbac.assignments,
    pids: () => ({
      postgres: p.pairs.flatMap((x) => [x.primary.pid(), x.replica.pid()]).filter((x): x is number => x !== undefined),
      azurite: p.azurite?.pid,
      reaper: p.reaperPid,
    }),
  };
  return lab;
}
