// A node-postgres connection to a named server through our own resolver, with libpq's TLS semantics:
// verify-ca checks the chain against the CA bundle but not the dialled name; verify-full checks both.
// With verify-ca, `expectName` still checks the certificate during the handshake, against the name of
// the server we mean to reach (not the CNAME dialled), so a wrong server never sees a credential.
import net from "node:net";
import { checkServerIdentity, type TLSSocket } from "node:tls";
import { Client } from "pg";
import type { TlsFacts } from "../domain/facts";
import { secureContextFor } from "./tls-context";

export type SslMode = "verify-ca" | "verify-full";

export interface ConnectOptions {
  /** The name the client uses (the CNAME or the server's FQDN): sent as SNI and checked by verify-full. */
  host: string;
  /** The address our resolver gave for `host`; the socket goes there. */
  address: string;
  port: number;
  database: string;
  user: string;
  password: () => Promise<string>;
  ca: string[];
  sslmode: SslMode;
  /** verify-ca only: the name the certificate must carry (checked in the handshake, before any login). */
  expectName?: string;
  connectTimeoutMs: number;
}

/** The socket each client dials through, to let an idle cached session stop holding the process open. */
const sockets = new WeakMap<Client, net.Socket>();

export async function connect(o: ConnectOptions): Promise<Client> {
  let socket: net.Socket | undefined;
  const client = new Client({
    host: o.host,
    port: o.port,
    database: o.database,
    user: o.user,
    password: o.password,
    connectionTimeoutMillis: o.connectTimeoutMs,
    // A kept session (session-cache.ts) to a server that vanished without closing it (a region down, a partition)
    // would leave a query waiting for TCP to give up, minutes later: each query gives up after the connect timeout
    // instead, so a check still takes no longer than a connection attempt did (the pair's time budgets count that).
    query_timeout: o.connectTimeoutMs,
    application_name: "pgflex-failover",
    // pg has no lookup hook: give it a socket that dials the address we resolved.
    stream: () => (socket = socketTo(o.address)),
    ssl: {
      // The bundle's context, built once (tls-context.ts); the chain and name are still checked per connection.
      secureContext: secureContextFor(o.ca),
      rejectUnauthorized: true,
      ...(o.sslmode === "verify-ca" ? { checkServerIdentity: certificateCheck(o.expectName) } : {}),
    },
  });
  client.on("error", () => undefined); // a server that goes away after a check must not crash the worker
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  if (socket) sockets.set(client, socket);
  return client;
}

/** Whether an open session keeps the process running (an idle cached one must not: tests and scripts exit). */
export function holdsProcess(client: Client, on: boolean): void {
  const socket = sockets.get(client);
  const tlsSocket = (client as unknown as { connection?: { stream?: net.Socket } }).connection?.stream;
  for (const s of [socket, tlsSocket]) {
    if (on) s?.ref();
    else s?.unref();
  }
}

function certificateCheck(expectName: string | undefined) {
  if (!expectName) return () => undefined;
  return (_dialled: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(expectName, cert);
}

function socketTo(address: string): net.Socket {
  const socket = new net.Socket();
  const dial = socket.connect.bind(socket) as (port: number, host: string) => net.Socket;
  (socket as unknown as { connect: (port: number) => net.Socket }).connect = (port: number) => dial(port, address);
  return socket;
}

export function tlsFacts(client: Client): TlsFacts & { remoteAddress: string | null } {
  const socket = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
  const cert = socket.getPeerCertificate?.();
  const dn = (o: Record<string, unknown> | undefined) =>
    o
      ? Object.entries(o)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(", ")
      : "";
  return {
    protocol: socket.getProtocol?.() ?? null,
    subject: dn(cert?.subject as unknown as Record<string, unknown>),
    issuer: dn(cert?.issuer as unknown as Record<string, unknown>),
    subjectAltNames: cert?.subjectaltname ?? "",
    validTo: cert?.valid_to ?? "",
    remoteAddress: socket.remoteAddress ?? null,
  };
}
