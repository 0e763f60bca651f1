// Data-plane checks: is a server (reached by a given name through our resolver) in recovery, read-only,
// and can it really write? Each check opens one connection and closes it; pools would keep talking to
// the old server after a repoint.
import type { Client } from "pg";
import type { TlsFacts } from "../domain/facts";
import { connect, tlsFacts, type SslMode } from "./pg-connect";
import type { NameResolver, Resolution } from "./resolver";

export interface ProbeLogin {
  port: number;
  database: string;
  user: string;
  password: () => Promise<string>;
  ca: string[];
  connectTimeoutMs: number;
}

export interface ServerFacts {
  name: string;
  resolution: Resolution;
  address: string;
  tls: TlsFacts;
  inRecovery: boolean;
  transactionReadOnly: string;
  serverVersion: string;
  /** True when a temp-table write was made and rolled back (only asked of writable servers). */
  wroteAndRolledBack: boolean;
}

export interface WalPosition {
  inRecovery: boolean;
  /** pg_current_wal_lsn() on a primary, pg_last_wal_replay_lsn() on a replica. */
  lsn: string | null;
  replaySeconds: number | null;
}

/** Where the probe must end up before it logs in: a wrong answer is refused before any credential is sent. */
export interface Expectation {
  /** verify-ca: the name the server's certificate must carry (its own FQDN), checked in the handshake. */
  expectName?: string;
  /** The addresses the name may resolve to (the expected server's own addresses). */
  expectAddresses?: string[];
}

/** The probe reached somewhere it must not log in to. */
export class WrongServerError extends Error {
  readonly code = "WrongServer";
}

export class PostgresProbe {
  constructor(private readonly resolver: NameResolver) {}

  resolve(name: string): Promise<Resolution> {
    return this.resolver.resolve(name);
  }

  /** Connects to `name` and reports what the server says; with `write`, proves a write and rolls it back. */
  async inspect(
    name: string,
    login: ProbeLogin,
    sslmode: SslMode,
    opts: { write?: boolean } & Expectation = {},
  ): Promise<ServerFacts> {
    return this.withClient(name, login, sslmode, opts, async (client, resolution, address) => {
      const r = await client.query<{ in_recovery: boolean; ro: string; version: string }>(
        "select pg_is_in_recovery() as in_recovery, current_setting('transaction_read_only') as ro, current_setting('server_version') as version",
      );
      const row = r.rows[0]!;
      let wrote = false;
      if (opts.write && !row.in_recovery && row.ro === "off") {
        // A temp table needs a writable primary and leaves nothing behind once rolled back.
        await client.query("begin");
        try {
          await client.query("create temp table pgflex_failover_probe (at timestamptz) on commit drop");
          await client.query("insert into pgflex_failover_probe values (now())");
          wrote = true;
        } finally {
          await client.query("rollback");
        }
      }
      const { remoteAddress, ...tls } = tlsFacts(client);
      return {
        name,
        resolution,
        address: remoteAddress ?? address,
        tls,
        inRecovery: row.in_recovery,
        transactionReadOnly: row.ro,
        serverVersion: row.version,
        wroteAndRolledBack: wrote,
      };
    });
  }

  async walPosition(name: string, login: ProbeLogin, sslmode: SslMode): Promise<WalPosition> {
    return this.withClient(name, login, sslmode, {}, async (client) => {
      const r = await client.query<{ in_recovery: boolean; lsn: string | null; replay_s: string | null }>(
        `select pg_is_in_recovery() as in_recovery,
                case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text else pg_current_wal_lsn()::text end as lsn,
                case when pg_is_in_recovery() then extract(epoch from now() - pg_last_xact_replay_timestamp())::text end as replay_s`,
      );
      const row = r.rows[0]!;
      return {
        inRecovery: row.in_recovery,
        lsn: row.lsn,
        replaySeconds: row.replay_s === null ? null : Number(row.replay_s),
      };
    });
  }

  private async withClient<T>(
    name: string,
    login: ProbeLogin,
    sslmode: SslMode,
    expect: Expectation,
    fn: (client: Client, resolution: Resolution, address: string) => Promise<T>,
  ): Promise<T> {
    const resolution = await this.resolver.resolve(name);
    const address = resolution.addresses[0];
    if (!address) throw new Error(`${name} resolved to no address`);
    if (expect.expectAddresses && !expect.expectAddresses.includes(address)) {
      throw new WrongServerError(`${name} resolved to ${address}, not to ${expect.expectAddresses.join(", ")}`);
    }
    const client = await connect({ host: name, address, sslmode, expectName: expect.expectName, ...login });
    try {
      return await fn(client, resolution, address);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** TLS/certificate errors are permanent for a given server: retrying will not change the certificate. */
export function isTlsTrustError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED)$/.test(
    code,
  );
}
