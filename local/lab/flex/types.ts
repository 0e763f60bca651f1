// A Flexible Server as the emulator tracks it: its role, its user/region state and the operation it runs.
import type { PgNode } from "../pg-node";
import type { ServerInfo } from "../types";

// KnownServerState in the REST spec (2025-08-01): Provisioning while a server is created, Dropping while deleted.
export type ServerState =
  "Ready" | "Updating" | "Stopping" | "Stopped" | "Starting" | "Inaccessible" | "Provisioning" | "Dropping";
export type ReplicationRole = "Primary" | "GeoAsyncReplica" | "AsyncReplica";
export type PromoteOption = "planned" | "forced";

export interface FlexServer {
  /** The role at start within its pair ("created": a replica created since, by a re-protection). */
  key: "primary" | "replica" | "created";
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
