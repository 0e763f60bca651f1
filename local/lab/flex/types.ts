// A Flexible Server as the emulator tracks it: its role, its user/region state and the operation it runs.
import type { PgNode } from "../pg-node";
import type { ServerInfo } from "../types";

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

export function serverState(s: FlexServer): ServerState {
  return s.transient ?? (s.regionDown ? "Inaccessible" : s.userStopped ? "Stopped" : "Ready");
}
