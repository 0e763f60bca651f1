// What the failover knows about a pair's parts: its servers (as configured and as ARM reports them), the
// CNAME record, the TLS session a probe saw, and the replica's lag. Plain JSON: these cross the
// orchestrator/activity boundary and are stored in the durable history.

export type PromoteOption = "Planned" | "Forced";

/** A pair's server as configured: its ARM id and its A record in the private zone. */
export interface ServerRef {
  resourceId: string;
  name: string;
  /** Relative name of its A record in the zone. */
  aRecord: string;
  aRecordFqdn: string;
  /** Its own name (`<server>.postgres.database.azure.com`), once ARM has reported it. */
  fqdn?: string;
}

/** What ARM says about a server, reduced to what the failover decides on. */
export interface ServerState {
  resourceId: string;
  name: string;
  location?: string;
  fqdn?: string;
  /** Control-plane state: Ready, Updating, Stopped, Inaccessible, ... */
  state?: string;
  /** replica.role, else replicationRole: Primary, None, AsyncReplica, GeoAsyncReplica. */
  role?: string;
  sourceServerResourceId?: string;
  replicationState?: string;
  /** Private access: the delegated subnet and private DNS zone (what a replica replacing it copies). */
  network?: ServerNetwork;
}

export interface ServerNetwork {
  delegatedSubnetResourceId: string | null;
  privateDnsZoneArmResourceId: string | null;
}

/** The CNAME record set as read from ARM; `etag` guards the next write. */
export interface CnameSnapshot {
  fqdn: string;
  target: string;
  ttl: number;
  etag: string;
  /** The record set's metadata, carried over on every write (it is not ours to drop). */
  metadata?: Record<string, string>;
}

export interface TlsFacts {
  protocol: string | null;
  subject: string;
  issuer: string;
  subjectAltNames: string;
  validTo: string;
}

export interface ReplicaLag {
  /** Bytes of WAL the primary wrote that the replica had not replayed (null when the primary was unreachable). */
  bytes: number | null;
  /** Seconds since the replica last replayed a transaction (null when it never has). */
  replaySeconds: number | null;
  measuredAt: string;
  primaryReachable: boolean;
  note?: string;
}
