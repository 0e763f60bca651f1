// The Flexible Server control plane the emulator exposes: roles, states, and the actions (promote, stop,
// start, server parameters) that really act on the PostgreSQL processes.
import { badRequest, conflict, notFound } from "./arm/errors";
import { OperationError, type Operation, type Operations } from "./arm/operations";
import type { Faults } from "./faults";
import { dropSlotWhenInactive, promote, waitCaughtUp } from "./pg-pair";
import type { PgNode } from "./pg-node";
import type { ServerInfo } from "./types";

export type ServerState = "Ready" | "Updating" | "Stopping" | "Stopped" | "Starting" | "Inaccessible";
export type ReplicationRole = "Primary" | "GeoAsyncReplica";
export type PromoteOption = "planned" | "forced";

export interface FlexServer {
  key: "primary" | "replica";
  info: ServerInfo;
  node: PgNode;
  role: ReplicationRole;
  source?: FlexServer;
  userStopped: boolean;
  regionDown: boolean;
  /** set while an operation runs (Updating, Stopping, Starting) */
  transient?: ServerState;
  replicationState?: string;
  busyOp?: string;
  tags: Record<string, string>;
}

export interface FlexServersDeps {
  servers: FlexServer[];
  ops: Operations;
  faults: Faults;
  slotName: string;
  version: string;
  adminUser: string;
  zoneId: string;
  promoteDelayMs: number;
  stopStartDelayMs: number;
  catchUpTimeoutMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/;

export class FlexServers {
  constructor(private readonly d: FlexServersDeps) {}

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

  state(s: FlexServer): ServerState {
    return s.transient ?? (s.regionDown ? "Inaccessible" : s.userStopped ? "Stopped" : "Ready");
  }

  replicasOf(s: FlexServer): FlexServer[] {
    return this.d.servers.filter((r) => r.source === s);
  }

  /** GET body, shaped like the RP's Server resource (reference §1.4). */
  resource(s: FlexServer): unknown {
    const isReplica = s.role !== "Primary";
    const [major, minor] = this.d.version.split(".");
    return {
      id: s.info.resourceId,
      name: s.info.name,
      type: "Microsoft.DBforPostgreSQL/flexibleServers",
      location: s.info.location,
      tags: { ...s.tags },
      sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
      systemData: { createdBy: "pgflex-lab", createdByType: "User", createdAt: new Date(0).toISOString() },
      properties: {
        administratorLogin: this.d.adminUser,
        state: this.state(s),
        fullyQualifiedDomainName: s.info.fqdn,
        version: major,
        minorVersion: minor ?? "0",
        replicationRole: s.role,
        replicaCapacity: isReplica ? 0 : 5,
        replica: {
          role: s.role,
          capacity: isReplica ? 0 : 5,
          replicationState: isReplica ? (s.replicationState ?? "Active") : null,
          promoteMode: null,
          promoteOption: null,
        },
        ...(isReplica && s.source ? { sourceServerResourceId: s.source.info.resourceId } : {}),
        network: {
          publicNetworkAccess: "Disabled",
          delegatedSubnetResourceId: `${s.info.resourceId.split("/providers/")[0]}/providers/Microsoft.Network/virtualNetworks/vnet-${s.info.region}/subnets/pg`,
          privateDnsZoneArmResourceId: this.d.zoneId,
        },
        highAvailability: { mode: "Disabled", state: "NotEnabled" },
        storage: { storageSizeGB: 128, autoGrow: "Disabled", tier: "P10", iops: 500 },
        backup: { backupRetentionDays: 7, geoRedundantBackup: "Disabled" },
        authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled" },
        availabilityZone: "1",
      },
    };
  }

  /** Reachable as a source for a planned promote: its region is up, not stopped, and the process runs. */
  private reachable(s: FlexServer | undefined): boolean {
    return !!s && !s.regionDown && !s.userStopped && !s.transient?.startsWith("Stop") && s.node.isRunning();
  }

