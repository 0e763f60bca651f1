// The two ways the generator's application holds connections: a pg.Pool of long-lived connections (each new
// one resolves the CNAME afresh), or one connection per write with a DNS cache that honours the TTL.
import pg from "pg";
import type { LabInfo } from "../types";
import { viaCname } from "./connect";
import { NameResolver } from "./resolver";

const INSERT = "insert into traffic_writes(client_id) values ($1) returning host(server) as server";

export interface Writer {
  /** Inserts one row; resolves with the address of the server that acknowledged it. */
  write(id: string): Promise<string>;
  resolver: NameResolver;
  end(): Promise<void>;
}

/**
 * A connection that failed, or reached a server refusing writes (read-only: a fenced or demoted primary), is
 * dropped so the pool's next connection resolves the CNAME again; any other error keeps it.
 */
const dropsConnection = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || /^(08|57|25006)/.test(code);
};

async function insert(client: pg.ClientBase, id: string): Promise<string> {
  const { rows } = await client.query<{ server: string }>(INSERT, [id]);
  const [row] = rows;
  if (!row) throw new Error("the insert returned no row");
  return row.server;
}

export function poolWriter(info: LabInfo, connections: number): Writer {
  const resolver = new NameResolver(`${info.dns.host}:${info.dns.port}`, false);
  const pool = new pg.Pool({ ...viaCname(info, resolver), max: connections });
  pool.on("error", () => undefined); // an idle connection whose server died: the pool replaces it
  return {
    resolver,
    write: async (id) => {
      const client = await pool.connect();
      try {
        const server = await insert(client, id);
        client.release();
        return server;
      } catch (e) {
        client.release(dropsConnection(e) ? (e as Error) : undefined);
        throw e;
      }
    },
    end: () => pool.end(),
  };
}

export function perTransactionWriter(info: LabInfo): Writer {
  const resolver = new NameResolver(`${info.dns.host}:${info.dns.port}`, true);
  return {
    resolver,
    write: async (id) => {
      const client = new pg.Client(viaCname(info, resolver));
      client.on("error", () => undefined);
      try {
        await client.connect();
        return await insert(client, id);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    end: async () => undefined,
  };
}
