// Data-plane checks: is a server (reached by a given name through our resolver) in recovery, read-only,
// and can it really write? Each check resolves the name again and runs on a session to the address it got:
// one kept from an earlier check to that same name, address, login and TLS mode (session-cache.ts), or a new
// one. A pool keyed by name alone would keep talking to the old server after a repoint; this one cannot.
import type { Client } from "pg";
import type { TlsFacts } from "../domain/facts";
import { lastInsertedLsn } from "../domain/lsn";
import { connect, holdsProcess, tlsFacts, type SslMode } from "./pg-connect";
import type { NameResolver, Resolution } from "./resolver";
import { SessionCache, sessionKey } from "./session-cache";

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
  /** A new session, closed afterwards, never a kept one: the proof through the CNAME (DNS, TLS, login) is fresh. */
  fresh?: boolean;
  /** verify-ca: the name the server's certificate must carry (its own FQDN), checked in the handshake. */
  expectName?: string;
  /** The addresses the name may resolve to (the expected server's own addresses). */
  expectAddresses?: string[];
}

export interface FenceState {
  inRecovery: boolean;
  /** default_transaction_read_only as a new session sees it: "on" when the fence holds. */
  readOnlyDefault: string;
  /** pg_current_wal_insert_lsn() on a primary (null in recovery). */
  walLsn: string | null;
  /** Role or database settings that turn the fence off for the sessions they cover ("app in all databases"). */
  overrides: string[];
}

export interface EndedSessions {
  ended: number;
  /** Ended sessions that had not exited when the wait ran out. */
  stillExiting: number;
  /** Sessions the probe's role may not end (superusers'), by user. */
  survivors: { user: string; sessions: number }[];
}

/** The probe reached somewhere it must not log in to. */
export class WrongServerError extends Error {
  readonly code = "WrongServer";
}

export class PostgresProbe {
  constructor(
    private readonly resolver: NameResolver,
    /** This worker's kept sessions (one cache per composition root, as the app builds one per worker). */
    readonly sessions: SessionCache = new SessionCache({ hold: holdsProcess }),
    /** How a session is opened (pg-connect's connect; a fake in unit tests). */
    private readonly open: typeof connect = connect,
  ) {}

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

  /**
   * What a new session on `name` gets: `default_transaction_read_only` (the fence), whether the server is
   * in recovery, and any role or database setting that overrides the fence for the sessions it covers.
   */
  async fenceState(name: string, login: ProbeLogin): Promise<FenceState> {
    return this.withClient(name, login, "verify-full", {}, async (client) => {
      // The insert position, not the write position: a commit with synchronous_commit = off is acknowledged
      // once inserted, before it is written, so the replica must replay up to here to hold every acknowledged write.
      const r = await client.query<{
        in_recovery: boolean;
        ro: string;
        wal: string | null;
        page: string;
        segment: string;
      }>(
        `select pg_is_in_recovery() as in_recovery, current_setting('default_transaction_read_only') as ro,
                case when pg_is_in_recovery() then null else pg_current_wal_insert_lsn()::text end as wal,
                (select setting from pg_settings where name = 'wal_block_size') as page,
                (select setting from pg_settings where name = 'wal_segment_size') as segment`,
      );
      const o = await client.query<{ who: string }>(
        `select coalesce(r.rolname, 'all roles') || ' in ' || coalesce(d.datname, 'all databases') as who
           from pg_db_role_setting s
           left join pg_roles r on r.oid = s.setrole
           left join pg_database d on d.oid = s.setdatabase
          cross join unnest(s.setconfig) as c
          where c ilike 'default_transaction_read_only=%' and c not ilike '%=on' and c not ilike '%=true'`,
      );
      const row = r.rows[0]!;
      return {
        inRecovery: row.in_recovery,
        readOnlyDefault: row.ro,
        walLsn:
          row.wal === null ? null : lastInsertedLsn(row.wal, { page: Number(row.page), segment: Number(row.segment) }),
        overrides: o.rows.map((x) => x.who),
      };
    });
  }

  /**
   * Ends every other client session on `name` and waits (up to `waitMs`) until they have exited, so no
   * session opened before the fence can still commit. A non-superuser cannot end a superuser's session:
   * those are reported as survivors.
   */
  async endSessions(name: string, login: ProbeLogin, waitMs = 5000): Promise<EndedSessions> {
    return this.withClient(name, login, "verify-full", {}, async (client) => {
      // Without pg_read_all_stats, other users' rows hide backend_type: client sessions are told apart by
      // having a database and a user (background workers have no user). Only walsenders are spared — they feed
      // the replica, and pg_stat_replication shows their pids to any role — not sessions of roles that merely
      // have REPLICATION: on Azure an admin granted it for logical replication is often the app's own login.
      const sessions = await client.query<{ pid: number; usename: string | null }>(
        `select a.pid, a.usename from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
          where a.pid <> pg_backend_pid() and a.datname is not null
            and a.pid not in (select pid from pg_stat_replication where pid is not null)`,
      );
      const ended: number[] = [];
      const survivors = new Map<string, number>();
      for (const { pid, usename } of sessions.rows) {
        try {
          const r = await client.query<{ ok: boolean }>("select pg_terminate_backend($1) as ok", [pid]);
          if (r.rows[0]?.ok) ended.push(pid);
        } catch {
          const user = usename ?? "unknown";
          survivors.set(user, (survivors.get(user) ?? 0) + 1);
        }
      }
      const deadline = Date.now() + waitMs;
      let left = ended.length;
      while (left > 0 && Date.now() < deadline) {
        const r = await client.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where pid = any($1)",
          [ended],
        );
        left = r.rows[0]?.n ?? 0;
        if (left > 0) await new Promise((res) => setTimeout(res, 50));
      }
      return {
        ended: ended.length,
        stillExiting: left,
        survivors: [...survivors].map(([user, n]) => ({ user, sessions: n })),
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
    const open = () => this.open({ host: name, address, sslmode, expectName: expect.expectName, ...login });
    if (expect.fresh) {
      const client = await open();
      try {
        return await fn(client, resolution, address);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    const { port, database, user, ca } = login;
    const key = sessionKey({ name, address, port, database, user, sslmode, expectName: expect.expectName, ca });
    return this.sessions.use(key, open, (client) => fn(client, resolution, address));
  }
}

/** TLS/certificate errors are permanent for a given server: retrying will not change the certificate. */
export function isTlsTrustError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED)$/.test(
    code,
  );
}