  private notBusy(s: FlexServer): void {
    if (s.busyOp)
      throw conflict(
        "OperationInProgress",
        `An operation is already in progress on server '${s.info.name}'. Retry after it completes.`,
      );
  }

  /** PATCH body → promote request (or null when the PATCH is not a promote). Enums are case-insensitive. */
  parsePromote(body: unknown): { mode: "standalone"; option: PromoteOption } | null {
    if (body === undefined || body === null) return null;
    if (typeof body !== "object" || Array.isArray(body))
      throw badRequest("InvalidRequestContent", "The request body must be a JSON object.");
    const props = (body as { properties?: unknown }).properties;
    if (props === undefined || props === null) return null;
    if (typeof props !== "object") throw badRequest("InvalidRequestContent", "'properties' must be an object.");
    const p = props as {
      replica?: { promoteMode?: unknown; promoteOption?: unknown };
      replicationRole?: unknown;
      administratorLoginPassword?: unknown;
    };
    let result: { mode: "standalone"; option: PromoteOption } | null = null;
    if (p.replica && (p.replica.promoteMode != null || p.replica.promoteOption != null)) {
      const mode = String(p.replica.promoteMode ?? "standalone").toLowerCase();
      const option = String(p.replica.promoteOption ?? "planned").toLowerCase();
      if (mode === "switchover")
        throw badRequest(
          "UnsupportedPromoteMode",
          "promoteMode 'Switchover' needs virtual endpoints, which the lab does not emulate; use 'Standalone'.",
        );
      if (mode !== "standalone")
        throw badRequest(
          "InvalidParameterValue",
          `Invalid promoteMode '${String(p.replica.promoteMode)}'. Allowed: Standalone, Switchover.`,
        );
      if (option !== "planned" && option !== "forced")
        throw badRequest(
          "InvalidParameterValue",
          `Invalid promoteOption '${String(p.replica.promoteOption)}'. Allowed: Planned, Forced.`,
        );
      result = { mode, option };
    } else if (p.replicationRole != null) {
      if (String(p.replicationRole).toLowerCase() !== "none") {
        throw badRequest(
          "InvalidParameterValue",
          `replicationRole can only be set to 'None' (promote); got '${String(p.replicationRole)}'.`,
        );
      }
      // The legacy promote predates Planned/Forced and did not wait for catch-up.
      result = { mode: "standalone", option: "forced" };
    }
    if (result && p.administratorLoginPassword != null) {
      throw badRequest(
        "InvalidParameterCombination",
        "A promote cannot be combined with other property updates such as administratorLoginPassword.",
      );
    }
    return result;
  }

