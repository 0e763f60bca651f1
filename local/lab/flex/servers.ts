// The Flexible Server control plane: lookups, and the promote / stop / start state machine acting on the real
// PostgreSQL processes. Each action is validated synchronously (HTTP errors) and then runs as an LRO.
import { badRequest, conflict, notFound } from "../arm/errors";
import { OperationError, type Operation, type Operations } from "../arm/operations";
import type { Faults } from "../faults";
import type { Pace, PromotePace } from "../pace";
import { dropSlotWhenInactive, promote, stopStreaming, waitCaughtUp } from "../pg-replication";
import { ServerParameters } from "./parameters";
import type { ReplicaFactory } from "./replica-factory";
import { serverResource, type ResourceContext } from "./resource";
import { serverState, type FlexServer, type PromoteOption, type ServerState } from "./types";

export interface FlexServersDeps extends ResourceContext {
  servers: FlexServer[];
  ops: Operations;
  faults: Faults;
  /** How long each operation takes (pace.ts: the fast or the azure profile). */
  pace: Pace;
  catchUpTimeoutMs: number;
  log: (line: string) => void;
  /** Creates and removes servers' real parts (replica creation, delete); absent: neither is emulated. */
  factory?: ReplicaFactory;
}

/** A replica creation as the REST spec's ServerCreateReplica example sends it (the SDK flattens `properties`). */
export interface CreateReplica {
  name: string;
  location: string;
  sourceServerResourceId: string;
}

