// A Flexible Server as the emulator tracks it: its role, its user/region state and the operation it runs.
import type { PgNode } from "../pg-node";
import type { ServerInfo } from "../types";

export type ServerState = "Ready" | "Updating" | "Stopping" | "Stopped" | "Starting" | "Inaccessible";
export type ReplicationRole = "Primary" | "GeoAsyncReplica";
export type PromoteOption = "planned" | "forced";

export interface FlexServer {
  /** The role at start within its pair. */
  key: "primary" | "replica";
  /** The pair's name in the app's settings ("lab", "lab-1", …). */
  pair: string;
  info: ServerInfo;
  node: PgNode;
  role: ReplicationRole;
  source?: FlexServer;
  /** A replica's slot on its source (dropped after its promote). */
  slotName?: string;
  /** Replication broken on purpose (lab.breakReplica): not streaming, ARM reports replicationState Broken. */
  broken?: boolean;
  /** When the promoted server answered "not in recovery" (ISO time, ms). */
  promotedAt?: string;
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
