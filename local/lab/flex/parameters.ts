// Server parameters (…/configurations): read from pg_settings, written with ALTER SYSTEM + reload on the real
// server. Restart-only parameters are refused: the lab does not emulate a restart.
import { escapeLiteral } from "pg";
import { badRequest, conflict, notFound } from "../arm/errors";
import type { Operation, Operations } from "../arm/operations";
import type { Pace } from "../pace";
import { serverState, type FlexServer } from "./types";

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

const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/;
const SELECT_SETTINGS =
  "select name, current_setting(name) as value, short_desc, boot_val, vartype, enumvals, min_val, max_val, source, context, pending_restart, unit from pg_settings";
const DATA_TYPE: Record<string, string> = {
  bool: "Boolean",
  integer: "Integer",
  real: "Numeric",
  enum: "Enumeration",
  string: "String",
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const normalize = (v: string): string => {
  const l = v.trim().toLowerCase();
  if (["on", "true", "yes", "1"].includes(l)) return "on";
  if (["off", "false", "no", "0"].includes(l)) return "off";
  return l;
};

export class ServerParameters {
  constructor(
    private readonly ops: Operations,
    private readonly log: (line: string) => void,
    private readonly pace: Pace,
  ) {}

  async get(s: FlexServer, name: string): Promise<unknown> {
    running(s);
    return body(s, await this.mustFind(s, name));
  }

  async list(s: FlexServer): Promise<unknown> {
    running(s);
    const rows = await s.node.query<SettingRow>(`${SELECT_SETTINGS} order by name`);
    return { value: rows.map((r) => body(s, r)) };
  }

  /**
   * PUT/PATCH: ALTER SYSTEM (validated synchronously by PostgreSQL), then as an LRO the profile's delay (Azure
   * takes tens of seconds: pace.ts) and the reload, so new sessions see the value only when the operation ends.
   */
  async startPut(s: FlexServer, name: string, req: unknown): Promise<Operation> {
    running(s);
    // "During a replica's creation, deletion or promotion the primary is Updating and parameter changes are
    // unavailable": refused as Azure does, 409 ServerIsNotReady (hashicorp/terraform-provider-azurerm#29219).
    if (s.transient || s.busyOp)
      throw conflict(
        "ServerIsNotReady",
        `Server '${s.info.name}' is not ready for this operation. Current Server State = ${serverState(s)}.`,
      );
    const value = (req as { properties?: { value?: unknown } } | undefined)?.properties?.value;
    if (typeof value !== "string") throw badRequest("InvalidParameterValue", "properties.value must be a string.");
    const row = await this.mustFind(s, name);
    if (row.context === "internal" || row.context === "postmaster") {
      throw badRequest(
        "ReadOnlyServerParameter",
        `Server parameter '${row.name}' cannot be changed without a restart, which the lab does not emulate.`,
      );
    }
    try {
      await s.node.query(`alter system set ${row.name} = ${escapeLiteral(value)}`);
    } catch (e) {
      throw badRequest(
        "InvalidParameterValue",
        `Invalid value '${value}' for server parameter '${row.name}': ${(e as Error).message}`,
      );
    }
    const op = this.ops.create("configuration", s.info.name, s.info.region, () => undefined);
    const delay = this.pace.parameter();
    this.ops.run(
      op,
      async () => {
        await sleep(delay);
        await reloadUntilSeen(s, row.name, value);
      },
      this.log,
    );
    return op;
  }

  private async mustFind(s: FlexServer, name: string): Promise<SettingRow> {
    const lower = name.toLowerCase();
    const [row] = SETTING_NAME.test(lower)
      ? await s.node.query<SettingRow>(`${SELECT_SETTINGS} where name = $1`, [lower])
      : [];
    if (!row) throw notFound("ResourceNotFound", `Server parameter '${name}' does not exist.`);
    return row;
  }
}

function running(s: FlexServer): void {
  if (s.regionDown || s.userStopped || !s.node.isRunning())
    throw conflict(
      "ServerNotReady",
      `Server '${s.info.name}' is ${serverState(s)}; server parameters need a running server.`,
    );
}

/** New sessions see the value once the postmaster has handled SIGHUP (asynchronous): wait for it. */
async function reloadUntilSeen(s: FlexServer, name: string, value: string): Promise<void> {
  await s.node.query("select pg_reload_conf()");
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const [row] = await s.node.query<{ v: string }>("select current_setting($1) v", [name]);
    if (row && normalize(row.v) === normalize(value)) return;
    await sleep(25);
  }
}

function body(s: FlexServer, row: SettingRow): unknown {
  return {
    id: `${s.info.resourceId}/configurations/${row.name}`,
    name: row.name,
    type: "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
    properties: {
      value: row.value,
      description: row.short_desc,
      defaultValue: row.boot_val ?? "",
      dataType: DATA_TYPE[row.vartype] ?? "String",
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