type OperationKind = "promote" | "stop" | "start" | "create" | "delete";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FlexServers {
  readonly parameters: ServerParameters;

  constructor(private readonly d: FlexServersDeps) {
    this.parameters = new ServerParameters(d.ops, d.log, d.pace);
  }

  get all(): FlexServer[] {
    return this.d.servers;
  }

  find(name: string): FlexServer | undefined {
    return this.d.servers.find((s) => s.info.name.toLowerCase() === name.toLowerCase());
  }

  mustFind(name: string): FlexServer {
    const s = this.find(name);
    if (!s)
      throw notFound(
        "ResourceNotFound",
        `The Resource 'Microsoft.DBforPostgreSQL/flexibleServers/${name}' under resource group was not found.`,
      );
    return s;
  }

  regionServers(region: string): FlexServer[] {
    return this.d.servers.filter((s) => s.info.region.toLowerCase() === region.toLowerCase());
  }

  replicasOf(s: FlexServer): FlexServer[] {
    return this.d.servers.filter((r) => r.source === s);
  }

  resource(s: FlexServer): unknown {
    return serverResource(s, this.d);
  }

  startPromote(s: FlexServer, option: PromoteOption): Operation {
    this.notBusy(s);
    if (option === "planned" && s.source) this.notBusy(s.source);
    if (s.role === "Primary")
      throw badRequest(
        "ServerNotReplica",
        `Server '${s.info.name}' is not a read replica; only a replica can be promoted.`,
      );
    if (serverState(s) !== "Ready")
      throw conflict(
        "ServerNotReady",
        `Server '${s.info.name}' is in state '${serverState(s)}'; a promote needs it Ready.`,
      );
    const source = s.source;
    if (option === "planned" && !reachable(source)) {
      throw conflict(
        "SourceServerUnavailable",
        `Planned promote needs the source server '${source?.info.name}' to be reachable so no data is lost; it is not. Use promoteOption 'Forced' during a regional outage.`,
      );
    }
    // Documented: the primary shows state Updating while a replica is promoted (and its server parameters
    // cannot change meanwhile); the replica's own progress shows only in replica.replicationState, in the
    // promote order Reconfiguring → Updating → Catchup ("Updating: undergoing some changes … promoting it to
    // primary server"; read-replica concepts page, KnownReplicationState). Its state stays Ready: Microsoft
    // does not document it leaving Ready, so the app must not rely on it (shared/reference/azure-arm.md 1.4).
    const sourceShown = source && serverState(source) === "Ready" && !source.busyOp ? source : undefined;
    if (sourceShown) {
      sourceShown.transient = "Updating";
      sourceShown.busyOp = "promote of a replica";
    }
    s.replicationState = "Reconfiguring";
    const pace = this.d.pace.promote();
    const op = this.runOperation(s, "promote", undefined, async () => {
      try {
        await this.promoteWork(s, source, option, pace);
      } finally {
        if (s.role !== "Primary") s.replicationState = s.broken ? "Broken" : "Active";
        if (sourceShown?.transient === "Updating") sourceShown.transient = undefined;
        if (sourceShown?.busyOp === "promote of a replica") sourceShown.busyOp = undefined;
      }
    });
    this.d.log(`arm: promote ${s.info.name} (${option}) started, op ${op.id}`);
    return op;
  }

  /** The replica stops streaming (it stays a standby) and ARM reports its replication Broken. */
  async breakReplication(s: FlexServer): Promise<void> {
    if (s.role === "Primary") throw new Error(`${s.info.name} is not a replica`);
    s.broken = true;
    s.replicationState = "Broken";
    if (s.node.isRunning()) await stopStreaming(s.node);
    this.d.log(`lab: replication of ${s.info.name} broken`);
  }

  startStop(s: FlexServer): Operation {
    this.notBusy(s);
    if (s.regionDown) throw conflict("ServerNotReady", `Server '${s.info.name}' is Inaccessible.`);
    if (s.userStopped) throw conflict("ServerAlreadyStopped", `Server '${s.info.name}' is already stopped.`);
    const delay = this.d.pace.stopStart();
    return this.runOperation(s, "stop", "Stopping", async () => {
      await sleep(delay);
      await s.node.stop("fast");
      s.userStopped = true;
    });
  }

  startStart(s: FlexServer): Operation {
    this.notBusy(s);
    if (s.regionDown) throw conflict("ServerNotReady", `Server '${s.info.name}' is Inaccessible.`);
    if (!s.userStopped) throw conflict("ServerNotStopped", `Server '${s.info.name}' is not stopped.`);
    const delay = this.d.pace.stopStart();
    return this.runOperation(s, "start", "Starting", async () => {
      await sleep(delay);
      await s.node.start();
      s.userStopped = false;
    });
  }

  /**
   * A read replica of a primary, created as ARM creates one: the server shows state Provisioning and replicationState
   * Provisioning, then Catchup while it replays, then Ready / Active (KnownServerState, KnownReplicationState of the
   * REST spec 2025-08-01; Learn "Read replicas in Azure Database for PostgreSQL": a replica is created from the
   * source's data and then streams). Its A record appears in the zone once it answers ("Private access (VNET
   * integration)": the server's DNS record is registered in the linked private DNS zone).
   */
  startCreateReplica(r: CreateReplica): Operation {
    const factory = this.d.factory;
    if (!factory) throw badRequest("FeatureNotSupported", "This lab does not emulate creating servers.");
    // Server names are global (<name>.postgres.database.azure.com): Azure answers "Specified server name '<name>' is
    // already used. Please use a different name and try again." (Azure/azure-service-operator#2428,
    // MicrosoftDocs/azure-docs#63537). The code is the lab's: Microsoft documents none.
    if (this.find(r.name))
      throw conflict(
        "ServerNameAlreadyExists",
        `Specified server name '${r.name}' is already used. Please use a different name and try again.`,
      );
    const sourceName = r.sourceServerResourceId.split("/").pop() ?? "";
    const source = this.find(sourceName);
    if (!source || source.info.resourceId.toLowerCase() !== r.sourceServerResourceId.toLowerCase())
      throw notFound("SourceServerNotFound", `The source server '${r.sourceServerResourceId}' was not found.`);
    if (source.role !== "Primary")
      throw badRequest(
        "InvalidSourceServer",
        `Server '${source.info.name}' is a replica: a replica's source is a primary.`,
      );
    this.notBusy(source);
    if (serverState(source) !== "Ready" || !reachable(source))
      throw conflict(
        "ServerNotReady",
        `Server '${source.info.name}' is in state '${serverState(source)}'; it must be Ready.`,
      );
    const region = this.regionOf(r.location);
    const info = factory.info(r.name, region, r.location, source);
    const s = factory.server(info, source, region === source.info.region ? "AsyncReplica" : "GeoAsyncReplica");
    this.d.servers.push(s);
    const wait = this.d.pace.create();
    const failure = this.d.faults.takeCreateFail();
    const op = this.runOperation(s, "create", "Provisioning", async () => {
      try {
        await sleep(wait / 2);
        if (failure)
          throw new OperationError(
            failure.code ?? "QuotaExceeded",
            failure.message ?? `Operation results in exceeding quota limits of Core for region ${region}.`,
          );
        await factory.provision(s);
        s.replicationState = "Catchup";
        await sleep(wait / 2);
        s.replicationState = "Active";
      } catch (e) {
        // A failed create leaves nothing here (Azure does not document whether a failed server remains; the app
        // reports the server it asked for either way).
        this.d.servers.splice(this.d.servers.indexOf(s), 1);
        await factory.remove(s);
        throw e instanceof OperationError ? e : new OperationError("InternalServerError", (e as Error).message);
      }
    });
    this.d.log(`arm: create ${r.name} (replica of ${source.info.name} in ${region}) started, op ${op.id}`);
    return op;
  }

  /**
   * Deletes a server: state Dropping while it runs (KnownServerState), then gone (GET 404). A replica's slot on
   * its source goes with it.
   */
  startDelete(s: FlexServer): Operation {
    const factory = this.d.factory;
    if (!factory) throw badRequest("FeatureNotSupported", "This lab does not emulate deleting servers.");
    this.notBusy(s);
    if (this.replicasOf(s).length > 0)
      throw conflict(
        "ServerHasReplicas",
        `Server '${s.info.name}' has read replicas: the lab deletes replicas and standalone servers only.`,
      );
    const wait = this.d.pace.delete();
    const op = this.runOperation(s, "delete", "Dropping", async () => {
      await sleep(wait);
      await factory.remove(s);
      this.d.servers.splice(this.d.servers.indexOf(s), 1);
    });
    this.d.log(`arm: delete ${s.info.name} started, op ${op.id}`);
    return op;
  }

  /** A location as ARM takes it ("eastus", "East US") → one of the lab's regions. */
  private regionOf(location: string): string {
    const want = location.replace(/\s+/g, "").toLowerCase();
    const regions = [...new Set(this.d.servers.map((x) => x.info.region))];
    const region = regions.find((g) => g.toLowerCase() === want);
    if (!region)
      throw badRequest(
        "LocationNotAvailableForResourceType",
        `The provided location '${location}' is not available for resource type 'Microsoft.DBforPostgreSQL/flexibleServers' in this lab (regions: ${regions.join(", ")}).`,
      );
    return region;
  }

  /**
   * The LRO pattern: the server is busy and shows `transient` while the work runs (after any "hold" fault is
   * cleared); both are cleared however it ends, before the operation reports its end — the SDK's final GET
   * after Succeeded must already see the new state.
   */
  private runOperation(
    s: FlexServer,
    kind: OperationKind,
    transient: ServerState | undefined,
    work: () => Promise<void>,
  ): Operation {
    const op = this.d.ops.create(kind, s.info.name, s.info.region, () => this.resource(s));
    s.busyOp = op.id;
    s.transient = transient;
    this.d.ops.run(
      op,
      async () => {
        try {
          await this.d.faults.hold(kind);
          await work();
        } finally {
          s.transient = undefined;
          s.busyOp = undefined;
        }
      },
      this.d.log,
    );
    return op;
  }

  private async promoteWork(
    s: FlexServer,
    source: FlexServer | undefined,
    option: PromoteOption,
    pace: PromotePace,
  ): Promise<void> {
    const taken = this.d.faults.takePromoteFail();
    const injected = taken?.kind === "promoteFail" ? taken : undefined;
    const fail = () =>
      new OperationError(
        injected?.code ?? "InternalServerError",
        injected?.message ?? "The promote operation failed (fault injected by the lab).",
      );
    // Validation errors of an accepted request arrive as the operation's first status, Failed.
    if (injected?.immediate) throw fail();
    await sleep(pace.reconfiguringMs);
    s.replicationState = "Updating";
    await sleep(pace.updatingMs);
    if (injected) throw fail();
    if (option === "planned") {
      s.replicationState = "Catchup";
      if (!source || !reachable(source))
        throw new OperationError(
          "SourceServerUnavailable",
          `The source server '${source?.info.name}' became unreachable; a planned promote cannot guarantee no data loss.`,
        );
      await waitCaughtUp(source.node, s.node, this.d.catchUpTimeoutMs).catch((e: Error) => {
        throw new OperationError("ReplicaCatchUpFailed", `Replica did not catch up with its source: ${e.message}`);
      });
    }
    if (s.regionDown || !s.node.isRunning())
      throw new OperationError("ServerNotReady", `Server '${s.info.name}' is not running.`);
    s.promotedAt = (await promote(s.node)).toISOString();
    s.role = "Primary";
    s.source = undefined;
    s.replicationState = undefined;
    s.broken = undefined;
    if (source && s.slotName) void dropSlotWhenInactive(source.node, s.slotName);
    this.d.log(`arm: promote ${s.info.name} done`);
  }

  /**
   * Overlapping operations are refused as Azure refuses them: 409 ServerBusy, "Server 'x' is busy with another
   * operation. Please try again later." (Azure/bicep-registry-modules#4451; shared/reference/azure-arm.md 1.4).
   */
  private notBusy(s: FlexServer): void {
    if (s.busyOp)
      throw conflict("ServerBusy", `Server '${s.info.name}' is busy with another operation. Please try again later.`);
  }
}

/** Reachable as a source for a planned promote: its region is up, not stopped, and the process runs. */
function reachable(s: FlexServer | undefined): boolean {
  return !!s && !s.regionDown && !s.userStopped && !s.transient?.startsWith("Stop") && s.node.isRunning();
}
