// Roles and tables the lab creates on the primary (the replica gets them through replication), each with the
// least privilege its user needs.
import { escapeIdentifier as ident, escapeLiteral as literal } from "pg";
import type { Credentials } from "./pg-node";

export interface LabRoles {
  replicator: Credentials;
  /**
   * The failover app's probe: connect, read recovery state, TEMP tables (a writability probe), and end
   * other sessions when it fences an old primary (pg_signal_backend: never superusers' sessions).
   */
  app: Credentials;
  /** The traffic generator's application role: INSERT/SELECT on traffic_writes and its sequence, nothing else. */
  writer: Credentials;
}

const login = (c: Credentials): string =>
  `create role ${ident(c.user)} with login password ${literal(c.password)} nosuperuser nocreatedb nocreaterole noreplication`;

export function labSchemaSql(r: LabRoles): string {
  return [
    `create role ${ident(r.replicator.user)} with replication login password ${literal(r.replicator.password)}`,
    login(r.app),
    login(r.writer),
    "revoke all on database postgres from public",
    `grant connect, temporary on database postgres to ${ident(r.app.user)}`,
    `grant pg_signal_backend to ${ident(r.app.user)}`,
    `grant connect on database postgres to ${ident(r.writer.user)}`,
    "revoke create on schema public from public",
    // A table for drills/tests to write through the admin; no other role can touch it.
    "create table lab_writes (id bigserial primary key, note text, at timestamptz not null default now())",
    // The traffic generator's writes: its own id, and which server took the write (replicated with the row).
    "create table traffic_writes (id bigserial primary key, client_id uuid not null unique, at timestamptz not null default now(), server inet not null default inet_server_addr())",
    `grant select, insert on traffic_writes to ${ident(r.writer.user)}`,
    `grant usage on sequence traffic_writes_id_seq to ${ident(r.writer.user)}`,
  ].join(";\n");
}