  /** Validates synchronously (HTTP errors), then runs the promote as an LRO. */
  startPromote(s: FlexServer, option: PromoteOption): Operation {
    this.notBusy(s);
    if (s.role === "Primary")
      throw badRequest(
        "ServerNotReplica",
        `Server '${s.info.name}' is not a read replica; only a replica can be promoted.`,
      );
    if (this.state(s) !== "Ready")
      throw conflict(
        "ServerNotReady",
        `Server '${s.info.name}' is in state '${this.state(s)}'; a promote needs it Ready.`,
      );
    const source = s.source;
    if (option === "planned" && !this.reachable(source)) {
      throw conflict(
        "SourceServerUnavailable",
        `Planned promote needs the source server '${source?.info.name}' to be reachable so no data is lost; it is not. Use promoteOption 'Forced' during a regional outage.`,
      );
    }
    const op = this.d.ops.create("promote", s.info.name, s.info.region, () => this.resource(s));
    s.busyOp = op.id;
    s.transient = "Updating";
    s.replicationState = "Updating";
    const sourceWasReady = source && this.state(source) === "Ready" && !source.busyOp;
    if (sourceWasReady) source.transient = "Updating"; // Azure shows both servers Updating during a promote
    this.d.log(`arm: promote ${s.info.name} (${option}) started, op ${op.id}`);
    this.d.ops.run(
      op,
      async () => {
        try {
          await sleep(this.d.promoteDelayMs);
          const injected = this.d.faults.takePromoteFail();
          if (injected?.kind === "promoteFail") {
            throw new OperationError(
              injected.code ?? "InternalServerError",
              injected.message ?? "The promote operation failed (fault injected by the lab).",
            );
          }
          if (option === "planned") {
            if (!this.reachable(source))
              throw new OperationError(
                "SourceServerUnavailable",
                `The source server '${source?.info.name}' became unreachable; a planned promote cannot guarantee no data loss.`,
              );
            await waitCaughtUp(source!.node, s.node, this.d.catchUpTimeoutMs).catch((e: Error) => {
              throw new OperationError(
                "ReplicaCatchUpFailed",
                `Replica did not catch up with its source: ${e.message}`,
              );
            });
          }
          if (s.regionDown || !s.node.isRunning())
            throw new OperationError("ServerNotReady", `Server '${s.info.name}' is not running.`);
          await promote(s.node);
          s.role = "Primary";
          s.source = undefined;
          s.replicationState = undefined;
          if (source) void dropSlotWhenInactive(source.node, this.d.slotName);
          this.d.log(`arm: promote ${s.info.name} done`);
        } finally {
          // The final GET the SDK does after Succeeded must already see Ready / Primary.
          s.transient = undefined;
          s.busyOp = undefined;
          if (s.role !== "Primary") s.replicationState = "Active";
          if (sourceWasReady && source.transient === "Updating") source.transient = undefined;
        }
      },
      this.d.log,
    );
    return op;
  }

  startStop(s: FlexServer): Operation {
    this.notBusy(s);
    if (s.regionDown) throw conflict("ServerNotReady", `Server '${s.info.name}' is Inaccessible.`);
    if (s.userStopped) throw conflict("ServerAlreadyStopped", `Server '${s.info.name}' is already stopped.`);
    const op = this.d.ops.create("stop", s.info.name, s.info.region, () => this.resource(s));
    s.busyOp = op.id;
    s.transient = "Stopping";
    this.d.ops.run(
      op,
      async () => {
        try {
          await sleep(this.d.stopStartDelayMs);
          await s.node.stop("fast");
          s.userStopped = true;
        } finally {
          s.transient = undefined;
          s.busyOp = undefined;
        }
      },
      this.d.log,
    );
    return op;
  }

  startStart(s: FlexServer): Operation {
    this.notBusy(s);
    if (s.regionDown) throw conflict("ServerNotReady", `Server '${s.info.name}' is Inaccessible.`);
    if (!s.userStopped) throw conflict("ServerNotStopped", `Server '${s.info.name}' is not stopped.`);
    const op = this.d.ops.create("start", s.info.name, s.info.region, () => this.resource(s));
    s.busyOp = op.id;
    s.transient = "Starting";
    this.d.ops.run(
      op,
      async () => {
        try {
          await sleep(this.d.stopStartDelayMs);
          await s.node.start();
          s.userStopped = false;
        } finally {
          s.transient = undefined;
          s.busyOp = undefined;
        }
      },
      this.d.log,
    );
    return op;
  }

  private running(s: FlexServer): void {
    if (s.regionDown || s.userStopped || !s.node.isRunning())
      throw conflict(
        "ServerNotReady",
        `Server '${s.info.name}' is ${this.state(s)}; server parameters need a running server.`,
      );
  }

  private configBody(s: FlexServer, row: SettingRow): unknown {
    const dataType: Record<string, string> = {
      bool: "Boolean",
      integer: "Integer",
      real: "Numeric",
      enum: "Enumeration",
      string: "String",
    };
    return {
      id: `${s.info.resourceId}/configurations/${row.name}`,
      name: row.name,
      type: "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
      properties: {
        value: row.value,
        description: row.short_desc,
        defaultValue: row.boot_val ?? "",
        dataType: dataType[row.vartype] ?? "String",
        allowedValues: row.enumvals
          ? row.enumvals.join(",")
          : row.vartype === "bool"
            ? "on,off"
            : row.min_val != null
              ? `${row.min_val}-${row.max_val}`
              : "",
        source: row.source === "default" ? "system-default" : "user-override",
        isDynamicConfig: row.context !== "postmaster",
        isReadOnly: row.context === "internal",
        isConfigPendingRestart: row.pending_restart,
        unit: row.unit ?? undefined,
      },
    };
  }

  private async setting(s: FlexServer, name: string): Promise<SettingRow | undefined> {
    if (!SETTING_NAME.test(name.toLowerCase())) return undefined;
    const rows = await s.node.query<SettingRow>(
      "select name, current_setting(name) as value, short_desc, boot_val, vartype, enumvals, min_val, max_val, source, context, pending_restart, unit from pg_settings where name = $1",
      [name.toLowerCase()],
    );
    return rows[0];
  }

  async getConfig(s: FlexServer, name: string): Promise<unknown> {
    this.running(s);
    const row = await this.setting(s, name);
    if (!row) throw notFound("ResourceNotFound", `Server parameter '${name}' does not exist.`);
    return this.configBody(s, row);
  }

  async listConfigs(s: FlexServer): Promise<unknown> {
    this.running(s);
    const rows = await s.node.query<SettingRow>(
      "select name, current_setting(name) as value, short_desc, boot_val, vartype, enumvals, min_val, max_val, source, context, pending_restart, unit from pg_settings order by name",
    );
    return { value: rows.map((r) => this.configBody(s, r)) };
  }

  /** PUT/PATCH a server parameter: ALTER SYSTEM (validated synchronously by PostgreSQL) then reload as an LRO. */
  async startPutConfig(s: FlexServer, name: string, body: unknown): Promise<Operation> {
    this.running(s);
    const value = (body as { properties?: { value?: unknown } } | undefined)?.properties?.value;
    if (typeof value !== "string") throw badRequest("InvalidParameterValue", "properties.value must be a string.");
    const row = await this.setting(s, name);
    if (!row) throw notFound("ResourceNotFound", `Server parameter '${name}' does not exist.`);
    if (row.context === "internal" || row.context === "postmaster") {
      throw badRequest(
        "ReadOnlyServerParameter",
        `Server parameter '${row.name}' cannot be changed without a restart, which the lab does not emulate.`,
      );
    }
    try {
      await s.node.query(`alter system set ${row.name} = ${quoteLiteral(value)}`);
    } catch (e) {
      throw badRequest(
        "InvalidParameterValue",
        `Invalid value '${value}' for server parameter '${row.name}': ${(e as Error).message}`,
      );
    }
    const op = this.d.ops.create("configuration", s.info.name, s.info.region, () => undefined);
    this.d.ops.run(
      op,
      async () => {
        await s.node.query("select pg_reload_conf()");
        // New sessions see the value once the postmaster has handled SIGHUP (asynchronous): wait for it.
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          const [{ v }] = await s.node.query<{ v: string }>("select current_setting($1) v", [row.name]);
          if (normalize(v) === normalize(value)) return;
          await sleep(25);
        }
      },
      this.d.log,
    );
    return op;
  }

  regionServers(region: string): FlexServer[] {
    return this.d.servers.filter((s) => s.info.region.toLowerCase() === region.toLowerCase());
  }

  get version(): string {
    return this.d.version;
  }
}

interface SettingRow {
  name: string;
  value: string;
  short_desc: string;
  boot_val: string | null;
  vartype: string;
  enumvals: string[] | null;
  min_val: string | null;
  max_val: string | null;
  source: string;
  context: string;
  pending_restart: boolean;
  unit: string | null;
}

const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const normalize = (v: string): string => {
  const l = v.trim().toLowerCase();
  if (["on", "true", "yes", "1"].includes(l)) return "on";
  if (["off", "false", "no", "0"].includes(l)) return "off";
  return l;
};
